"""Reads of articles: their product embeds (placements), listings, and whole
articles, products and creators as the API and the reader site show them."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    Case,
    Count,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
    prefetch_related_objects,
)
from taggit.models import Tag
from wagtail.images import get_image_model
from wagtail.images.models import AbstractImage
from wagtail.models import Page, PageQuerySet, get_page_models
from wagtail.rich_text import expand_db_html

from affiliates.models import CreatorProfile
from affiliates.roles import user_is_editor
from affiliates.tracking.selectors import links_current, offer_link_destination
from products.currencies import money_str
from products.models import Availability, Offer, Product
from products.money import market_currency
from products.selectors import (
    offer_currency,
    product_offers,
    products_filter,
)

from .models import (
    AffiliateDisclosureSettings,
    ArticleChoice,
    ArticleCollection,
    ArticleCollectionItem,
    ArticleIndexPage,
    ArticlePage,
    ArticleTag,
    GuidePage,
    HomePageCollection,
    HomePageFeaturedArticle,
    ReviewPage,
)

REVIEWED_PRODUCT_PLACEMENT = "reviewed-product"


@dataclass(frozen=True)
class ProductEmbed:
    """One product embedded in an article, at one placement."""

    placement: str
    product_id: int
    block_type: str


def article_product_embeds(*, article: ArticlePage) -> list[ProductEmbed]:
    """Every product the article embeds, each with its stable placement id.

    The placement is the block id of a single-product block (product card, guide
    pick), the list item id inside a product grid or comparison table, and
    ``reviewed-product`` for the product a review is about. Ids survive edits and
    republishing, so a placement keeps its tracked links.
    """
    article = article.specific
    embeds: list[ProductEmbed] = []
    if isinstance(article, ReviewPage) and article.product_id:
        embeds.append(
            ProductEmbed(REVIEWED_PRODUCT_PLACEMENT, article.product_id, "review")
        )
    if isinstance(article, GuidePage):
        for block in article.picks:
            product = block.value["product"]
            if product is not None:
                embeds.append(ProductEmbed(block.id, product.pk, "pick"))
    for block in article.body:
        if block.block_type == "product_card":
            product = block.value["product"]
            if product is not None:
                embeds.append(ProductEmbed(block.id, product.pk, block.block_type))
        elif block.block_type in ("product_grid", "comparison_table"):
            for item in block.value["products"].bound_blocks:
                if item.value is not None:
                    embeds.append(
                        ProductEmbed(item.id, item.value.pk, block.block_type)
                    )
    return embeds


def articles_live() -> QuerySet[ArticlePage]:
    """Published articles, newest first, with what lists show."""
    return (
        ArticlePage.objects.live()
        .public()
        .select_related("author", "hero_image")
        .order_by("-first_published_at")
    )


def articles_search(*, query: str):
    """Published articles matching ``query``, best first; Chinese words match anywhere
    in a run of Chinese text, model numbers however they are written
    (products.searchbackend)."""
    return articles_live().order_by().search(query, operator="and")


def pages_visible_to(
    *, user: AbstractBaseUser | AnonymousUser, pages: PageQuerySet | None = None
) -> PageQuerySet:
    """The pages (of ``pages``, else of all) that ``user`` may learn anything about in
    the admin: their title, slug, status or history.

    Editors (superusers count) see every page. Anyone else sees the articles they own
    and the published pages that are not articles (the home page, the articles
    section): never another person's article, published or not, since the admin shows
    a page's latest draft (its title, "live + draft") and its history, which are
    that person's unpublished work. Every admin listing, chooser, report and API that
    names pages narrows to this (content.permissions, content.admin_pages).
    """
    pages = Page.objects.all() if pages is None else pages
    if user_is_editor(user=user):
        return pages
    if not user.is_authenticated:
        return pages.none()
    article_types = ContentType.objects.get_for_models(
        *(model for model in get_page_models() if issubclass(model, ArticlePage)),
        for_concrete_models=False,
    ).values()
    return pages.filter(
        Q(owner=user) | (Q(live=True) & ~Q(content_type__in=article_types))
    )


def page_visible_to(*, user: AbstractBaseUser | AnonymousUser, page_id: int) -> bool:
    """Whether ``user`` may learn anything about the page ``page_id`` (pages_visible_to)."""
    if user_is_editor(user=user):
        return True
    return pages_visible_to(user=user).filter(pk=page_id).exists()


def article_choices_published(
    *, choices: Iterable[ArticleChoice]
) -> list[ArticleChoice]:
    """The editor's article choices (featured, in a collection) whose article is
    published, in their order: what a reader may see of them."""
    choices = list(choices)
    published = set(
        articles_live()
        .filter(pk__in=[choice.article_id for choice in choices])
        .values_list("pk", flat=True)
    )
    return [choice for choice in choices if choice.article_id in published]


ARTICLE_TYPES = {"review": ReviewPage, "guide": GuidePage}
SEARCH_RESULTS_LIMIT = 1000


def articles_filter(
    *,
    type: str = "",  # noqa: A002 (the API's parameter name)
    tag: str = "",
    author: str = "",
    product: str = "",
    q: str = "",
    locale: str = "",
) -> QuerySet[ArticlePage]:
    """Published articles, newest first, narrowed by any of the API's filters; with
    ``q``, the best SEARCH_RESULTS_LIMIT matches of a full-text search, best first."""
    queryset = articles_live()
    if type:
        queryset = queryset.type(ARTICLE_TYPES[type])
    if tag:
        queryset = queryset.filter(tags__slug=tag)
    if author:
        queryset = queryset.filter(author__slug=author)
    if product:
        queryset = queryset.filter(
            pk__in=links_current().filter(product__slug=product).values("article_id")
        )
    if locale:
        queryset = queryset.filter(language=locale)
    if q:
        ranked = [page.pk for page in articles_search(query=q)[:SEARCH_RESULTS_LIMIT]]
        rank = Case(
            *(When(pk=pk, then=Value(position)) for position, pk in enumerate(ranked)),
            default=Value(len(ranked)),
        )
        queryset = (
            queryset.filter(pk__in=ranked)
            .annotate(search_rank=rank)
            .order_by("search_rank", "-first_published_at")
        )
    return queryset.distinct()


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


def _offer_link(*, offer: Offer, offers: list[Offer], url: str | None) -> dict | None:
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
                "link": _offer_link(
                    offer=offer, offers=offers, url=links.get(offer.pk)
                ),
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


def article_buy_bar(*, detail: dict) -> dict | None:
    """What the phone's buy bar of an article offers: the best offer of the product
    the article is about (a review's product, a guide's first pick that can be
    bought), with its tracked link. None when there is nothing to buy."""
    candidates = [detail.get("product")]
    candidates += [pick["product"] for pick in detail.get("picks", [])]
    for product in candidates:
        offer = offer_best(offers=product["offers"]) if product else None
        if offer is not None:
            return {"product": product, "offer": offer}
    return None


def product_buy_link(*, offer: Offer) -> dict | None:
    """A tracked link of ``offer`` for the product page: the one in the newest
    published article that shows the offer, so that a purchase credits the creator
    who recommended the product. None when no published article shows it."""
    link = (
        links_current()
        .filter(offer=offer, article_id__in=articles_live().order_by().values("pk"))
        .select_related("article")
        .order_by("-article__first_published_at", "pk")
        .first()
    )
    if link is None:
        return None
    return {"url": f"/go/{link.code}", "rel": SPONSORED_REL, "article": link.article}


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


def article_items(*, articles: Iterable[ArticlePage], base_url: str = "") -> list[dict]:
    """Articles as lists show them; tags and images fetched once for all of them."""
    articles = list(articles)
    prefetch_related_objects(articles, "tags")
    media = Media(
        ids=[a.hero_image_id for a in articles]
        + [a.author.avatar_id for a in articles if a.author],
        base_url=base_url,
    )
    return [
        {
            "id": article.pk,
            "type": article_kind(article),
            "title": article.title,
            "slug": article.slug,
            "url_path": article.url,
            "summary": article.summary,
            "locale": article.language,
            "hero_image": media.renditions(
                image_id=article.hero_image_id, specs=HERO_RENDITIONS
            ),
            "author": author_data(author=article.author, media=media),
            "tags": [tag.name for tag in article.tags.all()],
            "published_at": article.first_published_at,
        }
        for article in articles
    ]


class _Expander:
    """Turns an article's blocks into data, with the products, images and links it
    fetched once for the whole article."""

    def __init__(self, *, article: ArticlePage, links: dict, base_url: str):
        embeds = article_product_embeds(article=article)
        self.products = products_by_id(ids=[embed.product_id for embed in embeds])
        image_ids = [
            article.hero_image_id,
            article.author.avatar_id if article.author else None,
            *(product.image_id for product in self.products.values()),
            *(
                block.value["image"].pk
                for block in article.body
                if block.block_type == "image" and block.value["image"]
            ),
        ]
        self.media = Media(ids=image_ids, base_url=base_url)
        # Offers in the currency the article's readers shop in come first.
        self.currency_first = market_currency(language=article.language)
        self.links: dict[str, dict[int, str]] = {}
        for (placement, offer_id), path in links.items():
            self.links.setdefault(str(placement), {})[offer_id] = base_url + path

    def embed(self, placement: str, product: Product | int | None) -> dict | None:
        product_id = product.pk if isinstance(product, Product) else product
        found = self.products.get(product_id)
        if found is None:
            return None
        return {
            "placement": str(placement),
            **product_data(
                product=found,
                media=self.media,
                links=self.links.get(str(placement), {}),
                currency_first=self.currency_first,
            ),
        }

    def embeds(self, items) -> list[dict]:
        expanded = (self.embed(item.id, item.value) for item in items.bound_blocks)
        return [embed for embed in expanded if embed is not None]

    def image(self, image) -> dict | None:
        return self.media.renditions(
            image_id=image.pk if image else None, specs=BODY_IMAGE_RENDITIONS
        )

    def block_value(self, block) -> dict:
        value = block.value
        match block.block_type:
            case "rich_text":
                return {"html": expand_db_html(value.source)}
            case "heading":
                return {"text": value["text"], "level": value["level"]}
            case "image":
                return {
                    "image": self.image(value["image"]),
                    "caption": value["caption"] or "",
                }
            case "quote":
                return {
                    "quote": value["quote"],
                    "attribution": value["attribution"] or "",
                }
            case "embed":
                return {"url": value.url if value else ""}
            case "product_card":
                return {
                    "product": self.embed(block.id, value["product"]),
                    "call_to_action": value["call_to_action"] or "",
                    "note": value["note"] or "",
                }
            case "product_grid":
                return {
                    "title": value["title"] or "",
                    "products": self.embeds(value["products"]),
                }
            case "comparison_table":
                return {
                    "caption": value["caption"] or "",
                    "products": self.embeds(value["products"]),
                    "rows": [
                        {"label": row["label"], "values": list(row["values"])}
                        for row in value["rows"]
                    ],
                }
            case "pros_cons":
                return {"pros": list(value["pros"]), "cons": list(value["cons"])}
        raise ValueError(f"No API shape for the block type {block.block_type!r}")

    def blocks(self, stream) -> list[dict]:
        return [
            {"type": block.block_type, "id": block.id, "value": self.block_value(block)}
            for block in stream
        ]


def article_detail(
    *, article: ArticlePage, links: dict, base_url: str, disclosure: str
) -> dict:
    """The whole article: every field of its type, the body as typed blocks (rich
    text as HTML with internal links as paths), and every product embed expanded in
    place with its offers and their tracked links (``links``: (placement, offer id)
    → /go/ path, as content.services.article_links_for_render gives them)."""
    article = article.specific
    expander = _Expander(article=article, links=links, base_url=base_url)
    detail = {
        **article_items(articles=[article], base_url=base_url)[0],
        "seo_title": article.seo_title,
        "search_description": article.search_description,
        "last_published_at": article.last_published_at,
        "disclosure": disclosure,
        "body": expander.blocks(article.body),
    }
    if isinstance(article, ReviewPage):
        detail |= {
            "product": expander.embed(REVIEWED_PRODUCT_PLACEMENT, article.product_id),
            "rating": str(article.rating),
            "verdict": article.verdict,
            "pros": [block.value for block in article.pros],
            "cons": [block.value for block in article.cons],
        }
    elif isinstance(article, GuidePage):
        detail |= {
            "intro": expand_db_html(article.intro),
            "picks": [
                {
                    "id": block.id,
                    "label": block.value["label"],
                    "reason": block.value["reason"],
                    "product": expander.embed(block.id, block.value["product"]),
                }
                for block in article.picks
            ],
            "show_comparison_table": article.show_comparison_table,
            "comparison_rows": [
                {"label": block.value["label"], "values": list(block.value["values"])}
                for block in article.comparison_rows
            ],
        }
    return detail


def article_embeds_by_placement(*, detail: dict) -> dict[str, dict]:
    """Every expanded product of an article_detail, by its placement."""
    products = [detail.get("product")]
    products += [pick["product"] for pick in detail.get("picks", [])]
    for block in detail["body"]:
        value = block["value"]
        products.append(value.get("product"))
        products.extend(value.get("products", []))
    return {product["placement"]: product for product in products if product}


def product_detail(
    *, product: Product, disclosures: AffiliateDisclosureSettings, base_url: str = ""
) -> dict:
    """A product with its offers, best prices, and the published articles that
    feature it, each with the tracked links it shows for the product and the
    disclosure to show before them, in the article's language. ``product``
    comes with its offers and tags (products.selectors.products_with_offers)."""
    links = (
        links_current()
        .filter(product=product, article_id__in=articles_live().values("pk"))
        .values_list("article_id", "placement", "offer_id", "code")
    )
    offers = {offer.pk: offer for offer in product.offers.all()}
    by_article: dict[int, list[dict]] = {}
    for article_id, placement, offer_id, code in links.order_by("placement", "pk"):
        if offer_id not in offers:
            continue  # its offer was deleted: the link leads nowhere
        by_article.setdefault(article_id, []).append(
            {
                "placement": placement,
                "offer_id": offer_id,
                **_offer_link(
                    offer=offers[offer_id],
                    offers=list(offers.values()),
                    url=f"{base_url}/go/{code}",
                ),
            }
        )
    articles = articles_live().filter(pk__in=by_article).select_related("author")
    return {
        **product_data(
            product=product, media=Media(ids=[product.image_id], base_url=base_url)
        ),
        "description": product.description,
        "tags": [tag.name for tag in product.tags.all()],
        "articles": [
            {
                **item,
                "disclosure": disclosures.text_for(language=item["locale"]),
                "links": by_article[item["id"]],
            }
            for item in article_items(articles=articles, base_url=base_url)
        ],
    }


def product_items(*, products: Iterable[Product], base_url: str = "") -> list[dict]:
    """Products as lists show them, with offers (no links: links belong to articles)."""
    products = list(products)
    media = Media(ids=[product.image_id for product in products], base_url=base_url)
    return [product_data(product=product, media=media) for product in products]


def creator_public(*, slug: str) -> CreatorProfile | None:
    """A creator's public profile by slug."""
    return CreatorProfile.objects.filter(slug=slug).first()


