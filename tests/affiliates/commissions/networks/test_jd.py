"""京东联盟's order report (networks.jd) against a local server that speaks JD's
router protocol: it checks the method, the version, the timestamp (6 minutes either
way) and the MD5 sign the way JD's gateway does, refuses with JD's
``error_response`` shape, answers ``jd_union_open_order_row_query_responce`` with
``queryResult`` as a JSON string, pages by ``pageIndex`` while ``hasMore``, and can
be told to answer with the rate limit, an HTTP 500, a malformed body or slowly."""

import datetime
import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.utils import timezone

from affiliates.commissions.networks.base import Window, connector_registry
from affiliates.commissions.networks.jd import (
    JdUnionConnector,
    jd_row_line,
    jd_sign,
    jd_time,
)
from affiliates.commissions.networks.pulls import connection_pull
from affiliates.commissions.networks.subids import subid_alnum
from affiliates.commissions.services.ledger import commissions_approve, items_current
from affiliates.models import (
    ConnectionKind,
    Conversion,
    ConversionSource,
    EntryStatus,
    LedgerEntry,
    NetworkConnection,
    RunState,
)
from tests.affiliates.commissions.networks.servers import (
    CutOff,
    UnionRouter,
    beijing,
    union_json,
    union_md5_sign,
    union_server,
)
from tests.affiliates.conftest import click_id_for

# Slow: a local network server per test, timeouts and races on purpose.
pytestmark = [pytest.mark.django_db, pytest.mark.slow]

APP_KEY = "A1B2C3D4E5F60718293A4B5C6D7E8F90"
APP_SECRET = "s3cr3t-app-secret-of-the-test"
NOW = timezone.now().replace(microsecond=0)
CUT_OFF = CutOff(b'{"jd_union_open_order_row_query_responce": {"code": "0", "que')


# -- A local JD router ----------------------------------------------------------------


def _error(code: str, zh: str, en: str) -> dict:
    # JOS gateway refusals (error codes: 2 App Call Limited, 8 Invalid Timestamp,
    # 12 Invalid Signature, 15 Invalid Method, 5 Unsupported Version).
    return {"error_response": {"code": code, "zh_desc": zh, "en_desc": en}}


@dataclass
class JdRouter(UnionRouter):
    """What the tests see and steer: the rows JD holds (JD's own field names), the
    failures to answer the next requests with, and every request's parameters."""

    secrets: dict = field(default_factory=lambda: {APP_KEY: APP_SECRET})
    rows: list = field(default_factory=list)

    def failure(self, told: str) -> bytes | None:
        if told == "cut_off":
            return CUT_OFF
        if told == "malformed":
            return b'{"jd_union_open_order_row_query_responce": {"code'
        if told == "rate_limit":
            return union_json(_error("2", "限制时间内调用失败次数", "App Call Limited"))
        if told == "query_error":
            return self._envelope(
                {"code": 2001802, "message": "startTime格式错误", "data": None}
            )
        return None

    def check(self, params: dict) -> dict | None:
        if params.get("method") != "jd.union.open.order.row.query":
            return _error("15", "不存在的方法名", "Invalid Method")
        if params.get("v") != "1.0":
            return _error("5", "不支持的版本号", "Unsupported Version")
        try:
            stamp = beijing(params.get("timestamp", ""))
        except ValueError:
            return _error("8", "非法的时间戳参数", "Invalid Timestamp")
        # JD's own clock: the real one, whatever a test does to Django's.
        real_now = datetime.datetime.now(datetime.UTC)
        if abs(stamp - real_now) > datetime.timedelta(minutes=6):
            return _error("8", "非法的时间戳参数", "Invalid Timestamp")
        secret = self.secrets.get(params.get("app_key", ""))
        if secret is None or params.get("sign") != union_md5_sign(params, secret):
            return _error("12", "无效签名", "Invalid Signature")
        return None

    def serve(self, params: dict) -> bytes:
        order_req = json.loads(params["360buy_param_json"])["orderReq"]
        start, end = order_req["startTime"], order_req["endTime"]
        span = beijing(end) - beijing(start)
        page, size = int(order_req["pageIndex"]), int(order_req["pageSize"])
        if (
            order_req.get("type") != 3
            or not datetime.timedelta(0) <= span <= datetime.timedelta(hours=1)
            or page < 1
            or not 1 <= size <= 500
        ):
            return self._envelope(
                {"code": 2001800, "message": "参数错误", "data": None}
            )
        # Rows by update time, both ends included (JD's times are to the second).
        # (A row that is not an object, as a broken page would hold, is served.)
        matching = [
            row
            for row in self.rows
            if not isinstance(row, dict) or start <= row["modifyTime"] <= end
        ]
        chunk = matching[(page - 1) * size : page * size]
        result = {
            "code": 200,
            "message": "success",
            "requestId": f"o_{len(self.requests)}",
            "hasMore": page * size < len(matching),
        }
        if chunk:
            result["data"] = chunk
        return self._envelope(result)

    def _envelope(self, result: dict) -> bytes:
        # queryResult is itself a JSON string inside the envelope.
        return union_json(
            {
                "jd_union_open_order_row_query_responce": {
                    "code": "0",
                    "queryResult": json.dumps(result, ensure_ascii=False),
                }
            }
        )


