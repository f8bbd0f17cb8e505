"""Reads of the catalog."""

from django.db.models import Prefetch, QuerySet

from .models import Availability, Offer, Product


def product_offers(*, product: Product) -> list[Offer]:
    """A product's offers, in stock first, then by price; uses prefetched offers."""
    offers = list(product.offers.all())
    offers.sort(
        key=lambda offer: (offer.availability != Availability.IN_STOCK, offer.price)
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


def product_summary(*, product: Product) -> dict:
    """What a frontend needs to show an embedded product (amounts as strings)."""
    return {
        "id": product.pk,
        "slug": product.slug,
        "title": product.title,
        "brand": product.brand,
        "gtin": product.gtin or None,
        "offers": [
            {
                "id": offer.pk,
                "merchant": offer.merchant.name,
                "price": str(offer.price),
                "currency": offer.currency,
                "availability": offer.availability,
            }
            for offer in product_offers(product=product)
        ],
    }


def product_for_reader(*, slug: str) -> Product | None:
    """The product with this slug, with its offers, merchants and image renditions."""
    return (
        products_with_offers()
        .prefetch_related("image__renditions")
        .filter(slug=slug)
        .first()
    )
