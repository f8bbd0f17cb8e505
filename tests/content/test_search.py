"""Chinese and English content: titles, slugs, tags and search."""

import pytest
from django.urls import reverse

from content.models import ArticlePage
from content.selectors import articles_search
from tests.conftest import review_create
from tests.factories import image_create

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture
def bilingual(articles, creator, product):
    chinese = review_create(
        parent=articles,
        author=creator,
        product=product,
        title="索纳里 WH-7 降噪耳机评测",
        slug="索纳里-wh7-降噪耳机评测",
    )
    chinese.tags.add("耳机", "降噪")
    chinese.save_revision().publish()
    english = review_create(
        parent=articles,
        author=creator,
        product=product,
        title="The best pour-over kettle",
        slug="best-pour-over-kettle",
    )
    english.tags.add("coffee")
    english.save_revision().publish()
    return chinese, english


def test_chinese_slug_is_routable(client, bilingual):
    chinese, _english = bilingual
    response = client.get(chinese.url)
    assert response.status_code == 200
    assert "降噪耳机评测" in response.content.decode()


def test_search_finds_english_words(bilingual):
    _chinese, english = bilingual
    results = ArticlePage.objects.live().search("kettle")
    assert english.pk in [page.pk for page in results]


def test_search_finds_chinese_titles(bilingual):
    chinese, _english = bilingual
    results = ArticlePage.objects.live().search("索纳里")
    assert chinese.pk in [page.pk for page in results]


def test_tags_work_in_both_languages(bilingual):
    chinese, english = bilingual
    assert list(ArticlePage.objects.filter(tags__name="耳机")) == [
        chinese.articlepage_ptr
    ] or [page.pk for page in ArticlePage.objects.filter(tags__name="耳机")] == [
        chinese.pk
    ]
    assert [page.pk for page in ArticlePage.objects.filter(tags__name="coffee")] == [
        english.pk
    ]


def test_admin_search_finds_chinese_articles(client, editor, bilingual):
    from django.urls import reverse

    chinese, _english = bilingual
    client.force_login(editor)
    response = client.get(reverse("wagtailadmin_pages:search"), {"q": "降噪耳机"})
    assert response.status_code == 200
    assert chinese.title in response.content.decode()


@pytest.mark.parametrize(
    "query", ["耳机", "降噪耳机", "耳机 WH-7", "索纳里", "评测", "wh7", "WH-7"]
)
def test_search_finds_chinese_words_inside_longer_runs(bilingual, query):
    chinese, english = bilingual
    found = [page.pk for page in articles_search(query=query)]
    assert chinese.pk in found
    assert english.pk not in found


def test_search_in_english_and_mixed(bilingual):
    chinese, english = bilingual
    assert [page.pk for page in articles_search(query="pour-over kettle")] == [
        english.pk
    ]
    assert [page.pk for page in articles_search(query="Kettle 耳机")] == []


def test_product_search_finds_chinese_words():
    from products.models import Product
    from tests.factories import ProductFactory

    product = ProductFactory(title="WH-7 降噪耳机", slug="wh7")
    ProductFactory(title="手冲咖啡壶", slug="kettle")
    assert [p.pk for p in Product.objects.search("耳机")] == [product.pk]


# -- The admin's searches (products.searchbackend) -------------------------------------

ADMIN_QUERIES = ["耳机", "降噪", "评测", "WH7", "wh-7", "耳机 WH-7", "索纳里 评测"]


@pytest.fixture
def mid_run(articles, creator, product):
    """A published article whose Chinese words are all inside longer runs, and a
    draft with none of them."""
    found = review_create(
        parent=articles,
        author=creator,
        product=product,
        title="索纳里WH-7长测：通勤降噪耳机评测",
        slug="sonari-wh7-long-test",
    )
    other = review_create(
        parent=articles,
        author=creator,
        product=product,
        title="手冲咖啡壶横评",
        slug="kettles",
        publish=False,
    )
    return found, other


def _pages_found(response, *pages) -> list[bool]:
    assert response.status_code == 200
    text = response.content.decode()
    return [page.title in text for page in pages]


@pytest.mark.parametrize("query", ADMIN_QUERIES)
def test_admin_page_search_finds_what_the_reader_search_finds(
    client, editor, mid_run, query
):
    found, other = mid_run
    assert [page.pk for page in articles_search(query=query)] == [found.pk]
    client.force_login(editor)
    for url in (
        reverse("wagtailadmin_pages:search_results"),
        reverse("wagtailadmin_choose_page_search"),
    ):
        assert _pages_found(client.get(url, {"q": query}), found, other) == [
            True,
            False,
        ], url


@pytest.mark.parametrize("query", ["耳机", "WH7"])
def test_admin_page_listing_search(client, editor, articles, mid_run, query):
    found, other = mid_run
    client.force_login(editor)
    for params in ({"q": query}, {"q": query, "search_all": "1"}):
        response = client.get(
            reverse("wagtailadmin_explore_results", args=[articles.pk]), params
        )
        assert _pages_found(response, found, other) == [True, False], params


@pytest.mark.parametrize("query", ["耳机", "WH7"])
def test_admin_page_api_search(client, editor, mid_run, query):
    found, other = mid_run
    client.force_login(editor)
    response = client.get(reverse("wagtailadmin_api:pages:listing"), {"search": query})
    assert response.status_code == 200
    assert [item["id"] for item in response.json()["items"]] == [found.pk]


def test_admin_search_finds_an_article_by_its_body_as_readers_do(
    client, editor, articles, creator, product
):
    page = review_create(
        parent=articles,
        author=creator,
        product=product,
        title="通勤耳机",
        slug="commute",
        body=[("rich_text", "<p>地铁里实测续航约三十一小时。</p>")],
    )
    assert [found.pk for found in articles_search(query="续航")] == [page.pk]
    client.force_login(editor)
    response = client.get(reverse("wagtailadmin_pages:search_results"), {"q": "续航"})
    assert _pages_found(response, page) == [True]


def test_image_chooser_finds_chinese_titles(client, creator):
    image = image_create(title="降噪耳机产品图")
    image_create(title="咖啡壶")
    client.force_login(creator.user)
    response = client.get(
        reverse("wagtailimages_chooser:choose_results"), {"q": "耳机"}
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert image.title in text
    assert "咖啡壶" not in text
