"""多多进宝 (Pinduoduo DDK): the promoted-order report, read incrementally.

The report is ``pdd.ddk.order.list.increment.get`` ("最后更新时间段增量同步推广订单信息"):
the orders whose last update falls in a span of Unix seconds, a page at a time.
What the wire looks like, and where each detail comes from:

- One gateway, ``https://gw-api.pinduoduo.com/api/router``; every call is a POST
  of form fields: the common ones (``type``, ``client_id``, ``timestamp`` in Unix
  seconds, ``data_type``, ``version``, ``sign``) beside the API's own. PDD's "API调用
  指南" (open.pinduoduo.com/application/document/browse?idStr=8EC06C399636041E)
  and the public Go SDK github.com/bububa/openpdd (core/client.go, core/const.go).
- ``sign``: every parameter but ``sign``, sorted by name (ASCII), written as name
  then value with nothing between, the client secret before and after, MD5 in
  upper-case hex (same page; its worked example is our test vector).
- The span: ``end_update_time`` - ``start_update_time`` at most 24 hours, within the
  last 90 days; ``page`` 1 to 10000; ``page_size`` 10 to 100, 40-50 advised against
  timeouts; ``return_count`` (default true) adds ``total_count``. Pages must be read
  from the last back to the first: an order updated while we page leaves the span,
  the ones after it move up a place, and reading forwards would skip one
  (openpdd api/ddk/order_list_increment_get.go, quoting PDD's parameter table).
- The answer: ``{"order_list_get_response": {"order_list": [...], "total_count":
  n}}`` (the key is not derived from the API's name; openpdd and the PddOpenSdk
  C# models agree), or ``{"error_response": {"error_code", "error_msg",
  "sub_code", "sub_msg", "request_id"}}``, HTTP 200 either way.
- An order (openpdd api/ddk/order.go): ``order_sn`` (推广订单编号), ``goods_id`` and
  ``goods_sign``, ``order_amount`` (实际支付金额) and ``promotion_amount`` (佣金,
  the platform's commission, software service fee included) in fen,
  ``order_status``, ``order_create_time`` / ``order_pay_time`` / ``order_modify_at``
  in Unix seconds, ``custom_parameters`` as the link carried it.

How we read it:

- ``order_id`` is ``order_sn``. A PDD order holds one goods (in any quantity), so
  ``item_id`` adds nothing to the order's identity; it is ``goods_id`` (the goods'
  stable number) so the admin names what was bought, like the other networks'
  lines. PDD retired ``goods_id`` from its goods APIs in favour of the opaque
  ``goods_sign``; orders still carry it, and when one does not, ``goods_sign``
  stands in.
- Amounts: fen to yuan exactly (1230 → "12.30"), CNY.
- ``occurred_at``: when the order was paid (``order_pay_time``; its creation when
  PDD gives no payment time), in Beijing time (Asia/Shanghai, +08:00).
- ``click_id``: from ``custom_parameters``, which PDD documents as a JSON object of
  at most 64 bytes, ``{"uid": "...", "sid": "..."}``: ``uid`` one stable id per
  user (required), ``sid`` the context, such as a session, optional, other keys
  allowed (openpdd api/ddk/goods_promotion_url_generate.go). Our click id is a
  context of one visit, so it goes in ``sid`` (``custom_parameters_make``); a plain
  string that is not JSON is read as the click id itself, so links built by hand
  with the bare click id attribute too.
- ``status``, from ``order_status``:

  ==  =========================  ==========================================
  -1  未支付 (not paid)           skipped: not a sale yet; once paid, PDD
                                 reports it again with its new update time
  0   已支付 (paid)               pending
  1   已成团 (group formed)       pending
  2   确认收货 (received)         pending
  3   审核成功 (audit passed)     approved; pending when the connection's
                                 setting ``approve_when`` is ``settled``
  4   审核失败 (audit failed,     refunded: PDD fails the audit when the buyer
      不可提现)                   asked for an after-sale refund
  5   已经结算 (settled)          approved
  8   非多多进宝商品 (no           cancelled
      commission)
  10  已处罚 (penalised)          cancelled
  ==  =========================  ==========================================

  Older documentation lists -1 and 8; the current one lists 0-5 and 10 (openpdd
  api/ddk/order.go; PddOpenSdk models). Any other value is passed on as it came
  and refused by name, so the run's refusals show it.

Settings (``NetworkConnection.settings``): ``page_size`` (10-100, default 50) and
``approve_when`` (``verified``, the default, or ``settled``).
"""

