"""Reads of articles: their product embeds (placements), listings."""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Prefetch, Q, QuerySet
from taggit.models import Tag
from wagtail.models import Page, PageQuerySet

from affiliates.models import CreatorProfile, TrackedLink
from affiliates.selectors import user_is_editor
from products.models import Product
from products.searchterms import search_query

from .models import (
    ArticleCollection,
    ArticleCollectionItem,
    ArticleIndexPage,
    ArticlePage,
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
    in a run of Chinese text, model numbers however they are written (products.searchterms)."""
    return articles_live().order_by().search(search_query(query), operator="and")


def articles_for_admin_listing(
    *, pages: PageQuerySet, user: AbstractBaseUser
) -> PageQuerySet:
    """What the admin's page explorer lists: a creator sees only their own articles."""
    if user_is_editor(user=user):
        return pages
    article_types = ContentType.objects.get_for_models(
        ArticlePage, ReviewPage, GuidePage, for_concrete_models=False
    ).values()
    return pages.exclude(Q(content_type__in=article_types) & ~Q(owner=user))


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
    ``q``, the best SEARCH_RESULTS_LIMIT matches of a full-text search."""
    queryset = articles_live()
    if type:
        queryset = queryset.type(ARTICLE_TYPES[type])
    if tag:
        queryset = queryset.filter(tags__slug=tag)
    if author:
        queryset = queryset.filter(author__slug=author)
    if product:
        queryset = queryset.filter(
            pk__in=TrackedLink.objects.filter(
                product__slug=product, is_preview=False, retired_at__isnull=True
            ).values("article_id")
        )
    if locale:
        queryset = queryset.filter(language=locale)
    if q:
        matches = articles_search(query=q)[:SEARCH_RESULTS_LIMIT]
        queryset = queryset.filter(pk__in=[page.pk for page in matches])
    return queryset.distinct()


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


def home_collections(*, home: Page) -> list[CollectionSection]:
    """The home page's collections in order, each with its published articles; empty
    collections are left out. Three queries (and renditions) whatever the counts."""
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
    sections = []
    for placement in placements:
        articles = [
            found[item.article_id]
            for item in placement.collection.items.all()
            if item.article_id in found
        ]
        if articles:
            sections.append(CollectionSection(placement.collection, articles))
    return sections


def articles_latest(*, limit: int = READER_LATEST_COUNT) -> list[ArticlePage]:
    """The newest published articles."""
    return list(articles_for_listing(queryset=articles_live())[:limit])


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
    featured = TrackedLink.objects.filter(
        is_preview=False,
        retired_at__isnull=True,
        article_id__in=articles_live().order_by().values("pk"),
    ).values("product_id")
    return Product.objects.filter(pk__in=featured).order_by("slug")


def articles_section(*, home: Page) -> Page | None:
    """The published articles section under the home page (for “All articles”)."""
    return home.get_children().live().type(ArticleIndexPage).first()
