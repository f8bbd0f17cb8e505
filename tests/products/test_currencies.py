"""Currencies: which are accepted, and their minor units from ISO 4217 itself."""

from decimal import Decimal

import iso4217
import pytest

from products.currencies import (
    active_currency_codes,
    currency_minor_units,
    in_minor_units,
    is_active_currency,
    minor_unit,
    money_round,
)


def iso_list_one() -> dict[str, str]:
    """ISO 4217 list one as the iso4217 package ships it (ISO's own XML), read
    here straight from the XML: code → its minor units ("2", "0", "N.A.")."""
    return {
        entry.findtext("Ccy").strip(): entry.findtext("CcyMnrUnts").strip()
        for entry in iso4217.raw_xml.findall("CcyTbl/CcyNtry")
        if entry.findtext("Ccy")
    }


def test_the_table_is_iso_list_one_of_2026():
    assert iso4217.__published__.isoformat() >= "2026-01-01"


def test_every_active_currency_has_the_minor_units_iso_4217_gives_it():
    table = iso_list_one()
    assert len(active_currency_codes()) > 140
    for code in sorted(active_currency_codes()):
        assert table.get(code, "").isdigit(), code
        assert currency_minor_units(code) == int(table[code]), code


@pytest.mark.parametrize(
    ("code", "digits"),
    [
        # CLDR (Babel) gives these 0 decimals; ISO 4217 does not.
        ("RSD", 2),
        ("LBP", 2),
        ("IQD", 3),
        ("AFN", 2),
        ("ALL", 2),
        ("IRR", 2),
        ("YER", 2),
        ("JPY", 0),
        ("KRW", 0),
        ("CLP", 0),
        ("BHD", 3),
        ("KWD", 3),
        ("CNY", 2),
        ("USD", 2),
    ],
)
def test_known_minor_units(code, digits):
    assert is_active_currency(code)
    assert currency_minor_units(code) == digits
    assert minor_unit(code) == Decimal(1).scaleb(-digits)


def test_funds_metals_and_withdrawn_codes_are_not_currencies():
    # BGN left ISO 4217 when Bulgaria joined the euro (1 January 2026); CLDR still
    # lists it as legal tender.
    for code in ("BGN", "XAU", "XXX", "XDR", "CLF", "USN", "DEM"):
        assert not is_active_currency(code), code


def test_rounding_follows_iso_digits():
    assert in_minor_units(Decimal("1234.56"), "RSD")
    assert not in_minor_units(Decimal("1.2345"), "IQD")
    assert money_round(Decimal("123.456"), "RSD") == Decimal("123.46")
    assert money_round(Decimal("0.0005"), "KWD") == Decimal("0.001")


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        # The approved balance SQLite summed for a creator paid out in full (the demo).
        ("-6.77236045021345E-15", "USD", "0.00"),
        ("-0.004", "CNY", "0.00"),
        ("-0.4", "JPY", "0"),
        ("-0.0000", "USD", "0.00"),
        ("-0.005", "USD", "-0.01"),
    ],
)
def test_an_amount_that_rounds_to_zero_is_plain_zero(amount, currency, shown):
    assert str(money_round(Decimal(amount), currency)) == shown