@pytest.fixture
def router(local_servers_allowed):
    with union_server(JdRouter(), "/routerjson") as state:
        yield state


@pytest.fixture
def jd(shop, router):
    return NetworkConnection.objects.create(
        merchant=shop,
        kind=ConnectionKind.JD_UNION,
        base_url=router.base_url,
        credentials={"app_key": APP_KEY, "app_secret": APP_SECRET},
    )


def row(order_id, sku_id, *, modified, valid_code=16, sub_union_id="", **fields):
    """A JD order row as the row query returns it (amounts as JSON numbers)."""
    ordered = NOW - datetime.timedelta(hours=6)
    data = {
        "id": f"{order_id}{sku_id}",
        "orderId": order_id,
        "parentId": 0,
        "orderTime": jd_time(ordered),
        "finishTime": "",
        "modifyTime": jd_time(modified),
        "skuId": sku_id,
        "skuName": f"SKU {sku_id}",
        "skuNum": 1,
        "skuReturnNum": 0,
        "skuFrozenNum": 0,
        "price": 199.0,
        "estimateCosPrice": 189.5,
        "estimateFee": 9.48,
        "actualCosPrice": 0,
        "actualFee": 0,
        "validCode": valid_code,
        "subUnionId": sub_union_id,
        "payMonth": 0,
        "unionId": 1001234567,
        "positionId": 3000123456,
    }
    data.update(fields)
    return data


def hours_ago(hours: float) -> datetime.datetime:
    return NOW - datetime.timedelta(hours=hours)


# -- The sign -------------------------------------------------------------------------


def test_the_sign_is_md5_of_secret_sorted_pairs_secret_in_uppercase_hex():
    # JOS's rule, worked by hand: parameters sorted by name (360buy_param_json
    # first), each as name+value, empty ones left out, the secret at both ends.
    params = {
        "v": "1.0",
        "method": "jd.union.open.order.row.query",
        "timestamp": "2026-12-07 20:00:00",
        "app_key": "yourappkey",
        "access_token": "",
        "360buy_param_json": '{"orderReq":{"pageIndex":1}}',
    }
    text = (
        "yourappSecret"
        '360buy_param_json{"orderReq":{"pageIndex":1}}'
        "app_keyyourappkey"
        "methodjd.union.open.order.row.query"
        "timestamp2026-12-07 20:00:00"
        "v1.0"
        "yourappSecret"
    )
    expected = hashlib.md5(text.encode(), usedforsecurity=False).hexdigest().upper()
    assert jd_sign(params, "yourappSecret") == expected
    assert jd_sign({**params, "sign": "ANY"}, "yourappSecret") == expected
    assert jd_sign(params, "another") != expected


