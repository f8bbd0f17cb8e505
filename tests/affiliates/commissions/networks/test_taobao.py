"""淘宝联盟's order report (networks.taobao) against a local server that speaks TOP's
router protocol: it checks the method, the version, the app key, the timestamp (10
minutes either way) and the MD5 sign the way TOP's gateway does, refuses in TOP's
``error_response`` shape, answers ``tbk_order_details_get_response`` a page at a
time with ``has_next`` and the ``position_index`` the next page must send back,
and can be told to answer with a rate limit, an HTTP 500, a malformed body or
slowly. Sales are credited by the tracking id (渠道 relation_id) a creator was given
when their article first linked to the merchant."""

import datetime
import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.utils import timezone

from affiliates.commissions.networks.base import (
    ConnectorError,
    Window,
    connector_registry,
)
from affiliates.commissions.networks.pulls import connection_pull
from affiliates.commissions.networks.taobao import (
    TaobaoUnionConnector,
    taobao_record_line,
    taobao_refund_line,
    top_sign,
    top_time,
)
from affiliates.commissions.selectors import ledger_balances
from affiliates.commissions.services.ledger import commissions_approve, items_current
from affiliates.commissions.services.payouts import payout_decide, payout_run_create
from affiliates.models import (
    AttributedBy,
    CommissionSettings,
    ConnectionKind,
    Conversion,
    ConversionSource,
    LedgerEntry,
    NetworkConnection,
    RunState,
    TrackingId,
    UnattributedReason,
)
from affiliates.tracking.trackingids import tracking_ids_import
from tests.affiliates.commissions.networks.servers import (
    UnionRouter,
    beijing,
    union_json,
    union_md5_sign,
    union_server,
)
from tests.conftest import review_create
from tests.factories import MerchantFactory, OfferFactory, ProductFactory

# Slow: a local network server per test, timeouts and races on purpose.
pytestmark = [pytest.mark.django_db, pytest.mark.slow]

APP_KEY = "23456789"
APP_SECRET = "s3cr3t-top-app-secret-of-the-test"
NOW = timezone.now().replace(microsecond=0)
OVERLAP = TaobaoUnionConnector.overlap
SCENES = {"2": "relation_id", "3": "special_id"}
ORDERS_METHOD = "taobao.tbk.order.details.get"
REFUNDS_METHOD = "taobao.tbk.order.refund.get"
REFUNDS_RESPONSE_KEY = "tbk_order_refund_get_response"


# -- A local TOP router ---------------------------------------------------------------


def _error(code: int, msg: str, sub_code: str = "", sub_msg: str = "") -> dict:
    # TOP's refusal (7 App Call Limited, 15 Remote service error, 22 Invalid
    # method, 25 Invalid signature, 29 Invalid app Key, 31 Invalid timestamp,
    # 33 Invalid version, 41 Invalid arguments).
    body = {"code": code, "msg": msg, "request_id": "iz1x9"}
    if sub_code:
        body.update(sub_code=sub_code, sub_msg=sub_msg)
    return {"error_response": body}


INVALID = _error(15, "Remote service error", "isv.invalid-parameter", "参数错误")


