"""The catalog as content shows it: products with their offers, best prices and
pictures, and authors, for the API, the reader site and the blocks' API form. Reads
the products and affiliates apps only, never content's pages, so blocks and pages
can import it."""

from collections.abc import Iterable

from django.db.models import (
    Prefetch,
)
from wagtail.images import get_image_model
from wagtail.images.models import AbstractImage

from affiliates.tracking.selectors import (
    offer_link_destination,
)
from products.models import Availability, Offer, Product
from products.money import money_str
from products.selectors import (
    offer_currency,
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


def product_data(
    *,
    product: Product,
    media: Media,
    links: dict[int, str] | None = None,
    currency_first: str = "",
) -> dict:
    """A product with its offers (in stock first, then those in ``currency_first``,
    the market currency of the article's language, then cheapest), each offer with
    its tracked link where ``links`` (offer id → absolute URL) has one, and when its
    price was last checked: the offer's last update (``updated_at``), the one time
    the catalog keeps of when someone set or confirmed price and availability."""
    offers = product_offers(product=product, currency_first=currency_first)
    links = links or {}
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
    return [product_data(product=product, media=media) for product in products]
