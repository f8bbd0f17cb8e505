"""Reads of articles: their product embeds (placements), listings."""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, QuerySet
from taggit.models import Tag
from wagtail.models import PageQuerySet

from affiliates.models import TrackedLink
from affiliates.selectors import user_is_editor
from products.searchterms import search_query

from .models import ArticlePage, GuidePage, ReviewPage

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


def articles_featuring_product(*, product_id: int) -> QuerySet[ArticlePage]:
    """Published articles that review the product or embed it (through a current,
    billable tracked link: links are made for each offer when an article is
    published, so an embed of a product without offers is not found here)."""
    linked = TrackedLink.objects.filter(
        product_id=product_id, is_preview=False, retired_at__isnull=True
    ).values("article_id")
    return (
        ArticlePage.objects.live()
        .filter(Q(pk__in=linked) | Q(reviewpage__product_id=product_id))
        .order_by("pk")
    )
