"""The Impact connector against a local server that speaks Impact's partner Actions
API: HTTP Basic (AccountSID:AuthToken) checked, JSON only when asked for (XML
otherwise), the documented date filters and limits (pairs, 45 days, PageSize at
least 2,000), paged answers with @page/@numpages/@nextpageuri, Impact's
{"Status": "ERROR", "Message": …} errors."""

import base64
import datetime
import re
from decimal import Decimal
from urllib.parse import unquote, urlencode

import pytest
from django.utils import timezone

from affiliates.commissions.networks.impact import ImpactConnector
from affiliates.commissions.networks.pulls import connection_pull
from affiliates.commissions.services.ledger import items_current
from affiliates.models import ConnectionKind, Conversion, RunState
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

SID = "IRa1B2c3D4e5F6g7H8i9J0kLmNoPqRs"
TOKEN = "impact-auth-token-Zq9w8e7r6t"
NOW = timezone.now().replace(microsecond=0)
# The server's own page size: Impact pages by PageSize (at least 2,000); a smaller
# page here makes three pages of five actions, read the same way. Items are paged
# the same way (Impact documents no page size for them).
SERVER_PAGE = 2
ITEMS_PATH = re.compile(rf"/Mediapartners/{SID}/Actions/([^/]+)/Items")


