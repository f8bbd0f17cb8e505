"""淘宝联盟 (Taobao Union): the publisher's order report, ``taobao.tbk.order.details.get``.

Taobao reports one record per sub-order (子订单, ``trade_id``) under its parent order
(``trade_parent_id``); each record becomes one line item of ours. A pull asks for
the records whose *update time* is in a window (``query_type=4``), so every change
(paid, received, settled, closed) comes back in the window it happened in.

The request (the Taobao Open Platform's protocol, "TOP")
    A POST of form fields to the router, ``https://gw.api.taobao.com/router/rest``
    ("API调用方法详解", open.taobao.com/doc.htm?docId=101617&docType=1; the
    connection's base URL overrides it), with the system parameters ``method``,
    ``app_key``, ``timestamp`` (``yyyy-MM-dd HH:mm:ss`` in GMT+8; TOP refuses a
    clock more than 10 minutes off), ``format=json``, ``v=2.0``,
    ``sign_method=md5`` and ``sign`` beside the API's own. The sign is the MD5, in
    uppercase hex, of the app secret, every parameter but ``sign`` sorted by name
    as name+value (empty ones left out), and the app secret again (same page, and
    ``TopUtils.signTopRequest`` in TOP's Java SDK, as quoted on it).
    The API's own parameters (TOP's page for the API, docId=43328, as generated into
    the public Python SDK, github.com/makelove/Taobao_topsdk
    top/api/rest/TbkOrderDetailsGetRequest.py, and quoted by third parties such as
    developer.alibaba.com/docs/api.htm?apiId=49611 for the sc variant):
    ``query_type`` (1 creation, 2 payment, 3 settlement, 4 update time, "5.27新增"),
    ``start_time``/``end_time`` ("中间时间段日常要求不超过3个小时", 20 minutes during
    the big promotions 618 and 11.11: the setting ``window_minutes``),
    ``page_no`` (1-100), ``page_size`` (1-100), ``position_index`` (the "位点" the
    previous page returned, sent back as it came on every page but the first) with
    ``jump_type=1`` (page forwards), ``order_scene`` (1 常规, 2 渠道, 3 会员运营),
    ``member_type`` (not sent: every role), ``tk_status`` (not sent: every status).

The answer
    ``{"tbk_order_details_get_response": {"data": {"has_next", "has_pre",
    "position_index", "page_no", "page_size", "results": {"publisher_order_dto":
    [...]}}}}``, or TOP's refusal ``{"error_response": {"code", "msg", "sub_code",
    "sub_msg", "request_id"}}`` (7 "App Call Limited" with sub_codes such as
    ``accesscontrol.limited-by-app-access-count``; 25 invalid signature; 29 invalid
    app key; 31 invalid timestamp; 15 remote service error, with ``isv.*`` sub
    codes such as ``isv.access-limited``), HTTP 200 either way. Amounts are decimal
    strings in yuan; times are ``yyyy-MM-dd HH:mm:ss`` in Beijing time.

A record as a line item
    - ``order_id`` is ``trade_parent_id``, ``item_id`` is ``trade_id`` (the
      sub-order): a refund of one item of a basket touches only its line.
    - ``tracking_id`` is the id the connection's setting ``tracking_id_field``
      names: ``relation_id`` (渠道关系ID, the default: the channel id Taobao
      gives each of the publisher's channel agents, one per creator, reported
      with ``order_scene=2``), ``special_id`` (会员运营ID, ``order_scene=3``) or
      ``adzone_id`` (推广位ID, the third part of the pid ``mm_x_y_z``,
      ``order_scene=1``). The scene asked for follows the field, since Taobao
      only fills the id in its own scene. Taobao carries no free sub-id, so the
      line's ``click_id`` is empty and the sale is credited by tracking id.
    - ``amount``/``commission``: while paid, ``alipay_total_price`` (付款金额)
      and ``pub_share_pre_fee`` (付款预估收入); once received or settled,
      ``pay_price`` (确认收货的付款金额, the settlement base) and ``pub_share_fee``
      (结算预估收入). The publisher's income is the platform's commission.
    - ``occurred_at`` is ``tk_paid_time`` (``tk_create_time`` when unpaid),
      ``updated_at`` is ``modified_time``, both in Beijing time (Asia/Shanghai):
      a newer version replaces the figures in force (conversion_ingest).

Status (``tk_status``, and ``refund_tag``)

    ========================  ==============================================
    Taobao                    ours
    ========================  ==============================================
    12 付款 (paid)            pending (estimate)
    14 确认收货 (received)    approved (settlement figures); pending when
                              ``approve_when`` is ``settled``
    3 结算成功 (settled)      approved
    13 失效 (closed: unpaid,  cancelled: nothing was earned
    refunded before receipt,
    commission under 0.01)
    ``refund_tag`` 1 (维权,   pending while 12 or 14: an after-sale claim is
    an after-sale claim)      open, so it is not approvable
    ========================  ==============================================

Any other ``tk_status`` is passed on as it came and refused by name on the run.

Refunds after settlement (维权退款), ``taobao.tbk.order.refund.get``
    A claim a buyer wins after Taobao settled the order (``tk_status`` 3) does not
    change the order record: Taobao reports it in a second report, 淘宝客-推广者-
    全量维权退款订单查询 (TOP's page for the API, "since 2022.12.20", as generated
    into the public SDKs: TOP's PHP SDK ``TbkOrderRefundGetRequest`` and
    github.com/bububa/opentaobao model/tbk/TaobaoTbkOrderRefundGetAPIRequest.go,
    PublisherRefundOrderQueryOption.go, PublisherRefundOrderDto.go and
    OrderPage.go). Every pull window reads it too, with the same TOP signing: one
    API parameter, ``publisher_refund_order_query_option``, a JSON object of
    ``query_type`` (5, 订单更新时间: by update time, allowed for a start after
    2022-12-20), ``start_time``/``end_time``, ``page_no``, ``page_size`` (1-100),
    ``order_scene`` (1 全部订单), ``member_type`` (4 不限), and from the second
    page ``position_index`` with ``jump_type=1``. It replaced the channel-only
    ``taobao.tbk.relation.refund`` (渠道管理和会员运营管理专用, ``search_option``
    with a start time and no end), which cannot read a window.

    The answer is ``{"tbk_order_refund_get_response": {"data": {"has_next",
    "position_index", "page_no", "page_size", "result": {
    "publisher_refund_order_dto": [...]}}, "result_code", "biz_error_code",
    "biz_error_desc", "result_msg"}}``; a ``biz_error_code`` (101-103) is a
    refusal. A record names the sub-order (``tb_trade_parent_id``,
    ``tb_trade_id``: the same line item as the order record), ``refund_status``,
    ``refund_fee`` (维权金额), ``tb_trade_finish_price`` (结算金额),
    ``tk_commission_fee_refund`` (应退还佣金), ``relation_id``/``special_id``
    and ``modified_time``.

    ========================================  ==============================
    ``refund_status``                         ours
    ========================================  ==============================
    2 维权成功, 12 从淘客处补扣 等待扣款,      refunded: the item's commission
    13 从淘客处补扣 扣款成功                   is reversed (a paid one is a
                                              debt on the creator's balance)
    4 维权创建, 11 多次维权待处理              not read yet (still open)
    3 维权失败, 14/15 从卖家处补扣              not read: the commission stands
    ========================================  ==============================

    A claim for less than the settled amount (``refund_fee`` below
    ``tb_trade_finish_price``) takes back part of the commission; Taobao's
    order record keeps the settled figures, so a lower figure would be undone by
    the next order pull: such a line is refused on the run with the amounts
    (adjust the creator's ledger by hand) rather than guessed.
"""

