"""The content part of the API: articles, products, creators and tags, for any
frontend. Mounted under /api/ by zhongcao.api.

Everything here is public (anonymous calls are rate-limited per client), except
drafts: ``?version=draft`` answers only a caller signed in with an API token or a
session who may edit the article; for anyone else a draft does not exist (404).
Public answers carry Cache-Control and an ETag (a conditional GET answers 304).
"""

import datetime
from typing import Annotated, Literal

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from ninja import Field, Path, Query, Router, Schema
from wagtail.models import Site

from affiliates.auth import OPTIONAL, request_user
from content.catalog import product_items, product_price_history
from content.models import AffiliateDisclosureSettings, ArticlePage
from content.selectors import (
    article_items,
    articles_filter,
    creator_detail,
    creator_public,
    product_detail,
    tags_with_counts,
)
from content.services import article_preview_read, article_representation
from products.selectors import products_filter, products_with_offers
from products.web import DATABASE_INTEGER_MAX, public_base_url

router = Router(tags=["articles"])


# -- Shapes ---------------------------------------------------------------------------


class Rendition(Schema):
    url: str = Field(description="Absolute URL of the resized image.")
    width: int
    height: int
    alt: str


class AuthorOut(Schema):
    name: str
    slug: str
    avatar: dict[str, Rendition] | None = Field(
        description="Renditions by name: small (96×96)."
    )


class ArticleItem(Schema):
    id: int
    type: Literal["review", "guide"]
    title: str
    slug: str
    url_path: str = Field(description="The article's path on the reader site.")
    summary: str
    locale: str
    hero_image: dict[str, Rendition] | None = Field(
        description="Renditions by name: thumbnail (400×225), large (1200 wide)."
    )
    author: AuthorOut | None
    tags: list[str]
    published_at: datetime.datetime | None


class ArticleList(Schema):
    count: int
    items: list[ArticleItem]


class LinkDestination(Schema):
    offer_id: int
    merchant: str
    price: str = Field(description="Decimal string in the currency's minor units.")
    currency: str = Field(description="ISO 4217 code.")
    availability: Literal["in_stock", "out_of_stock", "discontinued"]


class TrackedLinkOut(Schema):
    url: str = Field(
        description="Absolute /go/ URL: send readers here, never to the offer itself."
    )
    rel: Literal["sponsored nofollow"] = Field(
        description="Put this in the link's rel attribute."
    )
    goes_to: LinkDestination = Field(
        description=(
            "The offer the link really sends the reader to: the link of an offer "
            "out of stock goes to the product's cheapest offer in stock (in the same "
            "currency if there is one). Name this merchant and price on the button."
        )
    )


class PriceWhenWritten(Schema):
    price: str = Field(description="Decimal string in the currency's minor units.")
    currency: str = Field(description="ISO 4217 code.")
    availability: Literal["in_stock", "out_of_stock", "discontinued"]
    recorded_at: datetime.datetime = Field(
        description="Since when the offer had this price (before the article's "
        "first publication)."
    )
    change_percent: int | None = Field(
        description="The price now against this one, in whole percent (-23: 23% "
        "cheaper now); null when the currency changed."
    )


LowestPrices = dict[Literal["30", "90", "365"], str | None]


class OfferOut(Schema):
    id: int
    merchant: str
    merchant_slug: str
    price: str = Field(description="Decimal string in the currency's minor units.")
    currency: str = Field(description="ISO 4217 code.")
    availability: Literal["in_stock", "out_of_stock", "discontinued"]
    price_checked_at: datetime.datetime = Field(
        description="When the price and availability were last set or confirmed."
    )
    link: TrackedLinkOut | None = Field(
        description="The tracked link of this offer at this placement (in articles)."
    )
    list_price: str | None = Field(
        description="The regular price, when the offer is on sale (above price: "
        "strike it through); null otherwise."
    )
    lowest_price: LowestPrices = Field(
        description=(
            "The lowest price the offer could be bought at during the last 30, 90 "
            "and 365 days (in stock), in its currency; null when it was out of stock "
            "or unknown the whole period. See docs/price-history.md."
        )
    )
    price_when_written: PriceWhenWritten | None = Field(
        description="In articles: the offer's price when the article was first "
        "published; null elsewhere, before publication, or if unknown then."
    )


class BestPrice(Schema):
    price: str
    currency: str
    offer_id: int


