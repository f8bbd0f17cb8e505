"""The reader site's pages: home, tags, creators, products, search."""

import re
from decimal import Decimal

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from content.models import (
    ArticleCollection,
    ArticleCollectionItem,
    ArticlePage,
    HomePageCollection,
    HomePageFeaturedArticle,
)
from content.reader.views import ARTICLES_PER_PAGE
from products.models import Availability
from tests.conftest import guide_create
from tests.content.reader_pages import article_add, image_create
from tests.factories import CreatorProfileFactory, MerchantFactory, OfferFactory

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def text(response) -> str:
    return response.content.decode()


def titles(html: str) -> list[str]:
    """Card titles in page order."""
    return re.findall(r'class="card-title"><a href="[^"]+">([^<]+)</a>', html)


# Home


def test_home_shows_featured_collections_and_latest_published_articles(
    client, home, articles, creator, product
):
    first = article_add(parent=articles, author=creator, product=product, title="One")
    second = article_add(parent=articles, author=creator, product=product, title="Two")
    draft = article_add(
        parent=articles, author=creator, product=product, title="Draft", publish=False
    )
    for sort_order, article in enumerate([second, draft, first]):
        HomePageFeaturedArticle.objects.create(
            page=home, article=article, sort_order=sort_order
        )
    third = article_add(parent=articles, author=creator, product=product, title="Three")
    collection = ArticleCollection.objects.create(name="Gifts under 200", slug="gifts")
    ArticleCollectionItem.objects.create(collection=collection, article=first)
    ArticleCollectionItem.objects.create(collection=collection, article=third)
    HomePageCollection.objects.create(page=home, collection=collection)
    empty = ArticleCollection.objects.create(name="Only drafts", slug="drafts")
    ArticleCollectionItem.objects.create(collection=empty, article=draft)
    HomePageCollection.objects.create(page=home, collection=empty, sort_order=1)

    html = text(client.get("/"))

    featured = html[html.index('id="featured-heading"') : html.index("Gifts under 200")]
    assert titles(featured) == ["Two", "One"]  # the editor's order, no draft
    gifts = html[html.index("Gifts under 200") : html.index('class="more"')]
    assert titles(gifts) == ["Three"]  # "One" is featured already
    assert "Only drafts" not in html  # a collection with nothing published
    # Every published article is shown above: no "Latest" with nothing new.
    assert 'id="latest-heading"' not in html
    assert "Draft" not in html
    assert 'href="/articles/"' in html


def test_home_shows_each_article_once(client, home, articles, creator, product):
    """Featured beats a collection, an earlier collection a later one, and both beat
    the latest, which fills up with articles not shown above."""
    pages = {
        title: article_add(
            parent=articles, author=creator, product=product, title=title
        )
        for title in ["Old", "Featured", "Collected", "Twice collected", "New"]
    }
    HomePageFeaturedArticle.objects.create(page=home, article=pages["Featured"])
    first = ArticleCollection.objects.create(name="First shelf", slug="first")
    second = ArticleCollection.objects.create(name="Second shelf", slug="second")
    for collection, members in [
        (first, ["Featured", "Collected", "Twice collected"]),
        (second, ["Twice collected", "Featured"]),
    ]:
        for sort_order, title in enumerate(members):
            ArticleCollectionItem.objects.create(
                collection=collection, article=pages[title], sort_order=sort_order
            )
    HomePageCollection.objects.create(page=home, collection=first, sort_order=0)
    HomePageCollection.objects.create(page=home, collection=second, sort_order=1)

    html = text(client.get("/"))

    every = titles(html)
    assert sorted(every) == sorted(pages)  # each published article, once
    featured = html[html.index('id="featured-heading"') : html.index("First shelf")]
    assert titles(featured) == ["Featured"]
    shelf = html[html.index("First shelf") : html.index('id="latest-heading"')]
    assert titles(shelf) == ["Collected", "Twice collected"]
    assert "Second shelf" not in html  # everything in it is shown above
    assert titles(html[html.index('id="latest-heading"') :]) == ["New", "Old"]


