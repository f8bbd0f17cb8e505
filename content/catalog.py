"""The catalog as content shows it: products with their offers, best prices and
pictures, and authors, for the API, the reader site and the blocks' API form. Reads
the products and affiliates apps only, never content's pages, so blocks and pages
can import it."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal

from django.db.models import (
    Prefetch,
)
from django.utils import timezone
from wagtail.images import get_image_model
from wagtail.images.models import AbstractImage

from affiliates.tracking.selectors import (
    offer_link_destination,
)
from products.models import Availability, Offer, OfferPrice, Product
from products.money import money_str
from products.selectors import (
    LOWEST_PRICE_PERIODS,
    offer_currency,
    offer_price_at,
    offers_lowest_prices,
    offers_price_histories,
    product_offers,
)

# -- Whole articles, products and creators: what the API and the reader site show ----
#
# Amounts leave as strings in the currency's minor units; images as renditions;
# every offer of an embedded product carries its tracked link, absolute, with the
# rel that marks it as paid. The queries do not grow with the number of embeds.

SPONSORED_REL = "sponsored nofollow"
HERO_RENDITIONS = {"thumbnail": "fill-400x225", "large": "width-1200"}
AVATAR_RENDITIONS = {"small": "fill-96x96"}
PRODUCT_RENDITIONS = {"thumbnail": "fill-240x240", "large": "max-800x800"}
BODY_IMAGE_RENDITIONS = {"medium": "width-800", "large": "width-1200"}
ALL_RENDITIONS = {
    *HERO_RENDITIONS.values(),
    *AVATAR_RENDITIONS.values(),
    *PRODUCT_RENDITIONS.values(),
    *BODY_IMAGE_RENDITIONS.values(),
}


class Media:
    """Images fetched once, with every rendition the API shows prefetched (two
    queries), and the base their URLs are shown under: the API's absolute origin, or
    "" for the reader site's own pages (relative URLs work on any host, previews
    included)."""

    def __init__(self, *, ids: Iterable[int | None], base_url: str = ""):
        wanted = {pk for pk in ids if pk}
        images = get_image_model().objects.filter(pk__in=wanted)
        self.images: dict[int, AbstractImage] = (
            {image.pk: image for image in images.prefetch_renditions(*ALL_RENDITIONS)}
            if wanted
            else {}
        )
        self.base_url = base_url

    def url(self, url: str) -> str:
        return self.base_url + url if url.startswith("/") else url

    def renditions(
        self, *, image_id: int | None, specs: dict[str, str]
    ) -> dict[str, dict] | None:
        """An image's renditions by name: URL, size and alt text."""
        image = self.images.get(image_id) if image_id else None
        if image is None:
            return None
        alt = image.default_alt_text or image.title
        renditions = {}
        for name, spec in specs.items():
            rendition = image.get_rendition(spec)
            renditions[name] = {
                "url": self.url(rendition.url),
                "width": rendition.width,
                "height": rendition.height,
                "alt": alt,
            }
        return renditions


def best_prices(*, offers: list[Offer], currency_first: str = "") -> list[dict]:
    """The lowest in-stock price in each currency (currencies are never compared),
    ``currency_first`` (the readers' market currency) first, then by code."""
    best: dict[str, Offer] = {}
    for offer in offers:
        if offer.availability != Availability.IN_STOCK:
            continue
        currency = offer_currency(offer)
        current = best.get(currency)
        if current is None or offer.price < current.price:
            best[currency] = offer
    return [
        {
            "price": money_str(offer.price, currency),
            "currency": currency,
            "offer_id": offer.pk,
        }
        for currency, offer in sorted(
            best.items(), key=lambda item: (item[0] != currency_first, item[0])
        )
    ]


def offer_link(*, offer: Offer, offers: list[Offer], url: str | None) -> dict | None:
    """An offer's tracked link, with the offer it really goes to: a link of an offer
    that is out of stock sends its reader to another in stock (the redirect's rule,
    affiliates.tracking.selectors.offer_link_destination), and the page must say so."""
    if url is None:
        return None
    destination = offer_link_destination(offer=offer, offers=offers)
    currency = offer_currency(destination)
    return {
        "url": url,
        "rel": SPONSORED_REL,
        "goes_to": {
            "offer_id": destination.pk,
            "merchant": destination.merchant.name,
            "price": money_str(destination.price, currency),
            "currency": currency,
            "availability": destination.availability,
        },
    }


