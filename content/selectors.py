"""Reads of articles: their product embeds (placements), listings, and whole
articles, products and creators as the API and the reader site show them."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    Case,
    Count,
    Q,
    QuerySet,
    Value,
    When,
    prefetch_related_objects,
)
from taggit.models import Tag
from wagtail.models import Page, PageQuerySet, get_page_models
from wagtail.rich_text import expand_db_html

from affiliates.models import CreatorProfile
from affiliates.roles import user_is_editor
from affiliates.tracking.selectors import links_current
from content.catalog import (
    BODY_IMAGE_RENDITIONS,
    HERO_RENDITIONS,
    SPONSORED_REL,
    Media,
    author_data,
    offer_best,
    offer_link,
    offer_prices_read,
    product_data,
    products_by_id,
)
from content.models import (
    AffiliateDisclosureSettings,
    ArticleChoice,
    ArticlePage,
    GuidePage,
    ReviewPage,
)
from products.models import Offer, Product
from products.money import market_currency

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
    names pages narrows to this (content.admin.permissions, content.admin.pages).
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
        # The offers' lowest prices, and their prices when the article was first
        # published ("price when written"): none yet for an unpublished draft.
        self.prices = offer_prices_read(
            offer_ids=[
                offer.pk
                for product in self.products.values()
                for offer in product.offers.all()
            ],
            written_at=article.first_published_at,
        )
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
                prices=self.prices,
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
                **offer_link(
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


# The reader site's reads (content.reader.views, HomePage.get_context). Lists come with their
# hero images' renditions prefetched, so a page of cards costs the same few queries
# however many cards it shows.


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