def impact_time(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat()


def error(status: int, message: str, **headers: str) -> Answer:
    return json_answer({"Status": "ERROR", "Message": message}, status, **headers)


def impact_page(request, rows: list[dict], key: str) -> Answer:
    """One page of ``rows`` in Impact's list envelope, hidden fields (``_…``)
    left out, ``@nextpageuri`` a path on the same host."""
    query = request.query
    page = int(query.get("Page", "1"))
    pages = max(1, -(-len(rows) // SERVER_PAGE))
    shown = rows[(page - 1) * SERVER_PAGE : page * SERVER_PAGE]
    next_uri = ""
    if page < pages:
        next_uri = request.path + "?" + urlencode({**query, "Page": page + 1})
    return json_answer(
        {
            "@page": str(page),
            "@numpages": str(pages),
            "@pagesize": query.get("PageSize", str(SERVER_PAGE)),
            "@total": str(len(rows)),
            "@start": str((page - 1) * SERVER_PAGE),
            "@end": str((page - 1) * SERVER_PAGE + len(shown)),
            "@uri": request.path,
            "@firstpageuri": request.path,
            "@previouspageuri": "",
            "@nextpageuri": next_uri,
            "@lastpageuri": request.path,
            key: [
                {k: v for k, v in row.items() if not k.startswith("_")} for row in shown
            ],
        }
    )


class FakeImpact(WesternFake):
    """Impact's side: its actions (each with the update time it filters on and
    its items), and answers to give before them."""

    network = "Impact"
    authorization = "Basic " + base64.b64encode(f"{SID}:{TOKEN}".encode()).decode()
    unauthorized_message = "Unauthorized: no valid API credentials provided"

    def __init__(self):
        super().__init__()
        self.actions: list[dict] = []

    def known(self, path: str) -> bool:
        return path == f"/Mediapartners/{SID}/Actions" or bool(
            ITEMS_PATH.fullmatch(path)
        )

    def error(self, status: int, message: str, **headers: str) -> Answer:
        return error(status, message, **headers)

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

    def answer(self, request) -> Answer:
        if request.headers.get("accept") != "application/json":
            return Answer(
                body=b"<?xml version='1.0'?><ImpactRadiusResponse/>",
                headers={"Content-Type": "application/xml"},
            )
        items_of = ITEMS_PATH.fullmatch(request.path)
        if items_of:
            found = [a for a in self.actions if a["Id"] == unquote(items_of[1])]
            if not found:
                return self.error(404, "Not Found")
            return impact_page(request, found[0]["_items"], "ActionItems")
        query = request.query
        try:
            updated = self._range(query, "StartDate", "EndDate")
            locking = self._range(query, "LockingDateStart", "LockingDateEnd")
            page_size, page = int(query["PageSize"]), int(query["Page"])
        except (KeyError, ValueError) as problem:
            return self.error(400, f"Validation Failed: {problem}")
        if page_size < 2000 or page < 1:
            return self.error(400, "Validation Failed: PageSize")
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
        return impact_page(request, found, "Actions")


def item(
    sku: str,
    *,
    amount: str,
    payout: str,
    quantity: int = 1,
    adjusted: datetime.datetime | None = None,
    reason: str = "",
) -> dict:
    """An action's item shaped as Impact's partner API documents it."""
    return {
        "Sku": sku,
        "ItemName": f"Pour-over kettle {sku}",
        "Category": "Kitchen",
        "Quantity": str(quantity),
        "SaleAmount": amount,
        "SaleAmountCurrency": "USD",
        "Payout": payout,
        "PayoutCurrency": "USD",
        "Rebate": "0.00",
        "RebateCurrency": "USD",
        "AdjustmentDate": impact_time(adjusted) if adjusted else "",
        "AdjustmentReason": reason,
        "Uri": f"/Mediapartners/{SID}/Actions/…/Items/{sku}",
    }


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
    items: list[dict] | None = None,
) -> dict:
    """An action shaped as Impact's partner API documents it (all strings), with
    ``items`` (by default one, the whole sale)."""
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
        "_items": items
        if items is not None
        else [item(f"SKU-{action_id}", amount=amount, payout=payout)],
    }


@pytest.fixture
def impact(local_servers_allowed):
    fake = FakeImpact()
    with WesternServed(fake):
        yield fake


@pytest.fixture
def connection(network, impact):
    return western_connection(
        merchant=network,
        kind=ConnectionKind.IMPACT,
        fake=impact,
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


def test_each_item_is_a_conversion_and_a_partial_return_reverses_only_its_item(
    impact, connection, link
):
    click_id = click_id_for(link, at=NOW - datetime.timedelta(hours=3))
    at = NOW - datetime.timedelta(hours=2)
    kettle = item("K-1", amount="60.00", payout="6.00", quantity=2)
    filter_ = item("F-2", amount="40.00", payout="4.00")
    scale = item("S-3", amount="20.00", payout="2.00")
    order = action(
        "1000.3.3",
        at=at,
        amount="120.00",
        payout="12.00",
        sub_id=click_id,
        items=[kettle, filter_, scale],
    )
    impact.actions = [order]
    run = connection_pull(connection=connection, until=NOW)
    assert run.state == RunState.SUCCEEDED, run.error
    assert (run.lines_applied, run.lines_rejected) == (3, 0), run.rejections
    sales = {
        sale.item_id: sale for sale in Conversion.objects.filter(order_id="1000.3.3")
    }
    assert {key: (s.amount, s.commission) for key, s in sales.items()} == {
        "K-1": (Decimal("60.00"), Decimal("6.00")),
        "F-2": (Decimal("40.00"), Decimal("4.00")),
        "S-3": (Decimal("20.00"), Decimal("2.00")),
    }
    assert all(
        s.author == link.author and s.status == "pending" for s in sales.values()
    )
    # Three items, two to a page: the second page by the envelope's @nextpageuri.
    asked = [r for r in impact.server.requests if r.path.endswith("/Items")]
    assert [r.query.get("Page", "1") for r in asked] == ["1", "2"]
    assert asked[0].path == f"/Mediapartners/{SID}/Actions/1000.3.3/Items"
    scale_before = western_ledger(sales["S-3"])

    # The buyer returns the filter and one of the two kettles; Impact modifies the
    # action (still PENDING) and dates each item's adjustment.
    later = NOW + datetime.timedelta(hours=5)
    adjusted = later - datetime.timedelta(hours=2)
    impact.actions = [
        {
            **order,
            "Amount": "50.00",
            "Payout": "5.00",
            "DeltaAmount": "-70.00",
            "DeltaPayout": "-7.00",
            "_updated": adjusted,
            "_items": [
                item(
                    "K-1",
                    amount="30.00",
                    payout="3.00",
                    adjusted=adjusted,
                    reason="ITEM_RETURNED",
                ),
                item(
                    "F-2",
                    amount="0.00",
                    payout="0.00",
                    quantity=0,
                    adjusted=adjusted,
                    reason="ITEM_RETURNED",
                ),
                scale,
            ],
        }
    ]
    run = connection_pull(connection=connection, until=later)
    assert run.state == RunState.SUCCEEDED, run.error
    assert (run.lines_applied, run.lines_unchanged, run.lines_rejected) == (2, 1, 0)
    for sale in sales.values():
        sale.refresh_from_db()
    kettle_sale, filter_sale, scale_sale = sales["K-1"], sales["F-2"], sales["S-3"]
    assert (kettle_sale.status, kettle_sale.amount, kettle_sale.commission) == (
        "pending",
        Decimal("30.00"),
        Decimal("3.00"),
    )
    assert western_ledger(kettle_sale)[:2] == (Decimal("3.00"), Decimal("-6.00"))
    assert filter_sale.status == "refunded"
    assert items_current(conversion=filter_sale) == []
    assert scale_sale.status == "pending"
    assert western_ledger(scale_sale) == scale_before

    # The same modification read again (and the locking-date query): nothing
    # changes, in the conversions or in the ledger.
    before = {key: western_ledger(sale) for key, sale in sales.items()}
    again = connection_pull(
        connection=connection, since=NOW - datetime.timedelta(hours=3), until=later
    )
    assert again.state == RunState.SUCCEEDED
    assert (again.lines_applied, again.lines_rejected) == (0, 0)
    assert {key: western_ledger(sale) for key, sale in sales.items()} == before


def test_an_item_of_another_currency_than_its_payout_is_refused_by_name(
    impact, connection
):
    odd = item("X-1", amount="10.00", payout="1.00")
    odd["PayoutCurrency"] = "EUR"
    impact.actions = [
        action(
            "1000.4.4",
            at=NOW - datetime.timedelta(hours=2),
            amount="10.00",
            payout="1.00",
            items=[odd],
        )
    ]
    run = connection_pull(connection=connection, until=NOW)
    assert run.lines_rejected == 1
    assert run.rejections[0].startswith("1000.4.4/X-1: commission: ")
    assert not Conversion.objects.exists()


def test_refused_credentials_fail_the_pull_without_showing_them(impact, connection):
    credentials = {"auth_token": "wrong-token-987"}
    western_refused_credentials_check(impact, connection, credentials, now=NOW)


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
        action(
            "1", at=NOW - datetime.timedelta(hours=2), amount="10.00", payout="1.00"
        ),
        action(
            "2", at=NOW + datetime.timedelta(hours=1), amount="20.00", payout="2.00"
        ),
    ]
    western_bad_answer_check(impact, connection, answer, reason, now=NOW, unseen="2")


def test_a_slow_answer_times_out(impact, connection, monkeypatch):
    monkeypatch.setattr(ImpactConnector, "request_timeout", 0.3)
    western_slow_answer_check(fake=impact, connection=connection, body=b"{}", now=NOW)


def test_a_missing_account_sid_is_named(impact, connection):
    connection.settings = {}
    connection.save()
    run = connection_pull(connection=connection, until=NOW)
    assert run.state == RunState.FAILED and "account_sid" in run.error
    assert impact.server.requests == []
