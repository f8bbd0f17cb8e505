"""The figures of the editors' reports (admin/reports/): articles, products, merchants,
placements and quiet merchants, each read from the daily rollups for the days asked.
The creators' dashboards and the site overview are dashboards.py."""

import datetime
from dataclasses import dataclass, replace
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    Max,
    Min,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import TruncDate
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag
from wagtail import hooks
from wagtail.models import Page

from affiliates.analytics.figures import (
    NO_ARTICLE,
    conversion_rate,
    day_start,
    days_between,
    earnings_per_click,
    rollup_span,
    sum_decimal,
)
from affiliates.models import (
    Conversion,
    CreatorProfile,
    DailyLinkClicks,
    TrackedLink,
)
from affiliates.models.links import block_type_label
from products.currencies import money_round

# Apps that own articles register their tags' through model with this hook (a
# function returning it), so that reports can filter by tag without importing them.
ARTICLE_TAGS_HOOK = "register_article_tags_model"


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
    # The author's sales credited by a tracking id given to them rather than to
    # one article: no article, no clicks (the network named only the id).
    by_tracking_id: bool = False


def _compiled(queryset) -> tuple[str, tuple]:
    return queryset.query.get_compiler(using=queryset.db).as_sql()


def _union(parts: list[tuple[str, tuple]]) -> tuple[str, tuple]:
    # Each part as a derived table: SQLite refuses parenthesised SELECTs in UNION.
    sql = " UNION ALL ".join(
        f"SELECT * FROM ({part}) AS part"  # noqa: S608 (compiled querysets)
        for part, _ in parts
    )
    return sql, tuple(param for _, params in parts for param in params)


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
                SELECT article_id, author_id, currency, no_article,
                    SUM(conversions) AS conversions, SUM(sales) AS sales,
                    SUM(commission) AS commission,
                    SUM(author_earnings) AS author_earnings,
                    SUM(override_earnings) AS override_earnings,
                    SUM(platform_earnings) AS platform_earnings
                FROM ({sales}) AS sale_parts
                GROUP BY article_id, author_id, currency, no_article
            ), report AS (
                SELECT sales.article_id, sales.author_id, sales.currency,
                    COALESCE(clicks.billable, 0) AS billable,
                    COALESCE(clicks.bots, 0) AS bots,
                    sales.conversions, sales.sales, sales.commission,
                    sales.author_earnings, sales.override_earnings,
                    sales.platform_earnings, sales.no_article
                FROM sales LEFT JOIN clicks
                    ON clicks.author_id = sales.author_id
                    AND COALESCE(clicks.article_id, 0) = COALESCE(sales.article_id, 0)
                    AND NOT sales.no_article
                UNION ALL
                SELECT clicks.article_id, clicks.author_id, '', clicks.billable,
                    clicks.bots, 0, NULL, NULL, NULL, NULL, NULL, 1 = 0
                FROM clicks
                WHERE NOT EXISTS (
                    SELECT 1 FROM sales
                    WHERE sales.author_id = clicks.author_id
                    AND COALESCE(sales.article_id, 0) = COALESCE(clicks.article_id, 0)
                    AND NOT sales.no_article
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
        no_article,
        title,
        author,
    ) = row
    if no_article:
        title = str(_("Sales by tracking id (no article)"))
    common = {
        "article_id": article_id,
        "by_tracking_id": bool(no_article),
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
    commission = money_round(sum_decimal(commission), currency)
    return ArticleReportRow(
        **common,
        sales=money_round(sum_decimal(sales), currency),
        commission=commission,
        creator_commission=money_round(
            sum_decimal(author_earnings) + sum_decimal(override_earnings), currency
        ),
        platform_remainder=money_round(sum_decimal(platform_earnings), currency),
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
            .values("article_id", "author_id", "currency", no_article=NO_ARTICLE)
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
    by_link: bool = True,
) -> list[PerformanceRow]:
    """Rollups of the days ``since``..``until`` filtered by ``where`` and grouped by
    the ``group`` fields, in a query per kind of rows (clicks, sales) and of rollup
    (daily, monthly) the days need; ``key_of`` and ``name_of`` turn a grouped row
    into the entity's key (rows with the same key are summed) and name. Sales rows
    may be filtered and grouped by other fields (``sales_where``, ``sales_group``):
    a merchant's clicks are those sent to its offers, its sales those it reported.
    Where the entity is the link's (``by_link``: a product, a placement), sales
    credited by a tracking id, which came through no link the network could name,
    make a row of their own (key TRACKING_ID_KEY) rather than none."""
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
    linkless = {"linkless": LINKLESS} if by_link else {}
    for model, days in span.sources(sales=True):
        for row in (
            model.objects.filter(days, sales_where)
            .values(*sales_group, "currency", **linkless)
            .annotate(
                conversions=Sum("conversions"),
                sales=Sum("sales"),
                commission=Sum("commission"),
                creator=Sum("author_earnings") + Sum("override_earnings"),
            )
            .order_by()
        ):
            if row.get("linkless"):
                key, name = TRACKING_ID_KEY, str(_("Sales by tracking id"))
            else:
                key, name = key_of(row), name_of(row)
            names.setdefault(key, name)
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


# The row of the sales credited by a tracking id in the reports by product and by
# placement: no link, so neither is known.
TRACKING_ID_KEY = ("tracking-id", "")
LINKLESS = ExpressionWrapper(Q(link__isnull=True), output_field=BooleanField())


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
        by_link=False,  # a sale by tracking id has its merchant
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
            row.key == TRACKING_ID_KEY,
            row.key[0] == "",
            row.key[0],
            order.get(row.key[1], len(order)),
            row.currency == "",
            row.currency,
        ),
    )


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
            days_between(since, until), billable_clicks__gt=0, offer__isnull=False
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
            occurred_at__gte=day_start(since),
            occurred_at__lt=day_start(until + datetime.timedelta(days=QUIET_DAYS + 1)),
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
