"""Commissions' reads: conversions (whose, held, unattributed, filtered), the
ledger's items and balances, a creator's earnings and their export, payout runs,
and merchants' connections."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from affiliates.creators.selectors import creator_profile_for_user
from affiliates.models import (
    Conversion,
    CreatorProfile,
    EntryKind,
    EntryStatus,
    LedgerEntry,
    MerchantConnection,
    Payout,
    PayoutRun,
    PayoutStatus,
    ReviewState,
)
from affiliates.models.money import EARNING_KINDS, NOT_ZERO
from affiliates.roles import user_is_editor
from products.currencies import money_round
from products.models import Merchant

# -- Money ----------------------------------------------------------------------------


def item_positions(entries: QuerySet[LedgerEntry]) -> dict[int, tuple[str, Decimal]]:
    """Where the money of each item among ``entries`` is now: item id → (status,
    amount), for items whose entries do not sum to zero. An item's moves copy its
    creator, conversion and currency, so filtering on those keeps them together."""
    rows = (
        entries.annotate(item=Coalesce(F("origin_id"), F("id")))
        .values("item", "status", "currency")
        .annotate(total=Sum("amount"))
        .filter(NOT_ZERO)
        .order_by("item")
    )
    return {
        row["item"]: (row["status"], money_round(row["total"], row["currency"]))
        for row in rows
    }


@dataclass(frozen=True)
class HeldShare:
    """Money of a held conversion waiting for an editor: whose, how much."""

    creator: CreatorProfile | None  # None: the platform's part
    amount: Decimal
    currency: str


def conversion_held_shares(*, conversion: Conversion) -> list[HeldShare]:
    """What an editor's review of ``conversion`` would move: its held money, one row
    per creator (the platform last), for the confirmation page."""
    positions = item_positions(
        LedgerEntry.objects.filter(conversion=conversion, status=EntryStatus.HELD)
    )
    entries = LedgerEntry.objects.select_related("creator").in_bulk(list(positions))
    totals: dict[tuple, Decimal] = {}
    creators: dict[int | None, CreatorProfile | None] = {}
    for item_id, (_status, amount) in positions.items():
        entry = entries[item_id]
        creators[entry.creator_id] = entry.creator
        key = (entry.creator_id, entry.currency)
        totals[key] = totals.get(key, Decimal(0)) + amount
    rows = [
        HeldShare(creator=creators[pk], amount=amount, currency=currency)
        for (pk, currency), amount in totals.items()
    ]
    return sorted(rows, key=lambda row: (row.creator is None, str(row.creator or "")))


def payouts_summary(*, payouts: Iterable[Payout]) -> list[dict]:
    """The total of ``payouts`` per currency: [{"currency", "amount", "count"}]."""
    totals: dict[str, dict] = {}
    for payout in payouts:
        row = totals.setdefault(
            payout.currency,
            {"currency": payout.currency, "amount": Decimal(0), "count": 0},
        )
        row["amount"] += payout.amount
        row["count"] += 1
    return [totals[currency] for currency in sorted(totals)]


def ledger_balances(*, creator: CreatorProfile) -> list[dict]:
    """The creator's balances: one row per currency and status, a sum of entries."""
    rows = (
        LedgerEntry.objects.filter(creator=creator)
        .values("currency", "status")
        .annotate(total=Sum("amount"))
        .filter(NOT_ZERO)
        .order_by("currency", "status")
    )
    return [
        {
            "currency": row["currency"],
            "status": row["status"],
            "amount": money_round(row["total"], row["currency"]),
        }
        for row in rows
    ]


def conversions_visible(*, user) -> QuerySet[Conversion]:
    """Every conversion for editors; for a creator, those that earn them something
    (as author or through a referral); nothing for anyone else."""
    if user_is_editor(user=user):
        return Conversion.objects.select_related(*_CONVERSION_RELATED)
    creator = creator_profile_for_user(user=user)
    if creator is None:
        return Conversion.objects.none()
    return conversions_earning(creator=creator)


_CONVERSION_RELATED = ("merchant", "author", "offer", "article")


def conversions_earning(*, creator: CreatorProfile) -> QuerySet[Conversion]:
    """Conversions that earn the creator something, as author or by referral."""
    return Conversion.objects.select_related(*_CONVERSION_RELATED).filter(
        pk__in=LedgerEntry.objects.filter(creator=creator).values("conversion_id")
    )


