"""多多进宝's order report (networks.pdd) against a local gateway that speaks PDD's
protocol: it checks client_id, the timestamp and the MD5 signature as PDD's gateway
does and refuses a bad one in PDD's error shape, serves the promoted orders updated
in the asked span page by page with their total, and answers as told with a rate
limit, an HTTP 500, a page that is not JSON, or nothing in time. The pulls go
through networks.pulls.connection_pull, as the schedule's do."""

import datetime
import json
import time
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.utils import timezone

from affiliates.commissions.networks.pdd import (
    PddConnector,
    custom_parameters_click_id,
    custom_parameters_make,
    fen_to_yuan,
    order_line,
    pdd_sign,
)
from affiliates.commissions.networks.pulls import connection_pull
from affiliates.commissions.postbacks import ReportFieldError, conversion_data_parse
from affiliates.commissions.services.ledger import items_current
from affiliates.models import (
    ConnectionKind,
    Conversion,
    ConversionSource,
    NetworkConnection,
    RunState,
)
from tests.affiliates.commissions.networks.servers import (
    UnionRouter,
    union_json,
    union_md5_sign,
    union_server,
)
from tests.affiliates.conftest import click_id_for

# Slow: a local network server per test, timeouts and races on purpose.
pytestmark = [pytest.mark.django_db, pytest.mark.slow]

CLIENT_ID = "3a1b7c9d2e4f4b8a9c0d1e2f3a4b5c6d"
CLIENT_SECRET = "9f8e7d6c5b4a39281706f5e4d3c2b1a0fedcba98"
NOW = timezone.now().replace(microsecond=0)


def gateway_sign(params: dict[str, str], secret: str) -> str:
    """The gateway's own check, written from PDD's "API调用指南" apart from the
    connector's: names in ASCII order, name+value, the secret around, MD5, upper
    case; every parameter sent is signed, an empty one too."""
    return union_md5_sign(params, secret, keep_empty=True)


# PDD's published example (API调用指南, open.pinduoduo.com document 8EC06C399636041E).
PUBLISHED_PARAMS = {
    "access_token": "asd78172s8ds9a921j9qqwda12312w1w21211",
    "client_id": "1",
    "data_type": "XML",
    "type": "pdd.order.number.list.get",
    "timestamp": "1480411125",
    "order_status": "1",
    "page": "1",
    "page_size": "10",
}
PUBLISHED_SIGN = "E4DE3ED21002510DED352819E7AE6775"


def pdd_error(code: int, message: str, sub_code="", sub_message="") -> dict:
    return {
        "error_response": {
            "error_code": code,
            "error_msg": message,
            "sub_code": sub_code,
            "sub_msg": sub_message,
            "request_id": "17043503757231146",
        }
    }


@dataclass
class Gateway(UnionRouter):
    """What the tests see: the URL, the orders (PDD's shape; change them between
    pulls), the failures to answer next instead of the report, and every request."""

    orders: list = field(default_factory=list)
    slow_seconds: float = 1.5
    # Called with the gateway after each answer (under its lock): an order that
    # changes while a client pages.
    after_answer: object = None

    def pages_asked(self) -> list[int]:
        return [int(request["page"]) for request in self.requests]

    def answer(self, params: dict) -> tuple[int, bytes]:
        answered = super().answer(params)
        if self.after_answer is not None:
            with self.lock:
                self.after_answer(self)
        return answered

    def failure(self, told: str) -> bytes | None:
        if told == "rate-limit":
            return union_json(
                pdd_error(70031, "调用过于频繁", "70031", "请降低调用频率")
            )
        if told == "not-json":
            return b'{"order_list_get_response": {"order_list": ['
        if told == "no-total":
            return b'{"order_list_get_response": {"order_list": {}}}'
        return None

    def check(self, params: dict) -> dict | None:
        required = ("type", "client_id", "timestamp", "sign")
        missing = [name for name in required if not params.get(name)]
        if missing:
            return pdd_error(10000, "公共参数错误:" + ",".join(missing))
        if params["client_id"] != CLIENT_ID:
            return pdd_error(10016, "client_id不存在")
        if abs(time.time() - int(params["timestamp"])) > 600:
            # PDD: the timestamp must be within 10 minutes of its clock.
            return pdd_error(10000, "timestamp已过期")
        if params["sign"] != gateway_sign(params, CLIENT_SECRET):
            # As PDD's gateway answers a bad signature.
            return pdd_error(20004, "签名验证失败", "20004", "签名验证失败")
        if params["type"] != "pdd.ddk.order.list.increment.get":
            return pdd_error(10000, "type不存在")
        if params.get("data_type", "JSON") != "JSON":
            return pdd_error(10000, "data_type只测JSON")
        return None

    def serve(self, params: dict) -> bytes:
        start = int(params["start_update_time"])
        end = int(params["end_update_time"])
        page = int(params.get("page", 1))
        size = int(params.get("page_size", 100))
        if not 0 <= end - start <= 24 * 3600:
            return union_json(
                pdd_error(50001, "业务参数错误", "", "时间相差不能超过24小时")
            )
        if not (1 <= page <= 10000 and 10 <= size <= 100):
            return union_json(
                pdd_error(50001, "业务参数错误", "", "page或page_size超出范围")
            )
        with self.lock:
            matching = sorted(
                (o for o in self.orders if start <= o["order_modify_at"] <= end),
                key=lambda o: (o["order_modify_at"], o["order_sn"]),
            )
        body = {
            "order_list": matching[(page - 1) * size : page * size],
            "request_id": "17043503757231147",
        }
        if params.get("return_count", "true") == "true":
            body["total_count"] = len(matching)
        return union_json({"order_list_get_response": body})


