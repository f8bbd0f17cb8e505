"""`manage.py bench_pulls` at a tiny size: a JD-format router serves the rows, the
real connector and pull apply them, a second run applies nothing; it prints its
figures and ratios (no timing is asserted)."""

import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from affiliates.models import Conversion, LedgerEntry
from bench.management.commands import bench_pulls

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_pulls_a_tenth_and_all_and_prints_its_ratios():
    out = io.StringIO()
    call_command(bench_pulls.Command(), "--lines", "1200", stdout=out)
    text = out.getvalue()
    assert re.search(r"tenth:\s+120 lines", text)
    assert re.search(r"full:\s+1200 lines", text)
    assert text.count("none applied") == 2
    assert re.search(r"time a line, full / tenth: [\d.]+x", text)
    assert re.search(r"peak memory, full / tenth: [\d.]+x", text)
    # Two items an order: every row a conversion, each with its commission split.
    assert Conversion.objects.count() == 1320
    assert LedgerEntry.objects.filter(kind="platform").count() == 1320


def test_refuses_a_database_with_conversions_and_a_tiny_size(db):
    with pytest.raises(CommandError, match="at least 20"):
        call_command(bench_pulls.Command(), "--lines", "5")
