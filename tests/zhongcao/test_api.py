"""The API's edges (zhongcao.api): numbers past what the database holds, paths that
are no endpoint, and the OpenAPI document's bounds; with and without DEBUG (the dev
settings have it on), since Django answers some of them differently under DEBUG."""

import pytest
from django.core.cache import cache

from products.web import DATABASE_INTEGER_MAX, DATABASE_INTEGER_MIN

pytestmark = pytest.mark.django_db

PAST_64_BITS = "99999999999999999999"


@pytest.fixture(params=[False, True], ids=["test", "debug"])
def debug(request, settings):
    settings.DEBUG = request.param
    settings.ZHONGCAO_API_ANONYMOUS_RATE = "10000/m"
    cache.clear()
    yield request.param
    cache.clear()


def assert_names(response, field: str):
    assert response.status_code == 400, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert [error["field"] for error in body["errors"]] == [field]
    assert body["detail"].startswith(f"{field}: ")


@pytest.mark.parametrize(
    ("url", "field"),
    [
        (f"/api/articles?offset={PAST_64_BITS}", "offset"),
        (f"/api/articles?offset={DATABASE_INTEGER_MAX + 1}", "offset"),
        (f"/api/products?offset={PAST_64_BITS}", "offset"),
        (f"/api/creators/lulu?offset={PAST_64_BITS}", "offset"),
        (f"/api/articles/{PAST_64_BITS}", "article_id"),
        (f"/api/articles/{DATABASE_INTEGER_MAX + 1}", "article_id"),
        (f"/api/articles/{DATABASE_INTEGER_MIN - 1}", "article_id"),
        (f"/api/articles/{PAST_64_BITS}?version=draft", "article_id"),
    ],
)
def test_public_numbers_past_the_database_are_a_400_naming_the_field(
    client, debug, creator, url, field
):
    assert_names(client.get(url), field)


def test_the_largest_offset_the_database_holds_is_an_empty_page(client, debug):
    response = client.get(f"/api/articles?offset={DATABASE_INTEGER_MAX}&limit=100")
    assert response.status_code == 200
    assert response.json()["items"] == []


def test_signed_in_numbers_past_the_database_are_a_400_naming_the_field(
    client, debug, editor, creator
):
    client.force_login(editor)
    assert_names(client.get(f"/api/conversions?offset={PAST_64_BITS}"), "offset")
    client.force_login(creator.user)
    assert_names(client.get(f"/api/me/earnings?offset={PAST_64_BITS}"), "offset")


@pytest.mark.parametrize("method", ["get", "head", "post", "put", "patch", "delete"])
@pytest.mark.parametrize(
    "path", ["/api/nothing", "/api/nothing/", "/api/v2/nothing/", "/api/articles/"]
)
def test_a_path_that_is_no_endpoint_is_a_json_404_whatever_the_method(
    client, debug, method, path
):
    if method in ("get", "head"):
        response = getattr(client, method)(path)
    else:
        response = getattr(client, method)(path, b"{}", "application/json")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    if method != "head":
        assert response.json() == {"detail": "No such API endpoint."}


def test_a_post_to_a_wagtail_endpoint_without_its_slash_is_a_404_not_a_500(
    client, debug
):
    # Under DEBUG, APPEND_SLASH refused to redirect a POST by raising (a 500).
    response = client.post("/api/v2/pages", b"{}", content_type="application/json")
    assert response.status_code == 404
    assert response.json() == {"detail": "No such API endpoint."}


def test_a_get_without_the_final_slash_is_still_redirected(client, debug):
    response = client.get("/api/v2/pages?limit=1")
    assert response.status_code == 301
    assert response["Location"] == "/api/v2/pages/?limit=1"


def test_every_integer_parameter_is_bounded_by_the_database(client):
    """So that an endpoint added later cannot forget: every integer a request may
    carry (path, query, body) is declared within the database's 64-bit range."""
    document = client.get("/api/openapi.json").json()
    components = document.get("components", {}).get("schemas", {})

    def integers(schema, name):
        if "$ref" in schema:
            yield from integers(components[schema["$ref"].rsplit("/", 1)[1]], name)
            return
        for option in schema.get("anyOf", []) + schema.get("allOf", []):
            yield from integers(option, name)
        if schema.get("type") == "integer":
            yield name, schema
        for key, value in schema.get("properties", {}).items():
            yield from integers(value, key)

    found = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            where = f"{method.upper()} {path}"
            for parameter in operation.get("parameters", []):
                found += [
                    (where, *item)
                    for item in integers(parameter["schema"], parameter["name"])
                ]
            for content in operation.get("requestBody", {}).get("content", {}).values():
                found += [(where, *item) for item in integers(content["schema"], "")]
    assert {name for _where, name, _schema in found} >= {"offset", "article_id"}
    for where, name, schema in found:
        assert schema.get("maximum", float("inf")) <= DATABASE_INTEGER_MAX, (
            where,
            name,
        )
        assert schema.get("minimum", float("-inf")) >= DATABASE_INTEGER_MIN, (
            where,
            name,
        )


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("put", "/api/postbacks/shop", ["POST"]),
        ("delete", "/api/articles", ["GET"]),
        ("post", "/api/products", ["GET"]),
    ],
)
def test_a_method_an_endpoint_does_not_take_is_a_json_405(
    client, debug, method, path, allowed
):
    response = getattr(client, method)(path, b"{}", "application/json")
    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"
    assert response["Allow"] == ", ".join(allowed)
    body = response.json()
    assert body["allowed"] == allowed
    assert body["detail"].startswith(f"Method {method.upper()} not allowed")
