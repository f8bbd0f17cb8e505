"""Panels of a creator's admin home: the dashboard (figures, chart, articles and
placements), their invite link and their referral tree. Each shows the signed-in
user's own data only: the creator comes from the request's user, never from a
parameter. Figures come from affiliates.analytics.dashboards and affiliates.commissions.selectors."""

import datetime
from decimal import Decimal
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.forms import Media
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.components import Component

from affiliates.admin.reports.held import HELD as HELD_REPORT
from affiliates.analytics.dashboards import (
    PERIOD_LABELS,
    PERIODS,
    creator_daily_series,
    creator_payout_outlook,
    creator_summary,
    creator_tables,
    period_start,
    site_overview,
)
from affiliates.creators.selectors import (
    creator_profile_for_user,
    creator_referral_tree,
)
from affiliates.models import CreatorProfile
from affiliates.roles import user_is_editor
from products.money import money_plain
from products.web import public_url

# ?dashboard_period= chooses the period of the articles and placements tables.
PERIOD_PARAMETER = "dashboard_period"
DEFAULT_TABLE_PERIOD = "30"
CHART_DAYS = 90
# The articles table shows this many at a time (?dashboard_articles_page=2 for the
# next): rendering all of a prolific creator's 500 articles took most of the page's
# time, and the top of the ranking is what the table is for.
ARTICLES_PAGE_PARAMETER = "dashboard_articles_page"
ARTICLES_PER_PAGE = 20


def _utc_today() -> datetime.date:
    return timezone.now().astimezone(datetime.UTC).date()


class CreatorPanel(Component):
    def __init__(self, *, creator: CreatorProfile, today: datetime.date) -> None:
        self.creator = creator
        self.today = today


class CreatorSummaryPanel(CreatorPanel):
    name = "creator_summary"
    order = 10
    template_name = "affiliates/dashboard/summary_panel.html"

    def get_context_data(self, parent_context):
        summary = creator_summary(creator=self.creator, today=self.today)
        periods = summary.periods
        missing = "—"

        def row(label, values, *, css=""):
            return {"label": label, "cells": values, "css": css}

        rows = [
            row(_("Billable clicks"), [period.billable_clicks for period in periods]),
            row(_("Bot clicks (not billed)"), [p.bot_clicks for p in periods]),
            row(_("Duplicate clicks"), [p.duplicate_clicks for p in periods]),
            row(_("Conversions"), [period.conversions for period in periods]),
            row(
                _("Conversion rate"),
                [
                    missing if p.conversion_rate is None else f"{p.conversion_rate} %"
                    for p in periods
                ],
            ),
        ]
        currencies = sorted(
            {money.currency for period in periods for money in period.currencies}
        )
        for currency in currencies:
            by_period = [
                next((m for m in period.currencies if m.currency == currency), None)
                for period in periods
            ]

            def cells(read, by_period=by_period, currency=currency):
                return [
                    money_plain(read(money), currency) if money else missing
                    for money in by_period
                ]

            rows.append(
                row(
                    _("Sales (%(currency)s)") % {"currency": currency},
                    cells(lambda money: money.sales),
                    css="currency-start",
                )
            )
            rows.append(
                row(
                    _("Earned by your articles (%(currency)s)")
                    % {"currency": currency},
                    cells(lambda money: money.earnings),
                )
            )
            rows.append(
                row(
                    _("EPC, earnings per billable click (%(currency)s)")
                    % {"currency": currency},
                    [
                        f"{money.epc} {currency}"
                        if money and money.epc is not None
                        else missing
                        for money in by_period
                    ],
                )
            )
            for status, status_label in summary.statuses:
                rows.append(
                    row(
                        _("%(status)s (%(currency)s)")
                        % {"status": status_label, "currency": currency},
                        cells(
                            lambda money, status=status: money.by_status.get(
                                status, Decimal(0)
                            )
                        ),
                    )
                )
        return {"periods": periods, "rows": rows}


class CreatorPayoutPanel(Component):
    """When the creator is paid: the next payout day and, per currency, progress to
    the payout minimum, confirmed (approved) against expected (pending) money and by
    when each is paid. Days are the creator's own (the time zone of their admin
    profile, which Wagtail activates)."""

    name = "creator_payouts"
    order = 9
    template_name = "affiliates/dashboard/payout_panel.html"

    def __init__(self, *, creator: CreatorProfile) -> None:
        self.creator = creator

    def get_context_data(self, parent_context):
        schedule = creator_payout_outlook(
            creator=self.creator,
            today=timezone.localdate(),
            tz=timezone.get_current_timezone(),
        )
        return {
            "schedule": schedule,
            "time_zone": timezone.get_current_timezone_name(),
            "earnings_url": reverse("affiliates_own_earnings"),
        }

    @property
    def media(self) -> Media:
        return Media(css={"all": ["css/creator_dashboard.css"]})


