"""Merchants performance: each merchant's clicks, sales and commission over the days asked."""

from django.utils.translation import gettext_lazy as _

from affiliates.admin.reports.base import PlainColumn
from affiliates.admin.reports.performance import (
    PerformanceReportView,
    performance_columns,
)
from affiliates.analytics.report_figures import merchants_report


class MerchantsReportView(PerformanceReportView):
    """Clicks, conversions and money of every merchant, per currency."""

    page_title = _("Merchants performance")
    header_icon = "site"
    index_url_name = "affiliates_merchants_report"
    index_results_url_name = "affiliates_merchants_report_results"
    file_prefix = "merchants"
    columns = performance_columns(PlainColumn("name", label=_("Merchant")))

    def rows_between(self, *, since, until, data):
        return merchants_report(since=since, until=until)
