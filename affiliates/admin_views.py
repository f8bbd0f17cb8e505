"""Editors' money pages in the Wagtail admin: conversions, the ledger, payouts and
merchant connections; and the link health report.

Each view parses its input, calls one service or selector and renders; the rules
live in ``affiliates.services``. Who may open a page is the model's
``EditorsPermissionPolicy`` (registered in ``wagtail_hooks``), checked by Wagtail's
``PermissionCheckedMixin`` on every request, GET or POST.
"""

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
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.generic import EditView, IndexView, InspectView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.views.mixins import SpreadsheetExportMixin
from wagtail.admin.views.reports import ReportView
from wagtail.admin.widgets.boolean_radio_select import BooleanRadioSelect
from wagtail.log_actions import log

from products.currencies import money_round
from products.models import Merchant, Offer

from .forms import LedgerAdjustmentForm, MerchantConnectionCreateForm, PayoutRunForm
from .models import (
    Conversion,
    ConversionStatus,
    LedgerEntry,
    MerchantConnection,
    Payout,
    PayoutRun,
    PayoutStatus,
    ReviewState,
    TrackedLink,
)
from .permissions import EditorsPermissionPolicy
from .selectors import (
    LinkProblem,
    conversion_entries,
    conversions_visible,
    ledger_entries,
    link_health_rows,
    link_problem_condition,
    merchant_connections,
    offers_with_link_problems,
    payout_runs,
    payouts_in_run,
)
from .services import (
    LedgerError,
    conversion_review,
    ledger_adjust,
    merchant_connection_ensure,
    payout_decide,
    payout_run_create,
    payout_run_decide,
)
from .templatetags.affiliates_money import money

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


class ActionView(PermissionCheckedMixin, View):
    """A POST that calls one service on one object and returns to a page, with the
    outcome (or the service's refusal) as a message."""

    http_method_names = ["post"]
    model = None
    permission_required = None
    choices: dict[str, bool] = {}

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

    def get_queryset(self):
        return self.model._default_manager.all()

    def perform(self, target, choice) -> str:
        raise NotImplementedError

    def get_return_url(self, target) -> str:
        raise NotImplementedError


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
        return self.object.reviewed_by or ""

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
        # The held-for-review report posts here too and asks to come back to itself
        # (with its filters); anywhere off this site goes to the inspect page instead.
        after = self.request.POST.get("next", "")
        if after and url_has_allowed_host_and_scheme(
            after,
            allowed_hosts={self.request.get_host()},
            require_https=self.request.is_secure(),
        ):
            return after
        return reverse(self.inspect_url_name, args=[quote(target.pk)])


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
        for payout in payouts:
            payout.decide_url = reverse(self.decide_url_name, args=[quote(payout.pk)])
        return {
            **context,
            "payouts": payouts,
            "can_decide": can_decide,
            "has_open": any(payout.status == PayoutStatus.OPEN for payout in payouts),
            "run_decide_url": reverse(
                self.run_decide_url_name, args=[quote(self.object.pk)]
            ),
            "export_url": reverse(self.export_url_name, args=[quote(self.object.pk)]),
        }


class PayoutDecideView(ActionView):
    """Mark one payout paid or failed. The policy checked is the run's: a payout is
    only ever decided from its run's page."""

    model = PayoutRun
    permission_required = "decide"
    choices = {"paid": True, "failed": False}
    inspect_url_name = None

    def get_queryset(self):
        return Payout.objects.select_related("creator")

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
]


class PayoutRunExportView(PermissionCheckedMixin, SpreadsheetExportMixin, View):
    """GET: the run's payouts as a CSV file for the bank or the accountant. Written
    by Wagtail's spreadsheet export, like every export, so that its cells are made
    safe in one place (zhongcao.spreadsheets): creators choose their public names."""

    http_method_names = ["get", "head"]
    model = PayoutRun
    permission_required = "view"
    list_export = CSV_COLUMNS
    export_headings = {column: column for column in CSV_COLUMNS}

    def get(self, request, pk):
        self.run = get_object_or_404(PayoutRun, pk=pk)
        return self.as_spreadsheet(payouts_in_run(run=self.run), self.FORMAT_CSV)

    def get_filename(self) -> str:
        return f"payouts-{self.run.run_date.isoformat()}-{self.run.pk}"

    def to_row_dict(self, item: Payout) -> dict:
        creator, user = item.creator, item.creator.user
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


class ExternalURLColumn(Column):
    cell_template_name = "affiliates/admin/url_cell.html"


class ArticlesColumn(Column):
    """Each article of the row, linking to its edit page."""

    cell_template_name = "affiliates/admin/articles_cell.html"


class LinkHealthFilterSet(WagtailFilterSet):
    problem = django_filters.ChoiceFilter(
        label=_("Problem"),
        choices=LinkProblem.choices,
        empty_label=_("All"),
        widget=forms.RadioSelect,
        method="filter_problem",
    )
    merchant = django_filters.ModelChoiceFilter(
        label=_("Merchant"), queryset=Merchant.objects.order_by("name")
    )

    class Meta:
        model = Offer
        fields = []

    def filter_problem(self, queryset, name, value):
        return queryset.filter(link_problem_condition(problem=value))


class LinkHealthReportView(ReportView):
    """Offers in published articles that readers cannot buy from as linked: out of
    stock, discontinued, or a broken URL (products.services.offers_check), with the
    articles to fix. Editors only; exports as CSV and XLSX."""

    page_title = _("Link health")
    header_icon = "warning"
    index_url_name = "affiliates_link_health"
    index_results_url_name = "affiliates_link_health_results"
    permission_policy = EditorsPermissionPolicy(TrackedLink, actions={"view"})
    permission_required = "view"
    verbose_name_plural = _("offers with a problem")
    export_filename = "link-health"
    filterset_class = LinkHealthFilterSet
    columns = [
        Column("product", label=_("Product")),
        Column("merchant", label=_("Merchant")),
        ExternalURLColumn("url", label=_("Offer URL")),
        Column("problem", label=_("Problem")),
        DateColumn("checked_at", label=_("Last checked")),
        Column("http_status", label=_("HTTP code")),
        ArticlesColumn("articles", label=_("Articles")),
    ]
    list_export = [
        "product",
        "merchant",
        "url",
        "problem",
        "checked_at",
        "http_status",
        "article_titles",
    ]
    export_headings = {
        "product": _("Product"),
        "merchant": _("Merchant"),
        "url": _("Offer URL"),
        "problem": _("Problem"),
        "checked_at": _("Last checked"),
        "http_status": _("HTTP code"),
        "article_titles": _("Articles"),
    }

    def get_queryset(self):
        return offers_with_link_problems()

    def get_table(self, object_list):
        # The page's offers become the report's rows (with their articles) here,
        # after pagination, so that only one page's articles are read.
        return super().get_table(link_health_rows(offers=object_list))

    def decorate_paginated_queryset(self, object_list):
        # An export is not paginated and never builds the table: make its rows here.
        return link_health_rows(offers=object_list) if self.is_export else object_list