def test_the_request_carries_jds_system_and_business_parameters(jd):
    connector = connector_registry().get(ConnectionKind.JD_UNION)(jd)
    assert isinstance(connector, JdUnionConnector)
    start = datetime.datetime(2026, 12, 7, 1, 30, 15, 999, tzinfo=datetime.UTC)
    params = connector.request_params(
        window=Window(start, start + datetime.timedelta(hours=1)), page=3
    )
    assert params["method"] == "jd.union.open.order.row.query"
    assert params["app_key"] == APP_KEY
    assert (params["format"], params["v"], params["sign_method"]) == (
        "json",
        "1.0",
        "md5",
    )
    stamp = beijing(params["timestamp"])
    assert abs(stamp - timezone.now()) < datetime.timedelta(seconds=5)
    assert json.loads(params["360buy_param_json"]) == {
        "orderReq": {
            "pageIndex": 3,
            "pageSize": 500,
            "type": 3,
            # Beijing time (UTC+8), to the second.
            "startTime": "2026-12-07 09:30:15",
            "endTime": "2026-12-07 10:30:15",
        }
    }
    assert params["sign"] == jd_sign(params, APP_SECRET)
    assert APP_SECRET not in json.dumps(params)


# -- Rows as line items ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "status", "amount", "commission"),
    [
        ({"validCode": 15}, None, None, None),
        ({"validCode": -1}, None, None, None),
        ({"validCode": 16}, "pending", "189.50", "9.48"),
        (
            {"validCode": 17, "actualCosPrice": 180.0, "actualFee": 9.0},
            "approved",
            "180.00",
            "9.00",
        ),
        (
            {"validCode": 18, "actualCosPrice": 180.0, "actualFee": 9.0},
            "approved",
            "180.00",
            "9.00",
        ),
        ({"validCode": 17, "skuFrozenNum": 1}, "pending", "189.50", "9.48"),
        (
            {"validCode": 17, "skuNum": 2, "skuReturnNum": 2},
            "refunded",
            "189.50",
            "9.48",
        ),
        (
            {"validCode": 16, "skuNum": 2, "skuReturnNum": 1},
            "pending",
            "189.50",
            "9.48",
        ),
        ({"validCode": 2}, "cancelled", "189.50", "9.48"),
        ({"validCode": 3, "skuReturnNum": 1}, "cancelled", "189.50", "9.48"),
        ({"validCode": 13}, "cancelled", "189.50", "9.48"),
        ({"validCode": 21}, "cancelled", "189.50", "9.48"),
    ],
)
def test_valid_codes_and_quantities_map_to_our_statuses(
    fields, status, amount, commission
):
    line = jd_row_line(row(250000001, 100012, modified=NOW, **fields))
    if status is None:
        assert line is None
        return
    assert (line["status"], line["amount"], line["commission"]) == (
        status,
        amount,
        commission,
    )
    assert line["order_id"] == "250000001" and line["item_id"] == "100012"
    assert line["currency"] == "CNY"


def test_amounts_are_read_as_decimals_and_times_in_beijing():
    line = jd_row_line(
        row(
            1,
            2,
            modified=NOW,
            estimateCosPrice=Decimal("0.1") + Decimal("0.2"),
            estimateFee=Decimal("0.015"),
            orderTime="2026-12-07 08:00:00",
        )
    )
    assert (line["amount"], line["commission"]) == ("0.30", "0.02")
    assert line["occurred_at"] == "2026-12-07T08:00:00+08:00"
    millis = jd_row_line(row(1, 2, modified=NOW, orderTime="1765065600000"))
    assert datetime.datetime.fromisoformat(millis["occurred_at"]) == datetime.datetime(
        2025, 12, 7, tzinfo=datetime.UTC
    )


# -- Pulls ----------------------------------------------------------------------------