class ProductOut(Schema):
    id: int
    slug: str
    title: str
    brand: str
    gtin: str | None
    image: dict[str, Rendition] | None = Field(
        description="Renditions by name: thumbnail (240×240), large (within 800×800)."
    )
    best_prices: list[BestPrice] = Field(
        description="The lowest in-stock price in each currency."
    )
    offers: list[OfferOut] = Field(
        description=(
            "In stock first, then (in an article) those in the currency of the "
            "article's market, then cheapest."
        )
    )


class ProductEmbed(ProductOut):
    placement: str = Field(
        description="The embed's stable id in the article (its block or item id)."
    )


class RichTextValue(Schema):
    html: str = Field(description="HTML; links to pages are resolved to paths.")


class HeadingValue(Schema):
    text: str
    level: Literal["h2", "h3"]


class ImageValue(Schema):
    image: dict[str, Rendition] | None = Field(
        description="Renditions by name: medium (800 wide), large (1200 wide)."
    )
    caption: str


class QuoteValue(Schema):
    quote: str
    attribution: str


class EmbedValue(Schema):
    url: str = Field(description="The video or post's URL (oEmbed it yourself).")


class ProductCardValue(Schema):
    product: ProductEmbed | None
    call_to_action: str
    note: str


class ProductGridValue(Schema):
    title: str
    products: list[ProductEmbed]


class ComparisonRow(Schema):
    label: str
    values: list[str] = Field(description="One per product, in the products' order.")


class ComparisonTableValue(Schema):
    caption: str
    products: list[ProductEmbed]
    rows: list[ComparisonRow]


class ProsConsValue(Schema):
    pros: list[str]
    cons: list[str]


def _block(name: str, value_schema: type[Schema]) -> type[Schema]:
    """The schema of one body block type: {"type": name, "id", "value"}."""
    return type(
        f"{value_schema.__name__.removesuffix('Value')}Block",
        (Schema,),
        {
            "__annotations__": {
                "type": Literal[name],
                "id": str,
                "value": value_schema,
            },
            "__doc__": f"A body block of type {name}.",
        },
    )


BodyBlock = Annotated[
    _block("rich_text", RichTextValue)
    | _block("heading", HeadingValue)
    | _block("image", ImageValue)
    | _block("quote", QuoteValue)
    | _block("embed", EmbedValue)
    | _block("product_card", ProductCardValue)
    | _block("product_grid", ProductGridValue)
    | _block("comparison_table", ComparisonTableValue)
    | _block("pros_cons", ProsConsValue),
    Field(discriminator="type"),
]


class ArticleBase(ArticleItem):
    seo_title: str
    search_description: str
    last_published_at: datetime.datetime | None
    draft: bool = Field(
        description="True for ?version=draft: its links are never billable."
    )
    disclosure: str = Field(
        description="Show it before the first tracked link (the law requires it)."
    )
    body: list[BodyBlock]


class ReviewDetail(ArticleBase):
    type: Literal["review"]
    product: ProductEmbed | None = Field(description="The reviewed product.")
    rating: str = Field(description="Out of 10, a decimal string.")
    verdict: str
    pros: list[str]
    cons: list[str]


class GuidePick(Schema):
    id: str
    label: str
    reason: str
    product: ProductEmbed | None


class GuideDetail(ArticleBase):
    type: Literal["guide"]
    intro: str = Field(description="HTML.")
    picks: list[GuidePick] = Field(description="In rank order.")
    show_comparison_table: bool = Field(
        description="Show the picks side by side: price rows, then comparison_rows."
    )
    comparison_rows: list[ComparisonRow]


ArticleDetail = Annotated[ReviewDetail | GuideDetail, Field(discriminator="type")]


class ArticleFilters(Schema):
    type: Literal["review", "guide"] | None = None
    tag: str = Field("", description="Tag slug.")
    author: str = Field("", description="Creator slug.")
    product: str = Field("", description="Product slug: articles that embed it.")
    q: str = Field(
        "", max_length=200, description="Full-text search, Chinese or English."
    )
    locale: Literal["zh-hans", "en"] | None = None
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=DATABASE_INTEGER_MAX)


class Version(Schema):
    version: Literal["live", "draft"] = Field(
        "live",
        description="draft: the latest revision, for preview (an API token of a user "
        "who may edit the article).",
    )