def creator_detail(
    *, creator: CreatorProfile, limit: int, offset: int, base_url: str = ""
) -> dict:
    """A creator's public profile with their published articles, newest first."""
    articles = articles_filter(author=creator.slug).select_related("author")
    return {
        **author_data(
            author=creator, media=Media(ids=[creator.avatar_id], base_url=base_url)
        ),
        "bio": creator.bio,
        "count": articles.count(),
        "articles": article_items(
            articles=articles[offset : offset + limit], base_url=base_url
        ),
    }


def article_kind(article: ArticlePage) -> str:
    """ "review" or "guide"."""
    for name, model in ARTICLE_TYPES.items():
        if issubclass(article.specific_class, model):
            return name
    return "article"


def tags_with_counts() -> QuerySet:
    """Tags of published articles with how many published articles carry each."""
    live = articles_live().values("pk")
    return (
        Tag.objects.filter(content_articletag_items__content_object__in=live)
        .annotate(articles=Count("content_articletag_items", distinct=True))
        .order_by("-articles", "name")
    )


# The reader site's reads (content.views, HomePage.get_context). Lists come with their
# hero images' renditions prefetched, so a page of cards costs the same few queries
# however many cards it shows.

READER_LATEST_COUNT = 12


def articles_for_listing(*, queryset: QuerySet[ArticlePage]) -> QuerySet[ArticlePage]:
    """``queryset`` with what an article card shows: author, hero image, renditions."""
    return queryset.select_related("author", "hero_image").prefetch_related(
        "hero_image__renditions"
    )


