"""The search backend (products.searchbackend): every search, the admin's included,
finds Chinese words inside longer runs of Chinese and model numbers however they are
written, as the reader's search does; on SQLite and PostgreSQL."""

import pytest
from django.urls import reverse

from products.models import Product
from products.selectors import products_filter
from tests.factories import MerchantFactory, ProductFactory

pytestmark = pytest.mark.django_db

QUERIES = ["耳机", "降噪", "降噪耳机", "WH7", "wh7", "WH-7", "Sonari 耳机", "索纳"]


@pytest.fixture
def headphones(db):
    """A product whose title has a model number and a run of Chinese."""
    return ProductFactory(
        title="WH-7 降噪耳机", brand="Sonari 索纳里", slug="sonari-wh7"
    )


@pytest.fixture
def kettle(db):
    return ProductFactory(title="手冲咖啡壶", brand="Hario", slug="kettle")


def _listed(response, *products: Product) -> list[bool]:
    assert response.status_code == 200
    text = response.content.decode()
    return [product.title in text for product in products]


@pytest.mark.parametrize("query", QUERIES)
def test_reader_search_finds_the_product(headphones, kettle, query):
    """What the admin must match: the reader's search (products.selectors)."""
    assert list(products_filter(q=query)) == [headphones]


@pytest.mark.parametrize("query", QUERIES)
def test_product_listing_search(client, editor, headphones, kettle, query):
    client.force_login(editor)
    response = client.get(
        reverse("wagtailsnippets_products_product:list_results"), {"q": query}
    )
    assert _listed(response, headphones, kettle) == [True, False]


@pytest.mark.parametrize("query", ["耳机", "降噪", "WH7", "咖啡"])
def test_product_chooser_search_as_a_creator(
    client, creator, headphones, kettle, query
):
    client.force_login(creator.user)
    response = client.get(
        reverse("wagtailsnippetchoosers_products_product:choose_results"), {"q": query}
    )
    wanted = [query != "咖啡", query == "咖啡"]
    assert _listed(response, headphones, kettle) == wanted


def test_admin_search_still_completes_words_as_they_are_typed(
    client, editor, headphones, kettle
):
    client.force_login(editor)
    for query in ("Sona", "索", "降", "WH", "wh-"):
        response = client.get(
            reverse("wagtailsnippetchoosers_products_product:choose_results"),
            {"q": query},
        )
        assert _listed(response, headphones, kettle) == [True, False], query


def test_admin_search_matches_what_the_reader_search_matches_beyond_titles(
    client, editor, headphones, kettle
):
    """The reader's search also reads descriptions and tags; so does the admin's."""
    headphones.description = "头戴式主动降噪，续航约 30 小时。"
    headphones.save()
    kettle.tags.add("手冲")
    kettle.save()
    client.force_login(editor)
    for query, found in (("续航", headphones), ("小时", headphones), ("手冲", kettle)):
        assert list(products_filter(q=query)) == [found]
        response = client.get(
            reverse("wagtailsnippets_products_product:list_results"), {"q": query}
        )
        assert _listed(response, found) == [True], query


def test_merchant_listing_and_chooser_search(client, editor):
    jingxuan = MerchantFactory(name="京选商城 JingXuan", slug="jingxuan")
    other = MerchantFactory(name="青橙优选", slug="qingcheng")
    client.force_login(editor)
    for url_name in (
        "wagtailsnippets_products_merchant:list_results",
        "wagtailsnippetchoosers_products_merchant:choose_results",
    ):
        for query in ("商城", "选商", "jingxuan"):
            response = client.get(reverse(url_name), {"q": query})
            text = response.content.decode()
            assert jingxuan.name in text, (url_name, query)
            assert other.name not in text, (url_name, query)


def test_searching_model_objects_directly(headphones, kettle):
    """Any code that searches (the API, reports) goes through the same backend."""
    assert list(Product.objects.search("耳机")) == [headphones]
    assert list(Product.objects.autocomplete("耳机")) == [headphones]
    assert list(Product.objects.autocomplete("wh7")) == [headphones]
    assert list(Product.objects.search("咖啡")) == [kettle]


def test_index_follows_edits(headphones, kettle):
    headphones.title = "WH-8 头戴耳机"
    headphones.save()
    assert list(Product.objects.autocomplete("降噪")) == []
    assert list(Product.objects.autocomplete("头戴")) == [headphones]
    assert list(Product.objects.autocomplete("wh8")) == [headphones]


@pytest.mark.slow
@pytest.mark.parametrize("query", ['"', 'a"b', '耳机"', "'", "*", "(", "wh-", "AND"])
def test_odd_queries_are_no_error_in_any_search_box(
    client, editor, articles, headphones, query
):
    client.force_login(editor)
    for url in (
        reverse("wagtailsnippets_products_product:list_results"),
        reverse("wagtailsnippetchoosers_products_product:choose_results"),
        reverse("wagtailadmin_pages:search_results"),
        reverse("wagtailadmin_choose_page_search"),
        reverse("wagtailadmin_explore_results", args=[articles.pk]),
        "/search/",
        "/api/products",
        "/api/articles",
    ):
        assert client.get(url, {"q": query}).status_code == 200, url
    assert (
        "降噪耳机"
        in client.get(
            reverse("wagtailsnippets_products_product:list_results"), {"q": '"耳机"'}
        ).content.decode()
    )
