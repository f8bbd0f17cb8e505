"""The API's anonymous rate limit (affiliates.auth.AnonymousThrottle) keys on the
client address every part of the site believes (products.web.client_address)."""

import pytest
from django.core.cache import cache
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache(settings):
    """The limit counts in the (local-memory) cache: each test starts at zero."""
    settings.ZHONGCAO_API_ANONYMOUS_RATE = "3/m"
    cache.clear()
    yield
    cache.clear()


def test_new_forwarded_for_headers_do_not_escape_the_anonymous_limit(settings):
    settings.ZHONGCAO_PROXY_COUNT = 0
    client = Client(REMOTE_ADDR="203.0.113.7")
    statuses = [
        client.get("/api/tags", HTTP_X_FORWARDED_FOR=f"198.51.100.{number}").status_code
        for number in range(100)
    ]
    assert statuses.count(200) == 3
    assert statuses[3:] == [429] * 97
    # Another connection is another client.
    assert Client(REMOTE_ADDR="203.0.113.8").get("/api/tags").status_code == 200


def test_behind_one_proxy_the_address_the_proxy_saw_is_the_client(settings):
    settings.ZHONGCAO_PROXY_COUNT = 1
    proxy = Client(REMOTE_ADDR="10.0.0.1")
    statuses = [
        proxy.get(
            "/api/tags",
            # A client may put anything before the proxy's own entry.
            HTTP_X_FORWARDED_FOR=f"198.51.100.{number}, 203.0.113.7",
        ).status_code
        for number in range(20)
    ]
    assert statuses == [200] * 3 + [429] * 17
    other = proxy.get("/api/tags", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.8")
    assert other.status_code == 200