@dataclass
class TopRouter(UnionRouter):
    """What the tests see and steer: the order records and the refund records
    Taobao holds (its own field names), the failures to answer the next requests
    with, and every request."""

    secrets: dict = field(default_factory=lambda: {APP_KEY: APP_SECRET})
    records: list = field(default_factory=list)
    refunds: list = field(default_factory=list)
    page_size: int | None = None  # serve smaller pages than asked (paging tests)
    issued: dict = field(default_factory=dict)
    # Answer the refund report with its own refusal (biz_error_code).
    refunds_refused: bool = False

    def failure(self, told: str) -> bytes | None:
        if told == "malformed":
            return b'{"tbk_order_details_get_response": {"data": {"has_n'
        if told == "rate_limit":
            return union_json(
                _error(
                    7,
                    "App Call Limited",
                    "accesscontrol.limited-by-app-access-count",
                    "This ban will last for 1 more seconds",
                )
            )
        if told == "isv_limited":
            return union_json(
                _error(15, "Remote service error", "isv.access-limited", "限流")
            )
        if told == "bad_records":
            return self._envelope(
                {"has_next": False, "results": {"publisher_order_dto": ["x"]}}
            )
        return None

    def check(self, params: dict) -> dict | None:
        if params.get("method") not in (ORDERS_METHOD, REFUNDS_METHOD):
            return _error(22, "Invalid method")
        if params.get("v") != "2.0":
            return _error(33, "Invalid version")
        secret = self.secrets.get(params.get("app_key", ""))
        if secret is None:
            return _error(29, "Invalid app Key")
        try:
            stamp = beijing(params.get("timestamp", ""))
        except ValueError:
            return _error(31, "Invalid timestamp")
        # TOP's own clock: the real one, whatever a test does to Django's.
        if abs(stamp - datetime.datetime.now(datetime.UTC)) > datetime.timedelta(
            minutes=10
        ):
            return _error(31, "Invalid timestamp")
        if params.get("sign_method") != "md5" or params.get("sign") != union_md5_sign(
            params, secret
        ):
            return _error(25, "Invalid signature")
        return None

    def serve(self, params: dict) -> bytes:
        if params["method"] == REFUNDS_METHOD:
            return self._refund_page(params)
        return self._order_page(params)

    def _paged(self, query: dict, *, query_type: str, records: list):
        """The records of the query's window (by modified_time, both ends in) on
        its page, after TOP's checks of the window, the page and the position
        index; or TOP's refusal."""
        try:
            start, end = beijing(query["start_time"]), beijing(query["end_time"])
            page, size = int(query.get("page_no", 1)), int(query["page_size"])
        except (KeyError, ValueError, TypeError):
            return None, _error(41, "Invalid arguments")
        if (
            str(query.get("query_type")) != query_type
            or not datetime.timedelta(0) <= end - start <= datetime.timedelta(hours=3)
            or not 1 <= page <= 100
            or not 1 <= size <= 100
        ):
            return None, INVALID
        if page > 1 and (
            str(query.get("jump_type")) != "1"
            or query.get("position_index") != self.issued.get((start, end, page))
        ):
            return None, _error(
                15, "Remote service error", "isv.invalid-parameter", "位点错误"
            )
        matching = [
            record
            for record in records
            if start <= beijing(record["modified_time"]) <= end
        ]
        size = self.page_size or size
        chunk = matching[(page - 1) * size : page * size]
        position = f"{int(start.timestamp())}_{page}|{len(chunk)}"
        self.issued[(start, end, page + 1)] = position
        data = {
            "has_pre": page > 1,
            "has_next": page * size < len(matching),
            "page_no": page,
            "page_size": size,
            "position_index": position,
        }
        return (data, chunk), None

    def _order_page(self, params: dict) -> bytes:
        scene_field = SCENES.get(params.get("order_scene", "1"))
        records = [
            record
            for record in self.records
            if scene_field is None or record.get(scene_field)
        ]
        paged, refusal = self._paged(params, query_type="4", records=records)
        if refusal is not None:
            return union_json(refusal)
        data, chunk = paged
        if chunk:
            data["results"] = {"publisher_order_dto": chunk}
        return self._envelope(data)

    def _refund_page(self, params: dict) -> bytes:
        # One parameter, the query as a JSON object (TOP's object parameters).
        try:
            query = json.loads(params["publisher_refund_order_query_option"])
        except (KeyError, ValueError):
            return union_json(INVALID)
        if not isinstance(query, dict) or query.get("order_scene") != 1:
            return union_json(INVALID)
        if self.refunds_refused:
            return union_json(
                {
                    REFUNDS_RESPONSE_KEY: {
                        "result_code": 0,
                        "biz_error_code": 101,
                        "biz_error_desc": "无权限",
                        "request_id": "iz3",
                    }
                }
            )
        paged, refusal = self._paged(query, query_type="5", records=self.refunds)
        if refusal is not None:
            return union_json(refusal)
        data, chunk = paged
        if chunk:
            data["result"] = {"publisher_refund_order_dto": chunk}
        return union_json(
            {
                REFUNDS_RESPONSE_KEY: {
                    "data": data,
                    "result_code": 200,
                    "result_msg": "success",
                    "biz_error_code": 0,
                    "request_id": "iz4",
                }
            }
        )

    def _envelope(self, data: dict) -> bytes:
        return union_json(
            {"tbk_order_details_get_response": {"data": data, "request_id": "iz2"}}
        )

    def asked(self, method: str) -> list[dict]:
        return [p for p in self.requests if p.get("method") == method]


@pytest.fixture
def router(local_servers_allowed):
    with union_server(TopRouter(), "/router/rest") as state:
        yield state


