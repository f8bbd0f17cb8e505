"""Figures that the dashboards (dashboards.py) and the editors' reports (report_figures.py)
both compute the same way: which rollups cover a span of days, conversion rate,
earnings per click, sums of money as the database gives them."""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import BooleanField, ExpressionWrapper, Q

from affiliates.analytics.services import month_start
from affiliates.models import (
    DailyLinkClicks,
    DailyLinkSales,
    MonthlyLinkClicks,
    MonthlyLinkSales,
)
from products.currencies import minor_unit

# A sales rollup row of a tracking id given to a creator rather than to one of
# their articles: no link and no article (a deleted article's link rows keep their
# link). Its sales are the creator's, of no article the network could name.
NO_ARTICLE = ExpressionWrapper(
    Q(link__isnull=True, article__isnull=True), output_field=BooleanField()
)


def month_next(month: datetime.date) -> datetime.date:
    return (month + datetime.timedelta(days=32)).replace(day=1)


@dataclass(frozen=True)
class RollupSpan:
    """Which rollup rows hold the UTC days ``since`` to ``until`` (inclusive; None is
    open-ended): the months that lie wholly inside come from the monthly rollups
    (``monthly``, a filter on ``month``), the days before and after them from the
    daily ones (``daily``, a filter on ``day``). None where a kind holds nothing.

    A period that starts on the first of a month and has no end (this month so far,
    all time) reads monthly rows only: at most one per link and month, however many
    clicks there were."""

    daily: Q | None
    monthly: Q | None

    def sources(self, *, sales: bool) -> list[tuple[type, Q]]:
        """(rollup model, filter) pairs to read, clicks' or sales'."""
        return [
            (ROLLUP_MODELS[kind, sales], where)
            for kind, where in (("daily", self.daily), ("monthly", self.monthly))
            if where is not None
        ]


def rollup_span(
    *, since: datetime.date | None, until: datetime.date | None
) -> RollupSpan:
    """Split the days ``since``..``until`` (UTC, inclusive, None open) between
    monthly and daily rollups; see RollupSpan."""
    if since is not None and until is not None and since > until:
        return RollupSpan(
            daily=days_between(since, until), monthly=None
        )  # matches nothing
    # The first and the last whole month inside (None: open on that side).
    first = None if since is None else month_start(since)
    if first is not None and first != since:
        first = month_next(first)
    last = None if until is None else month_start(until)
    if last is not None and month_next(last) - datetime.timedelta(days=1) != until:
        last = month_start(last - datetime.timedelta(days=1))
    if first is not None and last is not None and first > last:
        return RollupSpan(daily=days_between(since, until), monthly=None)
    monthly = Q()
    if first is not None:
        monthly &= Q(month__gte=first)
    if last is not None:
        monthly &= Q(month__lte=last)
    before = since is not None and since < first
    after = until is not None and until >= month_next(last)
    daily = None
    if before and after:
        daily = days_between(since, first - datetime.timedelta(days=1)) | days_between(
            month_next(last), until
        )
    elif before:
        daily = days_between(since, first - datetime.timedelta(days=1))
    elif after:
        daily = days_between(month_next(last), until)
    return RollupSpan(daily=daily, monthly=monthly)


def day_start(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC)


def conversion_rate(*, conversions: int, billable_clicks: int) -> Decimal | None:
    """Conversions ÷ billable clicks, in percent with two decimals (half up)."""
    if not billable_clicks:
        return None
    return (Decimal(conversions) * 100 / billable_clicks).quantize(
        PERCENT, rounding=ROUND_HALF_UP
    )


def earnings_per_click(
    *, earnings: Decimal, currency: str, billable_clicks: int
) -> Decimal | None:
    """Earnings ÷ billable clicks, to a hundredth of the currency's minor unit
    (0.0123 CNY; a click often earns less than a fen), half up."""
    if not billable_clicks:
        return None
    return (Decimal(earnings) / billable_clicks).quantize(
        minor_unit(currency) * PERCENT, rounding=ROUND_HALF_UP
    )


def sum_decimal(value) -> Decimal:
    """A SUM of money as the database gives it: a Decimal on PostgreSQL, a float or
    an int on SQLite (rounded to the currency by the caller, as Django's own
    converters would)."""
    return value if isinstance(value, Decimal) else Decimal(repr(value))


def days_between(since: datetime.date | None, until: datetime.date | None) -> Q:
    when = Q()
    if since:
        when &= Q(day__gte=since)
    if until:
        when &= Q(day__lte=until)
    return when


PERCENT = Decimal("0.01")


# (kind, sales?) → the rollup model.
ROLLUP_MODELS: dict[tuple[str, bool], type] = {
    ("daily", False): DailyLinkClicks,
    ("daily", True): DailyLinkSales,
    ("monthly", False): MonthlyLinkClicks,
    ("monthly", True): MonthlyLinkSales,
}