def test_a_pull_makes_each_item_a_conversion_with_jds_figures(jd, router, link):
    click_id = click_id_for(link, at=hours_ago(7))
    sub = subid_alnum(click_id)
    router.rows = [
        row(301, 11, modified=hours_ago(5.9), sub_union_id=sub),
        row(
            301,
            12,
            modified=hours_ago(5.8),
            sub_union_id=sub,
            estimateCosPrice=59.9,
            estimateFee=2.4,
        ),
        row(302, 21, modified=hours_ago(5.7), valid_code=15),  # not paid: not yet
        row(303, 31, modified=hours_ago(5.6), valid_code=3),  # 无效-取消
        row(304, 41, modified=hours_ago(5.5), sub_union_id="my_own_tag"),
    ]
    JdUnionConnector.page_size = 2
    try:
        run = connection_pull(connection=jd, since=hours_ago(6), until=NOW)
    finally:
        JdUnionConnector.page_size = 500
    assert run.state == RunState.SUCCEEDED, run.error
    assert (run.lines_seen, run.lines_applied, run.lines_rejected) == (4, 4, 0)

    first, second = Conversion.objects.filter(order_id="301").order_by("item_id")
    assert (first.item_id, second.item_id) == ("11", "12")
    assert (first.amount, first.stated_commission) == (
        Decimal("189.50"),
        Decimal("9.48"),
    )
    assert (second.amount, second.stated_commission) == (
        Decimal("59.90"),
        Decimal("2.40"),
    )
    assert first.status == second.status == "pending"
    assert first.author == second.author == link.author
    assert first.click_id == click_id and first.source == ConversionSource.PULL
    assert first.occurred_at == hours_ago(6)
    assert first.currency == "CNY"
    assert not Conversion.objects.filter(order_id="302").exists()
    assert Conversion.objects.get(order_id="303").status == "cancelled"
    assert Conversion.objects.get(order_id="304").author is None

    # The window of the rows was read in pages of two, each request signed.
    pages = [
        json.loads(params["360buy_param_json"])["orderReq"]["pageIndex"]
        for params in router.requests
    ]
    assert pages == [1, 2, 3, 1, 1, 1, 1, 1]
    assert all(params["app_key"] == APP_KEY for params in router.requests)
    jd.refresh_from_db()
    assert jd.cursor == NOW and not jd.last_error


def test_a_return_of_one_item_refunds_only_it_and_a_second_pull_changes_nothing(
    jd, router, link
):
    sub = subid_alnum(click_id_for(link, at=hours_ago(7)))
    router.rows = [
        row(401, 11, modified=hours_ago(5), sub_union_id=sub),
        row(401, 12, modified=hours_ago(5), sub_union_id=sub),
    ]
    connection_pull(connection=jd, since=hours_ago(6), until=hours_ago(2))

    # Later JD reports the order completed, with the second SKU returned.
    router.rows = [
        row(
            401,
            11,
            modified=hours_ago(1.5),
            valid_code=17,
            sub_union_id=sub,
            actualCosPrice=189.5,
            actualFee=9.48,
        ),
        row(
            401,
            12,
            modified=hours_ago(1.5),
            valid_code=17,
            sub_union_id=sub,
            skuReturnNum=1,
            actualCosPrice=0,
            actualFee=0,
        ),
    ]
    run = connection_pull(connection=jd, until=NOW)
    assert run.state == RunState.SUCCEEDED, run.error
    kept, returned = Conversion.objects.filter(order_id="401").order_by("item_id")
    assert (kept.status, returned.status) == ("approved", "refunded")
    assert items_current(conversion=returned) == []
    assert items_current(conversion=kept)
    assert {i.status for i in items_current(conversion=kept)} == {EntryStatus.PENDING}

    again = connection_pull(connection=jd, since=hours_ago(6), until=NOW)
    assert again.state == RunState.SUCCEEDED
    assert again.lines_applied == 0 and again.lines_unchanged == again.lines_seen == 2
    assert Conversion.objects.filter(order_id="401").count() == 2


def test_a_split_order_cancels_the_parent_and_keeps_its_parts(jd, router):
    router.rows = [
        row(500, 11, modified=hours_ago(5)),
        row(500, 12, modified=hours_ago(5)),
    ]
    connection_pull(connection=jd, since=hours_ago(6), until=hours_ago(4))
    router.rows = [
        row(500, 11, modified=hours_ago(3), valid_code=2),
        row(500, 12, modified=hours_ago(3), valid_code=2),
        row(501, 11, modified=hours_ago(3), parentId=500),
        row(502, 12, modified=hours_ago(3), parentId=500),
    ]
    run = connection_pull(connection=jd, until=NOW)
    assert run.state == RunState.SUCCEEDED and run.lines_rejected == 0
    statuses = {f"{c.order_id}/{c.item_id}": c.status for c in Conversion.objects.all()}
    assert statuses == {
        "500/11": "cancelled",
        "500/12": "cancelled",
        "501/11": "pending",
        "502/12": "pending",
    }