@pytest.fixture
def tmall(db):
    return MerchantFactory(
        name="Tmall",
        allowed_domains="detail.tmall.com",
        currency="CNY",
        deep_link_template="{url}?relationId={tracking_id}",
    )


@pytest.fixture
def taobao(tmall, router):
    connection = NetworkConnection.objects.create(
        merchant=tmall,
        kind=ConnectionKind.TAOBAO_UNION,
        base_url=router.base_url,
        credentials={"app_key": APP_KEY, "app_secret": APP_SECRET},
    )
    tracking_ids_import(connection=connection, values=["2701", "2702"])
    return connection


@pytest.fixture
def given(articles, creator, tmall, taobao):
    """The creator publishes an article linking to the merchant, and so is given
    the pool's first id (2701)."""
    product = ProductFactory(title="Kettle")
    OfferFactory(
        product=product,
        merchant=tmall,
        url="https://detail.tmall.com/item.htm?id=42",
        price="199.00",
        currency="CNY",
    )
    review_create(parent=articles, author=creator, product=product)
    assert TrackingId.objects.get(value="2701").creator == creator
    # Given a day before the pulled sales (an id credits only sales made after).
    TrackingId.objects.filter(value="2701").update(
        assigned_at=timezone.now() - datetime.timedelta(days=1)
    )
    return "2701"


def hours_ago(hours: float) -> datetime.datetime:
    return NOW - datetime.timedelta(hours=hours)


def record(parent, trade, *, modified, tk_status=12, relation_id=2701, **fields):
    """A Taobao order record as the API returns it (amounts as decimal strings)."""
    data = {
        "trade_parent_id": str(parent),
        "trade_id": str(trade),
        "item_id": 42,
        "item_title": "Kettle",
        "item_num": 1,
        "tk_status": tk_status,
        "refund_tag": 0,
        "tk_create_time": top_time(NOW - datetime.timedelta(hours=6, minutes=1)),
        "tk_paid_time": top_time(NOW - datetime.timedelta(hours=6)),
        "tk_earning_time": "",
        "modified_time": top_time(modified),
        "alipay_total_price": "199.00",
        "pay_price": "",
        "pub_share_pre_fee": "19.90",
        "pub_share_fee": "0",
        "total_commission_rate": "10.00",
        "adzone_id": 109876500123,
        "site_id": 1234567,
        "relation_id": relation_id,
        "special_id": 0,
        "order_type": "天猫",
    }
    data.update(fields)
    return data


def settled(parent, trade, *, modified, tk_status=3, **fields):
    return record(
        parent,
        trade,
        modified=modified,
        tk_status=tk_status,
        pay_price="189.00",
        pub_share_fee="18.90",
        tk_earning_time=top_time(modified),
        **fields,
    )


# -- The sign and the request ---------------------------------------------------------


def test_the_sign_follows_tops_worked_example():
    # TOP's "API调用方法详解": foo=1, bar=2, foo_bar=3, foobar=4 sort to
    # bar2foo1foo_bar3foobar4, signed as md5(secret + that + secret), hex, upper.
    params = {"foo": "1", "bar": "2", "foo_bar": "3", "foobar": "4", "empty": ""}
    text = "helloworld" + "bar2foo1foo_bar3foobar4" + "helloworld"
    expected = hashlib.md5(text.encode(), usedforsecurity=False).hexdigest().upper()
    assert top_sign(params, "helloworld") == expected
    assert top_sign({**params, "sign": "ANY"}, "helloworld") == expected
    assert top_sign(params, "another") != expected


