"""Template helpers of the reader pages."""

import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from products.models import Availability

register = template.Library()

# As django.utils.html.json_script escapes: no "</script>" (or "<!--") can end the
# element early, whatever an author writes in a title or summary.
_JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.simple_tag(takes_context=True)
def product_embed(context, placement):
    """The expanded product (selectors.article_detail) shown at ``placement``."""
    return (context.get("embeds") or {}).get(str(placement))


@register.filter
def availability_label(code: str) -> str:
    """The reader's words for an offer's availability code."""
    return Availability(code).label if code in Availability.values else code


@register.simple_tag
def json_ld(data):
    """A schema.org JSON-LD script element; ``data`` is escaped for a <script>."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(
        _JSON_SCRIPT_ESCAPES
    )
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(text),  # noqa: S308 (escaped above, as json_script does)
    )


@register.simple_tag(takes_context=True)
def page_url(context, number):
    """The current URL with ?page=``number`` (other query parameters kept)."""
    query = context["request"].GET.copy()
    query["page"] = number
    return "?" + query.urlencode()
