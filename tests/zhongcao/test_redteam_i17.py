"""Red team of issue 17: a NUL character (%00) anywhere in a URL is a 400, never a
500 (PostgreSQL refuses NUL in text, so the public API's filters and slug paths
were a 500 there)."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/api/products?tag=%00",
        "/api/products?brand=a%00b",
        "/api/products?merchant=%00",
        "/api/articles?tag=%00",
        "/api/articles?author=%00",
        "/api/articles?product=%00",
        "/api/articles?q=%00",
        "/api/articles/by-path?path=%00",
        "/api/products/a%00b",
        "/api/creators/a%00b",
        "/api/products?%00=1",
        "/search/?q=%00",
        "/products/?page=%00",
        "/admin/pages/search/?q=%00",
    ],
)
def test_a_nul_in_the_url_is_a_400(client, home, url):
    assert client.get(url).status_code == 400


def test_urls_without_a_nul_still_work(client, home):
    assert client.get("/api/products?tag=x").status_code == 200


def test_the_api_answers_in_json_naming_the_field(client, home):
    response = client.get("/api/products", {"brand": "a\x00b"})
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "brand", "message": "A NUL character is not allowed."}
    ]
    assert response.json()["detail"] == "brand: A NUL character is not allowed."
    assert client.get("/api/products/a%00b").json()["errors"][0]["field"] == "path"
