"""Reads for the creator dashboard: figures by period, a daily series for the chart,
articles and placements ranked; and for the editors' reports. Clicks, conversions,
sales and the author's earnings per article come from the rollups
(affiliates.models.rollups), never from raw clicks: the whole months of a period
from the monthly rollups, the days around them from the daily ones (rollup_span);
earnings by status come from the ledger itself, one grouped query per creator, so
that they always match the creator's balances to the cent.

Each function runs a fixed number of queries, whatever the number of articles,
links or days. Currencies are never added together: every money figure is per
currency, and rankings order currencies by how many sales they carry.
"""

import datetime
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Count, F, Max, Min, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag
from wagtail import hooks
from wagtail.models import Page

from affiliates.analytics.services import CLICK_SUMS, month_start
from affiliates.commissions.selectors import conversions_held
from affiliates.models import (
    CommissionSettings,
    Conversion,
    CreatorProfile,
    DailyCreatorClicks,
    DailyCreatorSales,
    DailyLinkClicks,
    DailyLinkSales,
    EntryKind,
    EntryStatus,
    LedgerEntry,
    MonthlyLinkClicks,
    MonthlyLinkSales,
    TrackedLink,
)
from affiliates.models.links import block_type_label
from affiliates.models.money import NOT_ZERO
from affiliates.tracking.selectors import (
    LinkProblem,
    link_problem_condition,
    offers_with_link_problems,
)
from products.currencies import minor_unit, money_round

# (key, days): the last 7, 30 and 90 UTC days, today included, and all time.
PERIODS: tuple[tuple[str, int | None], ...] = (
    ("7", 7),
    ("30", 30),
    ("90", 90),
    ("all", None),
)
PERIOD_LABELS = {
    "7": _("Last 7 days"),
    "30": _("Last 30 days"),
    "90": _("Last 90 days"),
    "all": _("All time"),
}
# Always shown; "held" and "processing" only when they hold money.
MAIN_STATUSES = (EntryStatus.PENDING, EntryStatus.APPROVED, EntryStatus.PAID)
PERCENT = Decimal("0.01")
# Apps that own articles register their tags' through model with this hook (a
# function returning it), so that reports can filter by tag without importing them.
ARTICLE_TAGS_HOOK = "register_article_tags_model"


def period_start(*, key: str, today: datetime.date) -> datetime.date | None:
    """The first day of a period (None for all time). Unknown keys raise KeyError."""
    days = dict(PERIODS)[key]
    return None if days is None else today - datetime.timedelta(days=days - 1)


# (kind, sales?) → the rollup model.
ROLLUP_MODELS: dict[tuple[str, bool], type] = {
    ("daily", False): DailyLinkClicks,
    ("daily", True): DailyLinkSales,
    ("monthly", False): MonthlyLinkClicks,
    ("monthly", True): MonthlyLinkSales,
}


def _next_month(month: datetime.date) -> datetime.date:
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
        return RollupSpan(daily=_days(since, until), monthly=None)  # matches nothing
    # The first and the last whole month inside (None: open on that side).
    first = None if since is None else month_start(since)
    if first is not None and first != since:
        first = _next_month(first)
    last = None if until is None else month_start(until)
    if last is not None and _next_month(last) - datetime.timedelta(days=1) != until:
        last = month_start(last - datetime.timedelta(days=1))
    if first is not None and last is not None and first > last:
        return RollupSpan(daily=_days(since, until), monthly=None)
    monthly = Q()
    if first is not None:
        monthly &= Q(month__gte=first)
    if last is not None:
        monthly &= Q(month__lte=last)
    before = since is not None and since < first
    after = until is not None and until >= _next_month(last)
    daily = None
    if before and after:
        daily = _days(since, first - datetime.timedelta(days=1)) | _days(
            _next_month(last), until
        )
    elif before:
        daily = _days(since, first - datetime.timedelta(days=1))
    elif after:
        daily = _days(_next_month(last), until)
    return RollupSpan(daily=daily, monthly=monthly)


def _day_start(day: datetime.date) -> datetime.datetime:
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


@dataclass(frozen=True)
class CurrencyFigures:
    """Money figures of one currency over one period."""

    currency: str
    sales: Decimal
    commission: Decimal
    earnings: Decimal  # the author's share of sales through their own articles
    epc: Decimal | None
    by_status: dict[str, Decimal]  # all their ledger money (overrides too)
    # Taken back by refunds and cancellations (reversal entries, shown positive);
    # by_status is already net of it.
    reversed: Decimal = Decimal(0)


@dataclass(frozen=True)
class PeriodFigures:
    key: str
    label: str
    since: datetime.date | None
    billable_clicks: int
    bot_clicks: int
    duplicate_clicks: int
    conversions: int
    conversion_rate: Decimal | None
    currencies: list[CurrencyFigures]
    until: datetime.date | None = None  # None: up to today


@dataclass(frozen=True)
class Summary:
    periods: list[PeriodFigures]
    statuses: list[tuple[str, str]]  # (status, label) to show, in ledger order


def creator_summary(*, creator: CreatorProfile, today: datetime.date) -> Summary:
    """The creator's figures for each of PERIODS, in three queries: clicks and sales
    from the creator's daily rollups (a row per day, and currency), however many
    links or clicks; money by status from the ledger."""
    windows = {
        key: (period_start(key=key, today=today), None) for key, _days in PERIODS
    }
    periods, shown = _creator_figures(creator=creator, windows=windows)
    statuses = [
        (status.value, str(status.label)) for status in EntryStatus if status in shown
    ]
    return Summary(periods=periods, statuses=statuses)


def creator_period_figures(
    *, creator: CreatorProfile, since: datetime.date, until: datetime.date
) -> PeriodFigures:
    """The creator's figures for the UTC days ``since`` to ``until`` (inclusive),
    read exactly as the dashboard reads its periods (creator_summary): three
    queries. Money by status holds the ledger money of the sales purchased in
    those days (adjustments belong to no sale, so to no period but all time)."""
    [figures], _shown = _creator_figures(
        creator=creator, windows={"custom": (since, until)}
    )
    return figures