# -- What the price history says of the offers shown (docs/price-history.md) ---------


@dataclass(frozen=True)
class OfferPrices:
    """What the price history says of the offers a page shows, read once for the
    whole page: each offer's lowest prices of the last 30, 90 and 365 days and, in
    an article, its price when the article was first published."""

    lowest: dict[int, dict[int, Decimal | None]] = field(default_factory=dict)
    written: dict[int, OfferPrice] = field(default_factory=dict)


def offer_prices_read(
    *, offer_ids: Iterable[int], written_at: datetime.datetime | None = None
) -> OfferPrices:
    """OfferPrices of ``offer_ids``: one query, two with ``written_at`` (an
    article's first publication), whatever the number of offers."""
    offer_ids = sorted(set(offer_ids))
    return OfferPrices(
        lowest=offers_lowest_prices(offer_ids=offer_ids),
        written=(
            offer_price_at(offer_ids=offer_ids, moment=written_at)
            if written_at is not None
            else {}
        ),
    )


def price_change_percent(*, then: Decimal, now: Decimal) -> int | None:
    """How much ``now`` differs from ``then``, in whole percent of ``then`` (half to
    even): -23 is 23% cheaper now. None when ``then`` is zero."""
    if not then:
        return None
    return int(((now - then) * 100 / then).quantize(Decimal(1), ROUND_HALF_EVEN))


def _price_when_written(*, offer: Offer, row: OfferPrice | None) -> dict | None:
    if row is None:
        return None
    currency = offer_currency(offer)
    return {
        "price": money_str(row.price, row.currency),
        "currency": row.currency,
        "availability": row.availability,
        "recorded_at": row.recorded_at,
        # Currencies are never compared.
        "change_percent": (
            price_change_percent(then=row.price, now=offer.price)
            if row.currency == currency
            else None
        ),
    }


def _offer_history_data(*, offer: Offer, prices: OfferPrices) -> dict:
    currency = offer_currency(offer)
    lowest = prices.lowest.get(offer.pk, {})
    return {
        # Only a regular price above the price is a sale to show.
        "list_price": (
            money_str(offer.list_price, currency)
            if offer.list_price is not None and offer.list_price > offer.price
            else None
        ),
        "lowest_price": {
            str(days): (
                money_str(lowest[days], currency)
                if lowest.get(days) is not None
                else None
            )
            for days in LOWEST_PRICE_PERIODS
        },
        "price_when_written": _price_when_written(
            offer=offer, row=prices.written.get(offer.pk)
        ),
    }


def product_data(
    *,
    product: Product,
    media: Media,
    links: dict[int, str] | None = None,
    currency_first: str = "",
    prices: OfferPrices | None = None,
) -> dict:
    """A product with its offers (in stock first, then those in ``currency_first``,
    the market currency of the article's language, then cheapest), each offer with
    its tracked link where ``links`` (offer id → absolute URL) has one, and when its
    price was last checked: the offer's last update (``updated_at``), the one time
    the catalog keeps of when someone set or confirmed price and availability.

    Each offer also carries its regular price, its lowest prices of 30/90/365 days
    and (in an article) its price when the article was written, from ``prices``
    (offer_prices_read for the whole page; read here, one query, when None)."""
    offers = product_offers(product=product, currency_first=currency_first)
    links = links or {}
    if prices is None:
        prices = offer_prices_read(offer_ids=[offer.pk for offer in offers])
    return {
        "id": product.pk,
        "slug": product.slug,
        "title": product.title,
        "brand": product.brand,
        "gtin": product.gtin or None,
        "image": media.renditions(image_id=product.image_id, specs=PRODUCT_RENDITIONS),
        "best_prices": best_prices(offers=offers, currency_first=currency_first),
        "offers": [
            {
                "id": offer.pk,
                "merchant": offer.merchant.name,
                "merchant_slug": offer.merchant.slug,
                "price": money_str(offer.price, offer_currency(offer)),
                "currency": offer_currency(offer),
                "availability": offer.availability,
                "price_checked_at": offer.updated_at,
                "link": offer_link(offer=offer, offers=offers, url=links.get(offer.pk)),
                **_offer_history_data(offer=offer, prices=prices),
            }
            for offer in offers
        ],
    }


