"""One date format per language (products.dates), the same through Django's ``date``
filter and Wagtail's listings (zhongcao.formats), in the active time zone."""

import datetime

import pytest
from django.template import engines
from django.utils import timezone, translation

from products.dates import date_display, datetime_display

MOMENT = datetime.datetime(2026, 12, 4, 17, 30, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("language", "day", "moment"),
    [
        ("en", "5 Dec 2026", "5 Dec 2026, 01:30"),
        ("zh-hans", "2026年12月5日", "2026年12月5日 01:30"),
    ],
)
def test_a_moment_reads_the_same_everywhere_in_its_language(language, day, moment):
    template = engines["django"].from_string(
        "{{ m|date }}|{{ m|date:'SHORT_DATE_FORMAT' }}|{{ m }}|{{ m|date:'DATETIME_FORMAT' }}"
    )
    # 17:30 UTC is already the next day in Shanghai.
    with translation.override(language), timezone.override("Asia/Shanghai"):
        assert date_display(MOMENT) == day
        assert datetime_display(MOMENT) == moment
        assert template.render({"m": MOMENT}).split("|") == [day, day, moment, moment]


def test_a_day_has_no_time_zone():
    with translation.override("zh-hans"), timezone.override("America/New_York"):
        assert date_display(datetime.date(2026, 1, 31)) == "2026年1月31日"
    with translation.override("en"):
        assert date_display(None) == "" and datetime_display(None) == ""
