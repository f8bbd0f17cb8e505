"""Dates and times as people read them: one format per language, in one place.

Every page that shows a date (the reader site, the admin's own pages, e-mails)
formats it here, or through Django's ``date`` filter and Wagtail's listings, whose
formats (``zhongcao.formats``) are read from ``DJANGO_FORMATS`` below: the same
day reads "5 Dec 2026" in English (British order, as money.py formats) and "2026年12月5日" in Chinese everywhere, never
12/04/2026 or an ISO date on screen (exports and the API keep ISO 8601).

A time is shown in the active time zone: the reader site's (settings.TIME_ZONE),
or in the admin the user's own (Wagtail activates it; Chinese-speaking creators and
editors get Asia/Shanghai by default, affiliates.creators.people).
"""

import datetime

from babel.dates import format_date, format_datetime
from django.utils import timezone
from django.utils.translation import get_language

from .money import babel_locale

# Babel (CLDR) patterns: a day, and a day with the time (24-hour clock).
PATTERNS = {
    "en": {"date": "d MMM y", "datetime": "d MMM y, HH:mm"},
    "zh-hans": {"date": "y年M月d日", "datetime": "y年M月d日 HH:mm"},
}
# The same, in Django's notation, for its ``date`` filter and Wagtail's columns.
DJANGO_FORMATS = {
    "en": {"date": "j M Y", "datetime": "j M Y, H:i"},
    "zh-hans": {"date": "Y年n月j日", "datetime": "Y年n月j日 H:i"},
}


def _patterns(language: str | None) -> dict[str, str]:
    language = (language or get_language() or "en").lower()
    if language.startswith("zh"):
        return PATTERNS["zh-hans"]
    return PATTERNS.get(language, PATTERNS["en"])


def date_display(
    value: datetime.date | datetime.datetime | None, *, language: str | None = None
) -> str:
    """``value``'s day: "5 Dec 2026", "2026年12月5日" (a moment: its day in the
    active time zone). Empty for None."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        value = value.date()
    return format_date(
        value, format=_patterns(language)["date"], locale=babel_locale(language)
    )


def datetime_display(
    value: datetime.datetime | None, *, language: str | None = None
) -> str:
    """A moment in the active time zone: "5 Dec 2026, 14:30", "2026年12月5日 14:30"."""
    if value is None or value == "":
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return format_datetime(
        value, format=_patterns(language)["datetime"], locale=babel_locale(language)
    )