import datetime
import hashlib
import json
import zoneinfo
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import requests
from django.utils import timezone

from affiliates.commissions.networks.base import (
    Connector,
    ConnectorError,
    OrderLine,
    Window,
)
from affiliates.models import ConnectionKind, ConversionStatus
from products.outbound import outbound_failure, outbound_session

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")
TOP_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
METHOD = "taobao.tbk.order.details.get"
RESPONSE_KEY = "tbk_order_details_get_response"
QUERY_BY_UPDATE_TIME = 4
REFUND_METHOD = "taobao.tbk.order.refund.get"
REFUND_RESPONSE_KEY = "tbk_order_refund_get_response"
REFUND_OPTION = "publisher_refund_order_query_option"
REFUND_QUERY_BY_UPDATE_TIME = 5  # "5-订单更新时间"
REFUND_ALL_ORDERS = 1  # order_scene "1全部订单"
REFUND_ANY_MEMBER = 4  # member_type "4表示不限"
JUMP_FORWARDS = 1
PAGE_SIZE_MAX = 100  # "页大小，默认20，1~100"
PAGE_NO_MAX = 100  # "第几页，默认1，1~100"
# "中间时间段日常要求不超过3个小时，但如618、双11、年货节等大促期间预估时间段不可超过20分钟".
WINDOW_MINUTES_MAX = 180
# A page of 100 records is some 300 KB; anything far larger is not Taobao's.
ANSWER_MAX_BYTES = 8 * 1024 * 1024
TIMEOUT_SECONDS = 20.0
FEN = Decimal("0.01")
TRACKING_ID_MAX = 64

