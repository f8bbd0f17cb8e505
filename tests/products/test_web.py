"""products.web: who the client is."""

import pytest

from products.web import client_address


@pytest.mark.parametrize(
    ("proxies", "forwarded", "address"),
    [
        (0, "203.0.113.7", "192.0.2.1"),  # no proxy trusted: the header is ignored
        (0, "203.0.113.7, 198.51.100.9", "192.0.2.1"),
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "198.51.100.9, 203.0.113.7", "203.0.113.7"),  # the proxy's own entry
        (1, "198.51.100.9,203.0.113.7 ", "203.0.113.7"),
        (2, "198.51.100.9, 203.0.113.7", "198.51.100.9"),
        (2, "10.0.0.1, 198.51.100.9, 203.0.113.7", "198.51.100.9"),
        (2, "203.0.113.7", "192.0.2.1"),  # fewer entries than proxies
        (1, "", "192.0.2.1"),
        (1, "203.0.113.7, ", "192.0.2.1"),  # an empty entry vouches for nobody
    ],
)
def test_the_client_address_behind_trusted_proxies(
    rf, settings, proxies, forwarded, address
):
    settings.ZHONGCAO_PROXY_COUNT = proxies
    request = rf.get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == address


def test_without_a_forwarded_header(rf, settings):
    settings.ZHONGCAO_PROXY_COUNT = 1
    assert client_address(rf.get("/", REMOTE_ADDR="192.0.2.1")) == "192.0.2.1"
