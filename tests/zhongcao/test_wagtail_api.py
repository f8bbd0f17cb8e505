"""Wagtail's own JSON endpoints with the project's input rules (zhongcao.wagtail_api):
the public v2 API, the admin's page API and the admin's dismissibles answer bad
numbers and bad JSON with a 400 naming the field, never a 500; with and without
DEBUG."""

import pytest
from django.core.cache import cache

from products.web import DATABASE_INTEGER_MAX

pytestmark = pytest.mark.django_db

PAST_64_BITS = "99999999999999999999"
# Deeper than Python's JSON parser can go (it stops at the recursion limit).
TOO_DEEP = b"[" * 100_000 + b"]" * 100_000


@pytest.fixture(params=[False, True], ids=["test", "debug"])
def debug(request, settings):
    settings.DEBUG = request.param
    cache.clear()
    yield request.param
    cache.clear()


@pytest.mark.parametrize(
    ("url", "field"),
    [
        (f"/api/v2/pages/?offset={PAST_64_BITS}", "offset"),
        (f"/api/v2/pages/?offset={DATABASE_INTEGER_MAX + 1}", "offset"),
        (f"/api/v2/images/?offset={PAST_64_BITS}", "offset"),
        (f"/api/v2/documents/?offset={PAST_64_BITS}", "offset"),
        # Filters on foreign keys went to the database unchecked.
        (f"/api/v2/pages/?type=content.ReviewPage&author={PAST_64_BITS}", "author"),
        (f"/api/v2/pages/?type=content.ReviewPage&product={PAST_64_BITS}", "product"),
        (
            f"/api/v2/pages/?type=content.HomePage&featured_articles={PAST_64_BITS}",
            "featured_articles",
        ),
        (f"/api/v2/pages/?id={PAST_64_BITS}", "id"),
    ],
)
def test_v2_numbers_past_the_database_are_a_400_naming_the_parameter(
    client, debug, review, url, field
):
    response = client.get(url)
    assert response.status_code == 400, response.content
    assert response.json()["message"].startswith(f"{field} must be between ")


def test_v2_ids_past_the_database_are_not_found(client, debug):
    for endpoint in ("pages", "images", "documents"):
        response = client.get(f"/api/v2/{endpoint}/{PAST_64_BITS}/")
        assert response.status_code == 404
        assert "message" in response.json()


def test_v2_numbers_within_the_database_still_work(client, debug, review):
    response = client.get(f"/api/v2/pages/?offset={DATABASE_INTEGER_MAX}")
    assert response.status_code == 200
    assert response.json()["items"] == []
    response = client.get(
        f"/api/v2/pages/?type=content.ReviewPage&author={review.author_id}"
    )
    assert [page["id"] for page in response.json()["items"]] == [review.pk]
    # Text that happens to be digits is not a number to check.
    response = client.get(f"/api/v2/pages/?search={PAST_64_BITS}")
    assert response.status_code == 200


def test_the_admin_page_api_refuses_an_offset_past_the_database(client, debug, editor):
    client.force_login(editor)
    response = client.get(f"/admin/api/main/pages/?offset={PAST_64_BITS}")
    assert response.status_code == 400, response.content
    assert response.json()["message"].startswith("offset must be between ")
    assert client.get("/admin/api/main/pages/").status_code == 200


def test_the_admin_page_api_refuses_json_nested_too_deeply(
    client, debug, editor, review
):
    client.force_login(editor)
    response = client.post(
        f"/admin/api/main/pages/{review.pk}/action/copy/",
        TOO_DEEP,
        content_type="application/json",
    )
    assert response.status_code == 400, response.content[:300]
    assert response.json() == {"detail": "body: JSON nested too deeply"}


@pytest.mark.parametrize("body", [TOO_DEEP, b"[1]", b'"x"', b"1", b"{", b"\xff"])
def test_dismissibles_refuse_a_body_that_is_not_a_json_object(
    client, debug, editor, body
):
    client.force_login(editor)
    response = client.patch("/admin/dismissibles/", body, "application/json")
    assert response.status_code == 400, response.content[:300]
    assert response.json()["errors"] == [
        {"field": "body", "message": "must be a JSON object"}
    ]
    response = client.patch(
        "/admin/dismissibles/", b'{"tip": true}', "application/json"
    )
    assert response.status_code == 200
    assert response.json()["tip"] is True


def test_dismissibles_stay_for_signed_in_admin_users_only(client, debug):
    response = client.patch("/admin/dismissibles/", b"{}", "application/json")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