def _creator_figures(
    *,
    creator: CreatorProfile,
    windows: dict[str, tuple[datetime.date | None, datetime.date | None]],
) -> tuple[list[PeriodFigures], set[str]]:
    """The figures of each window (key → (first day, last day), None open-ended) in
    three queries; also the statuses that hold money in any window, and the main
    ones (MAIN_STATUSES)."""

    def days(since, until) -> Q:
        where = Q()
        if since is not None:
            where &= Q(day__gte=since)
        if until is not None:
            where &= Q(day__lte=until)
        return where

    in_period = {key: days(*window) for key, window in windows.items()}
    clicks = DailyCreatorClicks.objects.filter(author=creator).aggregate(
        **{
            f"{name}_{key}": Sum(name, filter=where)
            for key, where in in_period.items()
            for name in CLICK_SUMS
        }
    )
    sales = {
        row["currency"]: row
        for row in DailyCreatorSales.objects.filter(author=creator)
        .values("currency")
        .annotate(
            **{
                f"{name}_{key}": Sum(name, filter=where)
                for key, where in in_period.items()
                for name in ("conversions", "sales", "commission", "author_earnings")
            }
        )
        .order_by()
    }

    def purchased(since, until) -> Q:
        where = Q()
        if since is not None:
            where &= Q(conversion__occurred_at__gte=_day_start(since))
        # The calendar's last day has no next day to stop before (9999-12-31).
        if until is not None and until < datetime.date.max:
            where &= Q(
                conversion__occurred_at__lt=_day_start(
                    until + datetime.timedelta(days=1)
                )
            )
        return where

    # The ledger: a period holds the money of the conversions purchased in it (by
    # the same UTC days as the rollups); all time is every entry, adjustments too.
    ledger: dict[str, dict[str, dict[str, Decimal]]] = {}
    reversed_money: dict[str, dict[str, Decimal]] = {}
    reversal = Q(kind=EntryKind.REVERSAL)
    for row in (
        LedgerEntry.objects.filter(creator=creator)
        .values("currency", "status")
        .annotate(
            **{
                f"total_{key}": Sum("amount", filter=purchased(*window))
                for key, window in windows.items()
            },
            **{
                f"reversed_{key}": Sum("amount", filter=purchased(*window) & reversal)
                for key, window in windows.items()
            },
        )
        .order_by()
    ):
        for key in windows:
            amount = money_round(row[f"total_{key}"] or Decimal(0), row["currency"])
            if amount:
                ledger.setdefault(key, {}).setdefault(row["currency"], {})[
                    row["status"]
                ] = amount
            taken = _decimal(row[f"reversed_{key}"] or 0)
            if taken:
                by_currency = reversed_money.setdefault(key, {})
                by_currency[row["currency"]] = (
                    by_currency.get(row["currency"], Decimal(0)) - taken
                )

    shown = {status.value for status in MAIN_STATUSES}
    periods = []
    for key, (since, until) in windows.items():
        billable = clicks[f"billable_clicks_{key}"] or 0
        conversions = sum(row[f"conversions_{key}"] or 0 for row in sales.values())
        currencies = []
        for currency in sorted(set(sales) | set(ledger.get(key, {}))):
            row = sales.get(currency, {})
            by_status = ledger.get(key, {}).get(currency, {})
            shown |= set(by_status)
            money = {
                name: money_round(row.get(f"{name}_{key}") or Decimal(0), currency)
                for name in ("sales", "commission", "author_earnings")
            }
            if not (any(money.values()) or by_status or row.get(f"conversions_{key}")):
                continue
            currencies.append(
                CurrencyFigures(
                    currency=currency,
                    sales=money["sales"],
                    commission=money["commission"],
                    earnings=money["author_earnings"],
                    epc=earnings_per_click(
                        earnings=money["author_earnings"],
                        currency=currency,
                        billable_clicks=billable,
                    ),
                    by_status=by_status,
                    reversed=money_round(
                        reversed_money.get(key, {}).get(currency, Decimal(0)),
                        currency,
                    ),
                )
            )
        periods.append(
            PeriodFigures(
                key=key,
                label=str(PERIOD_LABELS.get(key, "")),
                since=since,
                until=until,
                billable_clicks=billable,
                bot_clicks=clicks[f"bot_clicks_{key}"] or 0,
                duplicate_clicks=clicks[f"duplicate_clicks_{key}"] or 0,
                conversions=conversions,
                conversion_rate=conversion_rate(
                    conversions=conversions, billable_clicks=billable
                ),
                currencies=currencies,
            )
        )
    return periods, shown


def creator_daily_series(
    *, creator: CreatorProfile, today: datetime.date, days: int = 90
) -> dict:
    """Billable and bot clicks and the author's earnings per currency for each of the
    last ``days`` UTC days, oldest first, ready for JSON (amounts as strings). Two
    queries of the creator's daily rollups: a row per day (and currency)."""
    first = today - datetime.timedelta(days=days - 1)
    dates = [first + datetime.timedelta(days=offset) for offset in range(days)]
    index = {day: position for position, day in enumerate(dates)}
    billable = [0] * days
    bots = [0] * days
    for row in DailyCreatorClicks.objects.filter(
        author=creator, day__gte=first, day__lte=today
    ).values("day", billable=F("billable_clicks"), bots=F("bot_clicks")):
        billable[index[row["day"]]] = row["billable"]
        bots[index[row["day"]]] = row["bots"]
    earnings: dict[str, list[str]] = {}
    for row in DailyCreatorSales.objects.filter(
        author=creator, day__gte=first, day__lte=today
    ).values("day", "currency", earnings=F("author_earnings")):
        series = earnings.setdefault(
            row["currency"], [str(money_round(Decimal(0), row["currency"]))] * days
        )
        series[index[row["day"]]] = str(money_round(row["earnings"], row["currency"]))
    return {
        "days": [day.isoformat() for day in dates],
        "billable_clicks": billable,
        "bot_clicks": bots,
        "earnings": dict(sorted(earnings.items())),
    }


@dataclass
class MoneyFigures:
    currency: str
    sales: Decimal = Decimal(0)
    earnings: Decimal = Decimal(0)
    epc: Decimal | None = None


@dataclass
class RowFigures:
    """One article's, or one placement's, figures over a period."""

    key: tuple
    label: str = ""
    billable_clicks: int = 0
    bot_clicks: int = 0
    conversions: int = 0
    conversion_rate: Decimal | None = None
    money: dict[str, MoneyFigures] = field(default_factory=dict)

    def finish(self) -> "RowFigures":
        self.conversion_rate = conversion_rate(
            conversions=self.conversions, billable_clicks=self.billable_clicks
        )
        for figures in self.money.values():
            figures.sales = money_round(figures.sales, figures.currency)
            figures.earnings = money_round(figures.earnings, figures.currency)
            figures.epc = earnings_per_click(
                earnings=figures.earnings,
                currency=figures.currency,
                billable_clicks=self.billable_clicks,
            )
        return self

    @property
    def money_list(self) -> list[MoneyFigures]:
        return [self.money[currency] for currency in sorted(self.money)]


