import pytest
from django.core.exceptions import ValidationError

from products.currencies import currency_minor_units, is_active_currency, money_round
from products.validators import (
    host_is_allowed,
    parse_domains,
    validate_gtin,
    validate_offer_url,
)


def test_domains_are_normalized_and_deduplicated():
    assert parse_domains(
        " Shop.Example\nshop.example, *.cdn.example  中国.example"
    ) == [
        "shop.example",
        "cdn.example",
        "xn--fiqs8s.example",
    ]


@pytest.mark.parametrize(
    "bad", ["localhost", "shop..example", "-shop.example", "http://x.example"]
)
def test_bad_domains_are_refused(bad):
    with pytest.raises(ValidationError):
        parse_domains(bad)


@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        ("shop.example", True),
        ("item.shop.example", True),
        ("evilshop.example", False),
        ("shop.example.evil.example", False),
        (None, False),
    ],
)
def test_host_is_allowed_only_for_the_domain_and_its_subdomains(host, allowed):
    assert host_is_allowed(host, ["shop.example"]) is allowed


@pytest.mark.parametrize(
    "url",
    [
        "ftp://shop.example/item",
        "javascript:alert(1)",
        "https://evil.example/item",
        "https://user:pw@shop.example/item",
        "//shop.example/item",
    ],
)
def test_bad_offer_urls_are_refused(url):
    with pytest.raises(ValidationError):
        validate_offer_url(url, ["shop.example"])


def test_good_offer_url_passes():
    validate_offer_url("https://item.shop.example/p/1?x=2", ["shop.example"])


@pytest.mark.parametrize(
    "gtin", ["", "4006381333931", "036000291452", "96385074", "10012345678902"]
)
def test_valid_gtins(gtin):
    validate_gtin(gtin)


@pytest.mark.parametrize("gtin", ["4006381333932", "12345", "40063813339a1"])
def test_invalid_gtins(gtin):
    with pytest.raises(ValidationError):
        validate_gtin(gtin)


def test_currencies_in_use_only():
    assert is_active_currency("CNY") and is_active_currency("USD")
    assert not is_active_currency("DEM")  # historic
    assert not is_active_currency("XAU")  # gold, not a currency shops sell in
    assert not is_active_currency("ABC")


def test_money_rounds_per_currency():
    from decimal import Decimal

    assert currency_minor_units("JPY") == 0
    assert money_round(Decimal("1.005"), "USD") == Decimal("1.01")
    assert money_round(Decimal("1250.5"), "JPY") == Decimal("1251")
