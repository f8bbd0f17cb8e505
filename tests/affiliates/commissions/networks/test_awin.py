"""The Awin connector against a local server that speaks Awin's publisher
transactions API: the bearer token checked, the query checked as Awin documents it
(yyyy-MM-ddThh:mm:ss, timezone, at most 31 days, dateType), transactions served by
transaction date or by validation date in Awin's shape, Awin's error answers."""

import datetime
import json
from decimal import Decimal

import pytest
from django.utils import timezone

from affiliates.commissions.networks.awin import AwinConnector
from affiliates.commissions.networks.pulls import connection_pull
from affiliates.commissions.services.ledger import items_current
from affiliates.models import (
    ConnectionKind,
    Conversion,
    ConversionSource,
    RunState,
)
from tests.affiliates.commissions.networks.servers import (
    Answer,
    WesternFake,
    WesternServed,
    json_answer,
    western_bad_answer_check,
    western_connection,
    western_ledger,
    western_refused_credentials_check,
    western_slow_answer_check,
)
from tests.affiliates.conftest import click_id_for

# Slow: a local network server per test, timeouts and races on purpose.
pytestmark = [pytest.mark.django_db, pytest.mark.slow]

TOKEN = "awin-oauth2-token-5b1f0c9e"
PUBLISHER = "45628"
NOW = timezone.now().replace(microsecond=0)
AWIN_TIME = "%Y-%m-%dT%H:%M:%S"


