"""Editors' money pages in the Wagtail admin: conversions, the ledger, payouts and
merchant connections; and the link health report.

Each view parses its input, calls one service or selector and renders; the rules
live in the domains' services. Who may open a page is the model's
``EditorsPermissionPolicy`` (registered in ``wagtail_hooks``), checked by Wagtail's
``PermissionCheckedMixin`` on every request, GET or POST.
"""

from dataclasses import dataclass, field

import django_filters
from django import forms
from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy
from django.views import View
from django.views.generic import FormView, TemplateView
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.views.generic import EditView, IndexView, InspectView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.widgets.boolean_radio_select import BooleanRadioSelect
from wagtail.log_actions import log

from affiliates.admin.exports import ExcelCsvExportMixin
from affiliates.admin.forms import (
    LedgerAdjustmentForm,
    MerchantConnectionCreateForm,
    PayoutRunForm,
)
from affiliates.commissions.selectors import (
    conversion_entries,
    conversion_held_shares,
    conversions_visible,
    ledger_entries,
    merchant_connections,
    payout_runs,
    payouts_in_run,
    payouts_summary,
)
from affiliates.commissions.services.conversions import (
    conversion_review,
    merchant_connection_ensure,
)
from affiliates.commissions.services.ledger import LedgerError, ledger_adjust
from affiliates.commissions.services.payouts import (
    payout_decide,
    payout_run_create,
    payout_run_decide,
)
from affiliates.creators.people import public_name
from affiliates.creators.selectors import payout_method_for, payout_methods_by_creator
from affiliates.models import (
    Conversion,
    ConversionStatus,
    LedgerEntry,
    MerchantConnection,
    Payout,
    PayoutRun,
    PayoutStatus,
    ReviewState,
)
from affiliates.templatetags.affiliates_money import money
from products.currencies import money_round
from products.encryption import DecryptionError
from products.models import Merchant


def public_name_or_platform(creator) -> str:
    return creator.public_name if creator is not None else str(_("Platform"))


# -- Shared ---------------------------------------------------------------------------


class ServiceFormView(PermissionCheckedMixin, WagtailAdminTemplateMixin, FormView):
    """A form whose valid data goes to one service. What the service refuses (a
    ``LedgerError``) is shown as an error of the form, and nothing is written."""

    model = None
    permission_required = "add"
    index_url_name = None
    template_name = "affiliates/admin/service_form.html"
    submit_button_label = _("Save")

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {
                "url": reverse(self.index_url_name),
                "label": capfirst(self.model._meta.verbose_name_plural),
            },
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "submit_button_label": self.submit_button_label,
        }

    def form_valid(self, form):
        try:
            result = self.perform(**form.cleaned_data)
        except LedgerError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(self.request, self.get_success_message(result))
        return redirect(self.get_result_url(result))

    def perform(self, **data):
        raise NotImplementedError

    def get_success_message(self, result) -> str:
        raise NotImplementedError

    def get_result_url(self, result) -> str:
        return reverse(self.index_url_name)


class ActionView(PermissionCheckedMixin, WagtailAdminTemplateMixin, TemplateView):
    """An action on one object that asks first, as Wagtail's delete does: GET shows
    what will move (``get_confirmation``) and a form; its POST (with the CSRF
    token) calls one service and returns to a page, with the outcome (or the
    service's refusal) as a message. Posting twice moves nothing twice: the
    service refuses what is already done."""

    http_method_names = ["get", "head", "post"]
    template_name = "affiliates/admin/confirm_action.html"
    header_icon = "warning"
    model = None
    permission_required = None
    choices: dict[str, bool] = {}

    def get(self, request, pk):
        self.target = get_object_or_404(self.get_queryset(), pk=pk)
        self.choice = request.GET.get("outcome", "")
        if self.choices and self.choice not in self.choices:
            return HttpResponseBadRequest(str(_("Unknown action.")))
        self.confirmation = self.get_confirmation(
            self.target, self.choices.get(self.choice)
        )
        return self.render_to_response(self.get_context_data())

    def post(self, request, pk):
        target = get_object_or_404(self.get_queryset(), pk=pk)
        choice = request.POST.get("outcome", "")
        if self.choices and choice not in self.choices:
            return HttpResponseBadRequest(str(_("Unknown action.")))
        try:
            message = self.perform(target, self.choices.get(choice))
        except LedgerError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, message)
        return redirect(self.get_return_url(target))

    def get_page_title(self):
        return self.confirmation.title

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": self.get_return_url(self.target), "label": str(self.target)},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "confirmation": self.confirmation,
            "outcome": self.choice,
            "next": self.get_next_url(),
            "cancel_url": self.get_return_url(self.target),
        }

    def get_next_url(self) -> str:
        """Where the page that linked here asked to return (this site only)."""
        after = self.request.POST.get("next", "") or self.request.GET.get("next", "")
        if after and url_has_allowed_host_and_scheme(
            after,
            allowed_hosts={self.request.get_host()},
            require_https=self.request.is_secure(),
        ):
            return after
        return ""

    def get_queryset(self):
        return self.model._default_manager.all()

    def get_confirmation(self, target, choice) -> "Confirmation":
        raise NotImplementedError

    def perform(self, target, choice) -> str:
        raise NotImplementedError

    def get_return_url(self, target) -> str:
        raise NotImplementedError


