"""Red team of issue 17's search backend (products.searchbackend): hostile queries
in every admin search box a creator can reach are never a 500, and never name a
rival's draft."""

import pytest
from django.urls import reverse

from tests.conftest import review_create
from tests.factories import ProductFactory

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

HOSTILE = [
    '"',
    '""',
    "'",
    "*",
    "耳机*",
    "^耳机",
    "耳机 NEAR 降噪",
    "NEAR(耳机 降噪)",
    "-耳机",
    "title:耳机",
    "title : 耳机",
    "(耳机",
    "耳机)",
    "()",
    "AND",
    "OR NOT",
    "耳机 AND OR NOT",
    "{耳机}",
    "耳机\x00降噪",
    "\x00",
    "%",
    "_",
    "\\",
    "耳机" * 2000,
    "a " * 3000,
    "WH-9" + "-" * 500,
    "!:&|<->",
    "e'",
]


@pytest.fixture
def rival_draft(articles, other_creator):
    page = review_create(
        parent=articles,
        author=other_creator,
        product=ProductFactory(),
        title="对手的降噪耳机秘密",
        slug="kol2-zh-secret",
        publish=False,
    )
    page.save_revision(user=other_creator.user, log_action=True)
    return page


def search_urls(articles):
    explore = reverse("wagtailadmin_explore_results", args=[articles.pk])
    return [
        (reverse("wagtailadmin_pages:search_results"), {}),
        (explore, {}),
        (explore, {"search_all": "1"}),
        (reverse("wagtailadmin_choose_page_search"), {}),
        ("/admin/snippets/choose/products/product/results/", {}),
        ("/admin/snippets/products/product/results/", {}),
        ("/admin/images/results/", {}),
        ("/admin/images/chooser/results/", {}),
    ]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_are_never_a_500_nor_a_rivals_draft(
    client, creator, articles, rival_draft, query
):
    client.force_login(creator.user)
    for url, params in search_urls(articles):
        response = client.get(url, {**params, "q": query})
        assert response.status_code in (200, 400, 403, 404), (url, query[:20])
        if response.status_code == 200:
            assert rival_draft.title not in response.content.decode(), url
    response = client.get("/admin/api/main/pages/", {"search": query})
    assert response.status_code in (200, 400), query[:20]


@pytest.mark.parametrize("query", ["耳机\x00降噪", "\x00", "耳机" * 2000, "a " * 3000])
def test_the_backend_itself_takes_nul_and_very_long_queries(articles, query):
    """Searches that no URL carries (the middleware refuses a NUL in a URL) go
    through the backend too: it takes them without an error."""
    from content.models import ArticlePage
    from products.models import Product

    ProductFactory(title="降噪耳机")
    assert isinstance(list(Product.objects.search(query)), list)
    assert isinstance(list(ArticlePage.objects.search(query)), list)
    assert isinstance(list(Product.objects.autocomplete(query)), list)