def _articles_in_order(*, pks: list[int]) -> list[ArticlePage]:
    """The published articles among ``pks``, in that order (drafts left out)."""
    found = articles_for_listing(queryset=articles_live()).in_bulk(pks)
    return [found[pk] for pk in pks if pk in found]


def home_featured_articles(*, home: Page) -> list[ArticlePage]:
    """The home page's featured articles that are published, in the editor's order."""
    pks = list(
        HomePageFeaturedArticle.objects.filter(page_id=home.pk)
        .order_by("sort_order")
        .values_list("article_id", flat=True)
    )
    return _articles_in_order(pks=pks)


@dataclass(frozen=True)
class CollectionSection:
    """A collection placed on the home page, with its published articles in order."""

    collection: ArticleCollection
    articles: list[ArticlePage]


def home_collections(
    *, home: Page, exclude: Iterable[int] = ()
) -> list[CollectionSection]:
    """The home page's collections in order, each with its published articles; empty
    collections are left out. Three queries (and renditions) whatever the counts.

    An article shows once on the home page: one in ``exclude`` (the featured ones)
    or in an earlier collection is left out of a later one."""
    placements = list(
        HomePageCollection.objects.filter(page_id=home.pk)
        .select_related("collection")
        .prefetch_related(
            Prefetch(
                "collection__items",
                queryset=ArticleCollectionItem.objects.order_by("sort_order"),
            )
        )
        .order_by("sort_order")
    )
    pks = [
        item.article_id
        for placement in placements
        for item in placement.collection.items.all()
    ]
    found = articles_for_listing(queryset=articles_live()).in_bulk(pks)
    shown = set(exclude)
    sections = []
    for placement in placements:
        articles = []
        for item in placement.collection.items.all():
            if item.article_id in found and item.article_id not in shown:
                shown.add(item.article_id)
                articles.append(found[item.article_id])
        if articles:
            sections.append(CollectionSection(placement.collection, articles))
    return sections


