"""Editors' reports in the Wagtail *Reports* menu, exportable as CSV and XLSX.

Each reads a selector (affiliates.analytics.dashboards) over the daily rollups; the filter form
only parses the request.
"""

import datetime

import django_filters
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column

from affiliates.admin.reports.base import (
    NumberColumn,
    PlainColumn,
    RollupReportView,
    day_of,
)
from affiliates.models import DailyLinkSales
from affiliates.roles import EditorsPermissionPolicy

# -- Products, merchants, placements, quiet merchants ---------------------------------


class DaysFilterSet(WagtailFilterSet):
    day = django_filters.DateFromToRangeFilter(
        label=_("Days (UTC)"), widget=DateRangePickerWidget
    )

    class Meta:
        model = DailyLinkSales
        fields = ["day"]


def performance_columns(first: Column) -> list[Column]:
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


class PerformanceReportView(RollupReportView):
    """A report over the rollups filtered by days; subclasses name the selector."""

    filterset_class = DaysFilterSet
    permission_policy = EditorsPermissionPolicy(DailyLinkSales, actions={"view"})
    paginate_by = 100
    file_prefix = ""

    def get_filename(self) -> str:
        return f"{self.file_prefix}-{datetime.datetime.now(tz=datetime.UTC):%Y-%m-%d}"

    def rows(self, *, data):
        days = data.get("day")
        return self.rows_between(
            since=day_of(days.start) if days else None,
            until=day_of(days.stop) if days else None,
            data=data,
        )

    def rows_between(self, *, since, until, data) -> list:
        raise NotImplementedError