def conversions_filter(
    queryset: QuerySet[Conversion],
    *,
    order_id: str = "",
    merchant: str = "",
    status: str = "",
    author: str = "",
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> QuerySet[Conversion]:
    if order_id:
        queryset = queryset.filter(order_id=order_id)
    if merchant:
        queryset = queryset.filter(merchant__slug=merchant)
    if status:
        queryset = queryset.filter(status=status)
    if author:
        queryset = queryset.filter(author__slug=author)
    if since:
        queryset = queryset.filter(occurred_at__date__gte=since)
    if until:
        queryset = queryset.filter(occurred_at__date__lte=until)
    return queryset


@dataclass(frozen=True)
class CreatorEarning:
    """What one conversion earns one creator, and where that money is now."""

    conversion: Conversion
    kind: str
    amount: Decimal
    currency: str
    status: str  # an EntryStatus, or "reversed" once nothing of it is left


def creator_earnings(
    *, creator: CreatorProfile, conversions: list[Conversion]
) -> list[CreatorEarning]:
    """For each conversion, the creator's earning items (author share or override)."""
    by_id = {conversion.pk: conversion for conversion in conversions}
    items = LedgerEntry.objects.filter(
        creator=creator,
        conversion_id__in=list(by_id),
        origin__isnull=True,
        kind__in=EARNING_KINDS,
    ).order_by("conversion_id", "pk")
    where = item_positions(
        LedgerEntry.objects.filter(creator=creator, conversion_id__in=list(by_id))
    )
    return [
        CreatorEarning(
            conversion=by_id[item.conversion_id],
            kind=item.kind,
            amount=item.amount,
            currency=item.currency,
            status=where[item.pk][0] if item.pk in where else "reversed",
        )
        for item in items
    ]


def payouts_for(*, creator: CreatorProfile) -> QuerySet[Payout]:
    return Payout.objects.filter(creator=creator).select_related("run")


# -- Money in the admin ---------------------------------------------------------------


def ledger_entries() -> QuerySet[LedgerEntry]:
    """Every ledger entry, newest first, with what a listing shows of it."""
    return LedgerEntry.objects.select_related("creator", "conversion").order_by("-pk")


def conversions_entries(*, conversions: list[Conversion]) -> QuerySet[LedgerEntry]:
    """The ledger entries of several conversions, with their creators."""
    return LedgerEntry.objects.filter(conversion__in=conversions).select_related(
        "creator"
    )


def conversion_entries(*, conversion: Conversion) -> QuerySet[LedgerEntry]:
    """A conversion's ledger entries in the order they were written."""
    return LedgerEntry.objects.filter(conversion=conversion).select_related(
        "creator", "created_by", "payout"
    )


def payout_runs() -> QuerySet[PayoutRun]:
    """Payout runs, newest first, with how many of their payouts are in each state."""
    return PayoutRun.objects.select_related("created_by").annotate(
        payouts_total=Count("payouts"),
        payouts_open=Count("payouts", filter=Q(payouts__status=PayoutStatus.OPEN)),
        payouts_paid=Count("payouts", filter=Q(payouts__status=PayoutStatus.PAID)),
        payouts_failed=Count("payouts", filter=Q(payouts__status=PayoutStatus.FAILED)),
    )


def payouts_in_run(*, run: PayoutRun) -> QuerySet[Payout]:
    """A run's payouts with their creators and the creators' user accounts."""
    return (
        Payout.objects.filter(run=run)
        .select_related("creator__user", "decided_by")
        .order_by("creator__public_name", "currency", "pk")
    )


def merchant_connections() -> QuerySet[MerchantConnection]:
    return MerchantConnection.objects.select_related("merchant").order_by(
        "merchant__name"
    )


def merchants_unconnected() -> QuerySet[Merchant]:
    """Merchants that have no connection (no postback secret) yet."""
    return Merchant.objects.filter(connection__isnull=True).order_by("name")


@dataclass(frozen=True)
class OtherItem:
    """Money of a creator's that no sale of theirs explains on its own line: an
    editor's adjustment, or a refund after payment carried as a debt."""

    entry: LedgerEntry
    status: str  # an EntryStatus, or "reversed" once nothing of it is left


def creator_other_items(*, creator: CreatorProfile) -> list[OtherItem]:
    items = list(
        LedgerEntry.objects.filter(creator=creator, origin__isnull=True)
        .filter(
            Q(kind=EntryKind.ADJUSTMENT)
            | Q(kind=EntryKind.REVERSAL, reverses__isnull=False)
        )
        .select_related("conversion")
        .order_by("-pk")
    )
    ids = [item.pk for item in items]
    where = item_positions(
        LedgerEntry.objects.filter(creator=creator).filter(
            Q(pk__in=ids) | Q(origin_id__in=ids)
        )
    )
    return [
        OtherItem(
            entry=item, status=where[item.pk][0] if item.pk in where else "reversed"
        )
        for item in items
    ]


@dataclass(frozen=True)
class EarningsExportRow:
    """One line of a creator's earnings export: what one sale earned them (author
    share or referral override), or an item no sale explains (an adjustment, a
    refund after payment)."""

    day: datetime.date  # the purchase's day, or the day an item was made
    kind: str  # an EntryKind
    amount: Decimal
    currency: str
    status: str  # an EntryStatus, or "reversed"
    order_id: str = ""
    merchant: str = ""
    article: str = ""
    product: str = ""
    placement: str = ""
    sale_amount: Decimal | None = None
    approvable_on: datetime.date | None = None
    note: str = ""


def creator_earnings_export(
    *, creator: CreatorProfile, tz: datetime.tzinfo
) -> list[EarningsExportRow]:
    """Every earning of the creator's, newest sale first, then the items no sale
    explains, newest first: the same money as My earnings, not a page of it. Days are
    in ``tz`` (the creator's time zone). Only the creator's own entries are read,
    whoever else earned from the same sales. A fixed number of queries."""
    conversions = list(
        conversions_earning(creator=creator).select_related("offer__product")
    )
    earnings = sorted(
        creator_earnings(creator=creator, conversions=conversions),
        key=lambda earning: (earning.conversion.occurred_at, earning.conversion.pk),
        reverse=True,
    )

    def day(moment: datetime.datetime | None) -> datetime.date | None:
        return None if moment is None else moment.astimezone(tz).date()

    rows = [
        EarningsExportRow(
            day=day(earning.conversion.occurred_at),
            kind=earning.kind,
            amount=money_round(earning.amount, earning.currency),
            currency=earning.currency,
            status=earning.status,
            order_id=earning.conversion.order_id,
            merchant=earning.conversion.merchant.name,
            article=earning.conversion.article.title
            if earning.conversion.article
            else "",
            product=earning.conversion.offer.product.title
            if earning.conversion.offer
            else "",
            placement=earning.conversion.placement,
            sale_amount=money_round(earning.conversion.amount, earning.currency),
            approvable_on=day(earning.conversion.hold_until),
        )
        for earning in earnings
    ]
    rows += [
        EarningsExportRow(
            day=day(other.entry.created_at),
            kind=other.entry.kind,
            amount=money_round(other.entry.amount, other.entry.currency),
            currency=other.entry.currency,
            status=other.status,
            order_id=other.entry.conversion.order_id if other.entry.conversion else "",
            note=other.entry.note,
        )
        for other in creator_other_items(creator=creator)
    ]
    return rows


# -- Link health ----------------------------------------------------------------------


# -- Invites and the referral tree -----------------------------------------------------


# -- Editor reports: unattributed and held conversions ---------------------------------


def conversions_unattributed() -> QuerySet[Conversion]:
    """Conversions credited to no author (``unattributed_reason`` says why), newest
    purchase first."""
    return (
        Conversion.objects.filter(author__isnull=True)
        .select_related("merchant")
        .order_by("-occurred_at", "-pk")
    )


def conversions_held() -> QuerySet[Conversion]:
    """Conversions whose commission waits for an editor's review (``hold_reason``
    says why), newest purchase first, with the article of their tracked link."""
    return (
        Conversion.objects.filter(review=ReviewState.HELD)
        .select_related("merchant", "author", "link__article", "article")
        .order_by("-occurred_at", "-pk")
    )


def conversions_currency_totals(*, conversions: QuerySet[Conversion]) -> list[dict]:
    """How many conversions, and their sales and platform commission, per currency:
    one row each, never added across currencies. Rounded to the currency."""
    rows = (
        conversions.order_by()
        .values("currency")
        .annotate(count=Count("pk"), amount=Sum("amount"), commission=Sum("commission"))
        .order_by("currency")
    )
    return [
        {
            "currency": row["currency"],
            "count": row["count"],
            "amount": money_round(row["amount"], row["currency"]),
            "commission": money_round(row["commission"], row["currency"]),
        }
        for row in rows
    ]