def articles_latest(
    *, limit: int = READER_LATEST_COUNT, exclude: Iterable[int] = ()
) -> list[ArticlePage]:
    """The newest published articles, but for those in ``exclude``."""
    queryset = articles_for_listing(queryset=articles_live())
    exclude = list(exclude)
    if exclude:
        queryset = queryset.exclude(pk__in=exclude)
    return list(queryset[:limit])


@dataclass(frozen=True)
class HomeSections:
    """What the home page lists: featured articles, collections, the latest."""

    featured: list[ArticlePage]
    collections: list[CollectionSection]
    latest: list[ArticlePage]


def home_sections(*, home: Page, latest: int = READER_LATEST_COUNT) -> HomeSections:
    """The home page's lists, each article once: featured beats a collection (an
    earlier collection beats a later one) beats the latest, which fills up to
    ``latest`` articles with the newest not shown above."""
    featured = home_featured_articles(home=home)
    shown = [article.pk for article in featured]
    collections = home_collections(home=home, exclude=shown)
    shown += [article.pk for section in collections for article in section.articles]
    latest_articles = articles_latest(limit=latest, exclude=shown)
    # Card details for every card of the page at once.
    articles_with_card_details(
        articles=[
            *featured,
            *(article for section in collections for article in section.articles),
            *latest_articles,
        ]
    )
    return HomeSections(
        featured=featured, collections=collections, latest=latest_articles
    )


