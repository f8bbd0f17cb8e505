"""ISO 4217 currencies, from the CLDR data that Babel ships.

Only currencies that are legal tender somewhere today are accepted: historic codes
(DEM, FRF) and funds or metals (XAU, XXX) are not currencies a merchant sells in.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from babel.core import get_global
from babel.numbers import get_currency_precision, get_territory_currencies

# The one rounding mode for money in Zhongcao: half away from zero, as shops and
# payment networks round prices. Applied once, at the edge, per currency.
MONEY_ROUNDING = ROUND_HALF_UP


@lru_cache(maxsize=1)
def active_currency_codes() -> frozenset[str]:
    """Every currency code that some territory uses as legal tender today."""
    today = datetime.datetime.now(tz=datetime.UTC).date()
    codes: set[str] = set()
    for territory in get_global("territory_currencies"):
        codes.update(get_territory_currencies(territory, today, tender=True))
    return frozenset(codes)


def is_active_currency(code: str) -> bool:
    return code in active_currency_codes()


def currency_minor_units(code: str) -> int:
    """Digits after the decimal point: 2 for CNY and USD, 0 for JPY and KRW."""
    return get_currency_precision(code)


def minor_unit(currency: str) -> Decimal:
    """The currency's smallest amount: 0.01 for CNY and USD, 1 for JPY."""
    return Decimal(1).scaleb(-currency_minor_units(currency))


def in_minor_units(amount: Decimal, currency: str) -> bool:
    """Whether ``amount`` has no more decimals than its currency allows."""
    return amount == amount.quantize(minor_unit(currency))


def money_round(amount: Decimal, currency: str) -> Decimal:
    """Round an amount to its currency's minor unit with MONEY_ROUNDING."""
    return amount.quantize(minor_unit(currency), rounding=MONEY_ROUNDING)


def currency_choices() -> list[tuple[str, str]]:
    return [(code, code) for code in sorted(active_currency_codes())]


def money_str(amount: Decimal, currency: str) -> str:
    """An amount as it leaves the API: a string with the currency's minor units
    ("48.00" CNY, "1000" JPY). The amount must already be rounded."""
    return str(money_round(Decimal(amount), currency))