def test_the_request_carries_tops_system_and_business_parameters(taobao):
    connector = connector_registry().get(ConnectionKind.TAOBAO_UNION)(taobao)
    assert isinstance(connector, TaobaoUnionConnector)
    start = datetime.datetime(2026, 12, 7, 1, 30, 15, 999, tzinfo=datetime.UTC)
    window = Window(start, start + datetime.timedelta(hours=3))
    params = connector.request_params(window=window, page=2, position_index="a_b|c")
    assert abs(beijing(params.pop("timestamp")) - timezone.now()) < datetime.timedelta(
        seconds=5
    )
    sign = params.pop("sign")
    assert params == {
        "method": "taobao.tbk.order.details.get",
        "app_key": APP_KEY,
        "format": "json",
        "v": "2.0",
        "sign_method": "md5",
        "query_type": "4",
        # GMT+8, to the second.
        "start_time": "2026-12-07 09:30:15",
        "end_time": "2026-12-07 12:30:15",
        "page_no": "2",
        "page_size": "100",
        "order_scene": "2",
        "position_index": "a_b|c",
        "jump_type": "1",
    }
    assert len(sign) == 32 and sign == sign.upper()
    first = connector.request_params(window=window, page=1)
    assert "position_index" not in first and "jump_type" not in first


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ({"tracking_id_field": "pid"}, "tracking_id_field"),
        ({"approve_when": "completed"}, "approve_when"),
        ({"window_minutes": 181}, "window_minutes"),
        ({"window_minutes": True}, "window_minutes"),
        ({"read_refunds": "no"}, "read_refunds"),
    ],
)
def test_a_bad_setting_is_refused_by_name(taobao, values, reason):
    taobao.settings = values
    with pytest.raises(ConnectorError, match=reason):
        TaobaoUnionConnector(taobao)
    run = connection_pull(connection=taobao, since=hours_ago(1), until=NOW)
    assert run.state == RunState.FAILED and reason in run.error


def test_the_tracking_id_field_chooses_the_order_scene(taobao):
    for name, scene in (("relation_id", "2"), ("special_id", "3"), ("adzone_id", "1")):
        taobao.settings = {"tracking_id_field": name}
        params = TaobaoUnionConnector(taobao).request_params(
            window=Window(hours_ago(1), NOW), page=1
        )
        assert params["order_scene"] == scene
        line = taobao_record_line(
            record(1, 2, modified=NOW, special_id=88), tracking_id_field=name
        )
        assert (
            line["tracking_id"]
            == {
                "relation_id": "2701",
                "special_id": "88",
                "adzone_id": "109876500123",
            }[name]
        )
        assert line["click_id"] == ""


# -- Records as line items ------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "approve_when", "status", "amount", "commission"),
    [
        ({"tk_status": 12}, "received", "pending", "199.00", "19.90"),
        ({"tk_status": 14}, "received", "approved", "189.00", "18.90"),
        ({"tk_status": 14}, "settled", "pending", "189.00", "18.90"),
        ({"tk_status": 3}, "settled", "approved", "189.00", "18.90"),
        ({"tk_status": 14, "refund_tag": 1}, "received", "pending", "189.00", "18.90"),
        ({"tk_status": 13}, "received", "cancelled", "199.00", "19.90"),
        ({"tk_status": 99}, "received", "Taobao tk_status 99", "199.00", "19.90"),
    ],
)
def test_tk_status_maps_to_our_statuses_and_figures(
    fields, approve_when, status, amount, commission
):
    data = record(7, 8, modified=NOW, pay_price="189.00", pub_share_fee="18.90")
    data.update(fields)
    line = taobao_record_line(data, approve_when=approve_when)
    assert (line["status"], line["amount"], line["commission"]) == (
        status,
        amount,
        commission,
    )
    assert (line["order_id"], line["item_id"], line["currency"]) == ("7", "8", "CNY")


def test_times_are_read_in_beijing_and_amounts_to_the_fen():
    line = taobao_record_line(
        record(
            1,
            2,
            modified=NOW,
            tk_paid_time="2026-12-07 08:00:00",
            modified_time="2026-12-07 09:15:00",
            pub_share_pre_fee="0.015",
            relation_id=0,
        )
    )
    assert line["occurred_at"] == "2026-12-07T08:00:00+08:00"
    assert line["updated_at"] == "2026-12-07T09:15:00+08:00"
    assert line["commission"] == "0.02"
    assert line["tracking_id"] == ""


# -- Pulls ----------------------------------------------------------------------------


