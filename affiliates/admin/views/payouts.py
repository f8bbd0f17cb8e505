"""Payout runs in the admin: the list, a new run, a run with its payouts, marking a
payout or a whole run paid or failed, and the bank's export."""

from django.contrib.admin.utils import quote
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views import View
from wagtail.admin.views.generic import IndexView
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.log_actions import log

from affiliates.admin.exports import ExcelCsvExportMixin
from affiliates.admin.forms import (
    PayoutRunForm,
)
from affiliates.admin.views.base import (
    ActionView,
    CheckedInspectView,
    Confirmation,
    ServiceFormView,
)
from affiliates.commissions.selectors import (
    payout_runs,
    payouts_in_run,
    payouts_summary,
)
from affiliates.commissions.services.payouts import (
    payout_decide,
    payout_run_create,
    payout_run_decide,
)
from affiliates.creators.selectors import payout_method_for, payout_methods_by_creator
from affiliates.models import (
    Payout,
    PayoutRun,
    PayoutStatus,
)
from affiliates.templatetags.affiliates_money import money
from products.currencies import money_round
from products.encryption import DecryptionError

# -- Payouts --------------------------------------------------------------------------


class PayoutRunIndexView(IndexView):
    add_item_label = _("New payout run")

    def get_base_queryset(self):
        return payout_runs()


class PayoutRunCreateView(ServiceFormView):
    form_class = PayoutRunForm
    page_title = _("New payout run")
    submit_button_label = _("Create payout run")
    inspect_url_name = None

    def perform(self, *, run_date):
        return payout_run_create(run_date=run_date, user=self.request.user)

    def get_success_message(self, result: PayoutRun):
        return _("%(run)s created.") % {"run": result}

    def get_result_url(self, result):
        return reverse(self.inspect_url_name, args=[quote(result.pk)])


class PayoutRunInspectView(CheckedInspectView):
    """A run's payouts, with Mark paid / Mark failed, Mark all paid and the CSV."""

    template_name = "affiliates/admin/payout_run_inspect.html"
    page_title = _("Payout run")
    decide_url_name = None
    run_decide_url_name = None
    export_url_name = None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        payouts = list(payouts_in_run(run=self.object))
        can_decide = self.user_has_permission("decide")
        methods = payout_methods_by_creator(
            creator_ids=[payout.creator_id for payout in payouts]
        )
        for payout in payouts:
            payout.decide_url = reverse(self.decide_url_name, args=[quote(payout.pk)])
            method = methods.get(payout.creator_id)
            # Masked: the full account is only in the export, for the bank.
            payout.method_masked = method.masked if method else ""
        return {
            **context,
            "payouts": payouts,
            "can_decide": can_decide,
            "has_open": any(payout.status == PayoutStatus.OPEN for payout in payouts),
            "run_decide_url": reverse(
                self.run_decide_url_name, args=[quote(self.object.pk)]
            ),
            "export_url": reverse(self.export_url_name, args=[quote(self.object.pk)]),
            "missing_methods": sum(1 for payout in payouts if not payout.method_masked),
        }


class PayoutDecideView(ActionView):
    """Mark one payout paid or failed. The policy checked is the run's: a payout is
    only ever decided from its run's page."""

    model = PayoutRun
    permission_required = "decide"
    choices = {"paid": True, "failed": False}
    inspect_url_name = None

    def get_queryset(self):
        return Payout.objects.select_related("creator", "run")

    def get_confirmation(self, target, choice):
        names = {
            "creator": target.creator.public_name,
            "amount": money(target.amount, target.currency),
        }
        if choice:
            title = _("Mark the payout to %(creator)s paid?") % names
            message = (
                _(
                    "Only once %(amount)s has reached %(creator)s: their balance "
                    "becomes paid."
                )
                % names
            )
        else:
            title = _("Mark the payout to %(creator)s failed?") % names
            message = (
                _(
                    "%(amount)s goes back to the approved balance of %(creator)s, for "
                    "the next payout run."
                )
                % names
            )
        refusal = ""
        if target.status != PayoutStatus.OPEN:
            refusal = _("This payout is already %(status)s.") % {
                "status": target.get_status_display().lower()
            }
        return Confirmation(
            title=title,
            message=message,
            rows=[
                (_("Creator"), target.creator.public_name),
                (_("Amount"), money(target.amount, target.currency)),
                (_("Payout run"), str(target.run)),
                *self.get_extra_rows(target),
            ],
            button_label=_("Yes, mark paid") if choice else _("Yes, mark failed"),
            serious=not choice,
            refusal=refusal,
        )

    def get_extra_rows(self, target) -> list[tuple[str, str]]:
        method = payout_method_for(creator=target.creator)
        return [(_("Payout method"), method.masked if method else _("Not set"))]

    def perform(self, target, choice):
        payout = payout_decide(payout=target, paid=choice, user=self.request.user)
        return _("Payout to %(creator)s marked %(status)s.") % {
            "creator": payout.creator,
            "status": payout.get_status_display().lower(),
        }

    def get_return_url(self, target):
        return reverse(self.inspect_url_name, args=[quote(target.run_id)])


