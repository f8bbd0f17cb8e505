"""Pulling a connection's report (networks.pulls): from the cursor less the overlap,
window by window, every line applied once whatever the overlap or a second run,
the cursor kept where it was when the network's answer cannot be used, one pull at a
time. The network here is a connector over a script of pages; each network's own
wire format is tested against a local server in its own module."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from affiliates.commissions.networks import base
from affiliates.commissions.networks.base import ConnectorError, Window
from affiliates.commissions.networks.pulls import (
    PullBusy,
    connection_pull,
    connections_due,
    pull_windows,
)
from affiliates.commissions.services.ledger import items_current
from affiliates.models import (
    ConnectionKind,
    ConnectionRun,
    Conversion,
    ConversionSource,
    EntryStatus,
    NetworkConnection,
    RunState,
)
from tests.affiliates.conftest import click_id_for

pytestmark = pytest.mark.django_db

NOW = timezone.now()


class ScriptedConnector(base.Connector):
    """Serves, for each window asked, the lines whose ``occurred_at`` is in it;
    fails on the windows listed in ``failing``. Records the windows asked."""

    kind = ConnectionKind.AWIN
    max_window = datetime.timedelta(hours=6)
    overlap = datetime.timedelta(minutes=30)
    first_lookback = datetime.timedelta(days=1)
    lines: list[dict] = []
    failing: set[int] = set()
    asked: list[Window] = []

    def fetch(self, window):
        type(self).asked.append(window)
        if len(type(self).asked) - 1 in type(self).failing:
            raise ConnectorError("HTTP 503 from the network.")
        page = [
            line
            for line in type(self).lines
            if window.start
            <= datetime.datetime.fromisoformat(line["occurred_at"])
            < window.end
        ]
        yield page[:2]
        if page[2:]:
            yield page[2:]


@pytest.fixture
def scripted(connector_replace):
    ScriptedConnector.lines = []
    ScriptedConnector.failing = set()
    ScriptedConnector.asked = []
    connector_replace(ConnectionKind.AWIN, ScriptedConnector)
    return ScriptedConnector


@pytest.fixture
def pulled(shop):
    return NetworkConnection.objects.create(merchant=shop, kind=ConnectionKind.AWIN)


def line(order_id, hours_ago, *, item_id="", status="pending", **fields):
    return {
        "order_id": order_id,
        "item_id": item_id,
        "amount": "100.00",
        "currency": "CNY",
        "status": status,
        "occurred_at": (NOW - datetime.timedelta(hours=hours_ago)).isoformat(),
        **fields,
    }


def test_windows_cover_the_span_without_gap_or_overlap():
    start = NOW - datetime.timedelta(hours=13)
    windows = list(pull_windows(start, NOW, datetime.timedelta(hours=6)))
    assert [w.start for w in windows] == [
        start,
        start + datetime.timedelta(hours=6),
        start + datetime.timedelta(hours=12),
    ]
    assert windows[-1].end == NOW
    assert list(pull_windows(NOW, NOW, datetime.timedelta(hours=1))) == []


def test_a_first_pull_reads_back_its_lookback_and_applies_every_line(
    scripted, pulled, link
):
    click_id = click_id_for(link, at=NOW - datetime.timedelta(hours=21))
    scripted.lines = [
        line("A", 20, click_id=click_id),
        line("B", 10),
        line("C", 9),
        line("D", 1),
    ]
    run = connection_pull(connection=pulled, until=NOW)
    assert run.state == RunState.SUCCEEDED
    assert (run.lines_seen, run.lines_applied, run.lines_rejected) == (4, 4, 0)
    assert scripted.asked[0].start == NOW - datetime.timedelta(days=1, minutes=30)
    assert scripted.asked[-1].end == NOW
    pulled.refresh_from_db()
    assert pulled.cursor == NOW
    assert pulled.last_success_at is not None and not pulled.last_error
    sale = Conversion.objects.get(order_id="A")
    assert sale.author == link.author and sale.source == ConversionSource.PULL
    assert sale.reports.get().connection == pulled
    assert pulled.reports.count() == 4


def test_a_second_pull_overlaps_the_first_and_changes_nothing(scripted, pulled):
    scripted.lines = [line("A", 5), line("B", 0.2)]
    connection_pull(connection=pulled, until=NOW)
    later = NOW + datetime.timedelta(hours=1)
    run = connection_pull(connection=pulled, until=later)
    # It started at the cursor less the overlap, so B (10 minutes before) came again.
    assert scripted.asked[-1] == Window(NOW - datetime.timedelta(minutes=30), later)
    assert (run.lines_seen, run.lines_applied, run.lines_unchanged) == (1, 0, 1)
    assert Conversion.objects.count() == 2


def test_a_bad_answer_keeps_the_cursor_at_the_last_whole_window(scripted, pulled):
    scripted.lines = [line("A", 20), line("B", 10), line("C", 2)]
    scripted.failing = {3}  # the fourth window of five (C is in it)
    run = connection_pull(connection=pulled, until=NOW)
    assert run.state == RunState.FAILED
    assert run.error == "HTTP 503 from the network."
    pulled.refresh_from_db()
    assert pulled.cursor == scripted.asked[2].end
    assert pulled.last_error == "HTTP 503 from the network."
    assert pulled.last_success_at is None
    assert set(Conversion.objects.values_list("order_id", flat=True)) == {"A", "B"}

    resumed_from = pulled.cursor
    scripted.failing = set()
    scripted.asked = []
    again = connection_pull(connection=pulled, until=NOW)
    assert again.state == RunState.SUCCEEDED
    assert scripted.asked[0].start == resumed_from - datetime.timedelta(minutes=30)
    assert set(Conversion.objects.values_list("order_id", flat=True)) == {
        "A",
        "B",
        "C",
    }


def test_a_refused_line_is_named_and_the_others_are_applied(scripted, pulled):
    scripted.lines = [
        line("A", 3, amount="12.345"),
        line("B", 3, currency="XYZ"),
        line("C", 3),
    ]
    run = connection_pull(connection=pulled, until=NOW)
    assert run.state == RunState.SUCCEEDED
    assert (run.lines_applied, run.lines_rejected) == (1, 2)
    assert run.rejections == [
        "A: amount: CNY has 2 decimal places; 12.345 has more.",
        "B: currency: XYZ is not an ISO 4217 currency code in use.",
    ]
    pulled.refresh_from_db()
    assert pulled.cursor == NOW


def test_one_pull_of_a_connection_at_a_time(scripted, pulled):
    ConnectionRun.objects.create(connection=pulled, window_start=NOW, window_end=NOW)
    with pytest.raises(PullBusy):
        connection_pull(connection=pulled, until=NOW)


def test_a_pull_whose_worker_died_does_not_block_the_next(scripted, pulled, settings):
    lost = ConnectionRun.objects.create(
        connection=pulled, window_start=NOW, window_end=NOW
    )
    ConnectionRun.objects.filter(pk=lost.pk).update(
        started_at=NOW
        - datetime.timedelta(seconds=settings.ZHONGCAO_TASK_LOST_AFTER + 1)
    )
    assert connection_pull(connection=pulled, until=NOW).state == RunState.SUCCEEDED
    lost.refresh_from_db()
    assert lost.state == RunState.FAILED and "stopped" in lost.error


def test_missing_credentials_fail_the_pull_with_their_names(pulled, connector_replace):
    class NeedsKeys(ScriptedConnector):
        credential_names = ("client_id", "client_secret")

    connector_replace(ConnectionKind.AWIN, NeedsKeys)
    pulled.credentials = {"client_id": "id-1"}
    pulled.save()
    run = connection_pull(connection=pulled, until=NOW)
    assert run.state == RunState.FAILED
    assert run.error == "Credentials missing: client_secret."


def test_connections_are_due_after_their_interval(scripted, pulled, shop):
    NetworkConnection.objects.create(
        merchant=shop, kind=ConnectionKind.AWIN, enabled=False
    )
    NetworkConnection.objects.create(
        merchant=shop, kind=ConnectionKind.TEMPLATED_POSTBACK
    )
    assert connections_due(now=NOW) == [pulled]
    connection_pull(connection=pulled, until=NOW)
    assert connections_due(now=timezone.now()) == []
    later = timezone.now() + datetime.timedelta(minutes=pulled.pull_every_minutes)
    assert connections_due(now=later) == [pulled]


def test_line_items_are_conversions_of_their_own_and_return_alone(
    scripted, pulled, link
):
    click_id = click_id_for(link, at=NOW - datetime.timedelta(hours=4))
    scripted.lines = [
        line("O-1", 3, item_id="sku-1", click_id=click_id, commission="10.00"),
        line("O-1", 3, item_id="sku-2", click_id=click_id, commission="10.00"),
    ]
    connection_pull(connection=pulled, until=NOW)
    first, second = Conversion.objects.filter(order_id="O-1").order_by("item_id")
    assert (first.item_id, second.item_id) == ("sku-1", "sku-2")
    assert first.commission == second.commission == Decimal("10.00")

    scripted.lines = [
        line("O-1", 0.5, item_id="sku-2", click_id=click_id, status="refunded")
    ]
    connection_pull(connection=pulled, until=NOW + datetime.timedelta(hours=1))
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("pending", "refunded")
    assert items_current(conversion=second) == []
    assert {i.status for i in items_current(conversion=first)} == {EntryStatus.PENDING}


def test_credentials_no_key_opens_fail_the_pull_on_its_health(
    scripted, shop, settings, connector_replace
):
    from cryptography.fernet import Fernet

    from affiliates.tasks import pull_conversions

    class NeedsToken(ScriptedConnector):
        credential_names = ("api_token",)

    connector_replace(ConnectionKind.AWIN, NeedsToken)

    settings.ZHONGCAO_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    connection = NetworkConnection.objects.create(
        merchant=shop, kind=ConnectionKind.AWIN, credentials={"api_token": "t-1"}
    )
    settings.ZHONGCAO_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    assert pull_conversions.call(connection.pk) == RunState.FAILED
    connection.refresh_from_db(fields=["last_error"])
    assert "cannot be decrypted" in connection.last_error