def test_a_card_without_a_hero_image_shows_a_drawn_placeholder(
    client, articles, creator, product
):
    page = article_add(
        parent=articles, author=creator, product=product, title="No picture"
    )
    page.hero_image = None
    page.save_revision().publish()
    article_add(parent=articles, author=creator, product=product, title="Picture")

    html = text(client.get("/"))

    cards = re.findall(r'<article class="card".*?</article>', html, flags=re.S)
    assert len(cards) == 2
    without = next(card for card in cards if "No picture" in card)
    with_picture = next(card for card in cards if ">Picture<" in card)
    assert "<img" not in without
    assert 'class="card-image card-placeholder card-tone-' in without
    assert "<svg" in without and "测评" in without  # its kind, in its language
    assert "<img" in with_picture and "card-placeholder" not in with_picture


def test_home_without_articles(client, home):
    response = client.get("/")
    assert response.status_code == 200
    assert "No articles yet." in text(response)


# Tags


def test_tag_page_lists_the_published_articles_with_the_tag(
    client, articles, creator, product
):
    article_add(
        parent=articles, author=creator, product=product, title="Tagged", tags=["耳机"]
    )
    article_add(parent=articles, author=creator, product=product, title="Untagged")
    article_add(
        parent=articles,
        author=creator,
        product=product,
        title="Tagged draft",
        tags=["耳机"],
        publish=False,
    )
    response = client.get(reverse("reader:tag", args=["耳机"]))
    assert response.status_code == 200
    html = text(response)
    assert titles(html) == ["Tagged"]
    assert "<h1>耳机</h1>" in html
    assert "1 article" in html


def test_tag_pages_answer_404_for_unknown_tags_and_tags_of_drafts_only(
    client, articles, creator, product
):
    article_add(
        parent=articles,
        author=creator,
        product=product,
        title="Secret",
        tags=["unreleased"],
        publish=False,
    )
    assert client.get("/tags/no-such-tag/").status_code == 404
    assert client.get("/tags/unreleased/").status_code == 404


def test_article_links_its_tags_and_author(client, articles, creator, product):
    page = article_add(
        parent=articles, author=creator, product=product, title="Linked", tags=["降噪"]
    )
    html = text(client.get(page.url))
    assert f'href="{reverse("reader:tag", args=["降噪"])}"' in html
    assert f'href="{reverse("reader:creator", args=[creator.slug])}"' in html
    assert f'href="{reverse("reader:product", args=[product.slug])}"' in html


# Creators


def test_creator_page_shows_the_profile_and_published_articles(
    client, articles, creator, other_creator, product
):
    creator.bio = "Tries every gadget twice."
    creator.avatar = image_create("Lulu")
    creator.save()
    article_add(parent=articles, author=creator, product=product, title="Mine")
    article_add(
        parent=articles, author=creator, product=product, title="Draft", publish=False
    )
    article_add(parent=articles, author=other_creator, product=product, title="Theirs")

    response = client.get(reverse("reader:creator", args=["lulu"]))

    assert response.status_code == 200
    html = text(response)
    assert "<h1>Lulu</h1>" in html
    assert "Tries every gadget twice." in html
    assert 'class="avatar"' in html and "srcset=" in html
    assert titles(html) == ["Mine"]


def test_creator_page_answers_404_for_unknown_and_inactive_creators(client, creator):
    assert client.get("/creators/nobody/").status_code == 404
    creator.user.is_active = False
    creator.user.save()
    assert client.get("/creators/lulu/").status_code == 404


def test_creator_without_articles(client, creator):
    response = client.get("/creators/lulu/")
    assert response.status_code == 200
    assert "No published articles yet." in text(response)


# Products


def test_product_page_shows_offers_and_the_articles_that_feature_it(
    client, articles, creator, product
):
    product.image = image_create("Product")
    product.description = "A kettle that pours slowly."
    product.save()
    OfferFactory(
        product=product,
        merchant=MerchantFactory(name="Mingyue Home"),
        price=Decimal("1299.00"),
        currency="CNY",
        availability=Availability.OUT_OF_STOCK,
    )
    featuring = article_add(
        parent=articles, author=creator, product=product, title="Kettle review"
    )
    article_add(
        parent=articles,
        author=creator,
        product=OfferFactory().product,
        title="Something else",
    )
    article_add(
        parent=articles,
        author=creator,
        product=product,
        title="Kettle draft",
        publish=False,
    )

    response = client.get(reverse("reader:product", args=[product.slug]))

    assert response.status_code == 200
    html = text(response)
    assert product.title in html and "A kettle that pours slowly." in html
    table = html[html.index('class="offer-table"') : html.index("</table>")]
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]
    # in stock first, then by price
    assert "CN¥199" in rows[0] and "In stock" in rows[0]
    assert "Mingyue Home" in rows[1] and "CN¥1,299" in rows[1]
    assert "Out of stock" in rows[1]
    assert titles(html) == [featuring.title]
    assert 'class="product-image"' in html and 'fetchpriority="high"' in html