import datetime
import hashlib
import json
import math
import time
from collections.abc import Iterator, Mapping
from typing import Any
from zoneinfo import ZoneInfo

import requests
import urllib3

from affiliates.commissions.networks.base import (
    Connector,
    ConnectorError,
    OrderLine,
    Window,
)
from affiliates.commissions.networks.httpjson import body_read
from affiliates.commissions.networks.subids import subid_read
from affiliates.models import ConnectionKind
from products.outbound import outbound_failure, outbound_session

API_TYPE = "pdd.ddk.order.list.increment.get"
RESPONSE_KEY = "order_list_get_response"
BEIJING = ZoneInfo("Asia/Shanghai")
CURRENCY = "CNY"

PAGE_SIZE_DEFAULT = 50
PAGE_SIZE_RANGE = (10, 100)
PAGE_LIMIT = 10000
# custom_parameters: at most 64 bytes (goods.promotion.url.generate's table).
CUSTOM_PARAMETERS_MAX_BYTES = 64
# error_code values of PDD's shared error table that mean "too many calls".
RATE_LIMIT_CODES = frozenset({52101, 70031})
SIGNATURE_CODES = frozenset({20004})

# A page of 100 orders is some 200 KB; anything far larger is not PDD's answer.
MAX_BODY_BYTES = 8 * 1024 * 1024

STATUSES = {
    0: "pending",
    1: "pending",
    2: "pending",
    3: "approved",
    4: "refunded",
    5: "approved",
    8: "cancelled",
    10: "cancelled",
}
UNPAID = -1
VERIFIED = 3


def pdd_sign(params: Mapping[str, str], secret: str) -> str:
    """PDD's request signature: upper-case MD5 of the secret, every parameter but
    ``sign`` as name+value in ASCII order of the names, and the secret again."""
    body = "".join(f"{name}{params[name]}" for name in sorted(params) if name != "sign")
    return (
        hashlib.md5(  # noqa: S324 - PDD's protocol, not our choice of hash
            f"{secret}{body}{secret}".encode(), usedforsecurity=False
        )
        .hexdigest()
        .upper()
    )


def custom_parameters_make(*, click_id: str, uid: str) -> str:
    """What a link's ``custom_parameters`` says: ``{"uid": uid, "sid": click_id}``
    in compact JSON. PDD allows 64 bytes, so ``uid`` (one stable id per user, which
    PDD requires) is cut to fit; the click id is never cut."""

    def encoded(user: str) -> str:
        return json.dumps(
            {"uid": user, "sid": click_id}, separators=(",", ":"), ensure_ascii=False
        )

    while uid and len(encoded(uid).encode()) > CUSTOM_PARAMETERS_MAX_BYTES:
        uid = uid[:-1]
    value = encoded(uid)
    if len(value.encode()) > CUSTOM_PARAMETERS_MAX_BYTES:
        raise ValueError("The click id does not fit PDD's custom_parameters.")
    return value


def custom_parameters_click_id(value: Any) -> str:
    """The click id a ``custom_parameters`` carries back: its ``sid`` when it is a
    JSON object, the whole text when it is not JSON; empty otherwise."""
    text = str(value or "").strip()
    if not text:
        return ""
    try:
        parsed = json.loads(text)
    except ValueError:
        return subid_read(text)
    if isinstance(parsed, dict):
        return subid_read(str(parsed.get("sid") or ""))
    # A JSON string or a bare number: the publisher wrote the id itself.
    if isinstance(parsed, str):
        return subid_read(parsed)
    return subid_read(text) if isinstance(parsed, int) else ""


def fen_to_yuan(value: Any) -> str:
    """An amount in fen as yuan, exactly ("12.30"); a value that is not a whole
    number of fen is returned marked, so the line is refused naming the field."""
    if value is None or value == "":
        return ""  # refused as missing, by name
    if isinstance(value, bool) or not isinstance(value, int | str):
        return f"not a number of fen: {value!r}"[:60]
    text = str(value).strip()
    if not text.lstrip("-").isdigit() or not text.isascii():
        return f"not a number of fen: {text!r}"[:60]
    fen = int(text)
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100}.{abs(fen) % 100:02d}"


