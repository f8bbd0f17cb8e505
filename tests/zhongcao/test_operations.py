"""/healthz, /readyz and /metrics over HTTP (zhongcao.operations)."""

import json
from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.test import override_settings

from zhongcao.settings.base import address_networks

pytestmark = pytest.mark.django_db

# A failing backend's own words, which must never reach the public.
SECRET_DETAIL = "could not connect to server db-primary.internal.example:5432"

REDIS_DOWN = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        # Nothing listens on port 1: the connection is refused at once.
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


def test_healthz_answers_ok_and_touches_nothing(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


def test_readyz_is_ready_with_the_embedded_default(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "checks": {
            "database": "ok",
            "cache": "ok",
            # Clicks are written from this process; tasks run in the caller.
            "click_journal": "not_configured",
            "task_queue": "not_configured",
            "worker_heartbeat": "not_configured",
        },
        "failing": [],
    }
    assert response["Cache-Control"] == "no-store"


def test_readyz_names_a_database_that_fails_and_keeps_its_error_to_the_log(
    client, caplog
):
    with mock.patch.object(
        connection, "cursor", side_effect=OperationalError(SECRET_DETAIL)
    ):
        response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not_ready"
    assert body["checks"]["database"] == "failing"
    assert "database" in body["failing"]
    assert SECRET_DETAIL not in response.content.decode()
    assert "db-primary" not in response.content.decode()
    assert SECRET_DETAIL in caplog.text  # the operator still learns why


def test_readyz_names_a_cache_that_is_down(client):
    with override_settings(CACHES=REDIS_DOWN):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"] == "failing"
    assert response.json()["failing"] == ["cache"]
    assert "127.0.0.1" not in response.content.decode()


def test_readyz_reports_a_click_journal_over_its_bound(client, tmp_path):
    (tmp_path / "1700000000.clicks").write_bytes(b"x" * 600)
    with override_settings(
        ZHONGCAO_CLICK_JOURNAL=True,
        ZHONGCAO_CLICK_JOURNAL_DIR=tmp_path,
        ZHONGCAO_READY_CLICK_BACKLOG_BYTES=1000,
    ):
        assert client.get("/readyz").json()["checks"]["click_journal"] == "ok"
        (tmp_path / "1700000010.clicks").write_bytes(b"x" * 600)
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["click_journal"] == "behind"
    assert response.json()["failing"] == ["click_journal"]


def test_the_endpoints_skip_the_host_check_and_the_https_redirect(client):
    """A load balancer asks by the server's address, over plain HTTP."""
    with override_settings(
        ALLOWED_HOSTS=["zhongcao.example"], SECURE_SSL_REDIRECT=True
    ):
        for path in ("/healthz", "/readyz", "/metrics"):
            response = client.get(path, HTTP_HOST="10.0.3.7:8000")
            assert response.status_code == 200, path
        # Everything else still gets both.
        assert client.get("/join/", HTTP_HOST="10.0.3.7:8000").status_code == 400
        assert client.get("/join/", HTTP_HOST="zhongcao.example").status_code == 301


def test_the_endpoints_answer_get_and_head_only(client):
    response = client.post("/readyz")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert client.head("/healthz").status_code == 200


def test_a_path_beside_them_is_no_endpoint(client):
    assert client.get("/healthz/").status_code == 404
    response = client.get("/metrics/")
    assert response.status_code == 404
    assert b"zhongcao_http_requests_total" not in response.content


def test_metrics_are_open_in_the_embedded_default(client):
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    assert "# TYPE zhongcao_http_requests_total counter" in response.content.decode()


@override_settings(ZHONGCAO_METRICS_PUBLIC=False, ZHONGCAO_METRICS_TOKEN="")
def test_metrics_without_a_token_or_an_allowed_address_are_not_found(client):
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer anything")
    assert response.status_code == 404
    assert b"zhongcao_" not in response.content


@override_settings(ZHONGCAO_METRICS_PUBLIC=False, ZHONGCAO_METRICS_TOKEN="s3cret-token")
@pytest.mark.parametrize(
    ("authorization", "status"),
    [
        ("Bearer s3cret-token", 200),
        ("bearer s3cret-token", 200),
        ("Bearer s3cret-tokem", 404),
        ("Bearer s3cret-token-and-more", 404),
        ("Basic s3cret-token", 404),
        ("s3cret-token", 404),
        ("", 404),
    ],
)
def test_metrics_with_the_bearer_token(client, authorization, status):
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization else {}
    assert client.get("/metrics", **headers).status_code == status


@override_settings(
    ZHONGCAO_METRICS_PUBLIC=False,
    ZHONGCAO_METRICS_TOKEN="",
    ZHONGCAO_METRICS_ALLOW=address_networks("10.0.0.0/8, 2001:db8::1", name="test"),
    ZHONGCAO_PROXY_COUNT=1,
)
@pytest.mark.parametrize(
    ("forwarded_for", "status"),
    [
        ("10.1.2.3", 200),
        ("2001:db8::1", 200),
        ("::ffff:10.1.2.3", 200),
        ("192.0.2.1", 404),
        # The client's own words, left of what the proxy wrote, are not believed.
        ("10.1.2.3, 192.0.2.1", 404),
        ("not an address", 404),
    ],
)
def test_metrics_from_an_allowed_address(client, forwarded_for, status):
    response = client.get(
        "/metrics", HTTP_X_FORWARDED_FOR=forwarded_for, REMOTE_ADDR="127.0.0.1"
    )
    assert response.status_code == status


def test_readyz_body_is_json_with_no_more_than_words(client):
    """Every value the public sees is one of the documented words."""
    body = json.loads(client.get("/readyz").content)
    words = {"ok", "not_configured", "failing", "behind", "stale"}
    assert set(body["checks"].values()) <= words