class PayoutRunDecideView(ActionView):
    model = PayoutRun
    permission_required = "decide"
    choices = {"paid": True}
    inspect_url_name = None

    def get_confirmation(self, target, choice):
        open_payouts = [
            payout
            for payout in payouts_in_run(run=target)
            if payout.status == PayoutStatus.OPEN
        ]
        count = len(open_payouts)
        rows = [
            (payout.creator.public_name, money(payout.amount, payout.currency))
            for payout in open_payouts
        ]
        rows += [
            (
                ngettext(
                    "Total (%(count)s payout)",
                    "Total (%(count)s payouts)",
                    total["count"],
                )
                % {"count": total["count"]},
                money(total["amount"], total["currency"]),
            )
            for total in payouts_summary(payouts=open_payouts)
        ]
        return Confirmation(
            title=ngettext(
                "Mark %(count)s open payout of %(run)s paid?",
                "Mark all %(count)s open payouts of %(run)s paid?",
                count,
            )
            % {"count": count, "run": target},
            message=_(
                "Only once every amount below has reached its creator: their "
                "balances become paid."
            ),
            rows=rows,
            button_label=_("Yes, mark all paid"),
            refusal="" if count else _("This run has no open payouts."),
        )

    def perform(self, target, choice):
        count = payout_run_decide(run=target, paid=choice, user=self.request.user)
        return ngettext(
            "%(count)s payout marked paid.", "%(count)s payouts marked paid.", count
        ) % {"count": count}

    def get_return_url(self, target):
        return reverse(self.inspect_url_name, args=[quote(target.pk)])


CSV_COLUMNS = [
    "payout_id",
    "creator_public_name",
    "creator_slug",
    "username",
    "email",
    "currency",
    "amount",
    "run_date",
    "status",
    "payout_method",
    "account_holder",
    "account",
    "bank",
]


class PayoutRunExportView(PermissionCheckedMixin, ExcelCsvExportMixin, View):
    """GET: the run's payouts as a CSV (``?export=xlsx``: XLSX) file for the bank or
    the accountant, with each creator's payout account in full: the only place it
    is not masked. Written by Wagtail's spreadsheet export, like every export, so
    that its cells are made safe in one place (zhongcao.spreadsheets): creators
    choose their public names. The CSV starts with a UTF-8 byte order mark, without
    which Excel reads 林小鹿 as mojibake."""

    http_method_names = ["get", "head"]
    model = PayoutRun
    permission_required = "view"
    list_export = CSV_COLUMNS
    export_headings = {column: column for column in CSV_COLUMNS}

    def get(self, request, pk):
        self.run = get_object_or_404(PayoutRun, pk=pk)
        payouts = list(payouts_in_run(run=self.run))
        self.methods = payout_methods_by_creator(
            creator_ids=[payout.creator_id for payout in payouts]
        )
        export_format = request.GET.get("export", self.FORMAT_CSV)
        if export_format not in self.FORMATS:
            return HttpResponseBadRequest(str(_("Unknown export format.")))
        # Who downloaded the accounts, and when, is in the run's history.
        log(self.run, "affiliates.payout_export", user=request.user)
        return self.as_spreadsheet(payouts, export_format)

    def get_filename(self) -> str:
        return f"payouts-{self.run.run_date.isoformat()}-{self.run.pk}"

    def to_row_dict(self, item: Payout) -> dict:
        creator, user = item.creator, item.creator.user
        method = self.methods.get(creator.pk)
        account = ("", "", "", "")
        if method is not None:
            try:
                details = method.details
            except DecryptionError:
                account = (method.kind, "", str(_("Unreadable: enter it again")), "")
            else:
                account = (
                    method.kind,
                    details.holder_name,
                    details.account_number or details.account,
                    details.bank_name,
                )
        values = [
            item.pk,
            creator.public_name,
            creator.slug,
            user.get_username(),
            user.email,
            item.currency,
            money_round(item.amount, item.currency),
            self.run.run_date.isoformat(),
            item.status,
            *account,
        ]
        return dict(zip(CSV_COLUMNS, values, strict=True))