def test_a_pull_credits_the_creator_given_the_tracking_id(
    taobao, router, given, creator
):
    router.records = [
        record(9001, 90011, modified=hours_ago(5.9)),
        record(9001, 90012, modified=hours_ago(5.8), alipay_total_price="59.90"),
        record(9002, 90021, modified=hours_ago(5.7), relation_id=2702),  # nobody's
        record(9003, 90031, modified=hours_ago(5.6), tk_status=13),
        record(9004, 90041, modified=hours_ago(5.5), relation_id=0),  # scene 1 only
    ]
    router.page_size = 2
    run = connection_pull(connection=taobao, since=hours_ago(6), until=NOW)
    assert run.state == RunState.SUCCEEDED, run.error
    assert (run.lines_seen, run.lines_applied, run.lines_rejected) == (4, 4, 0)

    first, second = Conversion.objects.filter(order_id="9001").order_by("item_id")
    assert (first.item_id, second.item_id) == ("90011", "90012")
    assert (first.amount, first.stated_commission) == (
        Decimal("199.00"),
        Decimal("19.90"),
    )
    assert second.amount == Decimal("59.90")
    assert first.author == second.author == creator
    assert first.attributed_by == AttributedBy.TRACKING_ID
    assert first.tracking_id == given and first.click_id == ""
    assert first.source == ConversionSource.PULL and first.currency == "CNY"
    assert first.occurred_at == hours_ago(6) and first.status == "pending"
    nobodys = Conversion.objects.get(order_id="9002")
    assert nobodys.author is None
    assert nobodys.unattributed_reason == UnattributedReason.UNKNOWN_TRACKING_ID
    assert Conversion.objects.get(order_id="9003").status == "cancelled"
    assert not Conversion.objects.filter(order_id="9004").exists()

    # The first window (three hours) came in two pages, the second sending back
    # the position_index the first returned; every request was signed.
    first_window = [
        (p["page_no"], p.get("position_index")) for p in router.requests[:2]
    ]
    assert first_window[0] == ("1", None) and first_window[1][0] == "2"
    assert first_window[1][1] and all(p["app_key"] == APP_KEY for p in router.requests)
    taobao.refresh_from_db()
    assert taobao.cursor == NOW and not taobao.last_error


def test_settled_figures_replace_the_estimate_and_a_second_pull_changes_nothing(
    taobao, router, given
):
    router.records = [record(9101, 91011, modified=hours_ago(5.5))]
    connection_pull(connection=taobao, since=hours_ago(6), until=hours_ago(5))
    sale = Conversion.objects.get(order_id="9101")
    assert (sale.amount, sale.commission) == (Decimal("199.00"), Decimal("19.90"))

    router.records = [settled(9101, 91011, modified=hours_ago(1.5))]
    run = connection_pull(connection=taobao, since=hours_ago(2), until=NOW)
    assert (run.lines_applied, run.lines_rejected) == (1, 0), run.rejections
    sale.refresh_from_db()
    assert sale.status == "approved"
    assert (sale.amount, sale.commission) == (Decimal("189.00"), Decimal("18.90"))
    assert sum(i.amount for i in items_current(conversion=sale)) == Decimal("18.90")
    reversed_ = LedgerEntry.objects.filter(conversion=sale, kind="reversal")
    assert sum(entry.amount for entry in reversed_) == Decimal("-19.90")

    again = connection_pull(connection=taobao, since=hours_ago(2), until=NOW)
    assert again.state == RunState.SUCCEEDED
    assert (again.lines_applied, again.lines_unchanged) == (0, 1)
    # The estimate arriving late is history: the settled figures stand.
    router.records = [record(9101, 91011, modified=hours_ago(5.5))]
    connection_pull(connection=taobao, since=hours_ago(6), until=hours_ago(5))
    sale.refresh_from_db()
    assert (sale.status, sale.amount) == ("approved", Decimal("189.00"))


def test_a_failed_order_reverses_its_commission(taobao, router, given):
    router.records = [record(9201, 92011, modified=hours_ago(5.5))]
    connection_pull(connection=taobao, since=hours_ago(6), until=hours_ago(5))
    sale = Conversion.objects.get(order_id="9201")
    assert sum(i.amount for i in items_current(conversion=sale)) == Decimal("19.90")

    router.records = [record(9201, 92011, modified=hours_ago(1), tk_status=13)]
    run = connection_pull(connection=taobao, since=hours_ago(2), until=NOW)
    assert (run.lines_applied, run.lines_rejected) == (1, 0), run.rejections
    sale.refresh_from_db()
    assert sale.status == "cancelled"
    assert items_current(conversion=sale) == []


def test_with_approve_when_settled_commission_waits_for_taobaos_settlement(
    taobao, router, given
):
    taobao.settings = {"approve_when": "settled"}
    taobao.save()
    router.records = [settled(9301, 93011, modified=hours_ago(1.5), tk_status=14)]
    connection_pull(connection=taobao, since=hours_ago(2), until=NOW)
    sale = Conversion.objects.get(order_id="9301")
    assert sale.status == "pending" and sale.awaits_settlement
    Conversion.objects.filter(pk=sale.pk).update(hold_until=hours_ago(1))
    commissions_approve()
    assert {item.status for item in items_current(conversion=sale)} == {"pending"}

    router.records = [settled(9301, 93011, modified=hours_ago(0.5))]
    connection_pull(connection=taobao, since=hours_ago(1), until=NOW)
    sale.refresh_from_db()
    assert sale.status == "approved"
    commissions_approve()
    assert {item.status for item in items_current(conversion=sale)} == {"approved"}