@pytest.mark.parametrize(
    ("failure", "reason"),
    [
        ("rate_limit", "JD's rate limit for this app key was reached"),
        ("http_500", "JD answered HTTP 500."),
        ("malformed", "JD's answer is not valid JSON."),
        ("cut_off", "JD's answer was cut off before its end."),
        (
            "query_error",
            "JD refused the order query (code 2001802: startTime格式错误).",
        ),
        ("slow", "JD could not be reached: Timed out"),
    ],
)
def test_a_bad_answer_keeps_the_cursor_and_records_the_reason(
    jd, router, failure, reason
):
    router.rows = [row(601, 11, modified=hours_ago(1.5))]
    jd.cursor = hours_ago(3)
    jd.save()
    # The second window's first page fails (a window is an hour).
    router.failures = [None, failure]
    JdUnionConnector.timeout = 0.3
    try:
        run = connection_pull(connection=jd, until=NOW)
    finally:
        JdUnionConnector.timeout = 20.0
    assert run.state == RunState.FAILED
    assert run.error.startswith(reason)
    jd.refresh_from_db()
    assert jd.cursor == hours_ago(3) + datetime.timedelta(minutes=40)
    assert jd.last_error == run.error and APP_SECRET not in run.error
    assert not Conversion.objects.exists()

    router.failures = []
    again = connection_pull(connection=jd, until=NOW)
    assert again.state == RunState.SUCCEEDED
    assert Conversion.objects.get(order_id="601").status == "pending"


def test_a_page_with_a_malformed_row_is_refused_whole(jd, router):
    router.rows = [
        row(801, 11, modified=hours_ago(0.5)),
        "not a row",
    ]
    run = connection_pull(connection=jd, since=hours_ago(1), until=NOW)
    assert run.state == RunState.FAILED
    assert run.error == "JD's page 1 is not a list of order rows."
    assert not Conversion.objects.exists()


def test_a_sub_union_id_that_is_not_a_click_id_keeps_the_sale_unattributed(jd, router):
    router.rows = [row(802, 11, modified=hours_ago(0.5), sub_union_id="t_" * 40)]
    run = connection_pull(connection=jd, since=hours_ago(1), until=NOW)
    assert run.state == RunState.SUCCEEDED and run.lines_applied == 1
    sale = Conversion.objects.get(order_id="802")
    assert sale.author is None and sale.click_id == ""


def completed(order_id, sku_id, *, modified, sub, **fields):
    return row(
        order_id,
        sku_id,
        modified=modified,
        valid_code=17,
        sub_union_id=sub,
        actualCosPrice=179.5,
        actualFee=8.98,
        **fields,
    )


def author_money(sale) -> list:
    return sorted(
        (item.entry.kind, item.status, item.amount)
        for item in items_current(conversion=sale)
    )