def test_product_page_answers_404_for_unknown_products(client):
    assert client.get("/products/no-such-product/").status_code == 404


def test_chinese_slugs_are_routable(client, articles, creator):
    product = OfferFactory(product__slug="降噪耳机", product__title="降噪耳机").product
    article_add(parent=articles, author=creator, product=product, title="评测")
    response = client.get(reverse("reader:product", args=["降噪耳机"]))
    assert response.status_code == 200
    assert titles(text(response)) == ["评测"]


# Search


@pytest.fixture
def searchable(articles, creator, product):
    chinese = article_add(
        parent=articles,
        author=creator,
        product=product,
        title="索纳里 WH-7 降噪耳机评测",
        language="zh-hans",
    )
    english = article_add(
        parent=articles,
        author=creator,
        product=product,
        title="The best pour-over kettle",
        language="en",
    )
    article_add(
        parent=articles,
        author=creator,
        product=product,
        title="耳机 draft",
        publish=False,
    )
    return chinese, english


@pytest.mark.parametrize(
    ("query", "expected"),
    [("耳机", ["索纳里 WH-7 降噪耳机评测"]), ("kettle", ["The best pour-over kettle"])],
)
def test_search_finds_published_articles(client, searchable, query, expected):
    response = client.get(reverse("reader:search"), {"q": query})
    assert response.status_code == 200
    html = text(response)
    assert titles(html) == expected
    assert '<meta name="robots" content="noindex, follow">' in html
    assert f'value="{query}"' in html


def test_search_without_a_query_shows_the_form_only(client, searchable):
    html = text(client.get(reverse("reader:search")))
    assert 'id="search-q"' in html
    assert titles(html) == []


def test_search_with_no_match(client, searchable):
    html = text(client.get(reverse("reader:search"), {"q": "zzzzqqq"}))
    assert "0 results" in html and "Nothing matches" in html


def test_search_refuses_an_overlong_query_with_a_form_error(client, searchable):
    response = client.get(reverse("reader:search"), {"q": "x" * 201})
    assert response.status_code == 400
    html = text(response)
    assert 'id="search-q-error"' in html and "at most 200 characters" in html
    assert titles(html) == []


def test_reader_pages_refuse_posts(client, creator):
    assert client.post("/creators/lulu/").status_code == 405


# Pagination


def test_lists_are_paginated_newest_first(client, articles, creator, product):
    for number in range(ARTICLES_PER_PAGE + 2):
        article_add(
            parent=articles,
            author=creator,
            product=product,
            title=f"Article {number:02d}",
            tags=["many"],
        )
    url = reverse("reader:tag", args=["many"])
    first = text(client.get(url))
    second = text(client.get(url, {"page": 2}))
    assert len(titles(first)) == ARTICLES_PER_PAGE
    assert titles(second) == ["Article 01", "Article 00"]
    assert titles(first)[0] == f"Article {ARTICLES_PER_PAGE + 1:02d}"
    assert 'href="?page=2"' in first and 'rel="next"' in first
    assert 'rel="prev"' in second
    assert "Page 2 of 2" in second
    # a malformed or past-the-end page number gives the nearest real page
    assert titles(text(client.get(url, {"page": "x"}))) == titles(first)
    assert titles(text(client.get(url, {"page": 99}))) == titles(second)


# Query counts do not grow with the number of articles listed