# The field carrying our tracking id, and the order_scene Taobao fills it in.
TRACKING_ID_FIELDS = {"relation_id": 2, "special_id": 3, "adzone_id": 1}

PAID = 12
CLOSED = 13
RECEIVED = 14
SETTLED = 3

# refund_status values whose commission Taobao takes back from the publisher:
# 2 维权成功, 12 从淘客处补扣 等待扣款, 13 从淘客处补扣 扣款成功.
REFUND_TAKEN_BACK = frozenset({2, 12, 13})

# TOP's gateway error codes worth plain words (the rest say TOP's own).
RATE_LIMIT_CODES = frozenset({"7"})
RATE_LIMIT_SUB_CODES = ("accesscontrol.limited", "isv.access-limited")
GATEWAY_REASONS = {
    "25": "Taobao refused the signature: check the connection's app_secret",
    "29": "Taobao does not know the connection's app_key",
    "31": "Taobao refused the request's timestamp (this server's clock is more "
    "than 10 minutes off)",
}


def top_time(moment: datetime.datetime) -> str:
    """``moment`` as TOP writes times: GMT+8, to the second."""
    return moment.astimezone(BEIJING).strftime(TOP_TIME_FORMAT)


def top_sign(params: Mapping[str, str], app_secret: str) -> str:
    """TOP's MD5 sign of a request's parameters (everything but ``sign`` itself)."""
    pairs = "".join(
        f"{name}{params[name]}"
        for name in sorted(params)
        if name != "sign" and name and params[name] not in (None, "")
    )
    # MD5 is TOP's choice for this sign, not ours for anything secret.
    digest = hashlib.md5(
        f"{app_secret}{pairs}{app_secret}".encode(), usedforsecurity=False
    )
    return digest.hexdigest().upper()


def _money(value: Any) -> str:
    """A Taobao amount (a decimal string in yuan) to the fen; anything unreadable
    as it came, for the postback's rules to refuse by name."""
    if value is None or value == "":
        return "0.00"
    if isinstance(value, bool):
        return str(value)
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        return str(value)[:60]
    if not amount.is_finite():
        return str(value)[:60]
    return str(amount.quantize(FEN, rounding=ROUND_HALF_UP))


def _time(value: Any) -> str:
    """A TOP time ("yyyy-MM-dd HH:mm:ss", Beijing) as ISO 8601 with its offset."""
    text = str(value or "").strip()
    try:
        moment = datetime.datetime.strptime(text, TOP_TIME_FORMAT).replace(
            tzinfo=BEIJING
        )
    except ValueError:
        return text[:60]
    return moment.isoformat()