@pytest.fixture
def gateway(local_servers_allowed):
    with union_server(Gateway(), "/api/router") as state:
        yield state


@pytest.fixture
def pdd_connection(shop, gateway):
    return NetworkConnection.objects.create(
        merchant=shop,
        kind=ConnectionKind.PDD_DDK,
        base_url=gateway.base_url,
        credentials={"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET},
        settings={"page_size": 10},
    )


def seconds(moment: datetime.datetime) -> int:
    return int(moment.timestamp())


def pdd_order(
    order_sn: str,
    *,
    updated: datetime.datetime,
    status: int = 0,
    amount_fen: int = 12990,
    commission_fen: int = 1299,
    custom_parameters: str = "",
    paid: datetime.datetime | None = None,
    goods_id: int = 88123456789,
) -> dict:
    """An order as the report lists it (openpdd api/ddk/order.go)."""
    paid = paid or updated - datetime.timedelta(minutes=5)
    return {
        "order_sn": order_sn,
        "order_id": "O" + order_sn,
        "goods_id": goods_id,
        "goods_sign": "c9r2omogKFFAc7WBwvbZU1ikIb16_J3CTa8HNN",
        "goods_name": "保温杯",
        "goods_quantity": 1,
        "goods_price": amount_fen,
        "order_amount": amount_fen,
        "promotion_amount": commission_fen,
        "promotion_rate": 100,
        "order_status": status,
        "order_status_desc": "",
        "order_create_time": seconds(paid) - 30,
        "order_pay_time": seconds(paid),
        "order_modify_at": seconds(updated),
        "custom_parameters": custom_parameters,
        "p_id": "41675195_295492064",
        "type": 0,
    }


# -- The wire format ----------------------------------------------------------------


def test_the_signature_is_pdds_published_example():
    assert gateway_sign(PUBLISHED_PARAMS, "testSecret") == PUBLISHED_SIGN
    assert pdd_sign(PUBLISHED_PARAMS, "testSecret") == PUBLISHED_SIGN
    assert pdd_sign({**PUBLISHED_PARAMS, "sign": "X"}, "testSecret") == PUBLISHED_SIGN
    assert pdd_sign({**PUBLISHED_PARAMS, "page": "2"}, "testSecret") != PUBLISHED_SIGN


def test_fen_become_yuan_exactly():
    assert fen_to_yuan(1230) == "12.30"
    assert fen_to_yuan("5") == "0.05"
    assert fen_to_yuan(0) == "0.00"
    assert fen_to_yuan(123456789012) == "1234567890.12"
    assert fen_to_yuan(None) == ""
    assert fen_to_yuan(12.5).startswith("not a number")
    assert fen_to_yuan("12.50").startswith("not a number")


def test_the_click_id_rides_in_custom_parameters_and_comes_back(link):
    click_id = click_id_for(link, written=False)
    written = custom_parameters_make(click_id=click_id, uid="lulu")
    assert json.loads(written) == {"uid": "lulu", "sid": click_id}
    assert len(written.encode()) <= 64
    assert custom_parameters_click_id(written) == click_id
    # A long uid is cut to PDD's 64 bytes (9 are left beside a click id); the
    # click id never is.
    long_uid = custom_parameters_make(click_id=click_id, uid="creator-lulu")
    assert len(long_uid.encode()) == 64
    assert json.loads(long_uid)["uid"] == "creator-l"
    assert custom_parameters_click_id(long_uid) == click_id
    # A link built by hand with the bare click id.
    assert custom_parameters_click_id(click_id) == click_id
    assert custom_parameters_click_id(json.dumps(click_id)) == click_id
    assert custom_parameters_click_id('{"uid": "11111"}') == ""
    assert custom_parameters_click_id("") == ""
    assert custom_parameters_click_id("[1, 2]") == ""


def test_an_order_line_reads_as_a_postback_and_bad_fields_are_named():
    order = pdd_order("L-1", updated=NOW, amount_fen=129990, commission_fen=5)
    line = order_line(order)
    data = conversion_data_parse(line)
    assert (data.order_id, data.item_id, data.currency) == ("L-1", "88123456789", "CNY")
    assert (data.amount, data.commission) == (Decimal("1299.90"), Decimal("0.05"))
    assert data.occurred_at.timestamp() == order["order_pay_time"]
    assert line["occurred_at"].endswith("+08:00")

    without_goods_id = {**order, "goods_id": None}
    assert order_line(without_goods_id)["item_id"] == order["goods_sign"]
    no_commission = dict(order)
    del no_commission["promotion_amount"]
    assert conversion_data_parse(order_line(no_commission)).commission is None
    assert order_line({**order, "order_status": -1}) is None

    for bad, field_name in (
        ({"order_amount": "1299.90"}, "amount"),
        ({"order_sn": ""}, "order_id"),
        ({"order_pay_time": 0, "order_create_time": None}, "occurred_at"),
        ({"order_status": "settled"}, "status"),
    ):
        with pytest.raises(ReportFieldError) as refused:
            conversion_data_parse(order_line({**order, **bad}))
        assert refused.value.field == field_name


# -- Pulls ----------------------------------------------------------------------------


def test_a_pull_reads_every_page_back_to_front_and_applies_each_order(
    gateway, pdd_connection, link
):
    click_id = click_id_for(link, at=NOW - datetime.timedelta(hours=4))
    updated = NOW - datetime.timedelta(hours=2)
    gateway.orders = [
        pdd_order(
            f"231207-{number:03d}",
            updated=updated + datetime.timedelta(seconds=number),
            amount_fen=10000 + number,
            commission_fen=number,
            custom_parameters=custom_parameters_make(click_id=click_id, uid="lulu"),
        )
        for number in range(23)
    ]
    run = connection_pull(connection=pdd_connection, until=NOW)

    assert run.state == RunState.SUCCEEDED, run.error
    assert (run.lines_seen, run.lines_applied, run.lines_rejected) == (23, 23, 0)
    # The window holding the orders: its first page for the total, then pages 3, 2
    # and 1, from the last back (PDD's advice); every other window one empty page.
    asked = gateway.pages_asked()
    assert asked.count(1) == len(asked) - 2
    assert asked[asked.index(3) - 1 : asked.index(3) + 3] == [1, 3, 2, 1]
    for request in gateway.requests:
        span = int(request["end_update_time"]) - int(request["start_update_time"])
        assert 0 <= span <= 24 * 3600
        assert request["page_size"] == "10"
        assert request["data_type"] == "JSON"

    sale = Conversion.objects.get(order_id="231207-007")
    assert sale.item_id == "88123456789"
    assert sale.amount == Decimal("100.07")
    assert sale.commission == Decimal("0.07")
    assert sale.currency == "CNY"
    assert sale.status == "pending"
    assert sale.source == ConversionSource.PULL
    assert sale.author == link.author and sale.link == link
    assert sale.click_id == click_id
    paid = datetime.datetime.fromtimestamp(
        gateway.orders[7]["order_pay_time"], tz=datetime.UTC
    )
    assert sale.occurred_at == paid
    assert sale.reports.get().connection == pdd_connection
    pdd_connection.refresh_from_db()
    assert pdd_connection.cursor == NOW
    assert pdd_connection.last_success_at is not None


def test_a_second_pull_changes_nothing(gateway, pdd_connection, link):
    click_id = click_id_for(link, at=NOW - datetime.timedelta(hours=4))
    gateway.orders = [
        pdd_order(
            "A-1",
            updated=NOW - datetime.timedelta(minutes=10),
            custom_parameters=custom_parameters_make(click_id=click_id, uid="lulu"),
        ),
        pdd_order("A-2", updated=NOW - datetime.timedelta(hours=3)),
    ]
    connection_pull(connection=pdd_connection, until=NOW)
    entries = list(items_current(conversion__order_id="A-1"))
    assert entries

    again = connection_pull(
        connection=pdd_connection, until=NOW + datetime.timedelta(minutes=30)
    )
    assert again.state == RunState.SUCCEEDED
    # The overlap reads A-1 (10 minutes before the cursor) again: unchanged.
    assert (again.lines_seen, again.lines_applied, again.lines_unchanged) == (1, 0, 1)
    assert Conversion.objects.count() == 2
    assert items_current(conversion__order_id="A-1") == entries


def test_an_order_updated_while_paging_is_not_missed(gateway, pdd_connection):
    """PDD lists a span's orders by update time; one updated while we page leaves
    the span and the ones after it move up a place. Read forwards, the order that
    moves from page 2 to page 1 after page 1 was read would be missed; read from the
    last page back (as PDD asks), it is read twice instead, which changes nothing."""
    updated = NOW - datetime.timedelta(hours=2)
    gateway.orders = [
        pdd_order(
            f"M-{number:02d}", updated=updated + datetime.timedelta(seconds=number)
        )
        for number in range(23)
    ]
    in_span = seconds(updated)

    def first_order_changes_after_the_second_page(state):
        reads = [
            r
            for r in state.requests
            if int(r["start_update_time"]) <= in_span <= int(r["end_update_time"])
        ]
        if len(reads) == 2:  # the total, then the first page read
            state.orders[0]["order_modify_at"] = seconds(NOW) + 3600
            state.orders[0]["order_status"] = 2

    gateway.after_answer = first_order_changes_after_the_second_page
    run = connection_pull(connection=pdd_connection, until=NOW)
    assert run.state == RunState.SUCCEEDED
    seen = set(Conversion.objects.values_list("order_id", flat=True))
    assert seen == {f"M-{number:02d}" for number in range(1, 23)}

    gateway.after_answer = None
    connection_pull(connection=pdd_connection, until=NOW + datetime.timedelta(hours=2))
    assert Conversion.objects.count() == 23


@pytest.mark.parametrize(
    ("status", "ours", "connection_settings"),
    [
        (0, "pending", {}),
        (1, "pending", {}),
        (2, "pending", {}),
        (3, "approved", {}),
        (3, "pending", {"approve_when": "settled"}),
        (5, "approved", {}),
        (4, "refunded", {}),
        (8, "cancelled", {}),
        (10, "cancelled", {}),
    ],
)
def test_order_status_is_mapped(
    gateway, pdd_connection, status, ours, connection_settings
):
    pdd_connection.settings = {"page_size": 10, **connection_settings}
    pdd_connection.save()
    gateway.orders = [
        pdd_order("S-1", updated=NOW - datetime.timedelta(hours=1), status=status)
    ]
    run = connection_pull(connection=pdd_connection, until=NOW)
    assert run.state == RunState.SUCCEEDED
    assert Conversion.objects.get(order_id="S-1").status == ours


def test_unpaid_orders_wait_and_unknown_statuses_are_refused_by_name(
    gateway, pdd_connection
):
    updated = NOW - datetime.timedelta(hours=1)
    gateway.orders = [
        pdd_order("U-1", updated=updated, status=-1),
        pdd_order("U-2", updated=updated, status=7),
        pdd_order("U-3", updated=updated, custom_parameters="not-one-of-ours"),
    ]
    run = connection_pull(connection=pdd_connection, until=NOW)
    assert run.state == RunState.SUCCEEDED
    assert (run.lines_seen, run.lines_applied, run.lines_rejected) == (2, 1, 1)
    assert run.rejections == [
        "U-2/88123456789: status: 'pdd order_status 7' is not one of pending, "
        "approved, refunded, cancelled."
    ]
    unattributed = Conversion.objects.get(order_id="U-3")
    assert unattributed.author is None and unattributed.unattributed_reason


def test_a_cancelled_or_failed_order_reverses_its_ledger_entries(
    gateway, pdd_connection, link
):
    click_id = click_id_for(link, at=NOW - datetime.timedelta(hours=4))
    parameters = custom_parameters_make(click_id=click_id, uid="lulu")
    first_update = NOW - datetime.timedelta(hours=1)
    gateway.orders = [
        pdd_order("R-1", updated=first_update, custom_parameters=parameters),
        pdd_order("R-2", updated=first_update, custom_parameters=parameters),
    ]
    connection_pull(connection=pdd_connection, until=NOW)
    one, two = Conversion.objects.filter(order_id__in=["R-1", "R-2"]).order_by(
        "order_id"
    )
    assert items_current(conversion=one) and items_current(conversion=two)

    later = NOW + datetime.timedelta(minutes=30)
    gateway.orders = [
        pdd_order(
            "R-1",
            updated=later,
            paid=first_update - datetime.timedelta(minutes=5),
            status=4,
            custom_parameters=parameters,
        ),
        pdd_order(
            "R-2",
            updated=later,
            paid=first_update - datetime.timedelta(minutes=5),
            status=10,
            custom_parameters=parameters,
        ),
    ]
    run = connection_pull(
        connection=pdd_connection, until=NOW + datetime.timedelta(hours=1)
    )
    assert run.state == RunState.SUCCEEDED, run.error
    one.refresh_from_db()
    two.refresh_from_db()
    assert (one.status, two.status) == ("refunded", "cancelled")
    assert items_current(conversion=one) == []
    assert items_current(conversion=two) == []


# -- Bad answers ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (
            "rate-limit",
            "PDD: rate limit reached (error 70031: 调用过于频繁 (70031 请降低调用频率)); "
            "the next pull reads this window again.",
        ),
        ("http_500", "PDD: HTTP 500 from the gateway."),
        ("not-json", "PDD: the answer is not JSON."),
        ("no-total", "PDD: page 1 is malformed (order_list or total_count)."),
        ("slow", "PDD: Timed out (no answer within 0.5 s)."),
    ],
)
def test_a_bad_answer_keeps_the_cursor_and_records_the_reason(
    gateway, pdd_connection, monkeypatch, answer, reason
):
    monkeypatch.setattr(PddConnector, "timeout", 0.5)
    gateway.orders = [pdd_order("B-1", updated=NOW - datetime.timedelta(hours=1))]
    connection_pull(connection=pdd_connection, until=NOW)
    pdd_connection.refresh_from_db()
    assert pdd_connection.cursor == NOW

    gateway.orders.append(pdd_order("B-2", updated=NOW + datetime.timedelta(minutes=5)))
    gateway.failures = [answer]
    run = connection_pull(
        connection=pdd_connection, until=NOW + datetime.timedelta(minutes=10)
    )
    assert run.state == RunState.FAILED
    assert run.error == reason
    pdd_connection.refresh_from_db()
    assert pdd_connection.cursor == NOW
    assert pdd_connection.last_error == reason
    assert not Conversion.objects.filter(order_id="B-2").exists()

    # The next pull reads the window again and gets it.
    again = connection_pull(
        connection=pdd_connection, until=NOW + datetime.timedelta(minutes=10)
    )
    assert again.state == RunState.SUCCEEDED
    assert Conversion.objects.filter(order_id="B-2").exists()


def test_a_wrong_secret_is_refused_by_the_gateway_and_never_shown(
    gateway, pdd_connection
):
    wrong = "0000secret-that-is-wrong0000"
    pdd_connection.credentials = {"client_id": CLIENT_ID, "client_secret": wrong}
    pdd_connection.save()
    gateway.orders = [pdd_order("W-1", updated=NOW - datetime.timedelta(hours=1))]
    run = connection_pull(connection=pdd_connection, until=NOW)
    assert run.state == RunState.FAILED
    assert run.error == (
        "PDD refused the signature (error 20004: 签名验证失败 (20004 签名验证失败)): "
        "check client_id and client_secret."
    )
    assert wrong not in run.error and CLIENT_SECRET not in run.error
    assert gateway.requests and all(wrong not in str(r) for r in gateway.requests)
    pdd_connection.refresh_from_db()
    assert pdd_connection.cursor is None
    assert not Conversion.objects.exists()


def test_a_bad_setting_is_named(pdd_connection):
    pdd_connection.settings = {"page_size": 500}
    pdd_connection.save()
    run = connection_pull(connection=pdd_connection, until=NOW)
    assert run.state == RunState.FAILED
    assert run.error == "Setting page_size must be a whole number from 10 to 100."