def _queries(client, url) -> int:
    client.get(url)  # renditions are made on the first view
    for cache in caches.all():  # rendition lookups must not hide behind the cache
        cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_query_counts_do_not_grow_with_the_list(client, home, articles, creator):
    collection = ArticleCollection.objects.create(name="Picks", slug="picks")
    HomePageCollection.objects.create(page=home, collection=collection)
    product = OfferFactory(product__title="Gadget", product__slug="gadget").product
    urls = [
        "/",
        "/articles/",
        "/articles/?type=review",
        reverse("reader:tag", args=["shared"]),
        reverse("reader:creator", args=[creator.slug]),
        reverse("reader:product", args=[product.slug]),
        reverse("reader:search") + "?q=gadget",
        reverse("reader:products"),
        reverse("reader:creators"),
        reverse("reader:tags"),
    ]

    def add(count):
        for _ in range(count):
            number = ArticlePage.objects.count()
            page = article_add(
                parent=articles,
                author=creator,
                product=product,
                title=f"Gadget {number}",
                tags=["shared", f"own-{number}"],
            )
            HomePageFeaturedArticle.objects.create(page=home, article=page)
            ArticleCollectionItem.objects.create(collection=collection, article=page)
            # And one by a creator of their own about a product of its own (with
            # two merchants' offers), so that the index pages grow too.
            other = OfferFactory(
                product__title=f"Gadget extra {number}",
                product__image=image_create(f"Gadget extra {number}"),
            ).product
            OfferFactory(product=other, merchant=MerchantFactory())
            article_add(
                parent=articles,
                author=CreatorProfileFactory(
                    public_name=f"Author {number}",
                    avatar=image_create(f"Author {number}"),
                ),
                product=other,
                title=f"Extra {number}",
                tags=["shared", f"extra-{number}"],
            )

    add(2)
    few = {url: _queries(client, url) for url in urls}
    add(5)
    many = {url: _queries(client, url) for url in urls}
    assert many == few
    # The header's navigation costs two of these on every page, the cards' ratings
    # and prices four on a page of cards.
    assert all(count <= 26 for count in few.values()), few


def test_guide_page_renders(client, articles, creator, product):
    page = guide_create(parent=articles, author=creator, products=[product])
    response = client.get(page.url)
    assert response.status_code == 200
    assert 'lang="zh-hans"' in text(response)


# Navigation and index pages: only what published articles lead to


@pytest.fixture
def published_and_draft(articles, creator, other_creator, product):
    """A published review of ``product`` by Lulu (tagged 耳机), and a draft by Ann
    of another product, tagged with a tag only the draft carries."""
    published = article_add(
        parent=articles,
        author=creator,
        product=product,
        title="Published review",
        tags=["耳机"],
    )
    secret = OfferFactory(
        product__title="Unreleased gadget", product__slug="unreleased"
    ).product
    draft = article_add(
        parent=articles,
        author=other_creator,
        product=secret,
        title="Secret draft",
        tags=["unreleased-tag"],
        publish=False,
    )
    return published, draft


def test_header_links_categories_index_pages_and_popular_tags(
    client, published_and_draft
):
    html = text(client.get("/"))
    nav = html[html.index('<nav class="site-nav"') : html.index("</nav>")]
    assert 'href="/articles/?type=review"' in nav
    assert 'href="/articles/?type=guide"' in nav
    for url in ["/products/", "/creators/", "/tags/"]:
        assert f'href="{url}"' in nav
    assert 'href="/tags/%E8%80%B3%E6%9C%BA/"' in nav  # 耳机
    assert "unreleased" not in nav


def test_a_category_lists_articles_of_its_type(client, articles, creator, product):
    article_add(parent=articles, author=creator, product=product, title="A review")
    guide_create(parent=articles, author=creator, products=[product], title="A guide")

    reviews = text(client.get("/articles/", {"type": "review"}))
    guides = text(client.get("/articles/", {"type": "guide"}))
    every = text(client.get("/articles/", {"type": "nonsense"}))

    assert titles(reviews) == ["A review"] and "<h1>Reviews</h1>" in reviews
    assert 'aria-current="page">Reviews' in reviews
    assert titles(guides) == ["A guide"] and "<h1>Buying guides</h1>" in guides
    assert sorted(titles(every)) == ["A guide", "A review"]
    assert 'rel="canonical" href="http://testserver/articles/?type=review"' in reviews


def test_product_index_lists_products_of_published_articles_with_best_price(
    client, published_and_draft, product
):
    product.offers.update(price=Decimal("1299.00"))
    OfferFactory(
        product=product, price=Decimal("999.00"), availability=Availability.OUT_OF_STOCK
    )
    response = client.get(reverse("reader:products"))
    assert response.status_code == 200
    html = text(response)
    assert f'href="{reverse("reader:product", args=[product.slug])}"' in html
    # The cheapest offer in stock, as products/money.py writes it in English.
    assert '<span class="price">CN¥1,299</span>' in html
    assert "999" not in html
    assert "Unreleased gadget" not in html  # only a draft features it
    assert "1 product in our reviews and guides" in html