@pytest.mark.parametrize(
    ("failure", "reason"),
    [
        ("rate_limit", "Taobao's rate limit for this app key was reached (error 7"),
        ("isv_limited", "Taobao's rate limit for this app key was reached (error 15"),
        ("http_500", "Taobao answered HTTP 500."),
        ("malformed", "Taobao's answer is not valid JSON."),
        ("bad_records", "Taobao's page 1 is not a list of order records."),
        ("slow", "Taobao could not be reached: Timed out"),
    ],
)
def test_a_bad_answer_keeps_the_cursor_and_records_the_reason(
    taobao, router, failure, reason
):
    router.records = [record(9401, 94011, modified=hours_ago(2))]
    taobao.cursor = hours_ago(7)
    taobao.save()
    # The second window's first page fails (a window is three hours, read as its
    # orders, then its refunds).
    router.failures = [None, None, failure]
    TaobaoUnionConnector.timeout = 0.3
    try:
        run = connection_pull(connection=taobao, until=NOW)
    finally:
        TaobaoUnionConnector.timeout = 20.0
    assert run.state == RunState.FAILED
    assert run.error.startswith(reason), run.error
    taobao.refresh_from_db()
    assert taobao.cursor == hours_ago(7) - OVERLAP + datetime.timedelta(hours=3)
    assert taobao.last_error == run.error and APP_SECRET not in run.error
    assert not Conversion.objects.exists()

    router.failures = []
    again = connection_pull(connection=taobao, until=NOW)
    assert again.state == RunState.SUCCEEDED, again.error
    assert Conversion.objects.get(order_id="9401").status == "pending"


def test_a_wrong_secret_is_refused_by_tops_sign_check(taobao, router):
    taobao.credentials = {"app_key": APP_KEY, "app_secret": "not-the-secret"}
    taobao.save()
    router.records = [record(9501, 95011, modified=hours_ago(0.5))]
    run = connection_pull(connection=taobao, since=hours_ago(1), until=NOW)
    assert run.state == RunState.FAILED
    assert run.error == (
        "Taobao refused the signature: check the connection's app_secret "
        "(error 25: Invalid signature)."
    )
    assert "not-the-secret" not in run.error
    taobao.refresh_from_db()
    assert taobao.cursor is None and not Conversion.objects.exists()


def test_a_clock_off_by_more_than_ten_minutes_is_refused(taobao, router, monkeypatch):
    late = timezone.now() + datetime.timedelta(minutes=11)
    monkeypatch.setattr(
        "affiliates.commissions.networks.taobao.timezone.now", lambda: late
    )
    run = connection_pull(connection=taobao, since=hours_ago(1), until=NOW)
    assert run.state == RunState.FAILED
    assert "timestamp" in run.error and "error 31" in run.error


def test_a_shorter_window_setting_splits_the_query(taobao, router):
    # During 618 and 11.11 Taobao allows 20 minutes per query.
    taobao.settings = {"window_minutes": 20}
    taobao.save()
    run = connection_pull(connection=taobao, since=hours_ago(1), until=NOW)
    assert run.state == RunState.SUCCEEDED, run.error
    orders = router.asked(ORDERS_METHOD)
    spans = {beijing(p["end_time"]) - beijing(p["start_time"]) for p in orders}
    assert spans == {datetime.timedelta(minutes=20)} and len(orders) == 3
    # Each span's refunds are read right after its orders.
    refunds = router.asked(REFUNDS_METHOD)
    assert [p["method"] for p in router.requests] == [
        ORDERS_METHOD,
        REFUNDS_METHOD,
    ] * 3
    options = [json.loads(p["publisher_refund_order_query_option"]) for p in refunds]
    assert [o["start_time"] for o in options] == [p["start_time"] for p in orders]


# -- Refunds after settlement (taobao.tbk.order.refund.get) ---------------------------


