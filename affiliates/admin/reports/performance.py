"""Editors' reports in the Wagtail *Reports* menu, exportable as CSV and XLSX.

Each reads a selector (affiliates.analytics.dashboards) over the daily rollups; the filter form
only parses the request.
"""

import datetime

import django_filters
from django import forms
from django.forms.utils import flatatt
from django.templatetags.l10n import unlocalize
from django.utils.formats import localize
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.timezone import template_localtime
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.reports import ReportView

from affiliates.analytics.dashboards import (
    QUIET_DAYS,
    ArticlesReport,
    article_ids_tagged,
    article_tags,
    article_types,
    articles_report,
    merchants_report,
    placements_report,
    products_report,
    quiet_offers_report,
)
from affiliates.models import CreatorProfile, DailyLinkSales
from affiliates.roles import EditorsPermissionPolicy
from products.models import Merchant


class PlainSelect(forms.Select):
    """A select rendered without a template per option: Django's template per
    option made the 200 authors' select a third of the Articles report's time."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option["value"], " selected" if option["selected"] else "", label)
                for _group, group_options, _index in widget["optgroups"]
                for option in group_options
                for label in [option["label"]]
            ),
        )
        return format_html(
            '<select name="{}"{}>{}</select>',
            widget["name"],
            flatatt(widget["attrs"]),
            options,
        )


class PageTypeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        model = obj.model_class()
        return capfirst(model._meta.verbose_name) if model else obj.model


class PageTypeFilter(django_filters.ModelChoiceFilter):
    field_class = PageTypeChoiceField


class ArticlesReportFilterSet(WagtailFilterSet):
    day = django_filters.DateFromToRangeFilter(
        label=_("Days (UTC)"),
        widget=DateRangePickerWidget,
        help_text=_("Without days: this month so far."),
    )
    author = django_filters.ModelChoiceFilter(
        label=_("Author"),
        empty_label=_("Anyone"),
        queryset=CreatorProfile.objects.order_by("public_name"),
        widget=PlainSelect,
    )
    type = PageTypeFilter(
        label=_("Type"),
        empty_label=_("Any type"),
        queryset=lambda request: article_types(),
    )
    tag = django_filters.ModelChoiceFilter(
        label=_("Tag"),
        empty_label=_("Any tag"),
        queryset=lambda request: article_tags(),
        widget=PlainSelect,
    )

    class Meta:
        model = DailyLinkSales
        fields = ["day", "author"]


class PlainColumn(Column):
    """Wagtail's cell markup without a template per cell: a page of the Articles
    report has 1,200 cells, and a template each took a third of its time."""

    def render_cell_html(self, instance, parent_context):
        value = self.get_value(instance)
        if isinstance(value, int) and not isinstance(value, bool):
            value = unlocalize(value)  # as Wagtail's Column
        else:
            value = localize(template_localtime(value))  # as {{ value }} does
        if value is None or not str(value).strip():
            value = self.empty_value_display
        if self.classname:
            return format_html('<td class="{}">{}</td>', self.classname, value)
        return format_html("<td>{}</td>", value)


class NumberColumn(PlainColumn):
    def get_value(self, instance):
        value = super().get_value(instance)
        return "—" if value is None else value


class ColumnsExportReportView(ReportView):
    """A report whose CSV and XLSX exports hold its screen's columns, with the
    same headings."""

    # Scrolls sideways inside its table at 1280 px, never the page.
    results_template_name = "affiliates/admin/report_results.html"

    @property
    def list_export(self) -> list[str]:
        return [column.name for column in self.columns]

    @property
    def export_headings(self) -> dict:
        return {column.name: column.label for column in self.columns}


class ArticlesReportView(ColumnsExportReportView):
    """Clicks, conversions and money of every article, per currency."""

    page_title = _("Articles performance")
    header_icon = "doc-full"
    index_url_name = "affiliates_articles_report"
    index_results_url_name = "affiliates_articles_report_results"
    filterset_class = ArticlesReportFilterSet
    permission_policy = EditorsPermissionPolicy(DailyLinkSales, actions={"view"})
    permission_required = "view"
    paginate_by = 100
    columns = [
        PlainColumn("title", label=_("Article")),
        PlainColumn("author", label=_("Author")),
        PlainColumn("currency", label=_("Currency")),
        PlainColumn("billable_clicks", label=_("Billable clicks")),
        PlainColumn("bot_clicks", label=_("Bot clicks")),
        PlainColumn("conversions", label=_("Conversions")),
        NumberColumn("conversion_rate", label=_("Conversion rate (%)")),
        NumberColumn("sales", label=_("Sales")),
        NumberColumn("commission", label=_("Platform commission")),
        NumberColumn("creator_commission", label=_("Creator commission")),
        NumberColumn("platform_remainder", label=_("Platform keeps")),
        NumberColumn("epc", label=_("EPC")),
    ]

    def get_filename(self) -> str:
        return f"articles-{datetime.datetime.now(tz=datetime.UTC):%Y-%m-%d}"

    def get_filterset_kwargs(self):
        """No days chosen means this month so far (UTC): put its first day in the
        form, so that the screen says which days it shows and the export links
        carry them."""
        kwargs = super().get_filterset_kwargs()
        data = kwargs["data"]
        if not (data.get("day_from") or data.get("day_to")):
            data = data.copy()
            today = datetime.datetime.now(tz=datetime.UTC).date()
            data["day_from"] = today.replace(day=1).isoformat()
            kwargs["data"] = data
        return kwargs

    def paginate_queryset(self, queryset, page_size):
        if isinstance(queryset, ArticlesReport):
            # The page asked for, read with the count in one statement; a page
            # number past the end makes the paginator ask again, for the last.
            try:
                number = max(int(self.request.GET.get(self.page_kwarg, 1)), 1)
            except ValueError:
                number = 1
            queryset.prefetch(offset=(number - 1) * page_size, limit=page_size)
        return super().paginate_queryset(queryset, page_size)

    def get_filtered_queryset(self):
        filters = self.filters
        if filters is None or not filters.is_valid():
            return []  # the form shows what is wrong
        data = filters.form.cleaned_data
        days = data.get("day")
        tag = data.get("tag")
        return articles_report(
            since=_date(days.start) if days else None,
            until=_date(days.stop) if days else None,
            author=data.get("author"),
            page_type=data.get("type"),
            article_ids=article_ids_tagged(tag=tag) if tag else None,
        )


# -- Products, merchants, placements, quiet merchants ---------------------------------


class DaysFilterSet(WagtailFilterSet):
    day = django_filters.DateFromToRangeFilter(
        label=_("Days (UTC)"), widget=DateRangePickerWidget
    )

    class Meta:
        model = DailyLinkSales
        fields = ["day"]


class ProductsReportFilterSet(DaysFilterSet):
    merchant = django_filters.ModelChoiceFilter(
        label=_("Merchant"),
        empty_label=_("Any merchant"),
        queryset=Merchant.objects.order_by("name"),
    )

    class Meta:
        model = DailyLinkSales
        fields = ["day"]


def _date(value: datetime.datetime | None) -> datetime.date | None:
    """The range filter gives the first and last moments of its days."""
    return value.date() if value is not None else None


def _performance_columns(first: Column) -> list[Column]:
    return [
        first,
        PlainColumn("currency", label=_("Currency")),
        PlainColumn("billable_clicks", label=_("Billable clicks")),
        PlainColumn("bot_clicks", label=_("Bot clicks")),
        PlainColumn("conversions", label=_("Conversions")),
        NumberColumn("conversion_rate", label=_("Conversion rate (%)")),
        NumberColumn("sales", label=_("Sales")),
        NumberColumn("commission", label=_("Platform commission")),
        NumberColumn("creator_commission", label=_("Creator commission")),
        NumberColumn("epc", label=_("EPC")),
    ]


class PerformanceReportView(ColumnsExportReportView):
    """A report over the rollups filtered by days; subclasses name the selector."""

    filterset_class = DaysFilterSet
    permission_policy = EditorsPermissionPolicy(DailyLinkSales, actions={"view"})
    permission_required = "view"
    paginate_by = 100
    file_prefix = ""

    def get_filename(self) -> str:
        return f"{self.file_prefix}-{datetime.datetime.now(tz=datetime.UTC):%Y-%m-%d}"

    def get_filtered_queryset(self):
        filters = self.filters
        if filters is None or not filters.is_valid():
            return []  # the form shows what is wrong
        data = filters.form.cleaned_data
        days = data.get("day")
        return self.rows(
            since=_date(days.start) if days else None,
            until=_date(days.stop) if days else None,
            data=data,
        )

    def rows(self, *, since, until, data) -> list:
        raise NotImplementedError


class ProductsReportView(PerformanceReportView):
    """Clicks, conversions and money of every product, per currency."""

    page_title = _("Products performance")
    header_icon = "tag"
    index_url_name = "affiliates_products_report"
    index_results_url_name = "affiliates_products_report_results"
    filterset_class = ProductsReportFilterSet
    file_prefix = "products"
    columns = _performance_columns(PlainColumn("name", label=_("Product")))

    def rows(self, *, since, until, data):
        merchant = data.get("merchant")
        return products_report(
            since=since, until=until, merchant_id=merchant.pk if merchant else None
        )


class MerchantsReportView(PerformanceReportView):
    """Clicks, conversions and money of every merchant, per currency."""

    page_title = _("Merchants performance")
    header_icon = "site"
    index_url_name = "affiliates_merchants_report"
    index_results_url_name = "affiliates_merchants_report_results"
    file_prefix = "merchants"
    columns = _performance_columns(PlainColumn("name", label=_("Merchant")))

    def rows(self, *, since, until, data):
        return merchants_report(since=since, until=until)


class PlacementsReportView(PerformanceReportView):
    """Figures by block type and position bucket across every article."""

    page_title = _("Placements performance")
    header_icon = "placeholder"
    index_url_name = "affiliates_placements_report"
    index_results_url_name = "affiliates_placements_report_results"
    file_prefix = "placements"
    columns = [
        PlainColumn("name", label=_("Block type")),
        PlainColumn("position", label=_("Position")),
        *_performance_columns(PlainColumn("currency", label=_("Currency")))[1:],
    ]

    def rows(self, *, since, until, data):
        return placements_report(since=since, until=until)


class QuietOffersReportView(PerformanceReportView):
    """Offers whose merchant reported nothing in the QUIET_DAYS days after clicks."""

    page_title = _("Quiet merchants")
    header_icon = "warning"
    index_url_name = "affiliates_quiet_report"
    index_results_url_name = "affiliates_quiet_report_results"
    file_prefix = "quiet-merchants"
    columns = [
        PlainColumn("merchant", label=_("Merchant")),
        PlainColumn("product", label=_("Product")),
        PlainColumn("url", label=_("Offer URL")),
        PlainColumn("billable_clicks", label=_("Billable clicks")),
        PlainColumn("articles", label=_("Articles")),
        PlainColumn("first_click_day", label=_("First click (UTC)")),
        PlainColumn("last_click_day", label=_("Last click (UTC)")),
        NumberColumn(
            "merchant_last_conversion", label=_("Merchant's last sale reported")
        ),
    ]

    def rows(self, *, since, until, data):
        # Without days: the 30 days whose merchants have all had their 30 days.
        latest = datetime.datetime.now(tz=datetime.UTC).date() - datetime.timedelta(
            days=QUIET_DAYS
        )
        until = until or latest
        if until > latest:
            self.filters.form.add_error(
                "day",
                _(
                    "The last day must be %(day)s or earlier: merchants have "
                    "%(count)s days after a click to report a sale."
                )
                % {"day": latest.isoformat(), "count": QUIET_DAYS},
            )
            return []
        since = since or until - datetime.timedelta(days=QUIET_DAYS - 1)
        return quiet_offers_report(since=since, until=until)
