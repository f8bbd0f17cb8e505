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
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.utils.translation import gettext_lazy as _

from affiliates.analytics.figures import (
    NO_ARTICLE,
    conversion_rate,
    day_start,
    earnings_per_click,
    rollup_span,
    sum_decimal,
)
from affiliates.analytics.services import CLICK_SUMS, month_start
from affiliates.commissions.selectors import conversions_held
from affiliates.models import (
    CommissionSettings,
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
from products.currencies import money_round

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


def period_start(*, key: str, today: datetime.date) -> datetime.date | None:
    """The first day of a period (None for all time). Unknown keys raise KeyError."""
    days = dict(PERIODS)[key]
    return None if days is None else today - datetime.timedelta(days=days - 1)


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
        key: (period_start(key=key, today=today), None) for key, days_between in PERIODS
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
            where &= Q(conversion__occurred_at__gte=day_start(since))
        # The calendar's last day has no next day to stop before (9999-12-31).
        if until is not None and until < datetime.date.max:
            where &= Q(
                conversion__occurred_at__lt=day_start(
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
            taken = sum_decimal(row[f"reversed_{key}"] or 0)
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
    # Of ``conversions``, those credited by a tracking id (no link, so no click
    # or placement: the network carried only the id the creator was given).
    tracking_id_conversions: int = 0

    @property
    def by_tracking_id_only(self) -> bool:
        """The row of sales by tracking id whose article is not known."""
        return self.key == TRACKING_ID_ROW

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
    ``article__title``, ``link__block_type`` and ``link__position``. Sales credited
    by a tracking id have a row per article (None where the id is the creator's)
    and currency with ``link_id`` None and no block type or position."""

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
        # Sales by tracking id have no link: their article keeps them apart (a
        # link's article is the link's, so it splits no link's row).
        fields = ("link_id", "article_id", "currency") if sales else ("link_id",)
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
    # An article's tracking id is given when the creator's links in it are made
    # (tracking.trackingids), and links are retired, never deleted: its title is
    # among their links'.
    titles = {link["article_id"]: link["article__title"] for link in links.values()}
    for row in (*clicks, *sales):
        if row["link_id"] is None:
            row.update(
                article__title=titles.get(row["article_id"]),
                link__block_type="",
                link__position=None,
            )
            continue
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
        money.sales += sum_decimal(row["sales"])
        money.earnings += sum_decimal(row["earnings"])
        figures.conversions += row["conversions"]
        if row["link_id"] is None:
            figures.tracking_id_conversions += row["conversions"]
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


# The key of the articles' row that holds the sales credited by a tracking id
# given to the creator rather than to one article (so of no article known).
TRACKING_ID_ROW = ("tracking-id",)


def _article_key(row: dict) -> tuple:
    if row["link_id"] is None and row["article_id"] is None:
        return TRACKING_ID_ROW
    return (row["article_id"],)


def _articles_ranked(rollups: CreatorRollupRows) -> list[RowFigures]:
    rows, currencies = _rows(
        rollups,
        key_of=_article_key,
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
    # A sale credited by a tracking id came through no placement the network
    # could name: it counts in the articles and the totals, not here.
    placed = CreatorRollupRows(
        clicks=rollups.clicks,
        sales=[row for row in rollups.sales if row["link_id"] is not None],
    )
    rows, currencies = _rows(
        placed,
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
    are never compared), then by billable clicks. ``key`` is (article id,), or
    TRACKING_ID_ROW for the sales credited by a tracking id given to the creator
    rather than to one article; an article's row counts its sales by tracking id
    too (``tracking_id_conversions`` of its conversions). Three queries
    (creator_rollup_rows)."""
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


# -- Editors: products, merchants and placements --------------------------------------


# -- Editors: quiet merchants ---------------------------------------------------------


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
            sum_decimal(row["total"] or 0), row["currency"]
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
        days[day] = days.get(day, Decimal(0)) + sum_decimal(row["total"])

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
        money["sales"] += sum_decimal(row["sales"])
        money["commission"] += sum_decimal(row["commission"])

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

    def rows_of(row: dict) -> tuple[OverviewRow, ...]:
        creator = creators.setdefault(
            row["author_id"],
            OverviewRow(key=row["author_id"], name=row["author__public_name"]),
        )
        if row.get("no_article"):
            # Sales by a tracking id given to the creator: theirs, of no article.
            return (creator,)
        article = articles.setdefault(
            row["article_id"],
            OverviewRow(
                key=row["article_id"],
                name=row["article__title"] or str(_("Deleted article")),
                author=row["author__public_name"],
            ),
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
        .values(*fields, "currency", no_article=NO_ARTICLE)
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
