"""Chinese and English content: titles, slugs, tags and search."""

import pytest

from content.models import ArticlePage
from content.selectors import articles_search
from tests.conftest import review_create

pytestmark = pytest.mark.django_db


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
