"""`manage.py pull_conversions`: pulls now with a line per page and a summary, for
one merchant's pulled connections or every enabled one; --since; a running pull
and a failed one reported; bad input refused."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from affiliates.commissions.networks import base
from affiliates.commissions.networks.base import ConnectorError
from affiliates.models import (
    ConnectionKind,
    ConnectionRun,
    Conversion,
    NetworkConnection,
    RunState,
)
from tests.factories import MerchantFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def line(order_id: str, hours_ago: float) -> dict:
    return {
        "order_id": order_id,
        "amount": "88.00",
        "currency": "CNY",
        "status": "pending",
        "occurred_at": (NOW - datetime.timedelta(hours=hours_ago)).isoformat(),
    }


class PagedConnector(base.Connector):
    """Serves the lines of each window asked, two a page; records the windows."""

    kind = ConnectionKind.AWIN
    max_window = datetime.timedelta(days=30)
    overlap = datetime.timedelta(minutes=10)
    first_lookback = datetime.timedelta(days=2)
    lines: list[dict] = []
    asked: list = []

    def fetch(self, window):
        type(self).asked.append(window)
        page = [
            item
            for item in type(self).lines
            if window.start
            <= datetime.datetime.fromisoformat(item["occurred_at"])
            < window.end
        ]
        for start in range(0, len(page), 2):
            yield page[start : start + 2]


class FailingConnector(base.Connector):
    kind = ConnectionKind.IMPACT

    def fetch(self, window):
        yield [line("IM-1", 1)]
        raise ConnectorError("HTTP 503 from Impact.")


@pytest.fixture
def connectors(connector_replace):
    PagedConnector.lines = [line(f"AW-{n}", 1 + n) for n in range(5)]
    PagedConnector.asked = []
    connector_replace(ConnectionKind.AWIN, PagedConnector)
    connector_replace(ConnectionKind.IMPACT, FailingConnector)
    return PagedConnector


@pytest.fixture
def awin(connectors, shop):
    return NetworkConnection.objects.create(merchant=shop, kind=ConnectionKind.AWIN)


def pull(*args) -> str:
    out = StringIO()
    call_command("pull_conversions", *args, stdout=out)
    return out.getvalue()


def test_it_pulls_a_merchants_connections_with_a_line_per_page(awin, shop):
    out = pull(shop.slug)
    assert Conversion.objects.count() == 5
    assert [text for text in out.splitlines() if "page" in text] == [
        "  page 1: 2 order lines read: 2 applied, 0 already known, 0 refused",
        "  page 2: 4 order lines read: 4 applied, 0 already known, 0 refused",
        "  page 3: 5 order lines read: 5 applied, 0 already known, 0 refused",
    ]
    assert "done" in out and "1 pull(s) done." in out
    # A second pull reads from the cursor less the overlap: nothing new.
    again = pull(shop.slug)
    assert Conversion.objects.count() == 5
    awin.refresh_from_db()
    assert awin.cursor is not None and "0 applied" in again


def test_since_reads_again_from_that_time(awin, shop, connectors):
    pull(shop.slug)
    since = (NOW - datetime.timedelta(hours=3)).replace(microsecond=0)
    out = pull(shop.slug, "--since", since.isoformat())
    assert connectors.asked[-1].start == since
    # AW-0 and AW-1 (1 and 2 hours ago) again, already known.
    assert "2 order lines read: 0 applied, 2 already known" in out


def test_a_naive_since_is_read_in_the_sites_time_zone(awin, shop, connectors):
    pull(shop.slug, "--since", "2026-01-05T08:00")
    assert connectors.asked[0].start == datetime.datetime(
        2026, 1, 5, 8, tzinfo=datetime.UTC
    )


def test_without_a_merchant_every_enabled_pulled_connection_is_pulled(connectors, shop):
    other = MerchantFactory(name="Other")
    NetworkConnection.objects.create(merchant=shop, kind=ConnectionKind.AWIN)
    NetworkConnection.objects.create(
        merchant=other, kind=ConnectionKind.AWIN, enabled=False
    )
    NetworkConnection.objects.create(
        merchant=other, kind=ConnectionKind.TEMPLATED_POSTBACK
    )
    out = pull()
    assert ConnectionRun.objects.count() == 1
    assert "1 pull(s) done." in out
    # Named, a disabled connection is pulled all the same.
    pull(other.slug)
    assert ConnectionRun.objects.count() == 2


def test_a_failed_pull_is_reported_and_fails_the_command(connectors, shop):
    NetworkConnection.objects.create(merchant=shop, kind=ConnectionKind.AWIN)
    impact = NetworkConnection.objects.create(merchant=shop, kind=ConnectionKind.IMPACT)
    out = StringIO()
    with pytest.raises(CommandError, match="1 of 2 pulls failed"):
        call_command("pull_conversions", shop.slug, stdout=out)
    assert "failed: HTTP 503 from Impact." in out.getvalue()
    # The other connection was pulled all the same.
    assert Conversion.objects.filter(order_id__startswith="AW-").count() == 5
    impact.refresh_from_db()
    assert impact.last_error == "HTTP 503 from Impact." and impact.cursor is None
    assert ConnectionRun.objects.get(connection=impact).state == RunState.FAILED


def test_a_running_pull_is_reported_not_doubled(awin, shop):
    ConnectionRun.objects.create(connection=awin, window_start=NOW, window_end=NOW)
    out = pull(shop.slug)
    assert "skipped: a pull of it is running already." in out
    assert "Nothing was pulled." in out
    assert ConnectionRun.objects.count() == 1 and not Conversion.objects.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nobody"], "No merchant"),
        (["{shop}"], "no connection whose report is pulled"),
        (["--since", "yesterday"], "not an ISO time"),
        (["--since", "2999-01-01"], "in the future"),
    ],
)
def test_bad_input_is_refused(connectors, shop, args, message):
    NetworkConnection.objects.create(
        merchant=shop, kind=ConnectionKind.TEMPLATED_POSTBACK
    )
    with pytest.raises(CommandError, match=message):
        pull(*[arg.replace("{shop}", shop.slug) for arg in args])
    assert not ConnectionRun.objects.exists()
