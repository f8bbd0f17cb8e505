"""A creator's own pages in the admin: their profile, payout method, earnings and
the earnings' spreadsheet export. Each shows the signed-in creator's own, and
nobody else's."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView, View
from wagtail.admin.paginator import WagtailPaginator
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from affiliates.admin.exports import ExcelCsvExportMixin
from affiliates.commissions.selectors import (
    EarningsExportRow,
    conversions_earning,
    creator_earnings,
    creator_earnings_export,
    creator_other_items,
    ledger_balances,
    payouts_for,
)
from affiliates.creators.forms import (
    OwnProfileForm,
    PayoutMethodForm,
)
from affiliates.creators.selectors import (
    creator_profile_for_user,
    payout_method_for,
)
from affiliates.creators.services import creator_profile_update, payout_method_set
from affiliates.models.money import EntryKind, EntryStatus


class CreatorOwnViewMixin(WagtailAdminTemplateMixin):
    """An admin page of the signed-in creator's own: ``self.profile`` is their
    profile (404 without one); the header names the page."""

    def dispatch(self, request, *args, **kwargs):
        self.profile = creator_profile_for_user(user=request.user)
        if self.profile is None:
            raise Http404(_("You have no creator profile."))
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]


class OwnProfileView(CreatorOwnViewMixin, FormView):
    """A creator edits their own public profile; nobody else's is reachable here."""

    form_class = OwnProfileForm
    template_name = "affiliates/own_profile.html"
    page_title = _("My creator profile")
    header_icon = "user"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.profile}

    def form_valid(self, form):
        creator_profile_update(profile=self.profile, **form.cleaned_data)
        messages.success(self.request, _("Your profile has been saved."))
        return redirect("affiliates_own_profile")


class OwnPayoutMethodView(CreatorOwnViewMixin, FormView):
    """A creator sets how they are paid (Alipay, WeChat Pay or a bank account).
    Only their own: the page takes no id, and nobody else's account is shown."""

    form_class = PayoutMethodForm
    template_name = "affiliates/own_payout_method.html"
    page_title = _("Payout method")
    header_icon = "key"

    def get_initial(self):
        return PayoutMethodForm.initial_for(payout_method_for(creator=self.profile))

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "method": payout_method_for(creator=self.profile),
        }

    def form_valid(self, form):
        try:
            payout_method_set(
                creator=self.profile,
                kind=form.cleaned_data["kind"],
                details=form.details(),
                user=self.request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Your payout method has been saved."))
        return redirect("affiliates_own_payout_method")


class OwnEarningsView(CreatorOwnViewMixin, TemplateView):
    """A creator's balances, the conversions behind them and their payouts. The
    creator is the signed-in user's own profile: no parameter can name another."""

    template_name = "affiliates/own_earnings.html"
    page_title = _("My earnings")
    header_icon = "decimal"
    paginate_by = 20

    def get_context_data(self, **kwargs):
        creator = self.profile
        paginator = WagtailPaginator(
            # The product's name is shown for each offer: one query, not one a row.
            conversions_earning(creator=creator).select_related(
                "offer__product", "link"
            ),
            self.paginate_by,
        )
        page = paginator.get_page(self.request.GET.get("p"))
        conversions = list(page)
        position = {
            conversion.pk: index for index, conversion in enumerate(conversions)
        }
        # Newest sale first, as the page is; creator_earnings sorts by id.
        earnings = sorted(
            creator_earnings(creator=creator, conversions=conversions),
            key=lambda earning: position[earning.conversion.pk],
        )
        statuses = {**dict(EntryStatus.choices), "reversed": _("Reversed")}
        kinds = dict(EntryKind.choices)
        return {
            **super().get_context_data(**kwargs),
            "balances": [
                {**row, "status_label": statuses[row["status"]]}
                for row in ledger_balances(creator=creator)
            ],
            "earnings": [
                {
                    "earning": earning,
                    "kind_label": kinds[earning.kind],
                    "status_label": statuses[earning.status],
                }
                for earning in earnings
            ],
            "page_obj": page,
            "elided_page_range": paginator.get_elided_page_range(page.number),
            "other_items": [
                {
                    "item": other,
                    "kind_label": kinds[other.entry.kind],
                    "status_label": statuses[other.status],
                }
                for other in creator_other_items(creator=creator)
            ],
            "payouts": payouts_for(creator=creator).order_by("-run__run_date", "-pk"),
        }


EARNINGS_EXPORT_COLUMNS = (
    ("day", _("Day")),
    ("order_id", _("Order")),
    ("merchant", _("Merchant")),
    ("article", _("Article")),
    ("product", _("Product")),
    ("placement", _("Placement")),
    ("sale_amount", _("Sale")),
    ("kind", _("Kind")),
    ("amount", _("Amount")),
    ("currency", _("Currency")),
    ("status", _("Status")),
    ("approvable_on", _("Approvable from")),
    ("note", _("Note")),
)


class OwnEarningsExportView(CreatorOwnViewMixin, ExcelCsvExportMixin, View):
    """GET ?export=csv|xlsx: every earning of the signed-in creator's (as My
    earnings shows them, all pages), written by Wagtail's spreadsheet export like
    every export, so that its cells are made safe in one place
    (zhongcao.spreadsheets). The CSV starts with a byte order mark for Excel.
    Days are in the creator's time zone; amounts stay numbers."""

    http_method_names = ["get", "head"]
    page_title = _("My earnings")
    list_export = [name for name, _label in EARNINGS_EXPORT_COLUMNS]
    export_headings = dict(EARNINGS_EXPORT_COLUMNS)

    def get(self, request):
        export_format = request.GET.get("export", "")
        if export_format not in self.FORMATS:
            return HttpResponseBadRequest(
                _("export: choose csv or xlsx."), content_type="text/plain"
            )
        rows = creator_earnings_export(
            creator=self.profile, tz=timezone.get_current_timezone()
        )
        return self.as_spreadsheet(rows, export_format)

    def get_filename(self) -> str:
        return f"earnings-{self.profile.slug}-{timezone.localdate().isoformat()}"

    def to_row_dict(self, item: EarningsExportRow) -> dict:
        statuses = {**dict(EntryStatus.choices), "reversed": _("Reversed")}
        kinds = dict(EntryKind.choices)
        row = {name: getattr(item, name) for name in self.list_export}
        row["kind"] = kinds.get(item.kind, item.kind)
        row["status"] = statuses.get(item.status, item.status)
        return row
