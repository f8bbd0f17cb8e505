"""Reads of the reader site: the home page's sections, listings and their cards,
navigation, related articles, feeds and sitemaps (the article and catalog reads it
shares with the API are content.selectors and content.catalog)."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Count,
    Prefetch,
    QuerySet,
)
from django.utils import timezone
from taggit.models import Tag
from wagtail.models import Page

from affiliates.models import CreatorProfile
from affiliates.tracking.selectors import (
    links_current,
)
from content.catalog import (
    best_prices,
)
from content.models import (
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
from content.reader.pricechart import PriceChart, price_chart
from content.selectors import (
    article_product_embeds,
    articles_filter,
    articles_live,
    tags_with_counts,
)
from products.models import Availability, Offer, Product
from products.money import market_currency
from products.selectors import (
    offers_lowest_prices,
    offers_price_histories,
    product_offers,
    products_filter,
)

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


# -- A product page's price history ---------------------------------------------------

PRICE_HISTORY_DAYS = (90, 365)


@dataclass(frozen=True)
class OfferPriceHistory:
    """An offer as the product page's price history shows it: its lowest prices of
    the last 30, 90 and 365 days (products.selectors.offers_lowest_prices), the
    chart of the period shown, and whether its price now is the lowest of the year
    (in stock, no lower in 365 days, and higher at some time of the period shown)."""

    offer: Offer
    lowest: dict[int, Decimal | None]
    chart: PriceChart | None
    lowest_of_year: bool
    since: datetime.datetime


def offers_price_history_for_reader(
    *, offers: list[Offer], days: int, now: datetime.datetime | None = None
) -> list[OfferPriceHistory]:
    """``offers`` (in their order) with their price history of the last ``days``
    days and their lowest prices: two queries whatever the number of offers."""
    now = now or timezone.now()
    since = now - datetime.timedelta(days=days)
    offer_ids = [offer.pk for offer in offers]
    histories = offers_price_histories(offer_ids=offer_ids, since=since)
    lowest = offers_lowest_prices(offer_ids=offer_ids, now=now)
    shown = []
    for offer in offers:
        offer_lowest = lowest.get(offer.pk, {})
        year_low = offer_lowest.get(365)
        shown.append(
            OfferPriceHistory(
                offer=offer,
                lowest=offer_lowest,
                chart=price_chart(
                    rows=histories.get(offer.pk, []), since=since, now=now
                ),
                lowest_of_year=(
                    offer.availability == Availability.IN_STOCK
                    and year_low is not None
                    and offer.price <= year_low
                    # Only after a drop: a price that never changed is no news.
                    and any(
                        row.price > offer.price for row in histories.get(offer.pk, [])
                    )
                ),
                since=since,
            )
        )
    return shown


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
