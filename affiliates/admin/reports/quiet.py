"""Quiet merchants: offers that were clicked but have sold nothing for a while."""

import datetime

from django.utils.translation import gettext_lazy as _

from affiliates.admin.reports.base import NumberColumn, PlainColumn
from affiliates.admin.reports.performance import PerformanceReportView
from affiliates.analytics.report_figures import QUIET_DAYS, quiet_offers_report


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

    def rows_between(self, *, since, until, data):
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
