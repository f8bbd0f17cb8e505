"""`manage.py bench_dashboards` at a tiny size: it makes its data, rebuilds the
rollups, measures and prints its figures and ratios (no timing is asserted).

The command belongs to the bench app, which only bench.settings installs; under the
test settings it is called as an object (tests/bench/test_commands.py checks that
bench.settings names it)."""

import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from wagtail.models import Page

from affiliates.models import Click, Conversion, DailyLinkClicks, LedgerEntry
from bench.management.commands import bench_dashboards
from content.models import ArticleIndexPage, ReviewPage

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

TINY = [
    "--clicks",
    "2000",
    "--conversions",
    "50",
    "--articles",
    "20",
    "--creators",
    "5",
]


def test_runs_at_a_tiny_size_and_prints_its_ratios(settings):
    # as under bench.settings (production's): editors must have given a code
    settings.ZHONGCAO_REQUIRE_2FA_FOR_EDITORS = True
    out = io.StringIO()
    call_command(bench_dashboards.Command(), *TINY, "--repeat", "2", stdout=out)
    text = out.getvalue()
    assert "20 articles, 5 creators, 60 links" in text
    assert re.search(r"^\s+200\s+[\d.]+ ms\s+[\d.]+ ms\s+[\d.]+ ms$", text, re.M)
    assert re.search(r"^\s+2000\s+[\d.]+ ms\s+[\d.]+ ms\s+[\d.]+ ms$", text, re.M)
    for line in (
        r"ratio dashboard / COUNT\(\*\) at 2000 clicks: [\d.]+",
        r"ratio report / COUNT\(\*\) at 2000 clicks: [\d.]+",
        r"ratio dashboard at 2000 / at 200 clicks: [\d.]+ \(target under 1.5: \w+\)",
        r"ratio report at 2000 / at 200 clicks: [\d.]+ \(target under 1.5: \w+\)",
    ):
        assert re.search(line, text), line
    # The data is what it says, and the rollups count every click.
    assert Click.objects.count() == 2000
    assert Conversion.objects.count() == 50
    assert LedgerEntry.objects.filter(kind="author").count() == 50
    rolled = sum(
        row.billable_clicks + row.bot_clicks + row.duplicate_clicks
        for row in DailyLinkClicks.objects.all()
    )
    assert rolled == 2000
    # The bulk-made reviews are whole pages in a sound tree.
    assert all(not problems for problems in Page.find_problems())
    index = ArticleIndexPage.objects.get()
    assert index.numchild == 20
    assert ReviewPage.objects.child_of(index).live().count() == 20
    assert ReviewPage.objects.first().author is not None
    assert index.get_children().last().specific.url_path.endswith("/bench-review-19/")


def test_refuses_a_database_with_clicks():
    call_command(
        bench_dashboards.Command(), *TINY, "--repeat", "1", stdout=io.StringIO()
    )
    with pytest.raises(CommandError, match="has clicks already"):
        call_command(bench_dashboards.Command(), *TINY, stdout=io.StringIO())


def test_bad_sizes_are_named():
    with pytest.raises(CommandError, match="--conversions must not exceed --clicks"):
        call_command(
            bench_dashboards.Command(), "--clicks", "10", "--conversions", "20"
        )
    with pytest.raises(CommandError, match="--articles must be 1 or more"):
        call_command(bench_dashboards.Command(), "--articles", "0")


def test_time_only_times_the_data_an_earlier_run_left():
    with pytest.raises(CommandError, match="needs the data of an earlier run"):
        call_command(bench_dashboards.Command(), "--time-only", stdout=io.StringIO())
    call_command(
        bench_dashboards.Command(), *TINY, "--repeat", "1", stdout=io.StringIO()
    )
    out = io.StringIO()
    call_command(bench_dashboards.Command(), "--time-only", "--repeat", "1", stdout=out)
    text = out.getvalue()
    assert re.search(r"^\s+2000\s+[\d.]+ ms\s+[\d.]+ ms\s+[\d.]+ ms$", text, re.M)
    assert Click.objects.count() == 2000  # nothing made