def refund(parent, trade, *, modified, refund_status=2, **fields):
    """A record of Taobao's refund report as the API returns it."""
    data = {
        "refund_suit_id": f"rs{trade}",
        "tb_trade_parent_id": str(parent),
        "tb_trade_id": str(trade),
        "tb_trade_create_time": top_time(NOW - datetime.timedelta(hours=6, minutes=1)),
        "earning_time": top_time(NOW - datetime.timedelta(hours=3)),
        "tk_refund_time": top_time(modified - datetime.timedelta(minutes=30)),
        "tk_refund_suit_time": top_time(modified),
        "modified_time": top_time(modified),
        "item_title": "Kettle",
        "tk_order_role": "2",
        "refund_status": refund_status,
        "tb_trade_finish_price": "189.00",
        "refund_fee": "189.00",
        "pub_share_fee": "18.90",
        "tk_commission_fee_refund": "18.90",
        "tk_subsidy_fee_refund": "0.00",
        "show_return_fee": "20.79",
        "relation_id": 2701,
        "special_id": 0,
    }
    data.update(fields)
    return data


def test_the_refund_request_is_one_signed_json_option(taobao):
    connector = TaobaoUnionConnector(taobao)
    start = datetime.datetime(2026, 12, 7, 1, 30, 15, tzinfo=datetime.UTC)
    window = Window(start, start + datetime.timedelta(hours=3))
    params = connector.refund_request_params(
        window=window, page=2, position_index="p|q"
    )
    sign = params.pop("sign")
    assert sign == top_sign(params, APP_SECRET)
    params.pop("timestamp")
    option = json.loads(params.pop("publisher_refund_order_query_option"))
    assert params == {
        "method": "taobao.tbk.order.refund.get",
        "app_key": APP_KEY,
        "format": "json",
        "v": "2.0",
        "sign_method": "md5",
    }
    assert option == {
        "query_type": 5,
        "start_time": "2026-12-07 09:30:15",
        "end_time": "2026-12-07 12:30:15",
        "page_no": 2,
        "page_size": 100,
        "order_scene": 1,
        "member_type": 4,
        "position_index": "p|q",
        "jump_type": 1,
    }
    first = json.loads(
        connector.refund_request_params(window=window, page=1)[
            "publisher_refund_order_query_option"
        ]
    )
    assert "position_index" not in first and "jump_type" not in first


@pytest.mark.parametrize(
    ("refund_status", "read"),
    [(2, True), (12, True), (13, True), (4, False), (11, False), (3, False)]
    + [(14, False), (15, False)],
)
def test_only_a_refund_taken_back_from_the_publisher_is_read(refund_status, read):
    line = taobao_refund_line(refund(7, 8, modified=NOW, refund_status=refund_status))
    if not read:
        assert line is None
        return
    assert (line["order_id"], line["item_id"], line["status"]) == ("7", "8", "refunded")
    assert (line["amount"], line["commission"], line["currency"]) == (
        "189.00",
        "18.90",
        "CNY",
    )
    assert line["tracking_id"] == "2701" and "refused" not in line


def test_a_partial_refund_is_refused_with_its_amounts():
    line = taobao_refund_line(
        refund(7, 8, modified=NOW, refund_fee="50.00", tk_commission_fee_refund="5.00")
    )
    field_name, reason = line["refused"]
    assert field_name == "amount"
    assert "50.00 of 189.00" in reason and "5.00" in reason


def author_balances(creator) -> dict:
    return {row["status"]: row["amount"] for row in ledger_balances(creator=creator)}


