"""Money as the admin shows it: rounded to the currency's minor units, with its code
(products.money, where all money formatting lives)."""

from decimal import Decimal

from django import template

from products.money import money_plain

register = template.Library()


@register.filter
def money(amount: Decimal | None, currency: str) -> str:
    """``{{ amount|money:currency }}`` → "48.00 CNY" (JPY: "1000 JPY")."""
    return money_plain(amount, currency)
