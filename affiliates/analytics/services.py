"""Daily rollups: recompute what each tracked link did on a UTC day from the raw
clicks, conversions and ledger entries (affiliates.models.rollups); what each
creator did that day, the sums of the day's link rows; and the monthly rollups,
the sums of a month's daily link rows. A sale credited by a tracking id (no link)
has a sales row without a link, its creator's and its article's where known
(models.rollups.LinkSalesRollup), so that it counts in their figures, once.

A day is recomputed whole (link rows, then creator rows): its rows are deleted and
inserted again in one transaction, under a lock, so a refresh is idempotent and two refreshes at once
leave the same rows as one. Whenever a day is recomputed, so is its month (once per
month in a rebuild or refresh), in the same way.
"""

import datetime
from collections.abc import Callable, Iterable
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import BigIntegerField, Case, Count, F, Q, Sum, When
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from affiliates.models import (
    AttributedBy,
    Click,
    Conversion,
    ConversionStatus,
    DailyCreatorClicks,
    DailyCreatorSales,
    DailyLinkClicks,
    DailyLinkSales,
    LedgerEntry,
    MonthlyLinkClicks,
    MonthlyLinkSales,
    ReviewState,
)
from products.currencies import money_round
from products.locks import ROLLUPS, advisory_lock_hold
from products.models import Offer

ZERO = Decimal(0)

# A sale stands while it is recorded, pending or approved, and not rejected by an
# editor; a refund, a cancellation or a rejection takes it out of the counts (and
# the ledger reverses its money, so its net earnings are zero).
CLICK_SUMS = ("billable_clicks", "bot_clicks", "duplicate_clicks")
SALE_SUMS = (
    "conversions",
    "sales",
    "commission",
    "author_earnings",
    "override_earnings",
    "platform_earnings",
)

STANDING_SALE = (
    Q(sale_recorded=True)
    & Q(status__in=[ConversionStatus.PENDING, ConversionStatus.APPROVED])
    & ~Q(review=ReviewState.REJECTED)
)


def _day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC)
    return start, start + datetime.timedelta(days=1)


def _utc_today(now: datetime.datetime | None) -> datetime.date:
    return (now or timezone.now()).astimezone(datetime.UTC).date()


def _lock() -> None:
    """One rollup writer at a time (products.locks.ROLLUPS says why)."""
    advisory_lock_hold(lock=ROLLUPS)


def _clicks_rows(day: datetime.date) -> list[DailyLinkClicks]:
    """A row per link and offer the readers were sent to (the link's, or an in-stock
    fallback: Click.destination_offer_id; clicks from before that was kept count for
    the link's offer)."""
    start, end = _day_bounds(day)
    rows = (
        Click.objects.filter(clicked_at__gte=start, clicked_at__lt=end)
        .filter(is_preview=False)
        .values(
            "link_id",
            "link__author_id",
            "link__article_id",
            offer=Coalesce(
                "destination_offer_id",
                "link__offer_id",
                output_field=BigIntegerField(),
            ),
        )
        .annotate(
            billable=Count("pk", filter=Q(is_billable=True)),
            bots=Count("pk", filter=Q(is_bot=True)),
            duplicates=Count("pk", filter=Q(is_duplicate=True)),
        )
        .order_by()
    )
    # An offer deleted since is no longer anywhere to point at: its clicks stay
    # with the link, under no offer.
    existing = set(
        Offer.objects.filter(pk__in={row["offer"] for row in rows}).values_list(
            "pk", flat=True
        )
    )
    by_key: dict[tuple[int, int | None], DailyLinkClicks] = {}
    for row in rows:
        offer_id = row["offer"] if row["offer"] in existing else None
        rollup = by_key.setdefault(
            (row["link_id"], offer_id),
            DailyLinkClicks(
                day=day,
                link_id=row["link_id"],
                offer_id=offer_id,
                author_id=row["link__author_id"],
                article_id=row["link__article_id"],
            ),
        )
        rollup.billable_clicks += row["billable"]
        rollup.bot_clicks += row["bots"]
        rollup.duplicate_clicks += row["duplicates"]
    return list(by_key.values())


# The sales the rollups count: through a link (not a preview's), or credited by a
# tracking id (no link; the creator and, where known, the article). Never both.
ROLLED_UP_SALE = Q(link__isnull=False, link__is_preview=False) | Q(
    link__isnull=True, attributed_by=AttributedBy.TRACKING_ID, author__isnull=False
)


