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
"""

import datetime
import hashlib
import json
import zoneinfo
from collections.abc import Iterator, Mapping
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
        self.tracking_id_field = field
        self.order_scene = TRACKING_ID_FIELDS[field]
        self.approve_when = approve_when
        self.window = datetime.timedelta(minutes=minutes)

    def request_params(
        self, *, window: Window, page: int, position_index: str = ""
    ) -> dict[str, str]:
        """Every parameter of the request for ``page`` of ``window``, signed."""
        params = {
            "method": METHOD,
            "app_key": self.credential("app_key"),
            "timestamp": top_time(timezone.now()),
            "format": "json",
            "v": "2.0",
            "sign_method": "md5",
            "query_type": str(QUERY_BY_UPDATE_TIME),
            "start_time": top_time(window.start),
            "end_time": top_time(window.end),
            "page_no": str(page),
            "page_size": str(self.page_size),
            "order_scene": str(self.order_scene),
        }
        if page > 1:
            params["position_index"] = position_index
            params["jump_type"] = str(JUMP_FORWARDS)
        params["sign"] = top_sign(params, self.credential("app_secret"))
        return params

    def fetch(self, window: Window) -> Iterator[list[OrderLine]]:
        # A window the setting makes shorter than the pull's (big promotions).
        start = window.start
        session = outbound_session(headers={"Accept": "application/json"})
        try:
            while start < window.end:
                end = min(start + self.window, window.end)
                yield from self._span(session, Window(start, end))
                start = end
        finally:
            session.close()

    def _span(
        self, session: requests.Session, window: Window
    ) -> Iterator[list[OrderLine]]:
        page, position_index = 1, ""
        while True:
            data = self._page(
                session, window=window, page=page, position_index=position_index
            )
            records = _records(data, page)
            yield [
                taobao_record_line(
                    record,
                    tracking_id_field=self.tracking_id_field,
                    approve_when=self.approve_when,
                )
                for record in records
            ]
            if data.get("has_next") is not True or not records:
                return
            if page >= PAGE_NO_MAX:
                raise ConnectorError(
                    f"Taobao has more than {PAGE_NO_MAX} pages of orders in one "
                    "window: lower the setting window_minutes."
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
        window: Window,
        page: int,
        position_index: str,
    ) -> Mapping[str, Any]:
        params = self.request_params(
            window=window, page=page, position_index=position_index
        )
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
        envelope = answer.get(RESPONSE_KEY)
        if not isinstance(envelope, Mapping):
            raise ConnectorError(f"Taobao's answer has no {RESPONSE_KEY}.")
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


def _records(data: Mapping[str, Any], page: int) -> list[Mapping[str, Any]]:
    """The page's order records; a malformed page is refused whole, before any of
    it is applied. An empty page has no ``results`` (or an empty one)."""
    results = data.get("results")
    if results in (None, "", {}):
        return []
    records = (
        results.get("publisher_order_dto") if isinstance(results, Mapping) else None
    )
    if records is None and isinstance(results, Mapping):
        return []
    if not isinstance(records, list) or not all(
        isinstance(record, Mapping) for record in records
    ):
        raise ConnectorError(f"Taobao's page {page} is not a list of order records.")
    return records