def tag_for_reader(*, slug: str) -> Tag | None:
    """The tag with this slug if a published article carries it (else None, so that
    tags of drafts stay unseen)."""
    return (
        Tag.objects.filter(
            slug=slug,
            content_articletag_items__content_object__in=articles_live().values("pk"),
        )
        .distinct()
        .first()
    )


def creator_for_reader(*, slug: str) -> CreatorProfile | None:
    """The public profile of an active creator, with the avatar's renditions."""
    return (
        CreatorProfile.objects.filter(slug=slug, user__is_active=True)
        .select_related("avatar")
        .prefetch_related("avatar__renditions")
        .first()
    )


def sitemap_tags() -> QuerySet[Tag]:
    """Tags that published articles carry, for the sitemap."""
    return (
        Tag.objects.filter(
            content_articletag_items__content_object__in=articles_live().values("pk")
        )
        .distinct()
        .order_by("slug")
    )


def sitemap_creators() -> QuerySet[CreatorProfile]:
    """Active creators with a published article, for the sitemap."""
    return CreatorProfile.objects.filter(
        user__is_active=True,
        pk__in=articles_live().order_by().values("author_id"),
    ).order_by("slug")


def sitemap_products() -> QuerySet[Product]:
    """Products that published articles feature (by their current tracked links, as
    articles_filter(product=…) finds them), for the sitemap."""
    featured = (
        links_current()
        .filter(article_id__in=articles_live().order_by().values("pk"))
        .values("product_id")
    )
    return Product.objects.filter(pk__in=featured).order_by("slug")


