"""The Impact connector against a local server that speaks Impact's partner Actions
API: HTTP Basic (AccountSID:AuthToken) checked, JSON only when asked for (XML
otherwise), the documented date filters and limits (pairs, 45 days, PageSize at
least 2,000), paged answers with @page/@numpages/@nextpageuri, Impact's
{"Status": "ERROR", "Message": …} errors."""

import base64
import datetime
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.utils import timezone

from affiliates.commissions.networks.impact import ImpactConnector
from affiliates.commissions.networks.pulls import connection_pull
from affiliates.commissions.services.ledger import items_current
from affiliates.models import ConnectionKind, Conversion, NetworkConnection, RunState
from tests.affiliates.commissions.networks.servers import (
    Answer,
    NetworkServer,
    json_answer,
)
from tests.affiliates.conftest import click_id_for

# Slow: a local network server per test, timeouts and races on purpose.
pytestmark = [pytest.mark.django_db, pytest.mark.slow]

SID = "IRa1B2c3D4e5F6g7H8i9J0kLmNoPqRs"
TOKEN = "impact-auth-token-Zq9w8e7r6t"
NOW = timezone.now().replace(microsecond=0)
# The server's own page size: Impact pages by PageSize (at least 2,000); a smaller
# page here makes three pages of five actions, read the same way.
SERVER_PAGE = 2