@dataclass(frozen=True)
class CreatorRollupRows:
    """The creator's rollups over a period, summed per link: ``clicks`` rows with
    ``billable`` and ``bots``, ``sales`` rows per currency with ``conversions``,
    ``sales`` and ``earnings``; each with the link's ``article_id``,
    ``article__title``, ``link__block_type`` and ``link__position``."""

    clicks: list[dict]
    sales: list[dict]


def creator_rollup_rows(
    *, creator: CreatorProfile, since: datetime.date | None
) -> CreatorRollupRows:
    """Three queries: one per kind of rows (clicks, sales), each summing per link the
    monthly rollups of the period's whole months and the daily ones of the days
    before them in one UNION ALL (no joins: joining before summing cost most of the
    time), and the creator's links with their articles' titles."""
    span = rollup_span(since=since, until=None)

    def read(*, sales: bool, sums: dict) -> list[dict]:
        fields = ("link_id", "currency") if sales else ("link_id",)
        first, *others = (
            model.objects.filter(where, author=creator)
            .values(*fields)
            .annotate(**sums)
            .order_by()
            for model, where in span.sources(sales=sales)
        )
        return list(first.union(*others, all=True) if others else first)

    clicks = read(
        sales=False,
        sums={"billable": Sum("billable_clicks"), "bots": Sum("bot_clicks")},
    )
    sales = read(
        sales=True,
        sums={
            "conversions": Sum("conversions"),
            "sales": Sum("sales"),
            "earnings": Sum("author_earnings"),
        },
    )
    links = {
        link["pk"]: link
        for link in TrackedLink.objects.filter(author=creator).values(
            "pk",
            "article_id",
            "article__title",
            link__block_type=F("block_type"),
            link__position=F("position"),
        )
    }
    for row in (*clicks, *sales):
        link = links[row["link_id"]]
        row.update(
            article_id=link["article_id"],
            article__title=link["article__title"],
            link__block_type=link["link__block_type"],
            link__position=link["link__position"],
        )
    return CreatorRollupRows(clicks=clicks, sales=sales)


def _rows(
    rollups: CreatorRollupRows, *, key_of, label_of
) -> tuple[dict[tuple, RowFigures], list[str]]:
    """The rollup rows summed by ``key_of(row)`` (labelled ``label_of(row)``); also
    the currencies ordered by how many conversions they carry (most first)."""
    rows: dict[tuple, RowFigures] = {}
    for row in rollups.clicks:
        key = key_of(row)
        figures = rows.setdefault(key, RowFigures(key=key))
        figures.label = label_of(row)
        figures.billable_clicks += row["billable"]
        figures.bot_clicks += row["bots"]
    conversions_by_currency: dict[str, int] = {}
    for row in rollups.sales:
        key = key_of(row)
        figures = rows.setdefault(key, RowFigures(key=key))
        figures.label = label_of(row)
        currency = row["currency"]
        money = figures.money.setdefault(currency, MoneyFigures(currency=currency))
        money.sales += _decimal(row["sales"])
        money.earnings += _decimal(row["earnings"])
        figures.conversions += row["conversions"]
        conversions_by_currency[currency] = (
            conversions_by_currency.get(currency, 0) + row["conversions"]
        )
    currencies = sorted(
        conversions_by_currency, key=lambda code: (-conversions_by_currency[code], code)
    )
    return {key: figures.finish() for key, figures in rows.items()}, currencies


def _earnings_key(figures: RowFigures, currencies: list[str]) -> tuple:
    return tuple(
        -(figures.money[code].earnings if code in figures.money else Decimal(0))
        for code in currencies
    )


def _articles_ranked(rollups: CreatorRollupRows) -> list[RowFigures]:
    rows, currencies = _rows(
        rollups,
        key_of=lambda row: (row["article_id"],),
        label_of=lambda row: row["article__title"],
    )
    return sorted(
        rows.values(),
        key=lambda row: (
            _earnings_key(row, currencies),
            -row.billable_clicks,
            row.label or "",
        ),
    )


def _placements_ranked(rollups: CreatorRollupRows, *, limit: int) -> list[RowFigures]:
    rows, currencies = _rows(
        rollups,
        key_of=lambda row: (row["link__block_type"], row["link__position"]),
        label_of=lambda row: block_type_label(row["link__block_type"]),
    )
    ranked = sorted(
        rows.values(),
        key=lambda row: (
            -(row.conversion_rate or Decimal(0)),
            -row.conversions,
            _earnings_key(row, currencies),
            -row.billable_clicks,
            row.key[0],
            row.key[1] or 0,
        ),
    )
    return ranked[:limit]


def creator_articles(
    *, creator: CreatorProfile, since: datetime.date | None = None
) -> list[RowFigures]:
    """The creator's articles ranked by their earnings: first in the currency with
    the most conversions, then the next currency (amounts in different currencies
    are never compared), then by billable clicks. ``key`` is (article id,). Three
    queries (creator_rollup_rows)."""
    return _articles_ranked(creator_rollup_rows(creator=creator, since=since))


def creator_placements(
    *, creator: CreatorProfile, since: datetime.date | None = None, limit: int = 10
) -> list[RowFigures]:
    """The creator's best placements by block type and position among an article's
    product embeds (1 = the first product from the top), across their articles:
    ranked by conversion rate, then conversions, then earnings. ``key`` is
    (block type, position); links made before block types were kept have ("", None).
    Three queries (creator_rollup_rows)."""
    return _placements_ranked(
        creator_rollup_rows(creator=creator, since=since), limit=limit
    )


def creator_tables(
    *, creator: CreatorProfile, since: datetime.date | None = None, limit: int = 10
) -> tuple[list[RowFigures], list[RowFigures]]:
    """creator_articles and creator_placements from one read: three queries."""
    rollups = creator_rollup_rows(creator=creator, since=since)
    return _articles_ranked(rollups), _placements_ranked(rollups, limit=limit)


# -- Editors: the articles report -----------------------------------------------------


@dataclass(frozen=True)
class ArticleReportRow:
    """One article (and author) in one currency over the chosen days. Clicks have no
    currency: an article that sold in two currencies has two rows with the same
    clicks; one that sold nothing has one row with an empty currency."""

    article_id: int | None
    title: str
    author: str
    currency: str
    billable_clicks: int
    bot_clicks: int
    conversions: int
    conversion_rate: Decimal | None
    sales: Decimal | None
    commission: Decimal | None  # the platform's commission from the merchant
    creator_commission: Decimal | None  # the author's share and referral overrides
    platform_remainder: Decimal | None
    epc: Decimal | None  # platform commission ÷ billable clicks