@dataclass
class Confirmation:
    """What a confirmation page says: the question, what will move (label, value
    rows), the button; or why nothing can be done (``refusal``), with no button."""

    title: str
    message: str = ""
    rows: list[tuple[str, str]] = field(default_factory=list)
    button_label: str = ""
    serious: bool = False
    refusal: str = ""


class CheckedInspectView(InspectView):
    """Wagtail's inspect view looks the object up before it checks permission; this
    one checks first, so that a non-editor gets 403 for any id, existing or not."""

    def get_object(self, queryset=None):
        if not self.user_has_any_permission(self.any_permission_required):
            raise PermissionDenied
        return get_object_or_404(self.get_queryset(), pk=self.pk)

    def get_queryset(self):
        return self.model._default_manager.all()


# -- Conversions ----------------------------------------------------------------------


class ConversionFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=ConversionStatus.choices,
        empty_label=_("All"),
        widget=forms.RadioSelect,
    )
    merchant = django_filters.ModelChoiceFilter(
        label=_("Merchant"), queryset=Merchant.objects.order_by("name")
    )
    review = django_filters.ChoiceFilter(
        label=pgettext_lazy("held conversion", "Review"),
        choices=[(state.value, state.label) for state in ReviewState if state.value],
        empty_label=_("All"),
        widget=forms.RadioSelect,
    )
    # True: an author is credited; False: nobody is (see "why unattributed").
    attributed = django_filters.BooleanFilter(
        label=_("Attributed"),
        field_name="author",
        lookup_expr="isnull",
        exclude=True,
        widget=BooleanRadioSelect,
    )

    class Meta:
        model = Conversion
        fields = []


def review_display(conversion: Conversion) -> str:
    """ "Held for review (Self-purchase)", "Approved by an editor", or nothing."""
    review = conversion.get_review_display() if conversion.review else ""
    if review and conversion.hold_reason:
        return f"{review} ({conversion.get_hold_reason_display()})"
    return review


class ConversionIndexView(IndexView):
    def get_base_queryset(self):
        return conversions_visible(user=self.request.user)


class ConversionInspectView(CheckedInspectView):
    """A conversion's attribution and ledger entries; Approve / Reject while held."""

    template_name = "affiliates/admin/conversion_inspect.html"
    page_title = _("Conversion")
    review_url_name = None

    def get_page_subtitle(self):
        return f"{self.object.merchant} {self.object.order_id}"

    def get_reviewed_by_display_value(self):
        return public_name(self.object.reviewed_by)

    def get_queryset(self):
        return conversions_visible(user=self.request.user).select_related(
            "link", "reviewed_by"
        )

    def get_amount_display_value(self):
        return money(self.object.amount, self.object.currency)

    def get_commission_display_value(self):
        return money(self.object.commission, self.object.currency)

    def get_stated_commission_display_value(self):
        return money(self.object.stated_commission, self.object.currency)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        can_review = self.object.review == ReviewState.HELD and (
            self.user_has_permission("review")
        )
        return {
            **context,
            "entries": conversion_entries(conversion=self.object),
            "can_review": can_review,
            "review_url": reverse(self.review_url_name, args=[quote(self.object.pk)])
            if can_review
            else "",
        }