def impact_time(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat()


def error(status: int, message: str, **headers: str) -> Answer:
    return json_answer({"Status": "ERROR", "Message": message}, status, **headers)


class FakeImpact:
    """Impact's side: its actions (each with the update time it filters on), and
    answers to give before them."""

    def __init__(self):
        self.actions: list[dict] = []
        self.next_answers: list[Answer] = []

    def _range(self, query, start_name, end_name):
        start, end = query.get(start_name), query.get(end_name)
        if start is None and end is None:
            return None
        if start is None or end is None:
            raise ValueError(f"{start_name} and {end_name} go together")
        start = datetime.datetime.fromisoformat(start)
        end = datetime.datetime.fromisoformat(end)
        if not start <= end <= start + datetime.timedelta(days=45):
            raise ValueError("StartDate and EndDate cannot be more than 45 days apart")
        return start, end

    def respond(self, request) -> Answer:
        if request.path != f"/Mediapartners/{SID}/Actions":
            return error(404, "Not Found")
        expected = "Basic " + base64.b64encode(f"{SID}:{TOKEN}".encode()).decode()
        if request.headers.get("authorization") != expected:
            return error(401, "Unauthorized: no valid API credentials provided")
        if self.next_answers:
            return self.next_answers.pop(0)
        if request.headers.get("accept") != "application/json":
            return Answer(
                body=b"<?xml version='1.0'?><ImpactRadiusResponse/>",
                headers={"Content-Type": "application/xml"},
            )
        query = request.query
        try:
            updated = self._range(query, "StartDate", "EndDate")
            locking = self._range(query, "LockingDateStart", "LockingDateEnd")
            page_size, page = int(query["PageSize"]), int(query["Page"])
        except (KeyError, ValueError) as problem:
            return error(400, f"Validation Failed: {problem}")
        if page_size < 2000 or page < 1:
            return error(400, "Validation Failed: PageSize")
        found = [
            action
            for action in self.actions
            if (updated is None or updated[0] <= action["_updated"] <= updated[1])
            and (
                locking is None
                or locking[0]
                <= datetime.datetime.fromisoformat(action["LockingDate"])
                <= locking[1]
            )
        ]
        found.sort(key=lambda action: action["CreationDate"], reverse=True)
        pages = max(1, -(-len(found) // SERVER_PAGE))
        shown = found[(page - 1) * SERVER_PAGE : page * SERVER_PAGE]
        next_uri = ""
        if page < pages:
            next_uri = request.path + "?" + urlencode({**query, "Page": page + 1})
        return json_answer(
            {
                "@page": str(page),
                "@numpages": str(pages),
                "@pagesize": str(page_size),
                "@total": str(len(found)),
                "@start": str((page - 1) * SERVER_PAGE),
                "@end": str((page - 1) * SERVER_PAGE + len(shown)),
                "@uri": request.path,
                "@firstpageuri": request.path,
                "@previouspageuri": "",
                "@nextpageuri": next_uri,
                "@lastpageuri": request.path,
                "Actions": [
                    {k: v for k, v in action.items() if not k.startswith("_")}
                    for action in shown
                ],
            }
        )


def action(
    action_id: str,
    *,
    at: datetime.datetime,
    amount: str,
    payout: str,
    state: str = "PENDING",
    sub_id: str = "",
    updated: datetime.datetime | None = None,
    locking: datetime.datetime | None = None,
) -> dict:
    """An action shaped as Impact's partner API documents it (all strings)."""
    return {
        "Id": action_id,
        "CampaignId": "1000",
        "CampaignName": "Kettle & Pour",
        "ActionTrackerId": "2240",
        "ActionTrackerName": "Sale",
        "EventCode": "",
        "State": state,
        "AdId": "506720",
        "Payout": payout,
        "DeltaPayout": payout,
        "IntendedPayout": payout,
        "Amount": amount,
        "DeltaAmount": amount,
        "IntendedAmount": amount,
        "Currency": "USD",
        "ReferringDate": impact_time(at - datetime.timedelta(minutes=10)),
        "EventDate": impact_time(at),
        "CreationDate": impact_time(at + datetime.timedelta(minutes=1)),
        "LockingDate": impact_time(locking or at + datetime.timedelta(days=30)),
        "ClearedDate": "",
        "ReferringType": "CLICK_COOKIE",
        "ReferringDomain": "zhongcao.example",
        "PromoCode": "",
        "Oid": f"O-{action_id}",
        "CustomerArea": "",
        "CustomerCity": "",
        "CustomerRegion": "",
        "CustomerCountry": "US",
        "SubId1": sub_id,
        "SubId2": "",
        "SubId3": "",
        "SharedId": "",
        "Uri": f"/Mediapartners/{SID}/Actions/{action_id}",
        "_updated": updated or at + datetime.timedelta(minutes=1),
    }


@pytest.fixture
def impact(local_servers_allowed):
    fake = FakeImpact()
    with NetworkServer(fake.respond) as server:
        fake.server = server
        yield fake


@pytest.fixture
def connection(network, impact):
    return NetworkConnection.objects.create(
        merchant=network,
        kind=ConnectionKind.IMPACT,
        base_url=impact.server.url,
        credentials={"auth_token": TOKEN},
        settings={"account_sid": SID},
    )


def test_a_pull_follows_the_pages_and_reads_amounts_commission_and_author(
    impact, connection, link
):
    click_id = click_id_for(link, at=NOW - datetime.timedelta(hours=6))
    impact.actions = [
        action(
            f"1000.4636.15813{n}",
            at=NOW - datetime.timedelta(hours=5 - n),
            amount=f"2{n}.99",
            payout=f"{n}.88",
            sub_id=click_id if n == 0 else "",
        )
        for n in range(5)
    ]
    run = connection_pull(
        connection=connection, since=NOW - datetime.timedelta(hours=6), until=NOW
    )
    assert run.state == RunState.SUCCEEDED, run.error
    assert (run.lines_seen, run.lines_applied, run.lines_rejected) == (5, 5, 0)

    first = Conversion.objects.get(order_id="1000.4636.158130")
    assert (first.amount, first.stated_commission, first.currency, first.status) == (
        Decimal("20.99"),
        Decimal("0.88"),
        "USD",
        "pending",
    )
    assert first.author == link.author and first.click_id == click_id
    assert first.occurred_at == NOW - datetime.timedelta(hours=5)
    assert Conversion.objects.get(order_id="1000.4636.158134").author is None

    by_update = [r for r in impact.server.requests if "StartDate" in r.query]
    assert [r.query["Page"] for r in by_update] == ["1", "2", "3"]
    assert all(r.query["PageSize"] == "2000" for r in by_update)
    assert any("LockingDateStart" in r.query for r in impact.server.requests)

    again = connection_pull(
        connection=connection, since=NOW - datetime.timedelta(days=1), until=NOW
    )
    assert again.state == RunState.SUCCEEDED
    assert (again.lines_seen, again.lines_applied, again.lines_unchanged) == (5, 0, 5)
    assert Conversion.objects.count() == 5


def test_an_approval_at_the_locking_date_is_read_by_locking_date(
    impact, connection, link
):
    click_id = click_id_for(link, at=NOW - datetime.timedelta(hours=3))
    locks = NOW + datetime.timedelta(days=1)
    pending = action(
        "1000.1.1",
        at=NOW - datetime.timedelta(hours=2),
        amount="80.00",
        payout="8.00",
        sub_id=click_id,
        locking=locks,
    )
    impact.actions = [pending]
    connection_pull(connection=connection, until=NOW)
    sale = Conversion.objects.get(order_id="1000.1.1")
    assert sale.status == "pending"

    # Impact approves it at its locking date; its last update date does not move.
    impact.actions = [{**pending, "State": "APPROVED"}]
    later = locks + datetime.timedelta(days=1, hours=1)
    run = connection_pull(connection=connection, until=later)
    assert run.state == RunState.SUCCEEDED, run.error
    sale.refresh_from_db()
    assert sale.status == "approved"
    assert {
        r.query["LockingDateEnd"]
        for r in impact.server.requests
        if "LockingDateEnd" in r.query
    } >= {impact_time(later - datetime.timedelta(days=1)).replace("+00:00", "Z")}


def test_a_reversed_action_reverses_its_ledger_entries(impact, connection, link):
    click_id = click_id_for(link, at=NOW - datetime.timedelta(hours=3))
    sold = action(
        "1000.2.2",
        at=NOW - datetime.timedelta(hours=2),
        amount="150.00",
        payout="15.00",
        sub_id=click_id,
    )
    impact.actions = [sold]
    connection_pull(connection=connection, until=NOW)
    sale = Conversion.objects.get(order_id="1000.2.2")
    assert items_current(conversion=sale) != []

    later = NOW + datetime.timedelta(hours=3)
    impact.actions = [
        {
            **sold,
            "State": "REVERSED",
            "Amount": "0.00",
            "Payout": "0.00",
            "DeltaAmount": "-150.00",
            "DeltaPayout": "-15.00",
            "_updated": later - datetime.timedelta(hours=1),
        }
    ]
    run = connection_pull(connection=connection, until=later)
    assert run.state == RunState.SUCCEEDED, run.error
    assert run.lines_rejected == 0, run.rejections
    sale.refresh_from_db()
    assert sale.status == "cancelled"
    assert items_current(conversion=sale) == []


def test_refused_credentials_fail_the_pull_without_showing_them(impact, connection):
    connection.credentials = {"auth_token": "wrong-token-987"}
    connection.save()
    run = connection_pull(connection=connection, until=NOW)
    assert run.state == RunState.FAILED
    assert "Impact refused the credentials (HTTP 401)" in run.error
    assert "wrong-token-987" not in run.error and TOKEN not in run.error
    connection.refresh_from_db()
    assert connection.cursor is None and connection.last_error == run.error


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (
            error(429, "Too Many Requests", **{"X-RateLimit-Reset": "1765140000"}),
            "rate limit was reached (HTTP 429). It asks to wait until 1765140000",
        ),
        (error(403, "Forbidden: token scope"), "refused the credentials (HTTP 403)"),
        (Answer(status=503, body=b"<html>down</html>"), "HTTP 503"),
        (Answer(body=b'{"@page": "1", "Actions": [', headers={}), "not valid JSON"),
        (json_answer({"@page": "1", "Records": []}), "has no list of Actions"),
        (
            json_answer({"Actions": [], "@nextpageuri": "https://evil.example/x"}),
            "not on Impact's own host",
        ),
    ],
)
def test_a_bad_answer_keeps_the_cursor_and_records_the_reason(
    impact, connection, answer, reason
):
    impact.actions = [
        action("1", at=NOW - datetime.timedelta(hours=2), amount="10.00", payout="1.00")
    ]
    connection_pull(connection=connection, until=NOW)
    connection.refresh_from_db()
    assert connection.cursor == NOW

    impact.actions.append(
        action("2", at=NOW + datetime.timedelta(hours=1), amount="20.00", payout="2.00")
    )
    impact.next_answers = [answer]
    run = connection_pull(
        connection=connection, until=NOW + datetime.timedelta(hours=2)
    )
    assert run.state == RunState.FAILED
    assert reason in run.error and "Impact" in run.error
    connection.refresh_from_db()
    assert connection.cursor == NOW and connection.last_error == run.error
    assert not Conversion.objects.filter(order_id="2").exists()


def test_a_slow_answer_times_out(impact, connection, monkeypatch):
    monkeypatch.setattr(ImpactConnector, "request_timeout", 0.3)
    impact.next_answers = [Answer(body=b"{}", delay=1.5)]
    run = connection_pull(connection=connection, until=NOW)
    assert run.state == RunState.FAILED and "Timed out" in run.error


def test_a_missing_account_sid_is_named(impact, connection):
    connection.settings = {}
    connection.save()
    run = connection_pull(connection=connection, until=NOW)
    assert run.state == RunState.FAILED and "account_sid" in run.error
    assert impact.server.requests == []
