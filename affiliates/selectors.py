"""Reads: creators and roles, link targets for the redirect, and money."""

import datetime
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from products.currencies import money_round
from products.deeplinks import deep_link_expand
from products.models import Availability, Merchant, Offer
from products.validators import validate_offer_url

from .models import (
    EDITORS_GROUP,
    Conversion,
    CreatorProfile,
    EntryKind,
    LedgerEntry,
    MerchantConnection,
    Payout,
    PayoutRun,
    PayoutStatus,
    ReviewState,
    TrackedLink,
)
from .models.money import EARNING_KINDS, NOT_ZERO


def user_is_editor(*, user: AbstractBaseUser | AnonymousUser) -> bool:
    """Editors curate, approve and publish; superusers count as editors."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user.groups.filter(name=EDITORS_GROUP).exists()


def creator_profile_for_user(
    *, user: AbstractBaseUser | AnonymousUser
) -> CreatorProfile | None:
    if not user.is_authenticated:
        return None
    return CreatorProfile.objects.filter(user=user).first()


# Stands in for the click id in a target's precomputed destination: letters only,
# so that no URL encoding changes it; a click id (URL-safe base64) needs none either.
CLICK_ID_SLOT = "ZhongcaoClickIdSlot"


@dataclass(frozen=True)
class LinkTarget:
    """Everything the redirect needs about one code, without touching the database.

    ``destination`` is the merchant URL with CLICK_ID_SLOT where the click id goes,
    expanded through the deep-link template once per cache fill, not once per click.
    """

    link_id: int
    destination: str
    sends_referrer: bool
    is_preview: bool
    offer_id: int | None


def _best_offer(link: TrackedLink) -> Offer | None:
    """The link's offer if in stock; else the product's best in-stock offer (lowest
    price in the same currency, else the lowest of any); else the original."""
    original = link.offer
    if original is not None and original.availability == Availability.IN_STOCK:
        return original
    if link.product_id is None:
        return original
    in_stock = list(
        Offer.objects.filter(
            product_id=link.product_id, availability=Availability.IN_STOCK
        )
        .select_related("merchant")
        .order_by("price", "pk")
    )
    if not in_stock:
        return original
    if original is not None:
        same_currency = [
            offer for offer in in_stock if offer.currency == original.currency
        ]
        if same_currency:
            return same_currency[0]
    return in_stock[0]


def link_target_load(*, code: str) -> LinkTarget | None:
    """Read one code's redirect target from the database (None if there is none).

    The destination can only be a stored offer URL whose host is one of its
    merchant's allowed domains, checked again here.
    """
    link = (
        TrackedLink.objects.select_related("offer__merchant").filter(code=code).first()
    )
    if link is None:
        return None
    offer = _best_offer(link)
    if offer is None:
        return None
    merchant = offer.merchant
    try:
        validate_offer_url(offer.url, merchant.domains)
    except ValidationError:
        return None
    if CLICK_ID_SLOT in offer.url:
        return None
    return LinkTarget(
        link_id=link.pk,
        destination=deep_link_expand(
            template=merchant.deep_link_template, url=offer.url, click_id=CLICK_ID_SLOT
        ),
        sends_referrer=merchant.sends_referrer,
        is_preview=link.is_preview,
        offer_id=offer.pk,
    )


class _TargetCache:
    """Per-process cache of link targets: the redirect reads the database once per
    code per minute at most. When the database fails, a stale entry still serves."""

    def __init__(self, *, ttl: float, size: int) -> None:
        self.ttl, self.size = ttl, size
        self.entries: OrderedDict[str, tuple[float, LinkTarget | None]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, code: str) -> LinkTarget | None:
        now = time.monotonic()
        entry = self.entries.get(code)
        if entry is not None and entry[0] > now:
            return entry[1]
        try:
            target = link_target_load(code=code)
        except DatabaseError:
            if entry is not None:
                return entry[1]
            raise
        with self.lock:
            self.entries[code] = (now + self.ttl, target)
            self.entries.move_to_end(code)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)
        return target

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


link_targets = _TargetCache(ttl=60.0, size=50_000)


def link_target(*, code: str) -> LinkTarget | None:
    """The cached redirect target of a code, or None for an unknown code."""
    return link_targets.get(code)


def article_link_codes(
    *, article_id: int, preview: bool = False
) -> dict[tuple[str, int], str]:
    """An article's tracked link codes by (placement, offer id)."""
    return {
        (placement, offer_id): code
        for placement, offer_id, code in TrackedLink.objects.filter(
            article_id=article_id, is_preview=preview, offer__isnull=False
        ).values_list("placement", "offer_id", "code")
    }


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


def editor_users() -> QuerySet:
    """Active users whom ``user_is_editor`` accepts: superusers and Editors."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(groups__name=EDITORS_GROUP))
        .distinct()
    )


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
