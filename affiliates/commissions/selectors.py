"""Reads: creators and roles, link targets for the redirect, and money."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db.models import Count, F, Q, QuerySet, Sum, TextChoices
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from products.currencies import money_round
from products.deeplinks import deep_link_expand
from products.models import Availability, LinkStatus, Merchant, Offer
from products.validators import validate_offer_url

from .models import (
    EDITORS_GROUP,
    Conversion,
    CreatorProfile,
    EntryKind,
    EntryStatus,
    LedgerEntry,
    MerchantConnection,
    Payout,
    PayoutMethod,
    PayoutRun,
    PayoutStatus,
    ReviewState,
    TrackedLink,
)
from .models.money import EARNING_KINDS, NOT_ZERO


def user_is_editor(*, user: AbstractBaseUser | AnonymousUser) -> bool:
    """Editors curate, approve and publish; superusers count as editors. Remembered
    on the user object (a request's user is its own object), since every admin menu
    item and report asks."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    known = getattr(user, "_zhongcao_is_editor", None)
    if known is None:
        known = user.groups.filter(name=EDITORS_GROUP).exists()
        user._zhongcao_is_editor = known
    return known


def creator_profile_for_user(
    *, user: AbstractBaseUser | AnonymousUser
) -> CreatorProfile | None:
    if not user.is_authenticated:
        return None
    return CreatorProfile.objects.filter(user=user).first()


def user_for_login(*, login: str) -> AbstractBaseUser | None:
    """The one account a sign-in name means, active or not: the user name, exactly
    or in any case; else the e-mail address, in any case. None when nothing or more
    than one account matches (two accounts sharing an address sign in by name)."""
    login = (login or "").strip()
    if not login:
        return None
    users = get_user_model()._default_manager
    username_field = get_user_model().USERNAME_FIELD
    for lookup in ("exact", "iexact"):
        matches = list(users.filter(**{f"{username_field}__{lookup}": login})[:2])
        if len(matches) == 1:
            return matches[0]
        if matches:
            return None
    if "@" not in login:
        return None
    matches = list(users.filter(email__iexact=login)[:2])
    return matches[0] if len(matches) == 1 else None


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


def _best_offer(
    original: Offer | None,
    product_id: int | None,
    in_stock_by_product: dict[int, list[Offer]],
) -> Offer | None:
    """The link's offer if in stock; else the product's best in-stock offer (lowest
    price in the same currency, else the lowest of any); else the original.
    ``in_stock_by_product`` holds each product's in-stock offers by price, then pk."""
    if original is not None and original.availability == Availability.IN_STOCK:
        return original
    if product_id is None:
        return original
    in_stock = in_stock_by_product.get(product_id)
    if not in_stock:
        return original
    if original is not None:
        for offer in in_stock:
            if offer.currency == original.currency:
                return offer
    return in_stock[0]


def offer_link_destination(*, offer: Offer, offers: Iterable[Offer]) -> Offer:
    """The offer that a tracked link of ``offer`` really sends its reader to, among
    its product's ``offers`` (all of them, with their merchants): the same rule as
    the redirect's (link_targets_load), so that a page can name the merchant and
    price before the click. ``offer`` itself when it is in stock, or when no other
    offer is."""
    in_stock = sorted(
        (
            each
            for each in offers
            if each.availability == Availability.IN_STOCK
            and each.product_id == offer.product_id
        ),
        key=lambda each: (each.price, each.pk),
    )
    return _best_offer(offer, offer.product_id, {offer.product_id: in_stock}) or offer


def _offers_for_targets(offers: QuerySet[Offer]) -> dict[int, Offer]:
    return {offer.pk: offer for offer in offers.select_related("merchant").order_by()}


def link_targets_load(*, links: QuerySet[TrackedLink]) -> dict[str, LinkTarget | None]:
    """Read the redirect targets of ``links`` from the database, by code (None for a
    link that has none: no offer left, or a URL its merchant does not allow).

    The one rule of where a link sends its reader, for one code (the redirect) or
    for all (each process's map of targets, affiliates.linktargets): the offers first
    (the links' own and their products' in-stock ones), then the links, in two
    queries whatever their number. The destination can only be a stored offer URL
    whose host is one of its merchant's allowed domains, checked again here, and is
    expanded once per offer, not once per link.
    """
    offers = _offers_for_targets(
        Offer.objects.filter(
            Q(pk__in=links.values("offer_id"))
            | Q(
                product_id__in=links.values("product_id"),
                availability=Availability.IN_STOCK,
            )
        )
    )
    rows = list(
        links.order_by().values_list(
            "code", "pk", "is_preview", "offer_id", "product_id"
        )
    )
    # A link made or changed between the two queries may name an offer not read yet.
    unread = {row[3] for row in rows if row[3] is not None} - offers.keys()
    if unread:
        offers |= _offers_for_targets(
            Offer.objects.filter(
                Q(pk__in=unread)
                | Q(
                    product_id__in=Offer.objects.filter(pk__in=unread).values(
                        "product_id"
                    ),
                    availability=Availability.IN_STOCK,
                )
            )
        )
    in_stock_by_product: dict[int, list[Offer]] = {}
    for offer in sorted(offers.values(), key=lambda offer: (offer.price, offer.pk)):
        if offer.availability == Availability.IN_STOCK:
            in_stock_by_product.setdefault(offer.product_id, []).append(offer)
    destinations: dict[int, tuple[str, bool] | None] = {}
    targets: dict[str, LinkTarget | None] = {}
    for code, link_id, is_preview, offer_id, product_id in rows:
        offer = _best_offer(offers.get(offer_id), product_id, in_stock_by_product)
        if offer is None:
            targets[code] = None
            continue
        if offer.pk not in destinations:
            destinations[offer.pk] = _offer_destination(offer)
        destination = destinations[offer.pk]
        targets[code] = (
            None
            if destination is None
            else LinkTarget(
                link_id=link_id,
                destination=destination[0],
                sends_referrer=destination[1],
                is_preview=is_preview,
                offer_id=offer.pk,
            )
        )
    return targets


def _offer_destination(offer: Offer) -> tuple[str, bool] | None:
    """(destination with CLICK_ID_SLOT, sends referrer) of an offer, or None when its
    URL is not one its merchant allows."""
    merchant = offer.merchant
    try:
        validate_offer_url(offer.url, merchant.domains)
    except ValidationError:
        return None
    if CLICK_ID_SLOT in offer.url:
        return None
    destination = deep_link_expand(
        template=merchant.deep_link_template, url=offer.url, click_id=CLICK_ID_SLOT
    )
    return destination, merchant.sends_referrer


def article_link_codes(
    *, article_id: int, preview: bool = False
) -> dict[tuple[str, int], str]:
    """The codes of the links an article shows now, by (placement, offer id).

    Retired links are left out: after an author change and back, the former
    author's retired link has the same placement and offer as the current one and
    must never be shown (it would credit them)."""
    return {
        (placement, offer_id): code
        for placement, offer_id, code in TrackedLink.objects.filter(
            article_id=article_id,
            is_preview=preview,
            offer__isnull=False,
            retired_at__isnull=True,
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


def payout_method_for(*, creator: CreatorProfile) -> PayoutMethod | None:
    return PayoutMethod.objects.filter(creator=creator).first()


def payout_methods_by_creator(*, creator_ids: Iterable[int]) -> dict[int, PayoutMethod]:
    """Creator id → payout method, for those who have one (one query)."""
    return {
        method.creator_id: method
        for method in PayoutMethod.objects.filter(creator_id__in=set(creator_ids))
    }


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


def links_current() -> QuerySet[TrackedLink]:
    """Tracked links an article shows readers now: not retired, not made for a
    preview (whose clicks are never billable)."""
    return TrackedLink.objects.filter(retired_at__isnull=True, is_preview=False)


def links_in_published_articles() -> QuerySet[TrackedLink]:
    """Tracked links that readers can follow from a published article: current, in a
    live page."""
    return links_current().filter(article__live=True, offer__isnull=False)


class LinkProblem(TextChoices):
    BROKEN = "broken", gettext_lazy("Broken link")
    OUT_OF_STOCK = Availability.OUT_OF_STOCK.value, Availability.OUT_OF_STOCK.label
    DISCONTINUED = Availability.DISCONTINUED.value, Availability.DISCONTINUED.label


_LINK_PROBLEM_CONDITIONS = {
    # A check of the offer's current URL: an editor who fixes the URL takes the
    # offer off the report at once.
    LinkProblem.BROKEN: Q(
        link_check__status=LinkStatus.BROKEN, link_check__url=F("url")
    ),
    LinkProblem.OUT_OF_STOCK: Q(availability=Availability.OUT_OF_STOCK),
    LinkProblem.DISCONTINUED: Q(availability=Availability.DISCONTINUED),
}


def link_problem_condition(*, problem: LinkProblem | str | None = None) -> Q:
    """The offers with ``problem``, or with any problem."""
    if problem:
        return _LINK_PROBLEM_CONDITIONS[LinkProblem(problem)]
    condition = Q()
    for each in _LINK_PROBLEM_CONDITIONS.values():
        condition |= each
    return condition


def offers_with_link_problems() -> QuerySet[Offer]:
    """Offers used in a published article that are out of stock, discontinued or
    whose URL the link checker found broken."""
    return (
        Offer.objects.filter(pk__in=links_in_published_articles().values("offer_id"))
        .filter(link_problem_condition())
        .select_related("product", "merchant", "link_check")
        .order_by("product__title", "merchant__name", "pk")
    )


@dataclass(frozen=True)
class ArticleRef:
    pk: int
    title: str


@dataclass(frozen=True)
class LinkHealthRow:
    """One offer of the link health report."""

    offer_pk: int
    product: str
    merchant: str
    url: str
    problem: str
    checked_at: datetime.datetime | None
    http_status: int | None
    articles: tuple[ArticleRef, ...]

    @property
    def article_titles(self) -> str:
        return "; ".join(article.title for article in self.articles)


def _offer_problems(offer: Offer) -> list[str]:
    problems = []
    check = getattr(offer, "link_check", None)
    if check is not None and check.url == offer.url:
        if check.status == LinkStatus.BROKEN:
            if check.consecutive_failures:
                problems.append(
                    _("Broken link: not found %(count)s times in a row")
                    % {"count": check.consecutive_failures}
                )
            else:
                problems.append(
                    _("Broken link: %(count)s errors in a row")
                    % {"count": check.consecutive_errors}
                )
    if offer.availability != Availability.IN_STOCK:
        problems.append(str(offer.get_availability_display()))
    return problems


def link_health_rows(*, offers: Iterable[Offer]) -> list[LinkHealthRow]:
    """The report's rows for ``offers`` (from offers_with_link_problems), each with
    the published articles that use the offer: one query, whatever the count."""
    offers = list(offers)
    articles: dict[int, list[ArticleRef]] = {}
    for offer_id, article_id, title in (
        links_in_published_articles()
        .filter(offer_id__in=[offer.pk for offer in offers])
        .values_list("offer_id", "article_id", "article__title")
        .distinct()
        .order_by("offer_id", "article__title", "article_id")
    ):
        articles.setdefault(offer_id, []).append(ArticleRef(article_id, title))
    rows = []
    for offer in offers:
        check = getattr(offer, "link_check", None)
        current = check if check is not None and check.url == offer.url else None
        rows.append(
            LinkHealthRow(
                offer_pk=offer.pk,
                product=str(offer.product),
                merchant=offer.merchant.name,
                url=offer.url,
                problem="; ".join(_offer_problems(offer)),
                checked_at=current.checked_at if current else None,
                http_status=current.http_status if current else None,
                articles=tuple(articles.get(offer.pk, ())),
            )
        )
    return rows


# -- Invites and the referral tree -----------------------------------------------------


def creator_by_invite_code(*, code: str) -> CreatorProfile | None:
    """The creator whose invite link carries ``code`` (their slug), if they can still
    invite: a creator whose account is deactivated cannot."""
    code = (code or "").strip()
    if not code or len(code) > CreatorProfile._meta.get_field("slug").max_length:
        return None
    return (
        CreatorProfile.objects.filter(slug=code, user__is_active=True)
        .select_related("user")
        .first()
    )


OVERRIDE_KINDS = (EntryKind.OVERRIDE_1, EntryKind.OVERRIDE_2)


@dataclass(frozen=True)
class ReferralNode:
    """A creator in someone's referral tree, with the overrides that the tree's
    owner earned from that creator's sales: (currency, amount) pairs, net of
    refunds, in every status (held, pending, approved, paid)."""

    creator: CreatorProfile
    level: int
    overrides: list[tuple[str, Decimal]]
    children: list["ReferralNode"]


@dataclass(frozen=True)
class ReferralTree:
    """Who a creator invited, two levels deep, and the overrides from each. Overrides
    from sales of creators who are no longer in the tree (their referrer changed)
    are in ``elsewhere``; ``totals`` adds everything up per currency."""

    levels_1: list[ReferralNode]
    elsewhere: list[tuple[str, Decimal]]
    totals: list[tuple[str, Decimal]]

    @property
    def size(self) -> int:
        return sum(1 + len(node.children) for node in self.levels_1)


def _money_pairs(sums: dict[str, Decimal]) -> list[tuple[str, Decimal]]:
    return [
        (currency, money_round(amount, currency))
        for currency, amount in sorted(sums.items())
        if money_round(amount, currency)
    ]


def creator_referral_tree(*, creator: CreatorProfile) -> ReferralTree:
    """The creator's referral tree (two levels) and the overrides they earned from
    each creator in it, per currency (currencies are never added together).

    An override is attributed to the creator whose sale it came from (the
    conversion's author); its reversals count against it, its moves between
    statuses do not change it. Two queries, whatever the tree's size."""
    rows = (
        LedgerEntry.objects.filter(creator=creator, conversion__author__isnull=False)
        .filter(Q(kind__in=OVERRIDE_KINDS) | Q(reverses__kind__in=OVERRIDE_KINDS))
        .values("conversion__author_id", "currency")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    by_author: dict[int, dict[str, Decimal]] = {}
    for row in rows:
        sums = by_author.setdefault(row["conversion__author_id"], {})
        sums[row["currency"]] = sums.get(row["currency"], Decimal(0)) + row["total"]

    members = list(
        CreatorProfile.objects.filter(
            Q(referred_by=creator) | Q(referred_by__referred_by=creator)
        )
        .exclude(pk=creator.pk)
        .order_by("created_at", "pk")
    )
    children: dict[int, list[ReferralNode]] = {}
    for member in members:
        if member.referred_by_id != creator.pk:
            children.setdefault(member.referred_by_id, []).append(
                ReferralNode(
                    creator=member,
                    level=2,
                    overrides=_money_pairs(by_author.get(member.pk, {})),
                    children=[],
                )
            )
    levels_1 = [
        ReferralNode(
            creator=member,
            level=1,
            overrides=_money_pairs(by_author.get(member.pk, {})),
            children=children.get(member.pk, []),
        )
        for member in members
        if member.referred_by_id == creator.pk
    ]

    in_tree = {member.pk for member in members}
    elsewhere: dict[str, Decimal] = {}
    totals: dict[str, Decimal] = {}
    for author_id, sums in by_author.items():
        for currency, amount in sums.items():
            totals[currency] = totals.get(currency, Decimal(0)) + amount
            if author_id not in in_tree:
                elsewhere[currency] = elsewhere.get(currency, Decimal(0)) + amount
    return ReferralTree(
        levels_1=levels_1,
        elsewhere=_money_pairs(elsewhere),
        totals=_money_pairs(totals),
    )


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