class ByPath(Version):
    path: str = Field(
        ..., min_length=1, max_length=500, description="The article's url_path."
    )


class ProductFilters(Schema):
    q: str = Field("", max_length=200, description="Full-text search.")
    tag: str = Field("", description="Tag slug.")
    brand: str = ""
    merchant: str = Field("", description="Merchant slug: products it sells.")
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=DATABASE_INTEGER_MAX)


class ProductList(Schema):
    count: int
    items: list[ProductOut]


class FeaturedLink(TrackedLinkOut):
    placement: str
    offer_id: int


class FeaturingArticle(ArticleItem):
    disclosure: str = Field(
        description="Show it before the article's tracked links (the law requires it)."
    )
    links: list[FeaturedLink] = Field(
        description="The article's tracked links for this product."
    )


class ProductDetail(ProductOut):
    description: str
    tags: list[str]
    articles: list[FeaturingArticle] = Field(
        description="Published articles that feature the product, newest first."
    )


class PricePoint(Schema):
    recorded_at: datetime.datetime = Field(
        description="Since when (the first point: the state in effect when the "
        "period began, which may have begun before it)."
    )
    price: str = Field(description="Decimal string in the currency's minor units.")
    list_price: str | None
    currency: str = Field(description="ISO 4217 code.")
    availability: Literal["in_stock", "out_of_stock", "discontinued"]


class OfferPriceHistory(Schema):
    offer_id: int
    merchant: str
    merchant_slug: str
    currency: str = Field(description="The offer's currency now.")
    lowest_price: LowestPrices
    points: list[PricePoint] = Field(
        description="Each state (price, regular price, stock) in turn, oldest "
        "first; a state lasts until the next point (a step line), the last until now."
    )


class PriceHistory(Schema):
    product: str = Field(description="The product's slug.")
    days: int
    since: datetime.datetime
    offers: list[OfferPriceHistory]


class PriceHistoryQuery(Schema):
    offer: int | None = Field(
        None, ge=1, le=DATABASE_INTEGER_MAX, description="One offer's id (else all)."
    )
    days: int = Field(365, ge=1, le=3650, description="How far back, in days.")


class Paging(Schema):
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=DATABASE_INTEGER_MAX)


class CreatorDetail(AuthorOut):
    bio: str
    count: int = Field(description="How many published articles they wrote.")
    articles: list[ArticleItem] = Field(description="Newest first, one page.")


class TagOut(Schema):
    name: str
    slug: str
    articles: int = Field(description="How many published articles carry it.")


class NotFound(Schema):
    detail: str


# -- Helpers --------------------------------------------------------------------------


def _public(response: HttpResponse) -> None:
    """Cacheable by anyone for a short while; an ETag makes a repeat GET a 304."""
    patch_cache_control(
        response, public=True, max_age=settings.ZHONGCAO_API_CACHE_SECONDS
    )


def _article_answer(
    request: HttpRequest, response: HttpResponse, page: ArticlePage | None, version
) -> dict:
    """The whole article, live or (for who may edit it) its latest draft."""
    draft = version == "draft"
    if page is None:
        raise Http404("No such article.")
    if draft:
        user = request_user(request)
        if user is None or not page.permissions_for_user(user).can_edit():
            raise Http404("No such article.")
        article = page.get_latest_revision_as_object()
        patch_cache_control(response, private=True, no_store=True)
    else:
        if not page.live:
            raise Http404("No such article.")
        article = page
        _public(response)
    patch_vary_headers(response, ["Authorization", "Cookie"])
    return article_representation(request=request, article=article, draft=draft)


def _articles(version: str):
    pages = ArticlePage.objects.select_related("author")
    return pages if version == "draft" else pages.live().public()


class PreviewToken(Schema):
    token: str = Field(..., min_length=1, max_length=100)


# -- Endpoints ------------------------------------------------------------------------


@router.get(
    "/articles",
    auth=None,
    response=ArticleList,
    summary="Published reviews and guides, newest first",
)
def articles_list(
    request: HttpRequest, response: HttpResponse, filters: Query[ArticleFilters]
):
    queryset = articles_filter(
        **{
            key: value or ""
            for key, value in filters.dict(exclude={"limit", "offset"}).items()
        }
    )
    page = queryset.select_related("author")[
        filters.offset : filters.offset + filters.limit
    ]
    _public(response)
    return {
        "count": queryset.count(),
        "items": article_items(articles=page, base_url=public_base_url()),
    }