def _code(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _tracking_id(value: Any) -> str:
    """The id as our pool holds it: Taobao sends the ids as JSON numbers, 0 or
    nothing when the order has none."""
    if value is None or isinstance(value, bool):
        return ""
    text = str(value).strip()
    if text in ("", "0") or len(text) > TRACKING_ID_MAX:
        return ""
    return text


def taobao_status(record: Mapping[str, Any], *, approve_when: str = "received"):
    """Our status of a Taobao record (the table in the module's docstring), or
    None for a ``tk_status`` we do not know."""
    code = _code(record.get("tk_status"))
    if code == CLOSED:
        return ConversionStatus.CANCELLED
    if code == SETTLED:
        return ConversionStatus.APPROVED
    if code not in (PAID, RECEIVED):
        return None
    if code == PAID or _code(record.get("refund_tag")) == 1:
        return ConversionStatus.PENDING
    return (
        ConversionStatus.PENDING
        if approve_when == "settled"
        else ConversionStatus.APPROVED
    )


def taobao_record_line(
    record: Mapping[str, Any],
    *,
    tracking_id_field: str = "relation_id",
    approve_when: str = "received",
) -> OrderLine:
    """One Taobao order record as an order line in our field names. Values that
    cannot be read are passed on as they came, so the postback's rules refuse the
    line by name."""
    code = _code(record.get("tk_status"))
    status = taobao_status(record, approve_when=approve_when)
    # From receipt on, Taobao's figures are the settlement's (pay_price is what
    # the buyer paid for what they kept; pub_share_fee is computed from it).
    settled_figures = code in (RECEIVED, SETTLED)
    paid_at = record.get("tk_paid_time") or record.get("tk_create_time")
    return {
        "order_id": str(record.get("trade_parent_id") or ""),
        "item_id": str(record.get("trade_id") or ""),
        "click_id": "",
        "tracking_id": _tracking_id(record.get(tracking_id_field)),
        "amount": _money(
            record.get("pay_price" if settled_figures else "alipay_total_price")
        ),
        "commission": _money(
            record.get("pub_share_fee" if settled_figures else "pub_share_pre_fee")
        ),
        "currency": "CNY",
        "status": status or f"Taobao tk_status {record.get('tk_status')!r}"[:40],
        "occurred_at": _time(paid_at),
        "updated_at": _time(record["modified_time"])
        if record.get("modified_time")
        else None,
    }


def _decimal(value: Any) -> Decimal | None:
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return amount if amount.is_finite() else None


def taobao_refund_line(
    record: Mapping[str, Any], *, tracking_id_field: str = "relation_id"
) -> OrderLine | None:
    """One record of the refund report as a refund of its line item, or None when
    it takes nothing back (a claim still open, lost, or paid by the seller). A
    partial claim is a line refused with its amounts (the module's docstring)."""
    if _code(record.get("refund_status")) not in REFUND_TAKEN_BACK:
        return None
    refunded = _decimal(record.get("refund_fee"))
    settled_price = _decimal(record.get("tb_trade_finish_price"))
    line = {
        "order_id": str(record.get("tb_trade_parent_id") or ""),
        "item_id": str(record.get("tb_trade_id") or ""),
        "click_id": "",
        # The refund report has no adzone_id: an adzone's sale is already known.
        "tracking_id": _tracking_id(record.get(tracking_id_field))
        if tracking_id_field != "adzone_id"
        else "",
        "amount": _money(record.get("refund_fee")),
        "commission": _money(record.get("tk_commission_fee_refund")),
        "currency": "CNY",
        "status": ConversionStatus.REFUNDED,
        "occurred_at": _time(record.get("tb_trade_create_time")),
        "updated_at": None,
    }
    if (
        refunded is not None
        and settled_price is not None
        and Decimal(0) < refunded < settled_price
    ):
        line["refused"] = (
            "amount",
            f"Taobao refunded {refunded} of {settled_price} after settlement and "
            f"takes back {line['commission']} of the commission; a partial refund "
            "is not applied: adjust the creator's ledger by hand.",
        )
    return line


@dataclass(frozen=True)
class _Report:
    """One of the two reports a pull reads: its answer's envelope and where in it
    the records are."""

    response_key: str
    list_key: str
    item_key: str
    what: str


ORDERS = _Report(RESPONSE_KEY, "results", "publisher_order_dto", "order records")
REFUNDS = _Report(
    REFUND_RESPONSE_KEY,
    "result",
    "publisher_refund_order_dto",
    "refund records",
)


class TaobaoUnionConnector(Connector):
    """淘宝联盟's order records, by update time, up to three hours at a time."""

    kind = ConnectionKind.TAOBAO_UNION
    default_base_url = "https://gw.api.taobao.com/router/rest"
    credential_names = ("app_key", "app_secret")
    max_window = datetime.timedelta(minutes=WINDOW_MINUTES_MAX)
    page_size = PAGE_SIZE_MAX
    timeout = TIMEOUT_SECONDS

    def __init__(self, connection):
        super().__init__(connection)
        settings = connection.settings or {}
        field = settings.get("tracking_id_field", "relation_id")
        if field not in TRACKING_ID_FIELDS:
            raise ConnectorError(
                "Setting tracking_id_field must be relation_id (渠道), special_id "
                "(会员) or adzone_id (推广位)."
            )
        approve_when = settings.get("approve_when", "received")
        if approve_when not in ("received", "settled"):
            raise ConnectorError(
                "Setting approve_when must be received (确认收货) or settled (结算成功)."
            )
        minutes = settings.get("window_minutes", WINDOW_MINUTES_MAX)
        if (
            isinstance(minutes, bool)
            or not isinstance(minutes, int)
            or not 1 <= minutes <= WINDOW_MINUTES_MAX
        ):
            raise ConnectorError(
                f"Setting window_minutes must be a whole number from 1 to "
                f"{WINDOW_MINUTES_MAX} (20 during Taobao's big promotions)."
            )
        read_refunds = settings.get("read_refunds", True)
        if not isinstance(read_refunds, bool):
            raise ConnectorError(
                "Setting read_refunds must be true or false (read Taobao's refunds "
                "after settlement, taobao.tbk.order.refund.get)."
            )
        self.tracking_id_field = field
        self.order_scene = TRACKING_ID_FIELDS[field]
        self.approve_when = approve_when
        self.window = datetime.timedelta(minutes=minutes)
        self.read_refunds = read_refunds

    def _signed(self, method: str, business: Mapping[str, str]) -> dict[str, str]:
        """TOP's system parameters for ``method`` around ``business``, signed."""
        params = {
            "method": method,
            "app_key": self.credential("app_key"),
            "timestamp": top_time(timezone.now()),
            "format": "json",
            "v": "2.0",
            "sign_method": "md5",
            **business,
        }
        params["sign"] = top_sign(params, self.credential("app_secret"))
        return params

    def request_params(
        self, *, window: Window, page: int, position_index: str = ""
    ) -> dict[str, str]:
        """Every parameter of the request for ``page`` of ``window``, signed."""
        business = {
            "query_type": str(QUERY_BY_UPDATE_TIME),
            "start_time": top_time(window.start),
            "end_time": top_time(window.end),
            "page_no": str(page),
            "page_size": str(self.page_size),
            "order_scene": str(self.order_scene),
        }
        if page > 1:
            business["position_index"] = position_index
            business["jump_type"] = str(JUMP_FORWARDS)
        return self._signed(METHOD, business)

    def refund_request_params(
        self, *, window: Window, page: int, position_index: str = ""
    ) -> dict[str, str]:
        """Every parameter of the refund report's request for ``page`` of
        ``window``, signed: the query is one JSON object, as TOP's SDKs send an
        object parameter."""
        option: dict[str, Any] = {
            "query_type": REFUND_QUERY_BY_UPDATE_TIME,
            "start_time": top_time(window.start),
            "end_time": top_time(window.end),
            "page_no": page,
            "page_size": self.page_size,
            "order_scene": REFUND_ALL_ORDERS,
            "member_type": REFUND_ANY_MEMBER,
        }
        if page > 1:
            option["position_index"] = position_index
            option["jump_type"] = JUMP_FORWARDS
        return self._signed(
            REFUND_METHOD,
            {REFUND_OPTION: json.dumps(option, separators=(",", ":"))},
        )

    def fetch(self, window: Window) -> Iterator[list[OrderLine]]:
        # A window the setting makes shorter than the pull's (big promotions).
        start = window.start
        # The orders first: a refund of a sale the same span reports finds the
        # sale (and its attribution) already recorded.
        reports = [(ORDERS, self.request_params, self._order_line)]
        if self.read_refunds:
            reports.append((REFUNDS, self.refund_request_params, self._refund_line))
        session = outbound_session(headers={"Accept": "application/json"})
        try:
            while start < window.end:
                end = min(start + self.window, window.end)
                for report, params, line in reports:
                    yield from self._span(
                        session,
                        Window(start, end),
                        report=report,
                        params=params,
                        line=line,
                    )
                start = end
        finally:
            session.close()

    def _order_line(self, record: Mapping[str, Any]) -> OrderLine | None:
        return taobao_record_line(
            record,
            tracking_id_field=self.tracking_id_field,
            approve_when=self.approve_when,
        )

    def _refund_line(self, record: Mapping[str, Any]) -> OrderLine | None:
        return taobao_refund_line(record, tracking_id_field=self.tracking_id_field)

    def _span(
        self,
        session: requests.Session,
        window: Window,
        *,
        report: _Report,
        params: Callable[..., dict[str, str]],
        line: Callable[[Mapping[str, Any]], OrderLine | None],
    ) -> Iterator[list[OrderLine]]:
        page, position_index = 1, ""
        while True:
            data = self._page(
                session,
                report=report,
                params=params(window=window, page=page, position_index=position_index),
                page=page,
            )
            records = _records(data, page, report=report)
            lines = (line(record) for record in records)
            yield [each for each in lines if each is not None]
            if data.get("has_next") is not True or not records:
                return
            if page >= PAGE_NO_MAX:
                raise ConnectorError(
                    f"Taobao has more than {PAGE_NO_MAX} pages of {report.what} in "
                    "one window: lower the setting window_minutes."
                )
            position_index = str(data.get("position_index") or "")
            if not position_index:
                raise ConnectorError(
                    f"Taobao's page {page} says has_next without a position_index."
                )
            page += 1

    def _scrub(self, text: Any) -> str:
        """TOP's own words, short, without our secret (should it ever echo it)."""
        text = " ".join(str(text or "").split())[:200]
        secret = self.credential("app_secret")
        return text.replace(secret, "***") if secret else text

    def _page(
        self,
        session: requests.Session,
        *,
        report: _Report,
        params: Mapping[str, str],
        page: int,
    ) -> Mapping[str, Any]:
        try:
            response = session.post(
                self.base_url, data=params, timeout=(self.timeout, self.timeout)
            )
        except requests.RequestException as error:
            raise ConnectorError(
                "Taobao could not be reached: "
                + outbound_failure(error, timeout=self.timeout)
                + "."
            ) from error
        try:
            status = response.status_code
            if status != 200:
                raise ConnectorError(f"Taobao answered HTTP {status}.")
            body = bytearray()
            try:
                for chunk in response.iter_content(64 * 1024):
                    body += chunk
                    if len(body) > ANSWER_MAX_BYTES:
                        raise ConnectorError(
                            "Taobao's answer is too large to be an order page."
                        )
            except requests.RequestException as error:
                raise ConnectorError(
                    "Taobao's answer was cut off before its end."
                ) from error
        finally:
            response.close()
        try:
            answer = json.loads(bytes(body).decode("utf-8"), parse_float=Decimal)
        except (UnicodeDecodeError, ValueError, RecursionError) as error:
            raise ConnectorError("Taobao's answer is not valid JSON.") from error
        if not isinstance(answer, Mapping):
            raise ConnectorError("Taobao's answer is not a JSON object.")
        if "error_response" in answer:
            raise self._refusal(answer["error_response"])
        envelope = answer.get(report.response_key)
        if not isinstance(envelope, Mapping):
            raise ConnectorError(f"Taobao's answer has no {report.response_key}.")
        if envelope.get("biz_error_code") not in (None, "", 0, "0"):
            # The refund report's own refusal (biz_error_code 101-103).
            code = self._scrub(envelope.get("biz_error_code"))[:20]
            words = self._scrub(
                envelope.get("biz_error_desc") or envelope.get("result_msg")
            )
            raise ConnectorError(
                f"Taobao refused the {report.what} query (biz_error_code {code}: "
                f"{words})."
            )
        data = envelope.get("data")
        if not isinstance(data, Mapping):
            raise ConnectorError(f"Taobao's page {page} has no data.")
        return data

    def _refusal(self, error: Any) -> ConnectorError:
        if not isinstance(error, Mapping):
            return ConnectorError("Taobao refused the request, without its reasons.")
        code = self._scrub(error.get("code"))[:20]
        sub_code = self._scrub(error.get("sub_code"))[:80]
        words = self._scrub(error.get("sub_msg") or error.get("msg"))
        said = f"error {code}" + (f" {sub_code}" if sub_code else "") + f": {words}"
        if code in RATE_LIMIT_CODES or sub_code.startswith(RATE_LIMIT_SUB_CODES):
            return ConnectorError(
                f"Taobao's rate limit for this app key was reached ({said}); the "
                "next pull reads this window again."
            )
        reason = GATEWAY_REASONS.get(code, "Taobao refused the request")
        return ConnectorError(f"{reason} ({said}).")


def _records(
    data: Mapping[str, Any], page: int, *, report: _Report = ORDERS
) -> list[Mapping[str, Any]]:
    """The page's records; a malformed page is refused whole, before any of it is
    applied. An empty page has no list (or an empty one). TOP wraps a list in an
    object named after its items (``{"publisher_order_dto": [...]}``); a bare
    list, as some SDKs' models show the refund report's, is read too."""
    results = data.get(report.list_key)
    if results in (None, "", {}, []):
        return []
    if isinstance(results, Mapping):
        records = results.get(report.item_key)
        if records is None:
            return []
    else:
        records = results
    if not isinstance(records, list) or not all(
        isinstance(record, Mapping) for record in records
    ):
        raise ConnectorError(f"Taobao's page {page} is not a list of {report.what}.")
    return records
