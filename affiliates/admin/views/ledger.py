"""The ledger in the admin: its entries, one entry, and an adjustment."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.views.generic import IndexView

from affiliates.admin.forms import (
    LedgerAdjustmentForm,
)
from affiliates.admin.views.base import CheckedInspectView, ServiceFormView
from affiliates.commissions.selectors import (
    ledger_entries,
)
from affiliates.commissions.services.ledger import ledger_adjust
from affiliates.models import (
    LedgerEntry,
)
from affiliates.templatetags.affiliates_money import money

# -- Ledger ---------------------------------------------------------------------------


class LedgerIndexView(IndexView):
    add_item_label = _("Add adjustment")

    def get_base_queryset(self):
        return ledger_entries()


class LedgerInspectView(CheckedInspectView):
    page_title = _("Ledger entry")

    def get_queryset(self):
        return ledger_entries().select_related("payout", "created_by")

    def get_amount_display_value(self):
        return money(self.object.amount, self.object.currency)


class LedgerAdjustView(ServiceFormView):
    form_class = LedgerAdjustmentForm
    page_title = _("Add adjustment")
    submit_button_label = _("Add adjustment")

    def perform(self, *, creator, amount, currency, note):
        return ledger_adjust(
            creator=creator,
            amount=amount,
            currency=currency,
            note=note,
            user=self.request.user,
        )

    def get_success_message(self, result: LedgerEntry):
        return _("Adjustment of %(amount)s for %(creator)s added.") % {
            "amount": money(result.amount, result.currency),
            "creator": result.creator,
        }
