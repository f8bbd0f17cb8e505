"""Template helpers of the reader pages.

Money, dates and numbers are written in the active language: a reader page about an
article renders inside ``{% language page.language %}``, so that the article's
labels, dates and prices speak its language whatever the reader's browser asks for.
"""

import datetime
import json
from decimal import Decimal

from babel.dates import format_timedelta
from babel.numbers import format_decimal
from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from content.catalog import offers_for_reader
from content.reader.selectors import reader_navigation
from content.selectors import article_kind
from products.dates import date_display
from products.models import Availability
from products.money import babel_locale, money_format

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


@register.filter
def money(amount: Decimal | str | None, currency: str) -> str:
    """``{{ offer.price|money:offer.currency }}`` → "¥1,299" (products.money)."""
    return money_format(amount, currency)


@register.filter
def percent_change(value: int | None) -> str:
    """A price's change in whole percent as readers read it: "−23%", "+8%" (a true
    minus sign, digits in the active language)."""
    if value is None or value == "":
        return ""
    sign = "−" if value < 0 else "+" if value > 0 else ""
    return f"{sign}{format_decimal(abs(value), locale=babel_locale())}%"


@register.filter
def reader_date(value: datetime.datetime | datetime.date | None) -> str:
    """A date in the active language's one format: "2026年12月5日", "5 Dec 2026"."""
    return date_display(value) if value else ""


@register.filter
def time_ago(value: datetime.datetime | None) -> str:
    """How long ago ``value`` was: "3 days ago", "3天前" (a minute at least: Babel
    calls less "in 0 seconds")."""
    if not value:
        return ""
    return format_timedelta(
        min(value - timezone.now(), -datetime.timedelta(minutes=1)),
        add_direction=True,
        locale=babel_locale(),
    )


@register.filter
def reader_number(value) -> str:
    """A number as the active language writes it (8.5; 1,299)."""
    if value is None or value == "":
        return ""
    return format_decimal(Decimal(str(value)), locale=babel_locale())


CARD_TONES = 6


@register.filter
def card_tone(article) -> int:
    """One of CARD_TONES colour schemes for a card without a picture, fixed per
    article so that neighbouring placeholders differ and a reload keeps its look."""
    return (article.pk or 0) % CARD_TONES


@register.filter(name="article_kind")
def article_kind_filter(article) -> str:
    """ "review", "guide" or "article" (selectors.article_kind)."""
    return article_kind(article)


@register.simple_tag
def reader_offers(embed: dict | None) -> list[dict]:
    """An embed's offers as the reader sees them (selectors.offers_for_reader)."""
    return offers_for_reader(offers=(embed or {}).get("offers") or [])


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


@register.inclusion_tag(
    "content/includes/navigation.html", takes_context=True, name="reader_navigation"
)
def reader_navigation_tag(context):
    """The header's navigation; ``nav_current`` (review, guide, products, creators,
    tags) and ``tag`` in the page's context mark where the reader is."""
    tag = context.get("tag")
    return {
        "navigation": reader_navigation(),
        "current": context.get("nav_current", ""),
        "current_tag": getattr(tag, "slug", ""),
        "request": context.get("request"),
    }