@router.get(
    "/articles/preview",
    auth=None,
    response={200: ArticleDetail, 404: NotFound},
    summary="The article an editor is previewing (Wagtail's 'On the frontend' preview)",
)
def article_preview(
    request: HttpRequest, response: HttpResponse, params: Query[PreviewToken]
):
    patch_cache_control(response, private=True, no_store=True)
    detail = article_preview_read(token=params.token)
    if detail is None:
        raise Http404("No such preview (it lasts an hour).")
    return detail


@router.get(
    "/articles/by-path",
    auth=OPTIONAL,
    response={200: ArticleDetail, 404: NotFound},
    summary="One whole article by its path on the site",
)
def article_by_path(
    request: HttpRequest, response: HttpResponse, params: Query[ByPath]
):
    site = (
        Site.find_for_request(request)
        or Site.objects.filter(is_default_site=True).first()
    )
    page = None
    if site is not None:
        path = params.path.strip("/")
        url_path = site.root_page.url_path + (f"{path}/" if path else "")
        page = _articles(params.version).filter(url_path=url_path).first()
    return _article_answer(request, response, page, params.version)


@router.get(
    "/articles/{article_id}",
    auth=OPTIONAL,
    response={200: ArticleDetail, 404: NotFound},
    summary="One whole article: typed blocks, products, offers, tracked links",
)
def article_get(
    request: HttpRequest,
    response: HttpResponse,
    article_id: Annotated[int, Path(ge=1, le=DATABASE_INTEGER_MAX)],
    params: Query[Version],
):
    page = _articles(params.version).filter(pk=article_id).first()
    return _article_answer(request, response, page, params.version)


@router.get(
    "/products",
    auth=None,
    response=ProductList,
    summary="Products with offers and best prices",
    tags=["products"],
)
def products_list(
    request: HttpRequest, response: HttpResponse, filters: Query[ProductFilters]
):
    queryset = products_filter(
        **filters.dict(include={"q", "tag", "brand", "merchant"})
    )
    page = queryset[filters.offset : filters.offset + filters.limit]
    _public(response)
    return {
        "count": queryset.count(),
        "items": product_items(products=page, base_url=public_base_url()),
    }


@router.get(
    "/products/{slug}",
    auth=None,
    response={200: ProductDetail, 404: NotFound},
    summary="One product, its offers, and the articles that feature it",
    tags=["products"],
)
def product_get(request: HttpRequest, response: HttpResponse, slug: str):
    product = products_with_offers().filter(slug=slug).first()
    if product is None:
        raise Http404("No such product.")
    _public(response)
    return product_detail(
        product=product,
        disclosures=AffiliateDisclosureSettings.for_request(request),
        base_url=public_base_url(),
    )


@router.get(
    "/products/{slug}/price-history",
    auth=None,
    response={200: PriceHistory, 404: NotFound},
    summary="The price history of a product's offers (a step line per offer)",
    tags=["products"],
)
def product_price_history_get(
    request: HttpRequest,
    response: HttpResponse,
    slug: str,
    params: Query[PriceHistoryQuery],
):
    product = products_with_offers().filter(slug=slug).first()
    if product is None:
        raise Http404("No such product.")
    history = product_price_history(
        product=product, days=params.days, offer_id=params.offer
    )
    if history is None:
        raise Http404("No such offer of this product (offer).")
    _public(response)
    return history


@router.get(
    "/creators/{slug}",
    auth=None,
    response={200: CreatorDetail, 404: NotFound},
    summary="A creator's public profile and published articles",
    tags=["creators"],
)
def creator_get(
    request: HttpRequest, response: HttpResponse, slug: str, page: Query[Paging]
):
    creator = creator_public(slug=slug)
    if creator is None:
        raise Http404("No such creator.")
    _public(response)
    return creator_detail(
        creator=creator,
        limit=page.limit,
        offset=page.offset,
        base_url=public_base_url(),
    )


@router.get(
    "/tags", auth=None, response=list[TagOut], summary="Tags with article counts"
)
def tags_list(request: HttpRequest, response: HttpResponse):
    _public(response)
    return [
        {"name": tag.name, "slug": tag.slug, "articles": tag.articles}
        for tag in tags_with_counts()
    ]