def _seconds(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        seconds = int(value)
    except (TypeError, ValueError):
        return None
    return seconds if seconds > 0 else None


def _occurred_at(order: Mapping[str, Any]) -> str:
    seconds = _seconds(order.get("order_pay_time")) or _seconds(
        order.get("order_create_time")
    )
    if seconds is None:
        return ""  # refused as missing, by name
    try:
        return datetime.datetime.fromtimestamp(seconds, tz=BEIJING).isoformat()
    except (OverflowError, OSError, ValueError):
        return f"{seconds} (not a Unix time)"


def _modified_at(order: Mapping[str, Any]) -> str | None:
    seconds = _seconds(order.get("order_modify_at"))
    if seconds is None:
        return None
    try:
        return datetime.datetime.fromtimestamp(seconds, tz=BEIJING).isoformat()
    except (OverflowError, OSError, ValueError):
        return f"{seconds} (not a Unix time)"


def _item_id(order: Mapping[str, Any]) -> str:
    goods_id = order.get("goods_id")
    if goods_id not in (None, "", 0, "0"):
        return str(goods_id)
    return str(order.get("goods_sign") or "")


def order_line(order: Mapping[str, Any], *, approve_when: str = "verified"):
    """One PDD order as an order line with our field names, or None for an order
    that is not a sale yet (unpaid)."""
    raw_status = order.get("order_status")
    try:
        code = int(raw_status)
    except (TypeError, ValueError):
        code = None
    if code == UNPAID:
        return None
    status = STATUSES.get(code) if code is not None else None
    if code == VERIFIED and approve_when == "settled":
        status = "pending"
    return {
        "order_id": str(order.get("order_sn") or ""),
        "item_id": _item_id(order),
        "click_id": custom_parameters_click_id(order.get("custom_parameters")),
        "amount": fen_to_yuan(order.get("order_amount")),
        "commission": fen_to_yuan(order.get("promotion_amount")),
        "currency": CURRENCY,
        "status": status or f"PDD order_status {raw_status!r}"[:40],
        "occurred_at": _occurred_at(order),
        # PDD revises an order's figures (a partial refund): its modification time
        # orders the versions (conversion_ingest).
        "updated_at": _modified_at(order),
    }


class PddConnector(Connector):
    """多多进宝's promoted orders, by their last update."""

    kind = ConnectionKind.PDD_DDK
    default_base_url = "https://gw-api.pinduoduo.com/api/router"
    credential_names = ("client_id", "client_secret")
    # PDD: "查询结束时间，和开始时间相差不能超过24小时".
    max_window = datetime.timedelta(hours=24)
    # PDD answers within seconds; Java SDK's own read timeout is 5 s.
    timeout = 20.0

    def __init__(self, connection):
        super().__init__(connection)
        settings = connection.settings or {}
        page_size = settings.get("page_size", PAGE_SIZE_DEFAULT)
        low, high = PAGE_SIZE_RANGE
        if (
            isinstance(page_size, bool)
            or not isinstance(page_size, int)
            or not low <= page_size <= high
        ):
            raise ConnectorError(
                f"Setting page_size must be a whole number from {low} to {high}."
            )
        approve_when = settings.get("approve_when", "verified")
        if approve_when not in ("verified", "settled"):
            raise ConnectorError(
                "Setting approve_when must be verified (审核成功) or settled (已经结算)."
            )
        self.page_size = page_size
        self.approve_when = approve_when

    # -- The request --------------------------------------------------------------

    def _params(self, *, start: int, end: int, page: int) -> dict[str, str]:
        params = {
            "type": API_TYPE,
            "client_id": self.credential("client_id"),
            "timestamp": str(int(time.time())),
            "data_type": "JSON",
            "version": "V1",
            "start_update_time": str(start),
            "end_update_time": str(end),
            "page": str(page),
            "page_size": str(self.page_size),
            "return_count": "true",
        }
        params["sign"] = pdd_sign(params, self.credential("client_secret"))
        return params

    def _scrub(self, text: Any) -> str:
        """PDD's own words, short, without our secret (should it ever echo it)."""
        text = " ".join(str(text or "").split())[:200]
        secret = self.credential("client_secret")
        return text.replace(secret, "***") if secret else text

    def _post(self, session: requests.Session, params: dict[str, str]) -> Any:
        try:
            response = session.post(
                self.base_url, data=params, timeout=(self.timeout, self.timeout)
            )
        except requests.RequestException as error:
            raise ConnectorError(
                "PDD: " + outbound_failure(error, timeout=self.timeout) + "."
            ) from error
        try:
            status = response.status_code
            if status == 429:
                raise ConnectorError(
                    "PDD: rate limit reached (HTTP 429); the next pull reads this "
                    "window again."
                )
            if status != 200:
                raise ConnectorError(f"PDD: HTTP {status} from the gateway.")
            try:
                body = body_read(
                    response,
                    limit=MAX_BODY_BYTES,
                    deadline=time.monotonic() + 3 * self.timeout,
                )
            except TimeoutError as error:
                raise ConnectorError(
                    "PDD: the answer took too long to come."
                ) from error
            except requests.RequestException as error:
                raise ConnectorError(
                    "PDD: " + outbound_failure(error, timeout=self.timeout) + "."
                ) from error
            except (urllib3.exceptions.HTTPError, OSError) as error:
                raise ConnectorError("PDD: the answer was cut off.") from error
            if body is None:
                raise ConnectorError("PDD: the answer is too large.")
        finally:
            response.close()
        try:
            return json.loads(bytes(body).decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as error:
            raise ConnectorError("PDD: the answer is not JSON.") from error

    def _error(self, error: Any) -> ConnectorError:
        if not isinstance(error, Mapping):
            return ConnectorError("PDD: an error answer without its details.")
        code = error.get("error_code")
        message = self._scrub(error.get("error_msg"))
        sub = self._scrub(
            " ".join(str(error.get(k) or "") for k in ("sub_code", "sub_msg"))
        )
        said = f"error {self._scrub(code)}: {message}" + (f" ({sub})" if sub else "")
        try:
            number = int(code)
        except (TypeError, ValueError):
            number = None
        if number in RATE_LIMIT_CODES:
            return ConnectorError(
                f"PDD: rate limit reached ({said}); the next pull reads this window "
                "again."
            )
        if number in SIGNATURE_CODES:
            return ConnectorError(
                f"PDD refused the signature ({said}): check client_id and "
                "client_secret."
            )
        return ConnectorError(f"PDD refused the request ({said}).")

    def _page(
        self, session: requests.Session, *, start: int, end: int, page: int
    ) -> tuple[list[Mapping[str, Any]], int]:
        """One page of the span: its orders and the span's total."""
        answer = self._post(session, self._params(start=start, end=end, page=page))
        if not isinstance(answer, Mapping):
            raise ConnectorError("PDD: the answer is not a JSON object.")
        if "error_response" in answer:
            raise self._error(answer["error_response"])
        body = answer.get(RESPONSE_KEY)
        if not isinstance(body, Mapping):
            raise ConnectorError(f"PDD: the answer has no {RESPONSE_KEY}.")
        orders = body.get("order_list", [])
        total = body.get("total_count")
        if (
            not isinstance(orders, list)
            or not all(isinstance(order, Mapping) for order in orders)
            or isinstance(total, bool)
            or not isinstance(total, int)
            or total < 0
        ):
            raise ConnectorError(
                f"PDD: page {page} is malformed (order_list or total_count)."
            )
        return orders, total

    # -- The window -----------------------------------------------------------------

    def _lines(self, orders: list[Mapping[str, Any]]) -> list[OrderLine]:
        lines = []
        for order in orders:
            line = order_line(order, approve_when=self.approve_when)
            if line is not None:
                lines.append(line)
        return lines

    def _span(
        self, session: requests.Session, start: int, end: int
    ) -> Iterator[list[OrderLine]]:
        orders, total = self._page(session, start=start, end=end, page=1)
        pages = math.ceil(total / self.page_size)
        if pages <= 1:
            yield self._lines(orders)
            return
        if pages > PAGE_LIMIT:
            # More orders than PDD pages through: halve the span.
            if end - start < 2:
                raise ConnectorError(
                    f"PDD: more than {PAGE_LIMIT} pages of orders in one second."
                )
            middle = (start + end) // 2
            yield from self._span(session, start, middle)
            yield from self._span(session, middle, end)
            return
        # The first page told the total; now every page, from the last back to the
        # first, as PDD asks (see the module's docstring).
        for page in range(pages, 0, -1):
            orders, _total = self._page(session, start=start, end=end, page=page)
            yield self._lines(orders)

    def fetch(self, window: Window) -> Iterator[list[OrderLine]]:
        start = math.floor(window.start.timestamp())
        end = math.ceil(window.end.timestamp())
        session = outbound_session()
        try:
            yield from self._span(session, start, end)
        finally:
            session.close()