def _sales_rows(day: datetime.date) -> list[DailyLinkSales]:
    """A row per link, merchant and currency; a sale credited by a tracking id
    goes to a row without a link, per creator, article (None where the id is the
    creator's) and merchant."""
    start, end = _day_bounds(day)
    conversions = Conversion.objects.filter(
        ROLLED_UP_SALE, occurred_at__gte=start, occurred_at__lt=end
    )
    by_key: dict[tuple, DailyLinkSales] = {}

    def row_for(link_id, merchant_id, author_id, article_id, currency):
        key = (link_id, author_id, article_id, merchant_id, currency)
        if key not in by_key:
            by_key[key] = DailyLinkSales(
                day=day,
                link_id=link_id,
                merchant_id=merchant_id,
                author_id=author_id,
                article_id=article_id,
                currency=currency,
            )
        return by_key[key]

    def whose(prefix: str = "") -> dict:
        # A link's sales are its author's and article's (copied, as for clicks); a
        # tracking id's, the conversion's own.
        return {
            "credited": Coalesce(f"{prefix}link__author_id", f"{prefix}author_id"),
            "in_article": Case(
                When(
                    **{f"{prefix}link__isnull": False},
                    then=F(f"{prefix}link__article_id"),
                ),
                default=F(f"{prefix}article_id"),
            ),
        }

    for row in (
        conversions.values("link_id", "merchant_id", "currency", **whose())
        .annotate(
            count=Count("pk", filter=STANDING_SALE),
            sales=Sum("amount", filter=STANDING_SALE),
            commission=Sum("commission", filter=STANDING_SALE),
        )
        .order_by()
    ):
        rollup = row_for(
            row["link_id"],
            row["merchant_id"],
            row["credited"],
            row["in_article"],
            row["currency"],
        )
        rollup.conversions = row["count"]
        rollup.sales = money_round(row["sales"] or ZERO, row["currency"])
        rollup.commission = money_round(row["commission"] or ZERO, row["currency"])

    # Net sums: an item's moves between statuses cancel out, reversals take back
    # what they reverse, so each sum is what the conversions earn now.
    is_author = Q(creator_id=F("conversion__author_id"))
    for row in (
        LedgerEntry.objects.filter(conversion__in=conversions)
        .values(
            "conversion__link_id",
            "conversion__merchant_id",
            "currency",
            **whose("conversion__"),
        )
        .annotate(
            author_sum=Sum("amount", filter=is_author),
            overrides=Sum("amount", filter=Q(creator__isnull=False) & ~is_author),
            platform=Sum("amount", filter=Q(creator__isnull=True)),
        )
        .order_by()
    ):
        currency = row["currency"]
        rollup = row_for(
            row["conversion__link_id"],
            row["conversion__merchant_id"],
            row["credited"],
            row["in_article"],
            currency,
        )
        rollup.author_earnings = money_round(row["author_sum"] or ZERO, currency)
        rollup.override_earnings = money_round(row["overrides"] or ZERO, currency)
        rollup.platform_earnings = money_round(row["platform"] or ZERO, currency)
    return list(by_key.values())


def month_start(day: datetime.date) -> datetime.date:
    """The first day of a day's UTC month: the key of the monthly rollups."""
    return day.replace(day=1)