def _compiled(queryset) -> tuple[str, tuple]:
    return queryset.query.get_compiler(using=queryset.db).as_sql()


def _union(parts: list[tuple[str, tuple]]) -> tuple[str, tuple]:
    # Each part as a derived table: SQLite refuses parenthesised SELECTs in UNION.
    sql = " UNION ALL ".join(
        f"SELECT * FROM ({part}) AS part"  # noqa: S608 (compiled querysets)
        for part, _ in parts
    )
    return sql, tuple(param for _, params in parts for param in params)


def _decimal(value) -> Decimal:
    """A SUM of money as the database gives it: a Decimal on PostgreSQL, a float or
    an int on SQLite (rounded to the currency by the caller, as Django's own
    converters would)."""
    return value if isinstance(value, Decimal) else Decimal(repr(value))


class ArticlesReport:
    """The rows of the articles report, read a page at a time: a sequence that the
    admin's paginator counts (``count()``) and slices, each slice one query ordered
    and limited in the database; iterating reads every row (the exports).

    One statement sums the rollups (monthly for whole months, daily for the days
    around them) per article, author and currency, joins clicks to sales, adds a row
    with no currency for articles that sold nothing, and orders like the screen:
    by currency (no currency last), platform commission and billable clicks highest
    first, then title."""

    def __init__(self, *, clicks: tuple[str, tuple], sales: tuple[str, tuple]):
        self._clicks = clicks
        self._sales = sales
        self._count: int | None = None
        self._prefetched: tuple[int, int, list[ArticleReportRow]] | None = None

    def _report_sql(self) -> tuple[str, tuple]:
        clicks, click_params = self._clicks
        sales, sale_params = self._sales
        sql = f"""
            WITH clicks AS (
                SELECT article_id, author_id, SUM(billable) AS billable,
                    SUM(bots) AS bots
                FROM ({clicks}) AS click_parts
                GROUP BY article_id, author_id
            ), sales AS (
                SELECT article_id, author_id, currency,
                    SUM(conversions) AS conversions, SUM(sales) AS sales,
                    SUM(commission) AS commission,
                    SUM(author_earnings) AS author_earnings,
                    SUM(override_earnings) AS override_earnings,
                    SUM(platform_earnings) AS platform_earnings
                FROM ({sales}) AS sale_parts
                GROUP BY article_id, author_id, currency
            ), report AS (
                SELECT sales.article_id, sales.author_id, sales.currency,
                    COALESCE(clicks.billable, 0) AS billable,
                    COALESCE(clicks.bots, 0) AS bots,
                    sales.conversions, sales.sales, sales.commission,
                    sales.author_earnings, sales.override_earnings,
                    sales.platform_earnings
                FROM sales LEFT JOIN clicks
                    ON clicks.author_id = sales.author_id
                    AND COALESCE(clicks.article_id, 0) = COALESCE(sales.article_id, 0)
                UNION ALL
                SELECT clicks.article_id, clicks.author_id, '', clicks.billable,
                    clicks.bots, 0, NULL, NULL, NULL, NULL, NULL
                FROM clicks
                WHERE NOT EXISTS (
                    SELECT 1 FROM sales
                    WHERE sales.author_id = clicks.author_id
                    AND COALESCE(sales.article_id, 0) = COALESCE(clicks.article_id, 0)
                )
            )"""  # noqa: S608 (our own compiled querysets; values are parameters)
        return sql, click_params + sale_params

    def count(self) -> int:
        if self._count is None:
            sql, params = self._report_sql()
            with connection.cursor() as cursor:
                cursor.execute(f"{sql} SELECT COUNT(*) FROM report", params)  # noqa: S608
                self._count = cursor.fetchone()[0]
        return self._count

    def __len__(self) -> int:
        return self.count()

    def _rows(self, *, limit: int | None, offset: int) -> list[ArticleReportRow]:
        sql, params = self._report_sql()
        page = connection.ops.quote_name(Page._meta.db_table)
        profile = connection.ops.quote_name(CreatorProfile._meta.db_table)
        # COUNT(*) OVER (): the number of rows of the whole report comes with the
        # page, so that a page costs one statement (see prefetch).
        sql += f"""
            SELECT report.*, page.title, author.public_name, COUNT(*) OVER ()
            FROM report
            LEFT JOIN {page} AS page ON page.id = report.article_id
            JOIN {profile} AS author ON author.id = report.author_id
            ORDER BY CASE WHEN report.currency = '' THEN 1 ELSE 0 END,
                report.currency, report.commission DESC, report.billable DESC,
                page.title, report.article_id, report.author_id"""  # noqa: S608
        if limit is not None:
            sql += " LIMIT %s OFFSET %s"
            params += (limit, offset)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if rows:
            self._count = rows[0][-1]
        return [_article_report_row(row[:-1]) for row in rows]

    def prefetch(self, *, offset: int, limit: int) -> None:
        """Read the rows ``offset`` to ``offset + limit`` now, with the number of
        rows: the paginator's count() and then its slice of those rows cost one
        statement instead of two."""
        self._prefetched = (offset, limit, self._rows(limit=limit, offset=offset))

    def __getitem__(self, index):
        if isinstance(index, slice):
            if index.step not in (None, 1):
                raise ValueError("ArticlesReport slices have no step.")
            start = index.start or 0
            if (
                self._prefetched is not None
                and index.stop is not None
                and self._prefetched[0] == start
                and 0 <= index.stop - start <= self._prefetched[1]
            ):
                return self._prefetched[2][: index.stop - start]
            if index.stop is None:
                return self._rows(limit=None, offset=0)[start:]
            return self._rows(limit=max(index.stop - start, 0), offset=start)
        rows = self._rows(limit=1, offset=index)
        if not rows:
            raise IndexError(index)
        return rows[0]

    def __iter__(self):
        return iter(self._rows(limit=None, offset=0))