def awin_time(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime(AWIN_TIME)


def awin_read(text: str) -> datetime.datetime:
    """A time as Awin writes it (in the query's time zone, UTC here)."""
    return datetime.datetime.strptime(text, AWIN_TIME).replace(tzinfo=datetime.UTC)


class FakeAwin(WesternFake):
    """Awin's side: its transactions, and answers to give before them."""

    network = "Awin"
    authorization = f"Bearer {TOKEN}"
    unauthorized_message = "Full authentication is required to access this resource"

    def __init__(self):
        super().__init__()
        self.transactions: list[dict] = []

    def known(self, path: str) -> bool:
        return path == f"/publishers/{PUBLISHER}/transactions/"

    def error(self, status: int, message: str) -> Answer:
        words = {401: "unauthorized", 404: "exception"}
        return json_answer(
            {"error": words.get(status, "bad request"), "description": message}, status
        )

    def answer(self, request) -> Answer:
        query = request.query
        try:
            start = awin_read(query["startDate"])
            end = awin_read(query["endDate"])
        except (KeyError, ValueError):
            return self.error(400, "dates")
        if query.get("timezone") != "UTC" or "accessToken" in query:
            return self.error(400, "query")
        if not start <= end <= start + datetime.timedelta(days=31):
            return self.error(400, "max 31 days")
        date_field = {"transaction": "transactionDate", "validation": "validationDate"}
        field = date_field.get(query.get("dateType", "transaction"))
        if field is None:
            return self.error(400, "type")
        found = [
            transaction
            for transaction in self.transactions
            if transaction[field] and start <= awin_read(transaction[field]) <= end
        ]
        # Awin's amounts are JSON numbers (42.56), as a Java server writes them.
        body = json.dumps(found, default=float).encode()
        return Answer(body=body, headers={"Content-Type": "application/json"})


def transaction(
    transaction_id: int,
    *,
    at: datetime.datetime,
    sale: str,
    commission: str,
    status: str = "pending",
    click_ref: str | None = None,
    validated_at: datetime.datetime | None = None,
    amended_from: tuple[str, str] | None = None,
) -> dict:
    """A transaction shaped as Awin's documented example; ``amended_from``: the
    (sale, commission) the advertiser amended it from."""
    old = {"currency": "USD"}
    return {
        "id": transaction_id,
        "url": "https://zhongcao.example",
        "advertiserId": 7052,
        "publisherId": int(PUBLISHER),
        "commissionSharingPublisherId": None,
        "siteName": "Zhongcao",
        "commissionStatus": status,
        "commissionAmount": {"amount": Decimal(commission), "currency": "USD"},
        "saleAmount": {"amount": Decimal(sale), "currency": "USD"},
        "clickRefs": {"clickRef": click_ref} if click_ref else None,
        "clickDate": awin_time(at - datetime.timedelta(minutes=5)),
        "transactionDate": awin_time(at),
        "validationDate": awin_time(validated_at) if validated_at else None,
        "type": "Commission group transaction",
        "declineReason": "order returned" if status == "declined" else None,
        "amended": amended_from is not None,
        "amendReason": "partial return" if amended_from else None,
        "oldSaleAmount": {**old, "amount": Decimal(amended_from[0])}
        if amended_from
        else None,
        "oldCommissionAmount": {**old, "amount": Decimal(amended_from[1])}
        if amended_from
        else None,
        "orderRef": f"ORD-{transaction_id}",
        "customParameters": [],
        "transactionParts": [
            {
                "commissionGroupId": 12345,
                "amount": Decimal(sale),
                "commissionAmount": Decimal(commission),
                "commissionGroupCode": "DEFAULT",
                "commissionGroupName": "Default Commission",
            }
        ],
        "paidToPublisher": False,
        "paymentId": 0,
        "transactionQueryId": 0,
    }


@pytest.fixture
def awin(local_servers_allowed, monkeypatch):
    monkeypatch.setattr(AwinConnector, "call_interval", 0.0)
    fake = FakeAwin()
    with WesternServed(fake):
        yield fake


@pytest.fixture
def connection(network, awin):
    return western_connection(
        merchant=network,
        kind=ConnectionKind.AWIN,
        fake=awin,
        credentials={"api_token": TOKEN},
        settings={"publisher_id": PUBLISHER},
    )


def test_a_pull_reads_transactions_with_their_amounts_commission_and_author(
    awin, connection, link
):
    click_id = click_id_for(link, at=NOW - datetime.timedelta(hours=3))
    awin.transactions = [
        transaction(
            259630312,
            at=NOW - datetime.timedelta(hours=2),
            sale="129.99",
            commission="13.00",
            click_ref=click_id,
        ),
        transaction(
            259630313,
            at=NOW - datetime.timedelta(hours=30),
            sale="42.56",
            commission="4.26",
            status="approved",
            validated_at=NOW - datetime.timedelta(hours=1),
        ),
    ]
    run = connection_pull(connection=connection, until=NOW)
    assert run.state == RunState.SUCCEEDED, run.error
    assert (run.lines_applied, run.lines_rejected) == (2, 0)

    sale = Conversion.objects.get(order_id="259630312")
    assert (sale.amount, sale.stated_commission, sale.currency) == (
        Decimal("129.99"),
        Decimal("13.00"),
        "USD",
    )
    assert sale.status == "pending" and sale.source == ConversionSource.PULL
    assert sale.author == link.author and sale.click_id == click_id
    assert sale.occurred_at == NOW - datetime.timedelta(hours=2)
    older = Conversion.objects.get(order_id="259630313")
    assert (older.amount, older.stated_commission, older.status) == (
        Decimal("42.56"),
        Decimal("4.26"),
        "approved",
    )
    assert older.author is None

    # Both date types were asked for every window, with the token in the header.
    asked = awin.server.requests
    assert {r.query["dateType"] for r in asked} == {"transaction", "validation"}
    assert all(r.headers["authorization"] == f"Bearer {TOKEN}" for r in asked)
    assert all(TOKEN not in str(r.query) for r in asked)

    # Read again from before both: T2 comes twice (by transaction and validation
    # date), and nothing changes.
    again = connection_pull(
        connection=connection, since=NOW - datetime.timedelta(days=2), until=NOW
    )
    assert again.state == RunState.SUCCEEDED
    assert (again.lines_seen, again.lines_applied, again.lines_unchanged) == (3, 0, 3)
    assert Conversion.objects.count() == 2
    assert sale.reports.count() == 1


def test_a_declined_transaction_reverses_its_ledger_entries(awin, connection, link):
    click_id = click_id_for(link, at=NOW - datetime.timedelta(hours=5))
    awin.transactions = [
        transaction(
            7001,
            at=NOW - datetime.timedelta(hours=4),
            sale="200.00",
            commission="20.00",
            click_ref=click_id,
        )
    ]
    connection_pull(connection=connection, until=NOW)
    sale = Conversion.objects.get(order_id="7001")
    assert items_current(conversion=sale) != []

    # The advertiser declines it days later: only its validation date is recent.
    later = NOW + datetime.timedelta(days=3)
    awin.transactions = [
        transaction(
            7001,
            at=NOW - datetime.timedelta(hours=4),
            sale="200.00",
            commission="20.00",
            click_ref=click_id,
            status="declined",
            validated_at=later - datetime.timedelta(hours=1),
        )
    ]
    run = connection_pull(connection=connection, until=later)
    assert run.state == RunState.SUCCEEDED, run.error
    sale.refresh_from_db()
    assert sale.status == "cancelled"
    assert items_current(conversion=sale) == []


def test_an_amended_transaction_replaces_the_figures_once(awin, connection, link):
    click_id = click_id_for(link, at=NOW - datetime.timedelta(hours=5))
    sold = {
        "at": NOW - datetime.timedelta(hours=4),
        "click_ref": click_id,
    }
    awin.transactions = [transaction(7101, sale="200.00", commission="20.00", **sold)]
    connection_pull(connection=connection, until=NOW)
    sale = Conversion.objects.get(order_id="7101")
    assert western_ledger(sale)[:2] == (Decimal("20.00"), 0)

    # Two days later the advertiser amends it (a partial return) as it validates
    # it: new figures, the old ones beside them, the validation date of the change.
    later = NOW + datetime.timedelta(days=2)
    awin.transactions = [
        transaction(
            7101,
            sale="150.00",
            commission="15.00",
            status="approved",
            validated_at=later - datetime.timedelta(hours=1),
            amended_from=("200.00", "20.00"),
            **sold,
        )
    ]
    run = connection_pull(connection=connection, until=later)
    assert run.state == RunState.SUCCEEDED, run.error
    assert (run.lines_applied, run.lines_rejected) == (1, 0), run.rejections
    sale.refresh_from_db()
    assert (sale.status, sale.amount, sale.commission, sale.stated_commission) == (
        "approved",
        Decimal("150.00"),
        Decimal("15.00"),
        Decimal("15.00"),
    )
    amended = western_ledger(sale)
    assert amended[:2] == (Decimal("15.00"), Decimal("-20.00"))

    # Read again (by transaction and by validation date): nothing changes.
    again = connection_pull(
        connection=connection, since=NOW - datetime.timedelta(days=1), until=later
    )
    assert again.state == RunState.SUCCEEDED
    assert (again.lines_applied, again.lines_rejected) == (0, 0)
    assert again.lines_unchanged == 2
    sale.refresh_from_db()
    assert (sale.amount, sale.commission) == (Decimal("150.00"), Decimal("15.00"))
    assert western_ledger(sale) == amended


def test_an_amendment_without_a_validation_date_is_refused_by_name(awin, connection):
    at = NOW - datetime.timedelta(hours=4)
    awin.transactions = [transaction(7102, at=at, sale="80.00", commission="8.00")]
    connection_pull(connection=connection, until=NOW)
    awin.transactions = [
        transaction(
            7102, at=at, sale="60.00", commission="6.00", amended_from=("80.00", "8.00")
        )
    ]
    run = connection_pull(
        connection=connection, since=NOW - datetime.timedelta(days=1), until=NOW
    )
    assert run.lines_rejected == 1
    assert run.rejections[0].startswith("7102: amount: ")
    sale = Conversion.objects.get(order_id="7102")
    assert (sale.amount, sale.commission) == (Decimal("80.00"), Decimal("8.00"))


def test_a_refused_token_fails_the_pull_without_showing_it(awin, connection):
    credentials = {"api_token": "revoked-token-123"}
    western_refused_credentials_check(awin, connection, credentials, now=NOW)


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (json_answer({"error": "too many requests"}, 429), "rate limit"),
        (Answer(status=500, body=b"oops"), "HTTP 500"),
        (
            Answer(body=b'[{"id": 1,', headers={"Content-Type": "application/json"}),
            "not valid JSON",
        ),
        (json_answer({"transactions": []}), "not a list of transactions"),
    ],
)
def test_a_bad_answer_keeps_the_cursor_and_records_the_reason(
    awin, connection, answer, reason
):
    awin.transactions = [
        transaction(
            1, at=NOW - datetime.timedelta(hours=2), sale="10.00", commission="1.00"
        ),
        transaction(
            2, at=NOW + datetime.timedelta(hours=1), sale="20.00", commission="2.00"
        ),
    ]
    western_bad_answer_check(awin, connection, answer, reason, now=NOW, unseen="2")


def test_a_slow_answer_times_out(awin, connection, monkeypatch):
    monkeypatch.setattr(AwinConnector, "request_timeout", 0.3)
    western_slow_answer_check(fake=awin, connection=connection, body=b"[]", now=NOW)


def test_a_missing_publisher_id_is_named(awin, connection):
    connection.settings = {}
    connection.save()
    run = connection_pull(connection=connection, until=NOW)
    assert run.state == RunState.FAILED
    assert "publisher_id" in run.error
    assert awin.server.requests == []


def test_an_unknown_status_is_refused_by_name(awin, connection):
    awin.transactions = [
        transaction(
            9,
            at=NOW - datetime.timedelta(hours=2),
            sale="10.00",
            commission="1.00",
            status="onhold",
        )
    ]
    run = connection_pull(connection=connection, until=NOW)
    assert run.state == RunState.SUCCEEDED
    assert run.rejections == [
        "9: status: 'onhold' is not one of pending, approved, refunded, cancelled."
    ]