def articles_section(*, home: Page) -> Page | None:
    """The published articles section under the home page (for “All articles”)."""
    return home.get_children().live().type(ArticleIndexPage).first()


def articles_featuring_product(*, product_id: int) -> QuerySet[ArticlePage]:
    """Published articles that review the product or embed it (through a current,
    billable tracked link: links are made for each offer when an article is
    published, so an embed of a product without offers is not found here)."""
    linked = links_current().filter(product_id=product_id).values("article_id")
    return (
        ArticlePage.objects.live()
        .filter(Q(pk__in=linked) | Q(reviewpage__product_id=product_id))
        .order_by("pk")
    )


# -- The reader site's navigation and index pages -------------------------------------
#
# Only what published articles lead to: a tag, product or creator that only drafts
# carry stays unseen, as on the sitemap.

NAV_TAG_COUNT = 8


@dataclass(frozen=True)
class ReaderNavigation:
    """The header's navigation: the articles section (its categories are the article
    types, ``?type=review`` and ``?type=guide``) and the most used tags."""

    section: Page | None
    tags: list[Tag]


def reader_navigation(*, tag_count: int = NAV_TAG_COUNT) -> ReaderNavigation:
    """What the header links to (two queries)."""
    return ReaderNavigation(
        section=ArticleIndexPage.objects.live().public().order_by("path").first(),
        tags=list(tags_with_counts()[:tag_count]),
    )