def _article_report_row(row: tuple) -> ArticleReportRow:
    (
        article_id,
        _author_id,
        currency,
        billable,
        bots,
        conversions,
        sales,
        commission,
        author_earnings,
        override_earnings,
        platform_earnings,
        title,
        author,
    ) = row
    common = {
        "article_id": article_id,
        "title": title or str(_("Deleted article")),
        "author": author,
        "currency": currency,
        "billable_clicks": int(billable),
        "bot_clicks": int(bots),
        "conversions": int(conversions),
        "conversion_rate": conversion_rate(
            conversions=int(conversions), billable_clicks=int(billable)
        ),
    }
    if not currency:
        return ArticleReportRow(
            **common,
            sales=None,
            commission=None,
            creator_commission=None,
            platform_remainder=None,
            epc=None,
        )
    commission = money_round(_decimal(commission), currency)
    return ArticleReportRow(
        **common,
        sales=money_round(_decimal(sales), currency),
        commission=commission,
        creator_commission=money_round(
            _decimal(author_earnings) + _decimal(override_earnings), currency
        ),
        platform_remainder=money_round(_decimal(platform_earnings), currency),
        epc=earnings_per_click(
            earnings=commission, currency=currency, billable_clicks=int(billable)
        ),
    )


def articles_report(
    *,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
    author: CreatorProfile | None = None,
    page_type: ContentType | None = None,
    article_ids: QuerySet | None = None,
) -> ArticlesReport:
    """Every article's figures between two UTC days (inclusive; None open), of one
    author, one page type and the articles among ``article_ids`` (a queryset of page
    ids, such as those with a tag: article_ids_tagged) when given. Ordered by
    currency, then platform commission (highest first), then billable clicks;
    articles with no sales come last. Rows are read a page at a time (see
    ArticlesReport): one statement for a page and the number of rows."""
    where = Q()
    if author is not None:
        where &= Q(author=author)
    if page_type is not None:
        where &= Q(article__content_type=page_type)
    if article_ids is not None:
        where &= Q(article_id__in=article_ids)
    span = rollup_span(since=since, until=until)
    clicks = [
        _compiled(
            model.objects.filter(days, where)
            .values("article_id", "author_id")
            .annotate(billable=Sum("billable_clicks"), bots=Sum("bot_clicks"))
            .order_by()
        )
        for model, days in span.sources(sales=False)
    ]
    sales = [
        _compiled(
            model.objects.filter(days, where)
            .values("article_id", "author_id", "currency")
            .annotate(
                conversions=Sum("conversions"),
                sales=Sum("sales"),
                commission=Sum("commission"),
                author_earnings=Sum("author_earnings"),
                override_earnings=Sum("override_earnings"),
                platform_earnings=Sum("platform_earnings"),
            )
            .order_by()
        )
        for model, days in span.sources(sales=True)
    ]
    return ArticlesReport(clicks=_union(clicks), sales=_union(sales))


def article_tag_models() -> list[type]:
    """The through models of article tags (taggit ``TaggedItemBase`` subclasses
    whose ``content_object`` is a page), as the apps that own articles register
    them with the ``register_article_tags_model`` hook: this app never imports
    them."""
    return [hook() for hook in hooks.get_hooks(ARTICLE_TAGS_HOOK)]


def article_ids_tagged(*, tag: Tag) -> QuerySet:
    """The ids of the pages tagged ``tag``, as a subquery."""
    models = article_tag_models()
    if not models:
        return Page.objects.none().values("pk")
    first, *others = (
        model.objects.filter(tag=tag).values("content_object_id") for model in models
    )
    return first.union(*others) if others else first


def article_tags() -> QuerySet:
    """The tags of any article, by name."""
    tagged = Q(pk__in=[])
    for model in article_tag_models():
        tagged |= Q(pk__in=model.objects.values("tag_id"))
    return Tag.objects.filter(tagged).order_by("name")


def article_types() -> QuerySet:
    """The page types of the articles that have tracked links."""
    return ContentType.objects.filter(
        pk__in=Page.objects.filter(
            pk__in=TrackedLink.objects.values("article_id")
        ).values("content_type_id")
    )


# -- Editors: products, merchants and placements --------------------------------------


@dataclass(frozen=True)
class PerformanceRow:
    """One product, merchant or placement in one currency over the chosen days, as
    in the articles report: clicks have no currency, so an entity that sold in two
    currencies has two rows with the same clicks, one that sold nothing a row with an
    empty currency. ``key`` identifies the entity (its id, or block type and
    position bucket)."""

    key: tuple
    name: str
    currency: str
    billable_clicks: int
    bot_clicks: int
    conversions: int
    conversion_rate: Decimal | None
    sales: Decimal | None
    commission: Decimal | None  # the platform's commission from the merchant
    creator_commission: Decimal | None  # the author's share and referral overrides
    epc: Decimal | None  # platform commission ÷ billable clicks
    position: str = ""  # placements: the position bucket ("" elsewhere, or not known)


def _days(since: datetime.date | None, until: datetime.date | None) -> Q:
    when = Q()
    if since:
        when &= Q(day__gte=since)
    if until:
        when &= Q(day__lte=until)
    return when


def _performance_rows(
    *,
    since: datetime.date | None,
    until: datetime.date | None,
    where: Q,
    group: tuple[str, ...],
    key_of,
    name_of,
    sales_where: Q | None = None,
    sales_group: tuple[str, ...] | None = None,
) -> list[PerformanceRow]:
    """Rollups of the days ``since``..``until`` filtered by ``where`` and grouped by
    the ``group`` fields, in a query per kind of rows (clicks, sales) and of rollup
    (daily, monthly) the days need; ``key_of`` and ``name_of`` turn a grouped row
    into the entity's key (rows with the same key are summed) and name. Sales rows
    may be filtered and grouped by other fields (``sales_where``, ``sales_group``):
    a merchant's clicks are those sent to its offers, its sales those it reported."""
    sales_where = where if sales_where is None else sales_where
    sales_group = group if sales_group is None else sales_group
    span = rollup_span(since=since, until=until)
    clicks: dict[tuple, dict] = {}
    for model, days in span.sources(sales=False):
        for row in (
            model.objects.filter(days, where)
            .values(*group)
            .annotate(billable=Sum("billable_clicks"), bots=Sum("bot_clicks"))
            .order_by()
        ):
            figures = clicks.setdefault(
                key_of(row), {"name": name_of(row), "billable": 0, "bots": 0}
            )
            figures["billable"] += row["billable"]
            figures["bots"] += row["bots"]
    sales: dict[tuple, dict[str, dict]] = {}
    names: dict[tuple, str] = {}
    for model, days in span.sources(sales=True):
        for row in (
            model.objects.filter(days, sales_where)
            .values(*sales_group, "currency")
            .annotate(
                conversions=Sum("conversions"),
                sales=Sum("sales"),
                commission=Sum("commission"),
                creator=Sum("author_earnings") + Sum("override_earnings"),
            )
            .order_by()
        ):
            key = key_of(row)
            names.setdefault(key, name_of(row))
            money = sales.setdefault(key, {}).setdefault(
                row["currency"],
                {"conversions": 0, "sales": 0, "commission": 0, "creator": 0},
            )
            for name in money:
                money[name] += row[name]

    rows = []
    for key in clicks.keys() | sales.keys():
        click_row = clicks.get(key, {})
        billable = click_row.get("billable", 0)
        common = {
            "key": key,
            "name": click_row.get("name") or names[key],
            "billable_clicks": billable,
            "bot_clicks": click_row.get("bots", 0),
        }
        if key not in sales:
            rows.append(
                PerformanceRow(
                    **common,
                    currency="",
                    conversions=0,
                    conversion_rate=conversion_rate(
                        conversions=0, billable_clicks=billable
                    ),
                    sales=None,
                    commission=None,
                    creator_commission=None,
                    epc=None,
                )
            )
            continue
        for currency, money in sorted(sales[key].items()):
            commission = money_round(money["commission"], currency)
            rows.append(
                PerformanceRow(
                    **common,
                    currency=currency,
                    conversions=money["conversions"],
                    conversion_rate=conversion_rate(
                        conversions=money["conversions"], billable_clicks=billable
                    ),
                    sales=money_round(money["sales"], currency),
                    commission=commission,
                    creator_commission=money_round(money["creator"], currency),
                    epc=earnings_per_click(
                        earnings=commission, currency=currency, billable_clicks=billable
                    ),
                )
            )
    return rows


