"""Money as people read it: the one place that turns an amount and its currency into
text, and that says which currency a language's readers shop in.

Two audiences, two forms:

- readers (the reader site, in a page's language): CLDR's currency format through
  Babel, with the symbol the language uses ("¥1,299" in Chinese, "CN¥1,299" and
  "US$179" in English), grouped digits, and no ".00" on a whole amount (shops
  write ¥1,299, not ¥1,299.00); a price with cents keeps them (¥279.50).
- the admin and reports (``money_plain``): the exact amount in the currency's
  minor units with its ISO code ("48.00 CNY"), where figures must add up to the
  cent and be copied as they are.

Shares of a commission are percents, written as people write them
(``percent_text``: "84", "12.5").

Amounts are rounded once, here, with products.currencies.money_round (ISO 4217
minor units, MONEY_ROUNDING). The API sends amounts as strings with the
currency's minor units (``money_str``: "48.00" CNY, "1000" JPY), never formatted:
its clients format them.
"""

import copy
from decimal import Decimal
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.numbers import get_territory_currencies
from django.utils.translation import get_language, to_locale

from .currencies import money_round

# The Babel locale each language of the site (settings.LANGUAGES) formats money,
# dates and numbers in: one format per language. English is British English for its
# day-month-year dates ("5 Dec 2026") and its unambiguous dollar ("US$179").
FORMAT_LOCALES = {"en": "en_GB", "zh-hans": "zh_Hans_CN"}
FALLBACK_LOCALE = "en_GB"


def babel_locale(language: str | None = None) -> Locale:
    """The Babel locale that formats for ``language`` (a Django language code; the
    active language when None): FORMAT_LOCALES, else Babel's own for the code."""
    return _babel_locale((language or get_language() or "").lower())


@lru_cache(maxsize=32)
def _babel_locale(language: str) -> Locale:
    name = FORMAT_LOCALES.get(language)
    if name is None:
        try:
            return Locale.parse(to_locale(language or "en"))
        except (UnknownLocaleError, ValueError, TypeError):
            name = FALLBACK_LOCALE
    return Locale.parse(name)


@lru_cache(maxsize=32)
def market_currency(*, language: str) -> str:
    """The currency readers of ``language`` shop in, from CLDR: the legal tender of
    the language's most likely territory (zh-hans → China → CNY, en → United States
    → USD); "" when CLDR does not know."""
    name = to_locale(language or "")
    subtags = get_global("likely_subtags")
    # The full tag first (zh_Hant → Taiwan), else the language alone (zh → China).
    likely = subtags.get(name) or subtags.get(name.split("_")[0])
    if not likely:
        return ""
    try:
        territory = Locale.parse(likely).territory
    except (UnknownLocaleError, ValueError):
        return ""
    currencies = get_territory_currencies(territory, tender=True) if territory else []
    return currencies[0] if currencies else ""


def money_format(
    amount: Decimal | str | None, currency: str, *, language: str | None = None
) -> str:
    """An amount as a reader reads it in ``language`` (the active language when
    None): "¥1,299", "¥279.50", "US$179" in Chinese; "CN¥1,299" in English."""
    if amount is None or amount == "":
        return ""
    locale = babel_locale(language)
    amount = money_round(Decimal(amount), currency)
    pattern = copy.copy(locale.currency_formats["standard"])
    if amount == amount.to_integral_value():
        pattern.frac_prec = (0, 0)
        return pattern.apply(amount, locale, currency=currency, currency_digits=False)
    return pattern.apply(amount, locale, currency=currency)


def money_str(amount: Decimal, currency: str) -> str:
    """An amount as it leaves the API: a string with the currency's minor units
    ("48.00" CNY, "1000" JPY)."""
    return str(money_round(Decimal(amount), currency))


def money_plain(amount: Decimal | str | None, currency: str) -> str:
    """An amount as the admin shows it: "48.00 CNY" (JPY: "1000 JPY")."""
    if amount is None:
        return ""
    return f"{money_round(Decimal(amount), currency)} {currency}"


def percent_text(value: Decimal | str | int) -> str:
    """A percent (a share of a commission) as people write it: 84, 12.5, not 84.00."""
    return f"{Decimal(value).normalize():f}"