def products_for_reader(*, q: str = "") -> QuerySet[Product]:
    """Products that published articles feature (sitemap_products), by title, with
    their offers, merchants, tags and image renditions (four queries whatever the
    count); with ``q``, a full-text search of them (Chinese or English)."""
    return (
        products_filter(q=q)
        .filter(pk__in=sitemap_products().values("pk"))
        .prefetch_related("image__renditions")
    )


@dataclass(frozen=True)
class ProductCard:
    """A product as the reader site's lists show it."""

    product: Product
    best: dict | None  # best_prices' first: price, currency, offer_id
    merchants_in_stock: int


def product_cards(*, products: Iterable[Product], language: str) -> list[ProductCard]:
    """Each product with its best in-stock price in the market currency of
    ``language`` (else another currency) and how many merchants have it in stock."""
    currency_first = market_currency(language=language)
    cards = []
    for product in products:
        offers = product_offers(product=product, currency_first=currency_first)
        best = best_prices(offers=offers, currency_first=currency_first)
        cards.append(
            ProductCard(
                product=product,
                best=best[0] if best else None,
                merchants_in_stock=len(
                    {
                        offer.merchant_id
                        for offer in offers
                        if offer.availability == Availability.IN_STOCK
                    }
                ),
            )
        )
    return cards


def creators_for_reader() -> QuerySet[CreatorProfile]:
    """Active creators with a published article, most published first, each with
    ``published_count`` and the avatar's renditions (two queries)."""
    live = articles_live().order_by().values("pk")
    return (
        CreatorProfile.objects.filter(user__is_active=True, articles__in=live)
        .annotate(published_count=Count("articles", distinct=True))
        .select_related("avatar")
        .prefetch_related("avatar__renditions")
        .order_by("-published_count", "public_name", "pk")
    )


# -- What an article card shows beyond its article: rating and best price --------------


def _card_ratings_and_products(
    *, articles: list[ArticlePage]
) -> tuple[dict[int, Decimal], dict[int, int]]:
    """Article pk → a review's rating; article pk → the product its card prices (a
    review's product, a guide's top pick). Two queries, whatever the count."""
    pks = [article.pk for article in articles]
    ratings: dict[int, Decimal] = {}
    found: dict[int, int] = {}
    for pk, rating, product_id in ReviewPage.objects.filter(pk__in=pks).values_list(
        "pk", "rating", "product_id"
    ):
        ratings[pk] = rating
        if product_id:
            found[pk] = product_id
    for guide in GuidePage.objects.filter(pk__in=pks).only("pk", "picks"):
        for pick in guide.picks.raw_data:
            product_id = (pick.get("value") or {}).get("product")
            if product_id:
                found[guide.pk] = product_id
                break
    return ratings, found


def articles_with_card_details(*, articles: Iterable[ArticlePage]) -> list[ArticlePage]:
    """``articles`` (as a list) with what their cards show besides the article:
    ``card_rating`` (a review's rating out of 10, else None) and ``card_price``
    (the best price in stock of the product the article is about, in the market
    currency of the article's language first: ``{"price", "currency"}``, else None).
    Four queries whatever the count."""
    articles = list(articles)
    if not articles:
        return articles
    ratings, product_ids = _card_ratings_and_products(articles=articles)
    products = {
        product.pk: product
        for product in Product.objects.filter(
            pk__in=set(product_ids.values())
        ).prefetch_related(
            Prefetch("offers", queryset=Offer.objects.select_related("merchant"))
        )
    }
    for article in articles:
        article.card_rating = ratings.get(article.pk)
        article.card_price = None
        product = products.get(product_ids.get(article.pk))
        if product is not None:
            currency_first = market_currency(language=article.language)
            best = best_prices(
                offers=product_offers(product=product, currency_first=currency_first),
                currency_first=currency_first,
            )
            if best:
                article.card_price = best[0]
    return articles


