"""People and dates as the admin shows them: ``{{ user|public_name }}``,
``{{ day|day }}`` and ``{{ moment|moment }}`` (affiliates.creators.people, products.dates)."""

from django import template

from affiliates.creators.people import public_name as public_name_of
from products.dates import date_display, datetime_display

register = template.Library()


@register.filter
def public_name(user) -> str:
    return public_name_of(user)


@register.filter
def day(value) -> str:
    return date_display(value)


@register.filter
def moment(value) -> str:
    return datetime_display(value)
