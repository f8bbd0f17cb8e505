"""Template helpers of the reader pages."""

from django import template

from products.models import Availability

register = template.Library()


@register.simple_tag(takes_context=True)
def product_embed(context, placement):
    """The expanded product (selectors.article_detail) shown at ``placement``."""
    return (context.get("embeds") or {}).get(str(placement))


@register.filter
def availability_label(code: str) -> str:
    """The reader's words for an offer's availability code."""
    return Availability(code).label if code in Availability.values else code
