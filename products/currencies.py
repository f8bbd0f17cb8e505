"""Currencies: which ones are accepted, and their minor units, from ISO 4217.

The digits come from ISO 4217 list one itself: the ``iso4217`` package ships the
XML that ISO's maintenance agency (SIX) publishes, with its publication date
(``iso4217.__published__``). Babel's CLDR data is not used for digits, because
CLDR gives the digits currencies are *displayed* with (0 for RSD, IQD, LBP and
ten more) where ISO 4217 gives 2 or 3.

A currency is accepted when it is in ISO 4217 list one with a number of minor
units and CLDR says some territory uses it as legal tender today: that leaves
out funds and units of account (CLF, USN, XDR), metals (XAU), test codes (XXX)
and codes ISO has withdrawn (DEM; BGN since Bulgaria joined the euro).

Every rule that rounds or validates an amount goes through ``minor_unit`` here.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

import iso4217
from babel.core import get_global
from babel.numbers import get_currency_precision, get_territory_currencies

# The one rounding mode for money in Zhongcao: half away from zero, as shops and
# payment networks round prices. Applied once, at the edge, per currency.
MONEY_ROUNDING = ROUND_HALF_UP


@lru_cache(maxsize=1)
def _iso_minor_units() -> dict[str, int]:
    """ISO 4217 list one: code → minor units, for codes that have a number of
    them (not metals, SDR or test codes, whose minor units are "N.A.")."""
    table: dict[str, int] = {}
    for code, entry in iso4217.raw_table.items():
        digits = entry.get("CcyMnrUnts")
        if code and isinstance(digits, str) and digits.isdigit():
            table[code] = int(digits)
    return table


@lru_cache(maxsize=1)
def active_currency_codes() -> frozenset[str]:
    """Every ISO 4217 currency that some territory uses as legal tender today."""
    today = datetime.datetime.now(tz=datetime.UTC).date()
    tender: set[str] = set()
    for territory in get_global("territory_currencies"):
        tender.update(get_territory_currencies(territory, today, tender=True))
    return frozenset(tender & _iso_minor_units().keys())


def is_active_currency(code: str) -> bool:
    return code in active_currency_codes()


def currency_minor_units(code: str) -> int:
    """Digits after the decimal point, per ISO 4217: 2 for CNY, USD and RSD, 0 for
    JPY and KRW, 3 for BHD, KWD and IQD.

    A code ISO no longer lists (an amount stored before its currency was
    withdrawn) keeps the digits CLDR knows for it, so old amounts still show."""
    digits = _iso_minor_units().get(code)
    if digits is None:
        return get_currency_precision(code)
    return digits


def minor_unit(currency: str) -> Decimal:
    """The currency's smallest amount: 0.01 for CNY and USD, 1 for JPY."""
    return Decimal(1).scaleb(-currency_minor_units(currency))


def in_minor_units(amount: Decimal, currency: str) -> bool:
    """Whether ``amount`` has no more decimals than its currency allows."""
    return amount == amount.quantize(minor_unit(currency))


def money_round(amount: Decimal, currency: str) -> Decimal:
    """Round an amount to its currency's minor unit with MONEY_ROUNDING. Zero is
    plain zero: a sum SQLite adds in binary floats can be -1e-15 where it is zero,
    and "-0.00" is no amount anyone owes."""
    rounded = amount.quantize(minor_unit(currency), rounding=MONEY_ROUNDING)
    return rounded.copy_abs() if rounded.is_zero() else rounded


def currency_choices() -> list[tuple[str, str]]:
    return [(code, code) for code in sorted(active_currency_codes())]


# What people type for a currency that is not its ISO code: renminbi's everyday
# abbreviation and name. (ISO codes themselves are taken in any case.)
CURRENCY_ALIASES = {"RMB": "CNY", "人民币": "CNY", "元": "CNY"}


def currency_normalize(value: str) -> str:
    """A currency as typed (" usd ", "RMB", "人民币") as its ISO 4217 code ("USD",
    "CNY"); anything else comes back stripped and upper-cased, for the validator
    to refuse. Editors, feeds and imports all go through here."""
    code = (value or "").strip().upper()
    return CURRENCY_ALIASES.get(code, code)
