"""Editors' reports in the Wagtail *Reports* menu, exportable as CSV and XLSX.

Each reads a selector (affiliates.dashboards) over the daily rollups; the filter form
only parses the request.
"""

import datetime

import django_filters
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.reports import ReportView

from .dashboards import articles_report
from .models import CreatorProfile, DailyLinkSales
from .permissions import EditorsPermissionPolicy


class ArticlesReportFilterSet(WagtailFilterSet):
    day = django_filters.DateFromToRangeFilter(
        label=_("Days (UTC)"), widget=DateRangePickerWidget
    )
    author = django_filters.ModelChoiceFilter(
        label=_("Author"),
        empty_label=_("Anyone"),
        queryset=CreatorProfile.objects.order_by("public_name"),
    )

    class Meta:
        model = DailyLinkSales
        fields = ["day", "author"]


class NumberColumn(Column):
    def get_value(self, instance):
        value = super().get_value(instance)
        return "—" if value is None else value


class ArticlesReportView(ReportView):
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
        Column("title", label=_("Article")),
        Column("author", label=_("Author")),
        Column("currency", label=_("Currency")),
        Column("billable_clicks", label=_("Billable clicks")),
        Column("bot_clicks", label=_("Bot clicks")),
        Column("conversions", label=_("Conversions")),
        NumberColumn("conversion_rate", label=_("Conversion rate (%)")),
        NumberColumn("sales", label=_("Sales")),
        NumberColumn("commission", label=_("Platform commission")),
        NumberColumn("creator_commission", label=_("Creator commission")),
        NumberColumn("platform_remainder", label=_("Platform keeps")),
        NumberColumn("epc", label=_("EPC")),
    ]
    list_export = [column.name for column in columns]
    export_headings = {column.name: column.label for column in columns}

    def get_filename(self) -> str:
        return f"articles-{datetime.datetime.now(tz=datetime.UTC):%Y-%m-%d}"

    def get_filtered_queryset(self):
        filters = self.filters
        if filters is None or not filters.is_valid():
            return []  # the form shows what is wrong
        data = filters.form.cleaned_data
        days = data.get("day")
        return articles_report(
            since=days.start if days else None,
            until=days.stop if days else None,
            author=data.get("author"),
        )
