"""Reads for the creator dashboard: figures by period, a daily series for the chart,
articles and placements ranked. Clicks, conversions, sales and the author's
earnings per article come from the daily rollups (affiliates.models.rollups), never
from raw clicks; earnings by status come from the ledger itself, one grouped query
per creator, so that they always match the creator's balances to the cent.

Each function runs a fixed number of queries, whatever the number of articles,
links or days. Currencies are never added together: every money figure is per
currency, and rankings order currencies by how many sales they carry.
"""

import datetime
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Max, Min, Q, Sum
from django.db.models.functions import TruncDate
from django.utils.translation import gettext_lazy as _

from products.currencies import minor_unit, money_round

from .models import (
    Conversion,
    CreatorProfile,
    DailyLinkClicks,
    DailyLinkSales,
    EntryStatus,
    LedgerEntry,
)

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


def period_start(*, key: str, today: datetime.date) -> datetime.date | None:
    """The first day of a period (None for all time). Unknown keys raise KeyError."""
    days = dict(PERIODS)[key]
    return None if days is None else today - datetime.timedelta(days=days - 1)


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


@dataclass(frozen=True)
class Summary:
    periods: list[PeriodFigures]
    statuses: list[tuple[str, str]]  # (status, label) to show, in ledger order


def creator_summary(*, creator: CreatorProfile, today: datetime.date) -> Summary:
    """The creator's figures for each of PERIODS, in three queries."""
    starts = {key: period_start(key=key, today=today) for key, _days in PERIODS}

    def in_period(key: str, day_field: str = "day") -> Q:
        since = starts[key]
        return Q() if since is None else Q(**{f"{day_field}__gte": since})

    clicks = DailyLinkClicks.objects.filter(author=creator).aggregate(
        **{
            f"{name}_{key}": Sum(name, filter=in_period(key))
            for key in starts
            for name in ("billable_clicks", "bot_clicks", "duplicate_clicks")
        }
    )
    sales = {
        row["currency"]: row
        for row in DailyLinkSales.objects.filter(author=creator)
        .values("currency")
        .annotate(
            **{
                f"{name}_{key}": Sum(name, filter=in_period(key))
                for key in starts
                for name in ("conversions", "sales", "commission", "author_earnings")
            }
        )
        .order_by()
    }
    # The ledger: a period holds the money of the conversions purchased in it (by
    # the same UTC days as the rollups); all time is every entry, adjustments too.
    ledger: dict[str, dict[str, dict[str, Decimal]]] = {}
    for row in (
        LedgerEntry.objects.filter(creator=creator)
        .values("currency", "status")
        .annotate(
            **{
                f"total_{key}": Sum(
                    "amount",
                    filter=Q()
                    if starts[key] is None
                    else Q(conversion__occurred_at__gte=_day_start(starts[key])),
                )
                for key in starts
            }
        )
        .order_by()
    ):
        for key in starts:
            amount = money_round(row[f"total_{key}"] or Decimal(0), row["currency"])
            if amount:
                ledger.setdefault(key, {}).setdefault(row["currency"], {})[
                    row["status"]
                ] = amount

    shown = {status.value for status in MAIN_STATUSES}
    periods = []
    for key, _days in PERIODS:
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
                )
            )
        periods.append(
            PeriodFigures(
                key=key,
                label=str(PERIOD_LABELS[key]),
                since=starts[key],
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
    statuses = [
        (status.value, str(status.label)) for status in EntryStatus if status in shown
    ]
    return Summary(periods=periods, statuses=statuses)


def creator_daily_series(
    *, creator: CreatorProfile, today: datetime.date, days: int = 90
) -> dict:
    """Billable and bot clicks and the author's earnings per currency for each of the
    last ``days`` UTC days, oldest first, ready for JSON (amounts as strings)."""
    first = today - datetime.timedelta(days=days - 1)
    dates = [first + datetime.timedelta(days=offset) for offset in range(days)]
    index = {day: position for position, day in enumerate(dates)}
    billable = [0] * days
    bots = [0] * days
    for row in (
        DailyLinkClicks.objects.filter(author=creator, day__gte=first, day__lte=today)
        .values("day")
        .annotate(billable=Sum("billable_clicks"), bots=Sum("bot_clicks"))
        .order_by()
    ):
        billable[index[row["day"]]] = row["billable"]
        bots[index[row["day"]]] = row["bots"]
    earnings: dict[str, list[str]] = {}
    for row in (
        DailyLinkSales.objects.filter(author=creator, day__gte=first, day__lte=today)
        .values("day", "currency")
        .annotate(earnings=Sum("author_earnings"))
        .order_by()
    ):
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


def _rows(
    *,
    creator: CreatorProfile,
    since: datetime.date | None,
    group: tuple[str, ...],
    label: str | None,
) -> tuple[dict[tuple, RowFigures], list[str]]:
    """Rollups of the creator grouped by ``group`` fields, in two queries; also the
    currencies ordered by how many conversions they carry (most first)."""
    when = Q() if since is None else Q(day__gte=since)
    fields = (*group, label) if label else group
    rows: dict[tuple, RowFigures] = {}
    for row in (
        DailyLinkClicks.objects.filter(when, author=creator)
        .values(*fields)
        .annotate(billable=Sum("billable_clicks"), bots=Sum("bot_clicks"))
        .order_by()
    ):
        key = tuple(row[name] for name in group)
        figures = rows.setdefault(key, RowFigures(key=key))
        figures.label = row[label] if label else ""
        figures.billable_clicks += row["billable"]
        figures.bot_clicks += row["bots"]
    conversions_by_currency: dict[str, int] = {}
    for row in (
        DailyLinkSales.objects.filter(when, author=creator)
        .values(*fields, "currency")
        .annotate(
            conversions=Sum("conversions"),
            sales=Sum("sales"),
            earnings=Sum("author_earnings"),
        )
        .order_by()
    ):
        key = tuple(row[name] for name in group)
        figures = rows.setdefault(key, RowFigures(key=key))
        if label:
            figures.label = row[label]
        currency = row["currency"]
        money = figures.money.setdefault(currency, MoneyFigures(currency=currency))
        money.sales += row["sales"]
        money.earnings += row["earnings"]
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


def creator_articles(
    *, creator: CreatorProfile, since: datetime.date | None = None
) -> list[RowFigures]:
    """The creator's articles ranked by their earnings: first in the currency with
    the most conversions, then the next currency (amounts in different currencies
    are never compared), then by billable clicks. ``key`` is (article id,)."""
    rows, currencies = _rows(
        creator=creator, since=since, group=("article_id",), label="article__title"
    )
    return sorted(
        rows.values(),
        key=lambda row: (
            _earnings_key(row, currencies),
            -row.billable_clicks,
            row.label or "",
        ),
    )


def creator_placements(
    *, creator: CreatorProfile, since: datetime.date | None = None, limit: int = 10
) -> list[RowFigures]:
    """The creator's best placements by block type and position among an article's
    product embeds (1 = the first product from the top), across their articles:
    ranked by conversion rate, then conversions, then earnings. ``key`` is
    (block type, position); links made before block types were kept have ("", None).
    """
    rows, currencies = _rows(
        creator=creator,
        since=since,
        group=("link__block_type", "link__position"),
        label=None,
    )
    for row in rows.values():
        # Block type names as the article's blocks spell them: product_card → Product card.
        row.label = row.key[0].replace("_", " ").capitalize()
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


def articles_report(
    *,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
    author: CreatorProfile | None = None,
) -> list[ArticleReportRow]:
    """Every article's figures between two UTC days (inclusive), from the rollups in
    two queries. Ordered by currency, then platform commission (highest first), then
    billable clicks; articles with no sales come last."""
    when = Q()
    if since:
        when &= Q(day__gte=since)
    if until:
        when &= Q(day__lte=until)
    if author is not None:
        when &= Q(author=author)
    group = ("article_id", "author_id")
    names = ("article__title", "author__public_name")
    clicks: dict[tuple, dict] = {}
    for row in (
        DailyLinkClicks.objects.filter(when)
        .values(*group, *names)
        .annotate(billable=Sum("billable_clicks"), bots=Sum("bot_clicks"))
        .order_by()
    ):
        clicks[(row["article_id"], row["author_id"])] = row
    sales: dict[tuple, list[dict]] = {}
    for row in (
        DailyLinkSales.objects.filter(when)
        .values(*group, *names, "currency")
        .annotate(
            conversions=Sum("conversions"),
            sales=Sum("sales"),
            commission=Sum("commission"),
            author_earnings=Sum("author_earnings"),
            override_earnings=Sum("override_earnings"),
            platform_earnings=Sum("platform_earnings"),
        )
        .order_by()
    ):
        sales.setdefault((row["article_id"], row["author_id"]), []).append(row)

    rows = []
    for key in clicks.keys() | sales.keys():
        click_row = clicks.get(key, {})
        named = click_row or sales[key][0]
        billable = click_row.get("billable", 0)
        common = {
            "article_id": key[0],
            "title": named["article__title"] or str(_("Deleted article")),
            "author": named["author__public_name"],
            "billable_clicks": billable,
            "bot_clicks": click_row.get("bots", 0),
        }
        if key not in sales:
            rows.append(
                ArticleReportRow(
                    **common,
                    currency="",
                    conversions=0,
                    conversion_rate=conversion_rate(
                        conversions=0, billable_clicks=billable
                    ),
                    sales=None,
                    commission=None,
                    creator_commission=None,
                    platform_remainder=None,
                    epc=None,
                )
            )
            continue
        for row in sales[key]:
            currency = row["currency"]
            commission = money_round(row["commission"], currency)
            rows.append(
                ArticleReportRow(
                    **common,
                    currency=currency,
                    conversions=row["conversions"],
                    conversion_rate=conversion_rate(
                        conversions=row["conversions"], billable_clicks=billable
                    ),
                    sales=money_round(row["sales"], currency),
                    commission=commission,
                    creator_commission=money_round(
                        row["author_earnings"] + row["override_earnings"], currency
                    ),
                    platform_remainder=money_round(row["platform_earnings"], currency),
                    epc=earnings_per_click(
                        earnings=commission, currency=currency, billable_clicks=billable
                    ),
                )
            )
    return sorted(
        rows,
        key=lambda row: (
            row.currency == "",
            row.currency,
            -(row.commission or 0),
            -row.billable_clicks,
            row.title,
        ),
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
    *, when: Q, group: tuple[str, ...], key_of, name_of
) -> list[PerformanceRow]:
    """Rollups filtered by ``when`` and grouped by the ``group`` fields, in two
    queries; ``key_of`` and ``name_of`` turn a grouped row into the entity's key
    (rows with the same key are summed) and name."""
    clicks: dict[tuple, dict] = {}
    for row in (
        DailyLinkClicks.objects.filter(when)
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
    for row in (
        DailyLinkSales.objects.filter(when)
        .values(*group, "currency")
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
    tracked links, or only those to ``merchant_id``'s offers. Ordered like the
    articles report: by currency, then platform commission, highest first."""
    when = _days(since, until)
    if merchant_id is not None:
        when &= Q(link__offer__merchant_id=merchant_id)
    rows = _performance_rows(
        when=when,
        group=("link__product_id", "link__product__title"),
        key_of=lambda row: (row["link__product_id"],),
        name_of=lambda row: row["link__product__title"] or str(_("Deleted product")),
    )
    return sorted(rows, key=_by_commission)


def merchants_report(
    *, since: datetime.date | None = None, until: datetime.date | None = None
) -> list[PerformanceRow]:
    """Every merchant's figures between two UTC days (inclusive): the clicks and
    sales of the tracked links to its offers. Ordered like the articles report."""
    rows = _performance_rows(
        when=_days(since, until),
        group=("link__offer__merchant_id", "link__offer__merchant__name"),
        key_of=lambda row: (row["link__offer__merchant_id"],),
        name_of=lambda row: (
            row["link__offer__merchant__name"] or str(_("Deleted offer"))
        ),
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


def block_type_label(block_type: str) -> str:
    """product_card → Product card; "" → Not known yet."""
    if not block_type:
        return str(_("Not known yet"))
    return block_type.replace("_", " ").capitalize()


def placements_report(
    *, since: datetime.date | None = None, until: datetime.date | None = None
) -> list[PerformanceRow]:
    """Figures by block type and position bucket (POSITION_BUCKETS) across every
    article, between two UTC days (inclusive), per currency. ``key`` is (block
    type, bucket label); ordered by block type, then bucket from the top, then
    currency, so that one block type's positions read down the page."""
    rows = _performance_rows(
        when=_days(since, until),
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
    """Offers with billable clicks on days ``since``..``until`` (UTC, inclusive)
    whose merchant reported no conversion from the first of those days to
    QUIET_DAYS days after the last; most clicks first. Clicks come from the
    rollups; conversions from the merchant's reports (any status, attributed or
    not: any report shows the merchant's tracking works). Three queries. Call it
    with ``until`` at least QUIET_DAYS days ago, or the merchant has not had its
    time to report."""
    offers = list(
        DailyLinkClicks.objects.filter(
            _days(since, until), billable_clicks__gt=0, link__offer__isnull=False
        )
        .values(
            "link__offer_id",
            "link__offer__merchant_id",
            "link__offer__merchant__name",
            "link__offer__product__title",
            "link__offer__url",
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
    merchants = {row["link__offer__merchant_id"] for row in offers}
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
        days = reported_days.get(row["link__offer__merchant_id"], set())
        if any(first <= day <= wait_until for day in days):
            continue
        rows.append(
            QuietOfferRow(
                offer_id=row["link__offer_id"],
                product=row["link__offer__product__title"],
                merchant=row["link__offer__merchant__name"],
                url=row["link__offer__url"],
                billable_clicks=row["billable"],
                articles=row["articles"],
                first_click_day=first,
                last_click_day=last,
                merchant_last_conversion=last_reports.get(
                    row["link__offer__merchant_id"]
                ),
            )
        )
    return sorted(
        rows, key=lambda row: (-row.billable_clicks, row.merchant, row.offer_id)
    )
