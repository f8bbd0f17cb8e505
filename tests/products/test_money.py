"""Money as people read it (products.money): one format per language, whole amounts
without cents, the admin's exact form, and each language's market currency."""

from decimal import Decimal

import pytest
from django.utils import translation

from products.money import (
    market_currency,
    money_format,
    money_plain,
    money_str,
    percent_text,
)


@pytest.mark.parametrize(
    ("amount", "currency", "language", "expected"),
    [
        ("1299.00", "CNY", "zh-hans", "¥1,299"),
        ("279.50", "CNY", "zh-hans", "¥279.50"),
        ("179.00", "USD", "zh-hans", "US$179"),
        ("1299.00", "CNY", "en", "CN¥1,299"),
        ("179.00", "USD", "en", "US$179"),
        ("29.99", "USD", "en", "US$29.99"),
        ("1000", "JPY", "en", "JP¥1,000"),
        # Rounded once, half away from zero, to the currency's minor units.
        ("0.125", "USD", "en", "US$0.13"),
        ("0.005", "CNY", "zh-hans", "¥0.01"),
    ],
)
def test_reader_prices_are_written_as_the_language_writes_them(
    amount, currency, language, expected
):
    assert money_format(Decimal(amount), currency, language=language) == expected


def test_the_active_language_formats_when_none_is_given():
    with translation.override("zh-hans"):
        assert money_format("1299", "CNY") == "¥1,299"
    with translation.override("en"):
        assert money_format("1299", "CNY") == "CN¥1,299"


def test_no_amount_is_no_text():
    assert money_format(None, "CNY") == ""
    assert money_plain(None, "CNY") == ""


def test_the_admin_shows_exact_amounts_with_their_code():
    assert money_plain(Decimal("48"), "CNY") == "48.00 CNY"
    assert money_plain(Decimal("1000"), "JPY") == "1000 JPY"


@pytest.mark.parametrize(
    ("language", "currency"),
    [("zh-hans", "CNY"), ("en", "USD"), ("zh-hant", "TWD"), ("xx", ""), ("", "")],
)
def test_each_language_has_the_currency_of_its_market(language, currency):
    assert market_currency(language=language) == currency


def test_the_api_string_has_the_currency_s_minor_units():
    assert money_str(Decimal("1234.5"), "LBP") == "1234.50"
    assert money_str(Decimal("1000"), "JPY") == "1000"
    assert money_str(Decimal("0.0005"), "KWD") == "0.001"


def test_a_sum_that_is_zero_is_never_shown_negative():
    # SQLite adds decimals as binary floats: a balance paid out in full can come
    # back as -7e-15 (a creator's dashboard showed "-0.00 USD").
    nearly = Decimal("-6.77236045021345E-15")
    assert money_plain(nearly, "USD") == "0.00 USD"
    assert money_str(nearly, "USD") == "0.00"
    assert money_format(nearly, "USD", language="en") == "US$0"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("84.00"), "84"),
        (Decimal("12.50"), "12.5"),
        (Decimal("100"), "100"),  # not 1E+2
        (Decimal("0.00"), "0"),
        ("7.25", "7.25"),
        (5, "5"),
    ],
)
def test_a_percent_is_written_as_people_write_it(value, text):
    assert percent_text(value) == text