def offers_for_reader(*, offers: list[dict]) -> list[dict]:
    """The offers of a product_data as the reader site shows them, in their order:
    ``buy`` for an offer in stock with a link (a buy button); else the offer is
    shown as unavailable, with no button of its own, and ``fallback`` is the link's
    real destination (merchant, price and the link) when the link sends the reader
    to another offer that has no button of its own here. Nothing looks buyable that
    is not, and no button leads anywhere but where it says."""
    buttons = {
        offer["id"]
        for offer in offers
        if offer["link"] and offer["availability"] == Availability.IN_STOCK
    }
    shown = []
    for offer in offers:
        link = offer["link"]
        buy = offer["id"] in buttons
        fallback = None
        if link and not buy:
            goes_to = link["goes_to"]
            if (
                goes_to["offer_id"] != offer["id"]
                and goes_to["offer_id"] not in buttons
                and goes_to["availability"] == Availability.IN_STOCK
            ):
                fallback = {**goes_to, "url": link["url"], "rel": link["rel"]}
                buttons.add(goes_to["offer_id"])
        shown.append({"offer": offer, "buy": buy, "fallback": fallback})
    return shown


def offer_best(*, offers: list[dict]) -> dict | None:
    """The first offer of a product_data in stock with a tracked link: the best one
    for the page's readers (offers come in stock first, market currency first, then
    cheapest). None when nothing can be bought."""
    return next(
        (
            offer
            for offer in offers
            if offer["link"] and offer["availability"] == Availability.IN_STOCK
        ),
        None,
    )


def products_by_id(*, ids: Iterable[int]) -> dict[int, Product]:
    """Products with their offers and merchants (two queries, whatever the count)."""
    products = Product.objects.filter(pk__in=set(ids)).prefetch_related(
        Prefetch("offers", queryset=Offer.objects.select_related("merchant"))
    )
    return {product.pk: product for product in products}


def author_data(*, author, media: Media) -> dict | None:
    if author is None:
        return None
    return {
        "name": author.public_name,
        "slug": author.slug,
        "avatar": media.renditions(image_id=author.avatar_id, specs=AVATAR_RENDITIONS),
    }


def product_items(*, products: Iterable[Product], base_url: str = "") -> list[dict]:
    """Products as lists show them, with offers (no links: links belong to articles)."""
    products = list(products)
    media = Media(ids=[product.image_id for product in products], base_url=base_url)
    prices = offer_prices_read(
        offer_ids=[offer.pk for product in products for offer in product.offers.all()]
    )
    return [
        product_data(product=product, media=media, prices=prices)
        for product in products
    ]


def price_point_data(row: OfferPrice) -> dict:
    """One state of an offer's price history, as the API shows it."""
    return {
        "recorded_at": row.recorded_at,
        "price": money_str(row.price, row.currency),
        "list_price": (
            money_str(row.list_price, row.currency)
            if row.list_price is not None
            else None
        ),
        "currency": row.currency,
        "availability": row.availability,
    }


def product_price_history(
    *,
    product: Product,
    days: int,
    offer_id: int | None = None,
    now: datetime.datetime | None = None,
) -> dict | None:
    """The price history of the last ``days`` days of ``product``'s offers (or of
    the one ``offer_id``: None when it is not one of the product's), each with its
    lowest prices; ``product`` comes with its offers and merchants. Two queries,
    whatever the number of offers or of states."""
    now = now or timezone.now()
    since = now - datetime.timedelta(days=days)
    offers = product_offers(product=product)
    if offer_id is not None:
        offers = [offer for offer in offers if offer.pk == offer_id]
        if not offers:
            return None
    offer_ids = [offer.pk for offer in offers]
    histories = offers_price_histories(offer_ids=offer_ids, since=since)
    lowest = offer_prices_read(offer_ids=offer_ids).lowest
    return {
        "product": product.slug,
        "days": days,
        "since": since,
        "offers": [
            {
                "offer_id": offer.pk,
                "merchant": offer.merchant.name,
                "merchant_slug": offer.merchant.slug,
                "currency": offer_currency(offer),
                "lowest_price": _offer_history_data(
                    offer=offer, prices=OfferPrices(lowest=lowest)
                )["lowest_price"],
                "points": [
                    price_point_data(row) for row in histories.get(offer.pk, [])
                ],
            }
            for offer in offers
        ],
    }