def _by_commission(row: PerformanceRow) -> tuple:
    return (
        row.currency == "",
        row.currency,
        -(row.commission or 0),
        -row.billable_clicks,
        row.name,
    )


def products_report(
    *,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
    merchant_id: int | None = None,
) -> list[PerformanceRow]:
    """Every product's figures between two UTC days (inclusive), through all its
    tracked links, or only ``merchant_id``'s: the clicks sent to its offers and the
    sales it reported. Ordered like the articles report: by currency, then
    platform commission, highest first."""
    rows = _performance_rows(
        since=since,
        until=until,
        where=Q() if merchant_id is None else Q(offer__merchant_id=merchant_id),
        sales_where=Q() if merchant_id is None else Q(merchant_id=merchant_id),
        group=("link__product_id", "link__product__title"),
        key_of=lambda row: (row["link__product_id"],),
        name_of=lambda row: row["link__product__title"] or str(_("Deleted product")),
    )
    return sorted(rows, key=_by_commission)


def _merchant_of(row: dict) -> tuple[int | None, str | None]:
    """(id, name) of the merchant of a clicks row (the offer's) or a sales row."""
    if "offer__merchant_id" in row:
        return row["offer__merchant_id"], row["offer__merchant__name"]
    return row["merchant_id"], row["merchant__name"]


def merchants_report(
    *, since: datetime.date | None = None, until: datetime.date | None = None
) -> list[PerformanceRow]:
    """Every merchant's figures between two UTC days (inclusive): the clicks that
    sent readers to its offers (a link's own, or an in-stock fallback when the
    link's was not) and the sales it reported. Ordered like the articles report."""
    rows = _performance_rows(
        since=since,
        until=until,
        where=Q(),
        group=("offer__merchant_id", "offer__merchant__name"),
        sales_group=("merchant_id", "merchant__name"),
        key_of=lambda row: (_merchant_of(row)[0],),
        name_of=lambda row: _merchant_of(row)[1] or str(_("Deleted merchant")),
    )
    return sorted(rows, key=_by_commission)


# Positions among an article's product embeds, grouped: the first three apart (where
# "near the top" is decided), then 4–6 and 7 onwards, where few articles reach and a
# rate per single position would rest on a handful of links.
POSITION_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("1", 1, 1),
    ("2", 2, 2),
    ("3", 3, 3),
    ("4–6", 4, 6),
    ("7+", 7, None),
)


def position_bucket(position: int | None) -> str:
    """The bucket of a 1-based position; "" when the position is not known."""
    if position is None:
        return ""
    for label, first, last in POSITION_BUCKETS:
        if position >= first and (last is None or position <= last):
            return label
    return ""  # position 0 is never stored; shown as not known


def placements_report(
    *, since: datetime.date | None = None, until: datetime.date | None = None
) -> list[PerformanceRow]:
    """Figures by block type and position bucket (POSITION_BUCKETS) across every
    article, between two UTC days (inclusive), per currency. ``key`` is (block
    type, bucket label); ordered by block type, then bucket from the top, then
    currency, so that one block type's positions read down the page."""
    rows = _performance_rows(
        since=since,
        until=until,
        where=Q(),
        group=("link__block_type", "link__position"),
        key_of=lambda row: (
            row["link__block_type"],
            position_bucket(row["link__position"]),
        ),
        name_of=lambda row: block_type_label(row["link__block_type"]),
    )
    order = {
        label: index for index, (label, _first, _last) in enumerate(POSITION_BUCKETS)
    }
    return sorted(
        (replace(row, position=row.key[1]) for row in rows),
        key=lambda row: (
            row.key[0] == "",
            row.key[0],
            order.get(row.key[1], len(order)),
            row.currency == "",
            row.currency,
        ),
    )


# -- Editors: quiet merchants ---------------------------------------------------------

# How long a merchant has to report a sale after a click before its silence counts.
QUIET_DAYS = 30


@dataclass(frozen=True)
class QuietOfferRow:
    """An offer that had billable clicks between two days and whose merchant
    reported nothing (no sale, refund or unattributed order, purchased at any time
    from the offer's first click in the window to QUIET_DAYS days after its last)."""

    offer_id: int
    product: str
    merchant: str
    url: str
    billable_clicks: int
    articles: int
    first_click_day: datetime.date
    last_click_day: datetime.date
    merchant_last_conversion: datetime.datetime | None


