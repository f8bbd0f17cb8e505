"""What search engines and link previews read on the reader site: title, meta
description, canonical URL, Open Graph and schema.org JSON-LD.

Absolute URLs start from the public base URL (products.web.public_url), as the pages'
own full URLs and the sitemap do, never from the request's Host header.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from wagtail.models import Page

from content.models import GuidePage, ReviewPage
from products.models import Availability, Offer, Product
from products.money import money_str
from products.selectors import product_offers
from products.web import public_url

SITE_NAME = "Zhongcao 种草"
DESCRIPTION_LENGTH = 160
OPEN_GRAPH_IMAGE = "fill-1200x630"
OPEN_GRAPH_LOCALES = {"zh-hans": "zh_CN", "en": "en_US"}
SCHEMA_LANGUAGES = {"zh-hans": "zh-Hans", "en": "en"}
SCHEMA_AVAILABILITY = {
    Availability.IN_STOCK: "https://schema.org/InStock",
    Availability.OUT_OF_STOCK: "https://schema.org/OutOfStock",
    Availability.DISCONTINUED: "https://schema.org/Discontinued",
}


@dataclass
class Seo:
    """The head of one reader page (content/includes/seo.html renders it)."""

    title: str
    description: str
    canonical: str
    og_type: str = "website"
    image: str = ""
    locale: str = ""
    robots: str = ""
    json_ld: list[dict] = field(default_factory=list)

    @property
    def document_title(self) -> str:
        """The <title>: the page's title and the site's name (once)."""
        return self.title if SITE_NAME in self.title else f"{self.title} · {SITE_NAME}"


def absolute_url(request: HttpRequest, url: str) -> str:
    if url.startswith(("http://", "https://")):
        return url
    return public_url(url)


def description_of(*texts: str) -> str:
    """The first non-empty text, without markup, cut to a search snippet's length."""
    for text in texts:
        plain = " ".join(strip_tags(text or "").split())
        if plain:
            return Truncator(plain).chars(DESCRIPTION_LENGTH)
    return ""


def image_url(request: HttpRequest, image, spec: str = OPEN_GRAPH_IMAGE) -> str:
    if image is None:
        return ""
    return absolute_url(request, image.get_rendition(spec).url)


def paged_canonical(request: HttpRequest, path: str, page_number: int = 1) -> str:
    """A list's canonical URL: its path, with ?page=N past the first page."""
    url = absolute_url(request, path)
    return url if page_number <= 1 else f"{url}?page={page_number}"


def product_url(request: HttpRequest, product: Product) -> str:
    return absolute_url(request, reverse("reader:product", args=[product.slug]))


def creator_url(request: HttpRequest, creator) -> str:
    return absolute_url(request, reverse("reader:creator", args=[creator.slug]))


def _offer_json_ld(request: HttpRequest, offer: Offer, url: str) -> dict:
    currency = offer.currency or offer.merchant.currency
    return {
        "@type": "Offer",
        "price": money_str(Decimal(offer.price), currency),
        "priceCurrency": currency,
        "availability": SCHEMA_AVAILABILITY.get(offer.availability, ""),
        "seller": {"@type": "Organization", "name": offer.merchant.name},
        "url": url,
    }


def product_json_ld(
    request: HttpRequest, product: Product, *, offers: bool = True, image: bool = True
) -> dict:
    """schema.org Product: name, brand, identifiers and (optionally) image and
    offers. Lists leave both out, so that a guide's picks cost no query each."""
    url = product_url(request, product)
    data: dict = {"@type": "Product", "name": product.title, "url": url}
    if product.brand:
        data["brand"] = {"@type": "Brand", "name": product.brand}
    if product.description:
        data["description"] = description_of(product.description)
    if image and product.image_id:
        data["image"] = image_url(request, product.image)
    if product.gtin:
        data["gtin"] = product.gtin
    if product.sku:
        data["sku"] = product.sku
    if offers:
        listed = product_offers(product=product)
        if listed:
            data["offers"] = [_offer_json_ld(request, offer, url) for offer in listed]
    return data


def _with_context(data: dict) -> dict:
    return {"@context": "https://schema.org", **data}