def test_creator_index_lists_creators_who_published_with_their_counts(
    client, published_and_draft, creator, other_creator
):
    html = text(client.get(reverse("reader:creators")))
    assert 'href="/creators/lulu/">Lulu</a>' in html
    assert "1 article" in html
    assert other_creator.public_name not in html  # Ann has only a draft
    assert "kol1" not in html  # public names, never usernames


def test_tag_index_lists_tags_of_published_articles(client, published_and_draft):
    html = text(client.get(reverse("reader:tags")))
    assert '>耳机 <span class="tag-count">1 article</span></a>' in html
    assert "unreleased-tag" not in html


def test_search_finds_products_beside_articles(client, published_and_draft, product):
    product.title = "降噪耳机 WH-7"
    product.save()
    published, _draft = published_and_draft
    published.title = "WH-7 耳机评测"
    published.save_revision().publish()
    html = text(client.get(reverse("reader:search"), {"q": "耳机"}))
    products = html[
        html.index('id="search-products"') : html.index('id="search-articles"')
    ]
    assert "降噪耳机 WH-7" in products
    assert titles(html) == ["WH-7 耳机评测"]

    draft_only = text(client.get(reverse("reader:search"), {"q": "Unreleased"}))
    assert 'id="search-products"' not in draft_only
    assert "Unreleased gadget" not in draft_only


# Cards, related articles and the author box


def test_cards_show_a_reviews_rating_and_the_best_price_in_stock(
    client, articles, creator, product
):
    product.offers.update(price=Decimal("1299.00"))
    OfferFactory(product=product, price=Decimal("1199.00"), currency="USD")
    OfferFactory(
        product=product, price=Decimal("999.00"), availability=Availability.OUT_OF_STOCK
    )
    other = OfferFactory(price=Decimal("49.50")).product
    article_add(
        parent=articles, author=creator, product=product, title="Review", tags=["t"]
    )
    guide = guide_create(
        parent=articles, author=creator, products=[other, product], title="Guide"
    )
    guide.tags.add("t")
    guide.save_revision().publish()

    html = text(client.get(reverse("reader:tag", args=["t"])))

    cards = dict(
        re.findall(
            r'card-title"><a href="[^"]+">([^<]+)</a>.*?(<p class="card-facts">.*?</p>)',
            html,
            flags=re.S,
        )
    )
    # Chinese articles: their market's currency (CNY) first, in stock only.
    assert "<strong>8.5</strong>/10" in cards["Review"]
    assert '<strong class="price">¥1,299</strong>' in cards["Review"]
    # A guide: no rating; its top pick's price.
    assert "/10" not in cards["Guide"]
    assert '<strong class="price">¥49.50</strong>' in cards["Guide"]


def test_an_article_ends_with_its_author_and_related_articles(
    client, articles, creator, other_creator
):
    creator.bio = "Tests headphones on the metro."
    creator.save()
    headphones = OfferFactory(product__title="Headphones").product
    kettle = OfferFactory(product__title="Kettle").product
    page = article_add(
        parent=articles,
        author=creator,
        product=headphones,
        title="Main",
        tags=["audio", "commute"],
    )
    article_add(
        parent=articles,
        author=other_creator,
        product=kettle,
        title="Shares a tag",
        tags=["audio"],
    )
    article_add(
        parent=articles, author=other_creator, product=headphones, title="Same product"
    )
    article_add(
        parent=articles,
        author=other_creator,
        product=headphones,
        title="Draft on it",
        tags=["audio", "commute"],
        publish=False,
    )
    article_add(
        parent=articles, author=other_creator, product=kettle, title="Unrelated"
    )

    html = text(client.get(page.url))

    box = html[
        html.index('class="author-box"') : html.index(
            "</aside>", html.index('class="author-box"')
        )
    ]
    assert "Lulu" in box and "Tests headphones on the metro." in box
    assert 'href="/creators/lulu/"' in box
    assert 'class="avatar avatar-medium avatar-initial"' in box  # no avatar: initial
    assert "kol1" not in html
    related = html[html.index('id="related-heading"') :]
    # A shared product counts more than a shared tag; drafts never show.
    assert titles(related) == ["Same product", "Shares a tag"]
    assert "Draft on it" not in html and "Unrelated" not in related
