"""products.web: who the client is, and the public base URL."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from products.web import client_address, public_url
from zhongcao.settings.base import public_base_url as setting_parse


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


def test_public_urls_start_from_the_setting(settings):
    settings.ZHONGCAO_PUBLIC_BASE_URL = "https://zhongcao.example"
    assert public_url("/join/") == "https://zhongcao.example/join/"
    assert public_url() == "https://zhongcao.example/"


@pytest.mark.parametrize(
    ("value", "origin"),
    [
        ("http://127.0.0.1:8123", "http://127.0.0.1:8123"),
        ("https://zhongcao.example/", "https://zhongcao.example"),
        (" https://Zhongcao.example:8443 ", "https://Zhongcao.example:8443"),
    ],
)
def test_the_setting_is_an_origin(value, origin):
    assert setting_parse(value) == origin


@pytest.mark.parametrize(
    "value",
    [
        "",
        "127.0.0.1:8000",
        "ftp://zhongcao.example",
        "https://",
        "https://zhongcao.example/shop/",
        "https://zhongcao.example?x=1",
        "https://zhongcao.example#top",
        "https://user:secret@zhongcao.example",
        "https://zhongcao.example:port",
    ],
)
def test_anything_but_an_origin_is_refused(value):
    with pytest.raises(ImproperlyConfigured, match="ZHONGCAO_PUBLIC_BASE_URL"):
        setting_parse(value)
