"""Money as the admin shows it: rounded to the currency's minor units, with its code."""

from decimal import Decimal

from django import template

from products.currencies import money_round

register = template.Library()


@register.filter
def money(amount: Decimal | None, currency: str) -> str:
    """``{{ amount|money:currency }}`` → "48.00 CNY" (JPY: "1000 JPY")."""
    if amount is None:
        return ""
    return f"{money_round(Decimal(amount), currency)} {currency}"