def test_a_refund_after_settlement_and_payout_leaves_a_debt_and_is_read_once(
    taobao, router, given, creator
):
    settings = CommissionSettings.load()
    settings.payout_minimums = "CNY 0"
    settings.save()
    router.records = [
        settled(9601, 96011, modified=hours_ago(5.5)),
        {
            **settled(9601, 96012, modified=hours_ago(5.5)),
            "pay_price": "59.00",
            "pub_share_fee": "5.90",
        },
    ]
    connection_pull(connection=taobao, since=hours_ago(6), until=hours_ago(5))
    kettle, other = Conversion.objects.filter(order_id="9601").order_by("item_id")
    assert (kettle.status, other.status) == ("approved", "approved")
    Conversion.objects.filter(order_id="9601").update(hold_until=hours_ago(5))
    commissions_approve()
    payout = payout_run_create(run_date=NOW.date()).payouts.get(creator=creator)
    payout_decide(payout=payout, paid=True)
    paid = author_balances(creator)["paid"]
    assert paid > 0

    # Taobao takes the kettle's commission back: the claim was won after
    # settlement, money already paid to the publisher (13 扣款成功).
    router.records = []
    router.refunds = [refund(9601, 96011, modified=hours_ago(1), refund_status=13)]
    run = connection_pull(connection=taobao, since=hours_ago(2), until=NOW)
    assert run.state == RunState.SUCCEEDED, run.error
    assert (run.lines_applied, run.lines_rejected) == (1, 0), run.rejections
    kettle.refresh_from_db()
    other.refresh_from_db()
    assert (kettle.status, other.status) == ("refunded", "approved")
    # The paid items stay paid; each has its debt beside it.
    assert sum(item.amount for item in items_current(conversion=kettle)) == 0
    assert (
        sum(
            LedgerEntry.objects.filter(conversion=kettle).values_list(
                "amount", flat=True
            )
        )
        == 0
    )
    kettle_share = -LedgerEntry.objects.get(
        conversion=kettle, creator=creator, kind="reversal"
    ).amount
    # What was paid stays paid; the creator owes the kettle's share back.
    assert author_balances(creator) == {"paid": paid, "approved": -kettle_share}
    # Only the kettle's: the other item's share is still in the paid sum.
    assert 0 < kettle_share < paid

    entries = LedgerEntry.objects.count()
    again = connection_pull(connection=taobao, since=hours_ago(2), until=NOW)
    assert again.state == RunState.SUCCEEDED
    assert (again.lines_applied, again.lines_unchanged) == (0, 1)
    assert LedgerEntry.objects.count() == entries
    refunds_asked = router.asked(REFUNDS_METHOD)
    assert refunds_asked and all(
        p["sign"] == union_md5_sign(p, APP_SECRET) for p in refunds_asked
    )


def test_refund_records_are_paged_with_their_position_index(taobao, router, given):
    router.records = [
        settled(9701, 97010 + n, modified=hours_ago(5.5)) for n in range(1, 4)
    ]
    connection_pull(connection=taobao, since=hours_ago(6), until=hours_ago(5))
    router.records = []
    router.refunds = [
        refund(9701, 97010 + n, modified=hours_ago(1)) for n in range(1, 4)
    ]
    router.page_size = 2
    router.requests.clear()
    run = connection_pull(connection=taobao, since=hours_ago(2), until=NOW)
    assert run.state == RunState.SUCCEEDED, run.error
    assert run.lines_applied == 3
    assert set(
        Conversion.objects.filter(order_id="9701").values_list("status", flat=True)
    ) == {"refunded"}
    pages = [
        json.loads(p["publisher_refund_order_query_option"])
        for p in router.asked(REFUNDS_METHOD)
    ]
    assert [o["page_no"] for o in pages] == [1, 2]
    assert pages[1]["position_index"] and pages[1]["jump_type"] == 1


def test_a_partial_refund_is_refused_on_the_run_and_changes_nothing(
    taobao, router, given
):
    router.records = [settled(9801, 98011, modified=hours_ago(5.5))]
    connection_pull(connection=taobao, since=hours_ago(6), until=hours_ago(5))
    sale = Conversion.objects.get(order_id="9801")
    entries = LedgerEntry.objects.count()
    router.records = []
    router.refunds = [refund(9801, 98011, modified=hours_ago(1), refund_fee="50.00")]
    run = connection_pull(connection=taobao, since=hours_ago(2), until=NOW)
    assert run.state == RunState.SUCCEEDED
    assert (run.lines_seen, run.lines_rejected) == (1, 1)
    assert run.rejections[0].startswith("9801/98011: amount: Taobao refunded 50.00")
    sale.refresh_from_db()
    assert sale.status == "approved" and LedgerEntry.objects.count() == entries


def test_a_refusal_of_the_refund_report_keeps_the_cursor(taobao, router, given):
    router.refunds_refused = True
    run = connection_pull(connection=taobao, since=hours_ago(1), until=NOW)
    assert run.state == RunState.FAILED
    assert run.error == (
        "Taobao refused the refund records query (biz_error_code 101: 无权限)."
    )
    taobao.refresh_from_db()
    assert taobao.cursor is None

    # A connection without the refund report's permission can turn it off.
    taobao.settings = {"read_refunds": False}
    taobao.save()
    requests_before = len(router.requests)
    run = connection_pull(connection=taobao, since=hours_ago(1), until=NOW)
    assert run.state == RunState.SUCCEEDED, run.error
    asked = router.requests[requests_before:]
    assert {p["method"] for p in asked} == {ORDERS_METHOD}
