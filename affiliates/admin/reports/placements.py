"""Placements performance: how each kind of embed (block) in articles performs."""

from django.utils.translation import gettext_lazy as _

from affiliates.admin.reports.base import PlainColumn
from affiliates.admin.reports.performance import (
    PerformanceReportView,
    performance_columns,
)
from affiliates.analytics.report_figures import placements_report


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
        *performance_columns(PlainColumn("currency", label=_("Currency")))[1:],
    ]

    def rows_between(self, *, since, until, data):
        return placements_report(since=since, until=until)