def quiet_offers_report(
    *, since: datetime.date, until: datetime.date
) -> list[QuietOfferRow]:
    """Offers that readers were sent to (billable clicks; the link's offer or an
    in-stock fallback) on days ``since``..``until`` (UTC, inclusive)
    whose merchant reported no conversion from the first of those days to
    QUIET_DAYS days after the last; most clicks first. Clicks come from the
    rollups; conversions from the merchant's reports (any status, attributed or
    not: any report shows the merchant's tracking works). Three queries. Call it
    with ``until`` at least QUIET_DAYS days ago, or the merchant has not had its
    time to report."""
    offers = list(
        DailyLinkClicks.objects.filter(
            _days(since, until), billable_clicks__gt=0, offer__isnull=False
        )
        .values(
            "offer_id",
            "offer__merchant_id",
            "offer__merchant__name",
            "offer__product__title",
            "offer__url",
        )
        .annotate(
            billable=Sum("billable_clicks"),
            articles=Count("article_id", distinct=True),
            first=Min("day"),
            last=Max("day"),
        )
        .order_by()
    )
    if not offers:
        return []
    merchants = {row["offer__merchant_id"] for row in offers}
    reported_days: dict[int, set[datetime.date]] = {}
    for row in (
        Conversion.objects.filter(
            merchant_id__in=merchants,
            occurred_at__gte=_day_start(since),
            occurred_at__lt=_day_start(until + datetime.timedelta(days=QUIET_DAYS + 1)),
        )
        .annotate(day=TruncDate("occurred_at", tzinfo=datetime.UTC))
        .values("merchant_id", "day")
        .distinct()
        .order_by()
    ):
        reported_days.setdefault(row["merchant_id"], set()).add(row["day"])
    last_reports = dict(
        Conversion.objects.filter(merchant_id__in=merchants)
        .values("merchant_id")
        .annotate(last=Max("occurred_at"))
        .order_by()
        .values_list("merchant_id", "last")
    )
    rows = []
    for row in offers:
        first, last = row["first"], row["last"]
        wait_until = last + datetime.timedelta(days=QUIET_DAYS)
        days = reported_days.get(row["offer__merchant_id"], set())
        if any(first <= day <= wait_until for day in days):
            continue
        rows.append(
            QuietOfferRow(
                offer_id=row["offer_id"],
                product=row["offer__product__title"],
                merchant=row["offer__merchant__name"],
                url=row["offer__url"],
                billable_clicks=row["billable"],
                articles=row["articles"],
                first_click_day=first,
                last_click_day=last,
                merchant_last_conversion=last_reports.get(row["offer__merchant_id"]),
            )
        )
    return sorted(
        rows, key=lambda row: (-row.billable_clicks, row.merchant, row.offer_id)
    )


# -- Creators: when their money is paid -----------------------------------------------


@dataclass(frozen=True)
class ExpectedMoney:
    """Pending money that becomes approved on one day (None: the merchant has not
    confirmed the sale yet, so nobody knows when), and the payout run that would pay
    it if nothing is refunded (None: the balance would still be under the minimum,
    or the day is not known)."""

    approvable_on: datetime.date | None
    amount: Decimal
    paid_on: datetime.date | None


@dataclass(frozen=True)
class PayoutOutlook:
    """One currency of a creator's money as it moves towards a payout: confirmed
    (approved, waiting for a run), expected (pending, by the day each part is
    approved), held for an editor's review, and in a payout now."""

    currency: str
    minimum: Decimal
    approved: Decimal
    progress: int  # percent of the minimum that the approved balance reaches (≤ 100)
    missing: Decimal  # how much more approved money the minimum needs (0 if none)
    approved_paid_on: datetime.date | None  # the run that pays it, if it is due
    pending: Decimal
    expected: list[ExpectedMoney]
    held: Decimal
    processing: Decimal


@dataclass(frozen=True)
class PayoutSchedule:
    next_run: datetime.date
    currencies: list[PayoutOutlook]


def _payout_runs_simulate(
    *,
    settings: CommissionSettings,
    first_run: datetime.date,
    minimum: Decimal,
    approved: Decimal,
    pending: list[tuple[datetime.date, Decimal]],
) -> dict:
    """The run that would pay the approved balance ("approved") and the pending
    money of each day (``pending``: (day approved, amount), in order), if nothing is
    refunded: runs on every payout day from ``first_run`` pay the whole approved
    balance once it reaches ``minimum``. A run on the day a hold ends is counted
    before the approval, since the hour of either is not known. Money that no run
    in sight pays (the balance stays under the minimum) is left out."""
    paid_on: dict = {}
    balance = approved
    waiting: list = ["approved"] if approved else []
    run = first_run

    def settle() -> None:
        nonlocal balance
        if waiting and balance > 0 and balance >= minimum:
            for key in waiting:
                paid_on[key] = run
            waiting.clear()
            balance = Decimal(0)

    for day, amount in pending:
        while run <= day:
            settle()
            run = settings.next_payout_day(today=run + datetime.timedelta(days=1))
        balance += amount
        waiting.append(day)
    settle()
    return paid_on


def creator_payout_outlook(
    *, creator: CreatorProfile, today: datetime.date, tz: datetime.tzinfo
) -> PayoutSchedule:
    """When the creator's money is paid: the next payout day (CommissionSettings's
    payout day, on or after ``today``, a day in ``tz``: the creator's time zone), and
    per currency their approved balance against the minimum and their pending money
    by the day its conversion's hold ends (in ``tz``), with the run that would pay
    it. Commissions are approved within the hour their hold ends; a run pays every
    approved balance that reaches the minimum (payout_run_create). Two queries of
    the ledger and one of the settings."""
    settings = CommissionSettings.load()
    next_run = settings.next_payout_day(today=today)
    balances: dict[str, dict[str, Decimal]] = {}
    for row in (
        LedgerEntry.objects.filter(creator=creator)
        .values("currency", "status")
        .annotate(total=Sum("amount"))
        .order_by()
    ):
        balances.setdefault(row["currency"], {})[row["status"]] = money_round(
            _decimal(row["total"] or 0), row["currency"]
        )
    # Pending money by the moment its hold ends: moves copy their item's conversion,
    # so a conversion's pending entries sum to what of it is still pending.
    pending_by_day: dict[str, dict[datetime.date | None, Decimal]] = {}
    for row in (
        LedgerEntry.objects.filter(creator=creator, status=EntryStatus.PENDING)
        .values("currency", hold_until=F("conversion__hold_until"))
        .annotate(total=Sum("amount"))
        .filter(NOT_ZERO)
        .order_by()
    ):
        day = None
        if row["hold_until"] is not None:
            day = max(row["hold_until"].astimezone(tz).date(), today)
        days = pending_by_day.setdefault(row["currency"], {})
        days[day] = days.get(day, Decimal(0)) + _decimal(row["total"])

    currencies = []
    for currency in sorted(balances):
        status = balances[currency]
        minimum = settings.minimum_for(currency)

        def amount_in(name: str, status=status, currency=currency) -> Decimal:
            return money_round(status.get(name, Decimal(0)), currency)

        approved = amount_in(EntryStatus.APPROVED)
        days = pending_by_day.get(currency, {})
        paid_on = _payout_runs_simulate(
            settings=settings,
            first_run=next_run,
            minimum=minimum,
            approved=approved,
            pending=[
                (day, money_round(days[day], currency))
                for day in sorted(day for day in days if day is not None)
            ],
        )
        expected = [
            ExpectedMoney(
                approvable_on=day,
                amount=money_round(days[day], currency),
                paid_on=paid_on.get(day),
            )
            for day in sorted(day for day in days if day is not None)
        ]
        if days.get(None):
            expected.append(
                ExpectedMoney(
                    approvable_on=None,
                    amount=money_round(days[None], currency),
                    paid_on=None,
                )
            )
        due = approved > 0 and approved >= minimum
        pending = amount_in(EntryStatus.PENDING)
        held = amount_in(EntryStatus.HELD)
        processing = amount_in(EntryStatus.PROCESSING)
        if not (approved or pending or held or processing):
            continue  # paid out in full: nothing on its way
        progress = 100
        if minimum > 0:
            progress = int(min(Decimal(100), max(approved, 0) * 100 / minimum))
        currencies.append(
            PayoutOutlook(
                currency=currency,
                minimum=money_round(minimum, currency),
                approved=approved,
                progress=progress,
                missing=money_round(max(minimum - approved, Decimal(0)), currency)
                if not due
                else Decimal(0),
                approved_paid_on=paid_on.get("approved"),
                pending=pending,
                expected=expected,
                held=held,
                processing=processing,
            )
        )
    return PayoutSchedule(next_run=next_run, currencies=currencies)