# -- The end of an article: related articles ----------------------------------------

RELATED_COUNT = 3


def articles_related(
    *, article: ArticlePage, limit: int = RELATED_COUNT
) -> list[ArticlePage]:
    """Published articles that share tags or products with ``article`` (itself left
    out): a shared product counts twice a shared tag; ties go to the newest. Works on
    a preview's unsaved article too (its tags and embeds as they stand); with card
    details (articles_with_card_details)."""
    tag_ids = [tag.pk for tag in article.tags.all() if tag.pk]
    product_ids = {
        embed.product_id for embed in article_product_embeds(article=article)
    }
    live = articles_live().exclude(pk=article.pk).order_by().values("pk")
    scores: dict[int, int] = {}
    if tag_ids:
        for pk in ArticleTag.objects.filter(
            tag_id__in=tag_ids, content_object_id__in=live
        ).values_list("content_object_id", flat=True):
            scores[pk] = scores.get(pk, 0) + 1
    if product_ids:
        shared = (
            links_current()
            .filter(product_id__in=product_ids, article_id__in=live)
            .values_list("article_id", "product_id")
            .distinct()
        )
        for pk, _product_id in shared:
            scores[pk] = scores.get(pk, 0) + 2
    if not scores:
        return []
    published = dict(
        ArticlePage.objects.filter(pk__in=scores).values_list(
            "pk", "first_published_at"
        )
    )
    ranked = sorted(
        published,
        key=lambda pk: (
            -scores[pk],
            -(published[pk].timestamp() if published[pk] else 0),
            -pk,
        ),
    )
    return articles_with_card_details(articles=_articles_in_order(pks=ranked[:limit]))


def articles_feed(*, limit: int, tag: str = "", author: str = "") -> list[ArticlePage]:
    """The newest ``limit`` published articles (of a tag's slug, of an author's slug)
    with their authors and tags, for the feeds (three queries)."""
    return list(
        articles_filter(tag=tag, author=author)
        .select_related("author")
        .prefetch_related("tags")[:limit]
    )


@dataclass(frozen=True)
class ArticleKindToAdd:
    """One kind of article a user may start, and where: the admin's add page."""

    key: str  # "review", "guide"
    label: str
    description: str
    parent: ArticleIndexPage
    add_url: str


def article_kinds_to_add(
    *, user: AbstractBaseUser | AnonymousUser
) -> list[ArticleKindToAdd]:
    """The kinds of article ``user`` may start, each under the first articles
    section where Wagtail lets them add it (the checks of Wagtail's own add page),
    reviews first. Empty for someone who may write none."""
    from django.urls import reverse

    if not user.is_authenticated:
        return []
    kinds: dict[str, ArticleKindToAdd] = {}
    for parent in ArticleIndexPage.objects.order_by("path"):
        if not parent.permissions_for_user(user).can_add_subpage():
            continue
        for model in ArticleIndexPage.creatable_subpage_models():
            key = article_kind_key(model)
            if key in kinds or not model.can_create_at(parent):
                continue
            kinds[key] = ArticleKindToAdd(
                key=key,
                label=str(model._meta.verbose_name),
                description=str(model.get_page_description() or ""),
                parent=parent,
                add_url=reverse(
                    "wagtailadmin_pages:add",
                    args=(model._meta.app_label, model._meta.model_name, parent.pk),
                ),
            )
    order = {"review": 0, "guide": 1}
    return sorted(kinds.values(), key=lambda kind: order.get(kind.key, 9))


def article_kind_key(model: type[Page]) -> str:
    """ "review" for ReviewPage, "guide" for GuidePage: the kind's name in URLs."""
    return {ReviewPage: "review", GuidePage: "guide"}.get(model, model._meta.model_name)
