"""Reads of the catalog."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Case,
    F,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.utils import timezone

from .models import Availability, Merchant, Offer, OfferPrice, Product
from .money import money_plain


def offer_currency(offer: Offer) -> str:
    """The offer's currency: its own, else its merchant's (an empty currency means
    the merchant's)."""
    return offer.currency or offer.merchant.currency


def product_offers(*, product: Product, currency_first: str = "") -> list[Offer]:
    """A product's offers: in stock first, then those in ``currency_first`` (the
    market currency of the page's readers, products.money.market_currency), then by
    price; uses prefetched offers."""
    offers = list(product.offers.all())
    offers.sort(
        key=lambda offer: (
            offer.availability != Availability.IN_STOCK,
            bool(currency_first) and offer_currency(offer) != currency_first,
            offer.price,
            offer.pk,
        )
    )
    return offers


def products_with_offers(*, pks: list[int] | None = None) -> QuerySet[Product]:
    """Products with their offers and merchants in three queries, whatever the count."""
    queryset = Product.objects.select_related("image").prefetch_related(
        Prefetch("offers", queryset=Offer.objects.select_related("merchant")),
        "tags",
    )
    if pks is not None:
        queryset = queryset.filter(pk__in=pks)
    return queryset


PRODUCT_SEARCH_LIMIT = 1000


def products_filter(
    *, q: str = "", tag: str = "", brand: str = "", merchant: str = ""
) -> QuerySet[Product]:
    """Products by title, narrowed by tag slug, brand, merchant slug or a full-text
    search (Chinese or English; its best PRODUCT_SEARCH_LIMIT matches)."""
    queryset = products_with_offers().order_by("title", "pk")
    if tag:
        queryset = queryset.filter(tags__slug=tag)
    if brand:
        queryset = queryset.filter(brand__iexact=brand)
    if merchant:
        queryset = queryset.filter(offers__merchant__slug=merchant)
    if q:
        matches = Product.objects.search(q, operator="and")
        queryset = queryset.filter(
            pk__in=[product.pk for product in matches[:PRODUCT_SEARCH_LIMIT]]
        )
    return queryset.distinct()


def offers_to_check(
    *, merchant: Merchant | None = None, limit: int | None = None
) -> QuerySet[Offer]:
    """Offers for the link checker: never-checked first, then least recently checked,
    so that a run with a limit works through the whole catalog over several runs."""
    queryset = Offer.objects.only("pk", "url").order_by(
        F("link_check__checked_at").asc(nulls_first=True), "pk"
    )
    if merchant is not None:
        queryset = queryset.filter(merchant=merchant)
    if limit is not None:
        queryset = queryset[:limit]
    return queryset


def product_for_reader(*, slug: str) -> Product | None:
    """The product with this slug, with its offers, merchants and image renditions."""
    return (
        products_with_offers()
        .prefetch_related("image__renditions")
        .filter(slug=slug)
        .first()
    )


# -- The catalog in the admin: listings and the chooser -------------------------------


@dataclass(frozen=True)
class PriceRange:
    currency: str
    low: Decimal
    high: Decimal


@dataclass(frozen=True)
class OfferSummary:
    """What a product's offers come to, as the admin's product listing and chooser
    show it: how many offers and how many in stock, the price range per currency
    (the market currency first), and the best offer: the cheapest in stock, in the
    market currency if one is (None when nothing is in stock)."""

    offers: int
    in_stock: int
    price_ranges: list[PriceRange]
    best: Offer | None


def products_for_admin(queryset: QuerySet[Product] | None = None) -> QuerySet[Product]:
    """Products with what the admin's listing and chooser show of each: the image
    and its renditions, and the offers with their merchants. A fixed number of
    queries (four), whatever the number of products or offers."""
    queryset = Product.objects.all() if queryset is None else queryset
    return queryset.select_related("image").prefetch_related(
        "image__renditions",
        Prefetch("offers", queryset=Offer.objects.select_related("merchant")),
    )


def product_offer_summary(
    *, product: Product, currency_first: str = ""
) -> OfferSummary:
    """The summary of a product's offers (OfferSummary); uses prefetched offers
    (products_for_admin), so no query of its own."""
    offers = product_offers(product=product, currency_first=currency_first)
    ranges: dict[str, list[Decimal]] = {}
    for offer in offers:
        ranges.setdefault(offer_currency(offer), []).append(offer.price)
    ordered = sorted(
        ranges, key=lambda code: (bool(currency_first) and code != currency_first, code)
    )
    in_stock = [o for o in offers if o.availability == Availability.IN_STOCK]
    return OfferSummary(
        offers=len(offers),
        in_stock=len(in_stock),
        price_ranges=[
            PriceRange(currency=code, low=min(ranges[code]), high=max(ranges[code]))
            for code in ordered
        ],
        best=in_stock[0] if in_stock else None,
    )


# -- Prices: each offer's history ------------------------------------------------------


def _last_price_before(
    moment: datetime.datetime | None = None, *, inclusive: bool = False
) -> QuerySet:
    """For Subquery on offers: the offer's history rows begun before ``moment`` (or
    at it, when ``inclusive``), latest first."""
    rows = OfferPrice.objects.filter(offer=OuterRef("pk"))
    if moment is not None:
        lookup = "recorded_at__lte" if inclusive else "recorded_at__lt"
        rows = rows.filter(**{lookup: moment})
    return rows.order_by("-recorded_at", "-pk")


def offers_last_price(*, offer_ids: list[int]) -> dict[int, OfferPrice]:
    """Each offer's last history row (its price now, as recorded), by offer id; one
    query. Offers without history are absent."""
    if not offer_ids:
        return {}
    last = Offer.objects.filter(pk__in=offer_ids).annotate(
        last_pk=Subquery(_last_price_before().values("pk")[:1])
    )
    rows = OfferPrice.objects.filter(pk__in=last.values("last_pk"))
    return {row.offer_id: row for row in rows}


LOWEST_PRICE_PERIODS = (30, 90, 365)


def offers_lowest_prices(
    *,
    offer_ids: list[int],
    now: datetime.datetime | None = None,
    periods: tuple[int, ...] = LOWEST_PRICE_PERIODS,
) -> dict[int, dict[int, Decimal | None]]:
    """The lowest price each offer could be bought at during each of the last
    ``periods`` days: the lowest in-stock price among the states in effect at any
    moment of the period (those begun in it, and the one it began in). None when the
    offer was out of stock or unknown the whole period. One query, whatever the
    number of offers or of rows in their history (the index offer_price_since)."""
    if not offer_ids:
        return {}
    now = now or timezone.now()
    in_stock_price = Case(
        When(availability=Availability.IN_STOCK, then=F("price")), default=None
    )
    annotations = {}
    for days in periods:
        start = now - datetime.timedelta(days=days)
        annotations[f"within_{days}"] = Min(
            "price_history__price",
            filter=Q(
                price_history__recorded_at__gte=start,
                price_history__recorded_at__lte=now,
                price_history__availability=Availability.IN_STOCK,
            ),
        )
        annotations[f"before_{days}"] = Subquery(
            _last_price_before(start)
            .annotate(in_stock_price=in_stock_price)
            .values("in_stock_price")[:1]
        )
    rows = Offer.objects.filter(pk__in=offer_ids).values("pk").annotate(**annotations)
    lowest: dict[int, dict[int, Decimal | None]] = {}
    for row in rows:
        lowest[row["pk"]] = {}
        for days in periods:
            prices = [
                price
                for price in (row[f"within_{days}"], row[f"before_{days}"])
                if price is not None
            ]
            lowest[row["pk"]][days] = min(prices) if prices else None
    return lowest


def offer_price_history(
    *, offer: Offer, since: datetime.datetime | None = None
) -> list[OfferPrice]:
    """An offer's history, oldest first: the states begun since ``since`` and the one
    in effect at ``since`` (all of it when None)."""
    rows = OfferPrice.objects.filter(offer=offer)
    if since is None:
        return list(rows.order_by("recorded_at", "pk"))
    earlier = rows.filter(recorded_at__lt=since).order_by("-recorded_at", "-pk")[:1]
    return [
        *earlier,
        *rows.filter(recorded_at__gte=since).order_by("recorded_at", "pk"),
    ]


def offer_price_at(*, offer_ids: list[int], moment: datetime.datetime) -> dict:
    """Each offer's recorded price at ``moment`` (the state in effect then: "the
    price when the article was written"), by offer id; one query. Offers with no
    history before ``moment`` are absent."""
    if not offer_ids:
        return {}
    at = Offer.objects.filter(pk__in=offer_ids).annotate(
        then_pk=Subquery(_last_price_before(moment, inclusive=True).values("pk")[:1])
    )
    rows = OfferPrice.objects.filter(pk__in=at.values("then_pk"))
    return {row.offer_id: row for row in rows}


def offers_price_histories(
    *, offer_ids: list[int], since: datetime.datetime
) -> dict[int, list[OfferPrice]]:
    """offer_price_history of many offers at once, by offer id (oldest first: the
    state in effect at ``since`` and those begun since); one query whatever the
    number of offers. Offers with no history are absent."""
    if not offer_ids:
        return {}
    at_since = Offer.objects.filter(pk__in=offer_ids).annotate(
        since_pk=Subquery(_last_price_before(since).values("pk")[:1])
    )
    rows = OfferPrice.objects.filter(
        Q(offer_id__in=offer_ids, recorded_at__gte=since)
        | Q(pk__in=at_since.values("since_pk"))
    ).order_by("offer_id", "recorded_at", "pk")
    histories: dict[int, list[OfferPrice]] = {}
    for row in rows:
        histories.setdefault(row.offer_id, []).append(row)
    return histories


@dataclass(frozen=True)
class OfferHistoryRows:
    """An offer and its latest history rows, newest first (the admin's table);
    ``more`` when older rows were left out."""

    offer: Offer
    rows: list[OfferPrice]
    more: bool


def product_price_histories(
    *, product: Product, limit: int = 50
) -> list[OfferHistoryRows]:
    """Each offer of ``product`` (by merchant) with its latest ``limit`` history
    rows, newest first, each with ``price_plain`` and ``list_price_plain`` as the
    admin writes money ("1299.00 CNY"). Two queries whatever the number of offers."""
    offers = list(
        Offer.objects.filter(product=product)
        .select_related("merchant")
        .order_by("merchant__name", "pk")
    )
    rows: dict[int, list[OfferPrice]] = {}
    for row in OfferPrice.objects.filter(offer__product=product).order_by(
        "offer_id", "-recorded_at", "-pk"
    ):
        rows.setdefault(row.offer_id, []).append(row)
    histories = []
    for offer in offers:
        offer_rows = rows.get(offer.pk, [])
        for row in offer_rows[:limit]:
            row.price_plain = money_plain(row.price, row.currency)
            row.list_price_plain = money_plain(row.list_price, row.currency)
        histories.append(
            OfferHistoryRows(
                offer=offer, rows=offer_rows[:limit], more=len(offer_rows) > limit
            )
        )
    return histories