def _article_common(request: HttpRequest, article, canonical: str) -> dict:
    data = {
        "url": canonical,
        "inLanguage": SCHEMA_LANGUAGES.get(article.language, article.language),
        "description": description_of(article.search_description, article.summary),
        "publisher": {"@type": "Organization", "name": SITE_NAME},
    }
    if article.first_published_at:
        data["datePublished"] = article.first_published_at.isoformat()
    if article.last_published_at:
        data["dateModified"] = article.last_published_at.isoformat()
    if article.author_id:
        data["author"] = {
            "@type": "Person",
            "name": article.author.public_name,
            "url": creator_url(request, article.author),
        }
    if article.hero_image_id:
        data["image"] = image_url(request, article.hero_image)
    return data


def article_json_ld(request: HttpRequest, article, canonical: str) -> list[dict]:
    """A review: schema.org Review of its Product with its rating out of 10. A guide:
    an Article and the ItemList of its ranked picks. Anything else: an Article."""
    common = _article_common(request, article, canonical)
    if isinstance(article, ReviewPage) and article.product_id:
        return [
            _with_context(
                {
                    "@type": "Review",
                    "name": article.title,
                    "headline": article.title,
                    **common,
                    "reviewBody": article.verdict,
                    "reviewRating": {
                        "@type": "Rating",
                        "ratingValue": str(article.rating),
                        "bestRating": "10",
                        "worstRating": "0",
                    },
                    "itemReviewed": product_json_ld(
                        request, article.product, offers=False
                    ),
                }
            )
        ]
    blocks = [_with_context({"@type": "Article", "headline": article.title, **common})]
    if isinstance(article, GuidePage):
        picks = [
            pick.value for pick in article.picks if pick.value["product"] is not None
        ]
        blocks.append(
            _with_context(
                {
                    "@type": "ItemList",
                    "name": article.title,
                    "url": canonical,
                    "itemListOrder": "https://schema.org/ItemListOrderAscending",
                    "numberOfItems": len(picks),
                    "itemListElement": [
                        {
                            "@type": "ListItem",
                            "position": position,
                            "name": pick["label"] or pick["product"].title,
                            "item": product_json_ld(
                                request, pick["product"], offers=False, image=False
                            ),
                        }
                        for position, pick in enumerate(picks, 1)
                    ],
                }
            )
        )
    return blocks


def article_seo(*, request: HttpRequest, article) -> Seo:
    canonical = article.get_full_url(request)
    return Seo(
        title=article.seo_title or article.title,
        description=description_of(article.search_description, article.summary),
        canonical=canonical,
        og_type="article",
        image=image_url(request, article.hero_image),
        locale=OPEN_GRAPH_LOCALES.get(article.language, ""),
        json_ld=article_json_ld(request, article, canonical),
    )


def page_seo(
    *,
    request: HttpRequest,
    page: Page,
    description: str = "",
    page_number: int = 1,
    is_home: bool = False,
) -> Seo:
    """The home page (which also describes the WebSite and its search) and the
    articles section."""
    canonical = paged_canonical(request, page.get_url(request) or "/", page_number)
    seo = Seo(
        title=page.seo_title or page.title,
        description=description_of(page.search_description, description),
        canonical=canonical,
    )
    if is_home:
        seo.json_ld = [
            _with_context(
                {
                    "@type": "WebSite",
                    "name": SITE_NAME,
                    "url": absolute_url(request, "/"),
                    "potentialAction": {
                        "@type": "SearchAction",
                        "target": absolute_url(request, reverse("reader:search"))
                        + "?q={search_term_string}",
                        "query-input": "required name=search_term_string",
                    },
                }
            )
        ]
    return seo


def product_seo(*, request: HttpRequest, product: Product) -> Seo:
    url = product_url(request, product)
    brand = f"{product.brand} " if product.brand else ""
    return Seo(
        title=f"{brand}{product.title}",
        description=description_of(
            product.description,
            _("Prices and offers for %(product)s, and the articles that feature it.")
            % {"product": product.title},
        ),
        canonical=url,
        og_type="product",
        image=image_url(request, product.image),
        json_ld=[_with_context(product_json_ld(request, product))],
    )


def listing_seo(
    *,
    request: HttpRequest,
    title: str,
    description: str,
    path: str,
    page_number: int = 1,
    image=None,
    og_type: str = "website",
    robots: str = "",
) -> Seo:
    """Tag, creator and search pages."""
    return Seo(
        title=title,
        description=description_of(description),
        canonical=paged_canonical(request, path, page_number),
        og_type=og_type,
        image=image_url(request, image),
        robots=robots,
    )