class ConversionReviewView(ActionView):
    model = Conversion
    permission_required = "review"
    choices = {"approve": True, "reject": False}
    inspect_url_name = None

    def get_queryset(self):
        return conversions_visible(user=self.request.user).select_related(
            "merchant", "author"
        )

    def get_confirmation(self, target, choice):
        order = {"order": target.order_id}
        if choice:
            title = _("Approve conversion %(order)s?") % order
            message = _(
                "Its held commission becomes pending, to be paid once the hold "
                "period ends:"
            )
        else:
            title = _("Reject conversion %(order)s?") % order
            message = _("Its held commission is reversed: nobody is paid for it.")
        rows = [
            (_("Merchant"), str(target.merchant)),
            (_("Sale"), money(target.amount, target.currency)),
        ]
        shares = conversion_held_shares(conversion=target)
        rows += [
            (
                public_name_or_platform(share.creator),
                money(share.amount, share.currency),
            )
            for share in shares
        ]
        refusal = ""
        if target.review != ReviewState.HELD:
            refusal = _("This conversion is not held for review.")
        return Confirmation(
            title=title,
            message=message,
            rows=rows,
            button_label=_("Yes, approve") if choice else _("Yes, reject"),
            serious=not choice,
            refusal=refusal,
        )

    def perform(self, target, choice):
        conversion_review(conversion=target, approve=choice, user=self.request.user)
        if choice:
            return _("Conversion %(order)s approved: its commission is pending.") % {
                "order": target.order_id
            }
        return _("Conversion %(order)s rejected: its commission is reversed.") % {
            "order": target.order_id
        }

    def get_return_url(self, target):
        # The held-for-review report links here too and asks to come back to
        # itself (with its filters); anywhere off this site goes to the inspect
        # page instead.
        return self.get_next_url() or reverse(
            self.inspect_url_name, args=[quote(target.pk)]
        )


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


# -- Merchant connections -------------------------------------------------------------


class MerchantConnectionIndexView(IndexView):
    add_item_label = _("Connect a merchant")

    def get_base_queryset(self):
        return merchant_connections()


class MerchantConnectionCreateView(ServiceFormView):
    form_class = MerchantConnectionCreateForm
    page_title = _("Connect a merchant")
    submit_button_label = _("Connect and generate a secret")
    edit_url_name = None

    def perform(self, *, merchant):
        connection = merchant_connection_ensure(merchant=merchant)
        log(connection, "wagtail.create", user=self.request.user)
        return connection

    def get_success_message(self, result: MerchantConnection):
        return _("%(merchant)s connected; give it the postback secret below.") % {
            "merchant": result.merchant
        }

    def get_result_url(self, result):
        return reverse(self.edit_url_name, args=[quote(result.pk)])


class SecretKeepingEditView(EditView):
    """Edits a model whose secret is shown and rotated, never edited in the form
    (merchant connections, webhook endpoints): saves the form's own columns only, and
    gives the template the URL of the rotate action."""

    rotate_url_name = None

    def save_instance(self):
        # Only the form's own columns: a secret rotated while the form was being
        # saved must not be written back.
        instance = self.form.save(commit=False)
        instance.save(update_fields=list(self.form.fields))
        log(
            instance,
            "wagtail.edit",
            user=self.request.user,
            content_changed=self.form.has_changed(),
        )
        return instance

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "rotate_url": reverse(self.rotate_url_name, args=[quote(self.object.pk)]),
        }


class MerchantConnectionEditView(SecretKeepingEditView):
    """The report columns and status words; the secret is shown, never edited here."""

    template_name = "affiliates/admin/merchant_connection_edit.html"


class MerchantConnectionRotateView(ActionView):
    model = MerchantConnection
    permission_required = "change"
    edit_url_name = None

    def get_queryset(self):
        return merchant_connections()

    def get_confirmation(self, target, choice):
        return Confirmation(
            title=_("Rotate the postback secret of %(merchant)s?")
            % {"merchant": target.merchant},
            message=_(
                "The old secret stops working at once: postbacks that %(merchant)s "
                "signs with it are refused until it uses the new one."
            )
            % {"merchant": target.merchant},
            button_label=_("Yes, rotate"),
            serious=True,
        )

    def perform(self, target, choice):
        connection = merchant_connection_ensure(merchant=target.merchant, rotate=True)
        # Who rotated a secret, and when, shows in the connection's history.
        log(connection, "affiliates.rotate_secret", user=self.request.user)
        return _(
            "A new postback secret for %(merchant)s is in force; the old one no "
            "longer works."
        ) % {"merchant": target.merchant}

    def get_return_url(self, target):
        return reverse(self.edit_url_name, args=[quote(target.pk)])


# -- Reports --------------------------------------------------------------------------