def _month_end(month: datetime.date) -> datetime.date:
    """The last day of the month that starts on ``month``."""
    return (month + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(
        days=1
    )


def _regroup(*, source, target, rows_of: dict, key: dict, group, sums) -> None:
    """Replace ``target``'s rows at ``key`` with the sums of the ``source`` rows
    that match ``rows_of``, grouped by ``group`` (call inside the lock): a month's
    rows from its days, a day's creator rows from its link rows."""
    rows = (
        source.objects.filter(**rows_of)
        .values(*group)
        .annotate(**{f"total_{name}": Sum(name) for name in sums})
        .order_by()
    )
    target.objects.filter(**key).delete()
    target.objects.bulk_create(
        [
            target(
                **key,
                **{name: row[name] for name in group},
                **{name: row[f"total_{name}"] for name in sums},
            )
            for row in rows
        ],
        batch_size=500,
    )


def _month_replace(*, month: datetime.date, clicks: bool, sales: bool) -> None:
    """Recompute one month's rows from its daily rows (call inside the lock)."""
    days = {"day__gte": month, "day__lte": _month_end(month)}
    if clicks:
        _regroup(
            source=DailyLinkClicks,
            target=MonthlyLinkClicks,
            rows_of=days,
            key={"month": month},
            group=("link_id", "offer_id", "author_id", "article_id"),
            sums=CLICK_SUMS,
        )
    if sales:
        _regroup(
            source=DailyLinkSales,
            target=MonthlyLinkSales,
            rows_of=days,
            key={"month": month},
            group=("link_id", "merchant_id", "author_id", "article_id", "currency"),
            sums=SALE_SUMS,
        )


def _creator_day_replace(*, day: datetime.date, clicks: bool, sales: bool) -> None:
    """Recompute one day's creator rows from its link rows (call inside the lock)."""
    if clicks:
        _regroup(
            source=DailyLinkClicks,
            target=DailyCreatorClicks,
            rows_of={"day": day},
            key={"day": day},
            group=("author_id",),
            sums=CLICK_SUMS,
        )
    if sales:
        _regroup(
            source=DailyLinkSales,
            target=DailyCreatorSales,
            rows_of={"day": day},
            key={"day": day},
            group=("author_id", "currency"),
            sums=SALE_SUMS,
        )


def _day_replace(*, day: datetime.date, clicks: bool, sales: bool) -> None:
    """Recompute one day's link rows from the raw data, and its creator rows from
    those (call inside the lock)."""
    if clicks:
        DailyLinkClicks.objects.filter(day=day).delete()
        DailyLinkClicks.objects.bulk_create(_clicks_rows(day), batch_size=500)
    if sales:
        DailyLinkSales.objects.filter(day=day).delete()
        DailyLinkSales.objects.bulk_create(_sales_rows(day), batch_size=500)
    _creator_day_replace(day=day, clicks=clicks, sales=sales)


def rollup_day_replace(
    *, day: datetime.date, clicks: bool = True, sales: bool = True
) -> None:
    """Recompute one UTC day's rollups (clicks, sales or both) from the raw data,
    and its month's from the daily rows."""
    with transaction.atomic():
        _lock()
        _day_replace(day=day, clicks=clicks, sales=sales)
        _month_replace(month=month_start(day), clicks=clicks, sales=sales)


def _day_replace_locked(*, day: datetime.date, clicks: bool, sales: bool) -> None:
    with transaction.atomic():
        _lock()
        _day_replace(day=day, clicks=clicks, sales=sales)


def rollup_month_replace(
    *, month: datetime.date, clicks: bool = True, sales: bool = True
) -> None:
    """Recompute the monthly rollups of the month that starts on ``month`` from its
    daily rows."""
    with transaction.atomic():
        _lock()
        _month_replace(month=month, clicks=clicks, sales=sales)


def _months_replace(kinds: dict[datetime.date, tuple[bool, bool]]) -> None:
    """Recompute each touched month once; ``kinds`` maps a day to (clicks, sales)."""
    months: dict[datetime.date, tuple[bool, bool]] = {}
    for day, (clicks, sales) in kinds.items():
        before = months.get(month_start(day), (False, False))
        months[month_start(day)] = (before[0] or clicks, before[1] or sales)
    for month, (clicks, sales) in sorted(months.items()):
        rollup_month_replace(month=month, clicks=clicks, sales=sales)


def rollups_refresh(*, days: int = 2, now: datetime.datetime | None = None) -> int:
    """Recompute the last ``days`` UTC days (today included), and the sales of any
    earlier day whose conversions changed since the first of them (a refund, an
    editor's review). Returns how many days were recomputed. Safe to run twice."""
    if days < 1:
        raise ValueError("days must be 1 or more")
    today = _utc_today(now)
    recent = [today - datetime.timedelta(days=back) for back in range(days)]
    since, _end = _day_bounds(recent[-1])
    changed = set(
        Conversion.objects.filter(ROLLED_UP_SALE, updated_at__gte=since)
        .annotate(day=TruncDate("occurred_at", tzinfo=datetime.UTC))
        .values_list("day", flat=True)
        .distinct()
    ) - set(recent)
    touched: dict[datetime.date, tuple[bool, bool]] = {}
    for day in recent:
        _day_replace_locked(day=day, clicks=True, sales=True)
        touched[day] = (True, True)
    for day in sorted(changed):
        _day_replace_locked(day=day, clicks=False, sales=True)
        touched[day] = (False, True)
    _months_replace(touched)
    return len(recent) + len(changed)


def rollups_rebuild(
    *,
    now: datetime.datetime | None = None,
    progress: Callable[[list[datetime.date]], Iterable[datetime.date]] = iter,
) -> int:
    """Recompute every day from the first click or conversion to today.

    Sales are rebuilt for every day (conversions and the ledger are never deleted).
    Clicks older than the retention period (``ZHONGCAO_CLICK_RETENTION_DAYS``) may
    have been purged, so the click rollups of those days, the only record left of
    them, are rebuilt only where there are none yet. ``progress`` wraps the list of
    days (a progress bar). Returns how many days were recomputed.
    """
    today = _utc_today(now)
    firsts = [
        value.astimezone(datetime.UTC).date()
        for value in (
            Click.objects.order_by("clicked_at")
            .values_list("clicked_at", flat=True)
            .first(),
            Conversion.objects.order_by("occurred_at")
            .values_list("occurred_at", flat=True)
            .first(),
        )
        if value is not None
    ]
    if not firsts:
        return 0
    first = min(firsts)
    retained_from = today - datetime.timedelta(
        days=settings.ZHONGCAO_CLICK_RETENTION_DAYS - 1
    )
    kept_days = set(
        DailyLinkClicks.objects.filter(day__lt=retained_from)
        .values_list("day", flat=True)
        .distinct()
    )
    days = [
        first + datetime.timedelta(days=offset)
        for offset in range((today - first).days + 1)
    ]
    touched: dict[datetime.date, tuple[bool, bool]] = {}
    for day in progress(days):
        clicks = day >= retained_from or day not in kept_days
        _day_replace_locked(day=day, clicks=clicks, sales=True)
        touched[day] = (clicks, True)
    _months_replace(touched)
    return len(days)