class CreatorChartPanel(CreatorPanel):
    name = "creator_chart"
    order = 11
    template_name = "affiliates/dashboard/chart_panel.html"

    def get_context_data(self, parent_context):
        return {
            "series": creator_daily_series(
                creator=self.creator, today=self.today, days=CHART_DAYS
            )
        }

    @property
    def media(self) -> Media:
        return Media(
            css={"all": ["css/creator_dashboard.css"]},
            js=["vendor/chartjs/chart.umd.min.js", "js/creator_dashboard.js"],
        )


class CreatorArticlesPanel(CreatorPanel):
    name = "creator_articles"
    order = 12
    template_name = "affiliates/dashboard/articles_panel.html"

    def __init__(
        self, *, period: str, period_error: str = "", page: str = "1", **kwargs
    ) -> None:
        super().__init__(**kwargs)
        self.period = period
        self.period_error = period_error
        self.page = page

    def get_context_data(self, parent_context):
        since = period_start(key=self.period, today=self.today)
        articles, placements = creator_tables(creator=self.creator, since=since)
        # get_page: a page number that is not one shows the first, past the end the last.
        articles = Paginator(articles, ARTICLES_PER_PAGE).get_page(self.page)
        return {
            "articles": articles,
            "articles_page_parameter": ARTICLES_PAGE_PARAMETER,
            "placements": placements,
            "period": self.period,
            "period_label": PERIOD_LABELS[self.period],
            "periods": [(key, PERIOD_LABELS[key]) for key, _days in PERIODS],
            "period_parameter": PERIOD_PARAMETER,
            "period_error": self.period_error,
        }


def creator_dashboard_panels(*, request: HttpRequest) -> list[Component]:
    """The dashboard's panels for the signed-in creator; none for anyone else."""
    creator = creator_profile_for_user(user=request.user)
    if creator is None:
        return []
    period = request.GET.get(PERIOD_PARAMETER, DEFAULT_TABLE_PERIOD)
    period_error = ""
    if period not in PERIOD_LABELS:
        period_error = _(
            "%(parameter)s: %(value)s is not one of 7, 30, 90, all; showing the "
            "last 30 days."
        ) % {"parameter": PERIOD_PARAMETER, "value": period[:20]}
        period = DEFAULT_TABLE_PERIOD
    today = _utc_today()
    return [
        CreatorPayoutPanel(creator=creator),
        CreatorSummaryPanel(creator=creator, today=today),
        CreatorChartPanel(creator=creator, today=today),
        CreatorArticlesPanel(
            creator=creator,
            today=today,
            period=period,
            period_error=period_error,
            page=request.GET.get(ARTICLES_PAGE_PARAMETER, "1"),
        ),
    ]


def creator_invite_path(*, creator: CreatorProfile) -> str:
    """The path of a creator's invite link: the sign-up form with their slug as code."""
    return f"{reverse('signup')}?{urlencode({'ref': creator.slug})}"


class InviteLinkPanel(Component):
    name = "affiliates_invite_link"
    template_name = "affiliates/admin/home_invite_link.html"
    order = 60

    def __init__(self, *, creator: CreatorProfile):
        self.creator = creator

    def get_context_data(self, parent_context):
        return {
            "creator": self.creator,
            "invite_url": public_url(creator_invite_path(creator=self.creator)),
        }


class ReferralTreePanel(Component):
    name = "affiliates_referral_tree"
    template_name = "affiliates/admin/home_referral_tree.html"
    order = 61

    def __init__(self, *, creator: CreatorProfile):
        self.creator = creator

    def get_context_data(self, parent_context):
        return {"tree": creator_referral_tree(creator=self.creator)}


def creator_home_panels(*, request) -> list[Component]:
    """The panels for the admin home of a creator; none for anyone else."""
    creator = creator_profile_for_user(user=request.user)
    if creator is None:
        return []
    return [InviteLinkPanel(creator=creator), ReferralTreePanel(creator=creator)]


class SiteOverviewPanel(Component):
    """The editors' view of the whole site: today's and this month's clicks, sales
    and commission, this month's top articles and creators, and what needs them
    (sales held for review, broken links). Days are UTC days, as in every report."""

    name = "site_overview"
    order = 5
    template_name = "affiliates/dashboard/site_overview_panel.html"

    def get_context_data(self, parent_context):
        return {
            "overview": site_overview(today=_utc_today()),
            "held_url": reverse(HELD_REPORT),
            "link_health_url": reverse("affiliates_link_health"),
            "articles_report_url": reverse("affiliates_articles_report"),
        }

    @property
    def media(self) -> Media:
        return Media(css={"all": ["css/creator_dashboard.css"]})


def editor_home_panels(*, request: HttpRequest) -> list[Component]:
    """The editors' panels of the admin home; none for anyone else."""
    if not user_is_editor(user=request.user):
        return []
    return [SiteOverviewPanel()]


def home_panels_construct(request, panels) -> None:
    """The admin home's panels: the editor's, then the creator's."""
    panels.extend(editor_home_panels(request=request))
    panels.extend(creator_dashboard_panels(request=request))
    panels.extend(creator_home_panels(request=request))
