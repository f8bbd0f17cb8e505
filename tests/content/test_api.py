"""GET /api/articles and GET /api/tags: the public list of published articles."""

import pytest

from tests.conftest import guide_create, review_create
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(articles, creator, other_creator, product):
    """A review and a guide by Lulu, a Chinese review by Ann, and a draft."""
    review = review_create(parent=articles, author=creator, product=product)
    review.language = "en"
    review.tags.add("耳机", "audio")
    review.save_revision().publish()
    guide = guide_create(
        parent=articles, author=creator, products=[product, ProductFactory()]
    )
    guide.language = "en"
    guide.save_revision().publish()
    chinese = review_create(
        parent=articles,
        author=other_creator,
        product=ProductFactory(title="降噪耳机"),
        title="降噪耳机评测",
        slug="anc-review",
    )
    chinese.language = "zh-hans"
    chinese.tags.add("耳机")
    chinese.save_revision().publish()
    review_create(
        parent=articles, author=creator, product=product, title="Draft", publish=False
    )
    return {"review": review, "guide": guide, "chinese": chinese}


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def test_lists_published_articles_newest_first(client, library):
    body = client.get("/api/articles").json()
    assert body["count"] == 3
    assert [item["id"] for item in body["items"]] == [
        library["chinese"].pk,
        library["guide"].pk,
        library["review"].pk,
    ]
    item = next(i for i in body["items"] if i["id"] == library["review"].pk)
    assert item["type"] == "review"
    assert item["url_path"] == library["review"].url
    assert item["author"] == {"name": "Lulu", "slug": "lulu", "avatar": None}
    assert sorted(item["tags"]) == ["audio", "耳机"]
    assert item["published_at"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"type": "guide"}, ["guide"]),
        ({"type": "review"}, ["chinese", "review"]),
        ({"author": "ann"}, ["chinese"]),
        ({"tag": "audio"}, ["review"]),
        ({"locale": "zh-hans"}, ["chinese"]),
        ({"locale": "en"}, ["guide", "review"]),
        ({"q": "降噪"}, ["chinese"]),
    ],
)
def test_filters(client, library, query, expected):
    assert sorted(ids(client.get("/api/articles", query))) == sorted(
        library[name].pk for name in expected
    )


def test_filter_by_embedded_product(client, library, product):
    assert sorted(
        ids(client.get("/api/articles", {"product": product.slug}))
    ) == sorted([library["review"].pk, library["guide"].pk])


def test_pagination_and_bad_parameters(client, library):
    first = client.get("/api/articles", {"limit": 2}).json()
    second = client.get("/api/articles", {"limit": 2, "offset": 2}).json()
    assert first["count"] == second["count"] == 3
    assert len(first["items"]) == 2 and len(second["items"]) == 1
    for bad in ({"limit": 101}, {"limit": 0}, {"type": "poem"}, {"offset": -1}):
        response = client.get("/api/articles", bad)
        assert response.status_code == 422
        assert next(iter(bad)) in response.content.decode()


def test_tags_with_counts_of_published_articles(client, library):
    tags = client.get("/api/tags").json()
    assert tags[0] == {"name": "耳机", "slug": tags[0]["slug"], "articles": 2}
    assert {"name": "audio", "slug": "audio", "articles": 1} in tags