def test_completed_figures_replace_the_paid_estimate_in_the_ledger(jd, router, link):
    # JD corrects the figures at completion (a coupon, a partial return): the
    # estimate's commission is reversed and the actual one split again.
    sub = subid_alnum(click_id_for(link, at=hours_ago(7)))
    router.rows = [row(803, 11, modified=hours_ago(5.5), sub_union_id=sub)]
    connection_pull(connection=jd, since=hours_ago(6), until=hours_ago(5))
    sale = Conversion.objects.get(order_id="803")
    assert (sale.amount, sale.commission) == (Decimal("189.50"), Decimal("9.48"))

    router.rows = [completed(803, 11, modified=hours_ago(1.5), sub=sub)]
    run = connection_pull(connection=jd, since=hours_ago(2), until=NOW)
    assert (run.lines_applied, run.lines_rejected) == (1, 0)
    sale.refresh_from_db()
    assert sale.status == "approved"
    assert (sale.amount, sale.commission, sale.stated_commission) == (
        Decimal("179.50"),
        Decimal("8.98"),
        Decimal("8.98"),
    )
    assert sum(item.amount for item in items_current(conversion=sale)) == Decimal(
        "8.98"
    )
    reversed_ = LedgerEntry.objects.filter(conversion=sale, kind="reversal")
    assert sum(entry.amount for entry in reversed_) == Decimal("-9.48")

    # The same rows again, or the estimate arriving late: nothing changes.
    again = connection_pull(connection=jd, since=hours_ago(2), until=NOW)
    assert (again.lines_applied, again.lines_unchanged) == (0, 1)
    router.rows = [row(803, 11, modified=hours_ago(5.5), sub_union_id=sub)]
    connection_pull(connection=jd, since=hours_ago(6), until=hours_ago(5))
    sale.refresh_from_db()
    assert (sale.status, sale.amount) == ("approved", Decimal("179.50"))


def test_the_latest_figures_stand_whatever_order_the_versions_arrive_in(
    jd, router, link
):
    sub = subid_alnum(click_id_for(link, at=hours_ago(7)))
    estimate = row(804, 11, modified=hours_ago(5.5), sub_union_id=sub)
    actual = completed(804, 11, modified=hours_ago(1.5), sub=sub)
    outcomes = []
    for first, second in ((estimate, actual), (actual, estimate)):
        Conversion.objects.filter(order_id="804").update(order_id="804-done")
        for version in (first, second):
            router.rows = [version]
            connection_pull(connection=jd, since=hours_ago(7), until=NOW)
        sale = Conversion.objects.get(order_id="804")
        outcomes.append((sale.status, sale.amount, sale.commission, author_money(sale)))
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][:3] == ("approved", Decimal("179.50"), Decimal("8.98"))


def test_with_approve_when_settled_commission_waits_for_jds_pay_month(jd, router, link):
    jd.settings = {"approve_when": "settled"}
    jd.save()
    sub = subid_alnum(click_id_for(link, at=hours_ago(7)))
    router.rows = [completed(805, 11, modified=hours_ago(1.5), sub=sub)]
    connection_pull(connection=jd, since=hours_ago(2), until=NOW)
    sale = Conversion.objects.get(order_id="805")
    assert sale.status == "pending" and sale.awaits_settlement
    Conversion.objects.filter(pk=sale.pk).update(hold_until=hours_ago(1))
    commissions_approve()
    assert {item.status for item in items_current(conversion=sale)} == {"pending"}

    router.rows = [
        completed(805, 11, modified=hours_ago(0.5), sub=sub, payMonth=20261220)
    ]
    connection_pull(connection=jd, since=hours_ago(1), until=NOW)
    sale.refresh_from_db()
    assert sale.status == "approved"
    commissions_approve()
    assert {item.status for item in items_current(conversion=sale)} == {"approved"}


def test_a_wrong_secret_is_refused_by_jds_sign_check(jd, router):
    jd.credentials = {"app_key": APP_KEY, "app_secret": "not-the-secret"}
    jd.save()
    router.rows = [row(701, 11, modified=hours_ago(0.5))]
    run = connection_pull(connection=jd, since=hours_ago(1), until=NOW)
    assert run.state == RunState.FAILED
    assert run.error == (
        "JD refused the signature: check the connection's app_secret "
        "(error 12: 无效签名)."
    )
    assert "not-the-secret" not in run.error
    jd.refresh_from_db()
    assert jd.cursor is None
    assert not Conversion.objects.exists()


def test_a_clock_off_by_more_than_six_minutes_is_refused(jd, router, monkeypatch):
    late = timezone.now() + datetime.timedelta(minutes=7)
    monkeypatch.setattr("affiliates.commissions.networks.jd.timezone.now", lambda: late)
    run = connection_pull(connection=jd, since=hours_ago(1), until=NOW)
    assert run.state == RunState.FAILED
    assert "timestamp" in run.error and "error 8" in run.error