# -- Editors: the site at a glance ----------------------------------------------------

TOP_ROWS = 5


@dataclass
class OverviewFigures:
    """Clicks and sales of a stretch of days: billable clicks, conversions, and per
    currency the sales and the platform's commission."""

    billable_clicks: int = 0
    conversions: int = 0
    money: dict[str, dict[str, Decimal]] = field(default_factory=dict)

    def add_sales(self, row: dict) -> None:
        self.conversions += row["conversions"]
        money = self.money.setdefault(
            row["currency"], {"sales": Decimal(0), "commission": Decimal(0)}
        )
        money["sales"] += _decimal(row["sales"])
        money["commission"] += _decimal(row["commission"])

    def finish(self) -> "OverviewFigures":
        self.money = {
            currency: {
                name: money_round(value, currency) for name, value in sums.items()
            }
            for currency, sums in sorted(self.money.items())
        }
        return self


@dataclass
class OverviewRow(OverviewFigures):
    """An article or a creator in this month's ranking."""

    key: int | None = None
    name: str = ""
    author: str = ""


@dataclass(frozen=True)
class SiteOverview:
    today: datetime.date
    month: datetime.date
    day_figures: OverviewFigures
    month_figures: OverviewFigures
    top_articles: list[OverviewRow]
    top_creators: list[OverviewRow]
    held_for_review: int
    broken_links: int
    unavailable_links: int  # out of stock or discontinued


def _ranked(rows: dict, *, limit: int) -> list[OverviewRow]:
    """Most conversions first, then most billable clicks: amounts in different
    currencies are never compared."""
    finished = [row.finish() for row in rows.values()]
    return sorted(
        finished, key=lambda row: (-row.conversions, -row.billable_clicks, row.name)
    )[:limit]


def site_overview(*, today: datetime.date, limit: int = TOP_ROWS) -> SiteOverview:
    """The whole site today (the UTC day) and this month so far (its UTC days):
    billable clicks, conversions, sales and platform commission per currency; this
    month's top articles and creators; how many sales wait for an editor's review
    and how many offers in published articles have a broken link (or are out of
    stock or discontinued). From the rollups, never raw clicks: this month from
    the monthly rollups (a row per link), today from the daily ones. Six queries,
    however many links, clicks or sales."""
    month = month_start(today)
    day = OverviewFigures(
        billable_clicks=DailyLinkClicks.objects.filter(day=today).aggregate(
            total=Sum("billable_clicks")
        )["total"]
        or 0
    )
    for row in (
        DailyLinkSales.objects.filter(day=today)
        .values("currency")
        .annotate(
            conversions=Sum("conversions"),
            sales=Sum("sales"),
            commission=Sum("commission"),
        )
        .order_by()
    ):
        day.add_sales(row)

    whole = OverviewFigures()
    articles: dict[int | None, OverviewRow] = {}
    creators: dict[int, OverviewRow] = {}

    def rows_of(row: dict) -> tuple[OverviewRow, OverviewRow]:
        article = articles.setdefault(
            row["article_id"],
            OverviewRow(
                key=row["article_id"],
                name=row["article__title"] or str(_("Deleted article")),
                author=row["author__public_name"],
            ),
        )
        creator = creators.setdefault(
            row["author_id"],
            OverviewRow(key=row["author_id"], name=row["author__public_name"]),
        )
        return article, creator

    fields = ("article_id", "article__title", "author_id", "author__public_name")
    for row in (
        MonthlyLinkClicks.objects.filter(month=month)
        .values(*fields)
        .annotate(billable=Sum("billable_clicks"))
        .order_by()
    ):
        whole.billable_clicks += row["billable"]
        for ranked in rows_of(row):
            ranked.billable_clicks += row["billable"]
    for row in (
        MonthlyLinkSales.objects.filter(month=month)
        .values(*fields, "currency")
        .annotate(
            conversions=Sum("conversions"),
            sales=Sum("sales"),
            commission=Sum("commission"),
        )
        .order_by()
    ):
        whole.add_sales(row)
        for ranked in rows_of(row):
            ranked.add_sales(row)

    links = offers_with_link_problems().aggregate(
        broken=Count("pk", filter=link_problem_condition(problem=LinkProblem.BROKEN)),
        unavailable=Count(
            "pk",
            filter=link_problem_condition(problem=LinkProblem.OUT_OF_STOCK)
            | link_problem_condition(problem=LinkProblem.DISCONTINUED),
        ),
    )
    return SiteOverview(
        today=today,
        month=month,
        day_figures=day.finish(),
        month_figures=whole.finish(),
        top_articles=_ranked(articles, limit=limit),
        top_creators=_ranked(creators, limit=limit),
        held_for_review=conversions_held().count(),
        broken_links=links["broken"],
        unavailable_links=links["unavailable"],
    )
