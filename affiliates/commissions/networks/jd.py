"""京东联盟 (JD Union): the order report, ``jd.union.open.order.row.query``.

JD reports one row per order and SKU ("订单行"), and each row becomes one line item
of ours. A pull asks for the rows whose *update time* is in a window (``type=3``),
so every change of a row (paid, completed, returned, invalidated) comes back in the
window it happened in; JD allows at most one hour per query.

The request (JD's open-platform rules, "JOS")
    A POST to the router (https://api.jd.com/routerjson; the connection's base URL
    overrides it) with the system parameters ``method``, ``app_key``,
    ``timestamp`` (Beijing time, ``yyyy-MM-dd HH:mm:ss``; JD refuses a clock more
    than 6 minutes off with error 8), ``format=json``, ``v=1.0``,
    ``sign_method=md5`` and ``sign`` in the query string, and the business
    parameters as one JSON string, ``360buy_param_json``, in the form body (as
    JD's own Java SDK sends them: ``DefaultJdClient.buildUrl``/``execute``,
    decompiled in github.com/pingjiang/jd-open-api-sdk-src). The sign is the MD5,
    in uppercase hex, of the app secret, then every parameter but ``sign`` sorted
    by name as name+value (empty values left out), then the app secret again
    (``AbstractSign.signature4Jos`` and ``Md5SignImpl`` in JD's SDK; JOS's
    "API签名" rules, help.jd.com/jos/question-580.html; error 12 is "无效签名").

The answer
    ``{"jd_union_open_order_row_query_responce": {"code": "0", "queryResult":
    "<JSON as a string>"}}`` (JD's own spelling, "responce"), whose ``queryResult``
    holds ``code`` (200 when it worked), ``message``, ``hasMore`` and ``data``, the
    rows (field list: github.com/zwx-zsy/unionsdk Jdunion/Order_Row_Query.go and
    github.com/mimicode/tksdk jdopensdk, after JD's API page
    union.jd.com/openplatform/api/v2?apiName=jd.union.open.order.row.query). A
    refusal by the gateway is ``{"error_response": {"code": …, "zh_desc": …,
    "en_desc": …}}`` (2 "App Call Limited": the rate limit; 8 the timestamp; 12 the
    sign). Amounts are JSON numbers in yuan; they are read as decimals, never
    through a float, and rounded half up to the fen.

A row as a line item
    - ``order_id`` is the row's ``orderId``. When JD splits an order, the parent is
      invalidated (validCode 2, "无效-拆单") and each part is reported under its own
      ``orderId`` with ``parentId`` pointing back; keying by the parent would merge
      a cancelled line and a live one, keying by ``orderId`` keeps them apart.
    - ``item_id`` is the row's ``skuId``. JD's row ``id`` is documented as "订单+sku
      维度的唯一标识", the same grain, so the SKU loses nothing and is what a
      return, a frozen after-sale or a report file names; a return of one SKU
      therefore reverses exactly that line. (``id`` stands in if a row has no SKU.)
    - ``click_id`` is our click id read back from ``subUnionId`` (``subids``: JD
      takes letters, digits and underscores there). A row without one is
      unattributed by click.
    - ``occurred_at`` is ``orderTime`` read in Beijing time (Asia/Shanghai).
    - ``amount``/``commission``: while the item is pending, JD's estimate
      (``estimateCosPrice``, ``estimateFee``); once it is completed, JD's actual
      figures (``actualCosPrice``, ``actualFee``), which are what JD settles. The
      fee is JD's commission to the platform, as a stated commission in a postback.
    - ``currency`` is CNY.

Status (``validCode``, per row, and the row's quantities)

    ====================================  ==============================
    JD                                    ours
    ====================================  ==============================
    15 待付款 (not paid)                  not reported: not a sale yet,
                                          and its figures change at payment
    -1 未知 (unknown)                     not reported: nothing known yet
    16 已付款 (paid)                      pending (estimate)
    17 已完成 (received by the buyer),    approved (actual figures)
    18 已结算 (settled; historical)
    … with ``skuFrozenNum`` > 0           pending (estimate): an after-sale
      (an after-sale open)                is open, so it is not approvable
    ``skuReturnNum`` ≥ ``skuNum``         refunded (every unit returned)
    2–14, 19–… 无效-… (invalid: split,    cancelled
    cancelled, account or rule breaches)
    ====================================  ==============================

An invalid code wins over the quantities (the row earned nothing), then a full
return, then an open after-sale. ``payMonth`` (JD's settlement date, ``yyyyMMdd``,
0 before) decides approval only with the connection's setting ``approve_when:
settled`` (a completed line is pending until it is set); by default approval
follows completion. Our own hold period applies before any payout either way.
A row's ``modifyTime`` is the line's ``updated_at``: a later version of its
figures (the actual ones at completion, a partial return) replaces an earlier.
"""

import datetime
import hashlib
import json
import time
import zoneinfo
from collections.abc import Iterator, Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode

import requests
import urllib3
from django.utils import timezone

from affiliates.commissions.networks.base import (
    Connector,
    ConnectorError,
    OrderLine,
    Window,
)
from affiliates.commissions.networks.httpjson import body_read
from affiliates.commissions.networks.subids import subid_read
from affiliates.models import ConnectionKind, ConversionStatus
from products.outbound import outbound_failure, outbound_session

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")
JD_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
METHOD = "jd.union.open.order.row.query"
RESPONSE_KEY = "jd_union_open_order_row_query_responce"  # sic: JD's spelling
# orderReq.type: 1 order time, 2 completion time, 3 update time.
QUERY_BY_UPDATE_TIME = 3
# "每页包含条数，上限为500" (orderReq.pageSize).
PAGE_SIZE_MAX = 500
# A page of 500 rows is well under a megabyte; an answer above this is not JD's.
ANSWER_MAX_BYTES = 16 * 1024 * 1024
# A window that still says "hasMore" after this many pages is not a real answer.
PAGES_MAX = 1000
TIMEOUT_SECONDS = 20.0
FEN = Decimal("0.01")
# The longest click id a report may carry (postbacks.conversion_data_parse).
CLICK_ID_MAX = 64

NOT_PAID = 15
PAID = 16
COMPLETED = 17
SETTLED = 18  # "5.9号不再支持结算状态回写展示": no longer sent, kept for old rows
UNKNOWN = -1

# JOS gateway errors worth a plain-words reason (the rest say JD's own words).
GATEWAY_REASONS = {
    "2": "JD's rate limit for this app key was reached; the next pull tries again",
    "8": "JD refused the request's timestamp (this server's clock is more than "
    "6 minutes off)",
    "12": "JD refused the signature: check the connection's app_secret",
}


def jd_time(moment: datetime.datetime) -> str:
    """``moment`` as JD writes times: Beijing time, to the second."""
    return moment.astimezone(BEIJING).strftime(JD_TIME_FORMAT)


def jd_sign(params: Mapping[str, str], app_secret: str) -> str:
    """JD's MD5 sign of a request's parameters (everything but ``sign`` itself)."""
    text = app_secret
    for name in sorted(params):
        value = params[name]
        if name != "sign" and name and value:
            text += f"{name}{value}"
    text += app_secret
    # MD5 is JD's choice for this sign, not ours for anything secret.
    digest = hashlib.md5(text.encode("utf-8"), usedforsecurity=False)
    return digest.hexdigest().upper()


def _money(value: Any) -> str:
    """A JD amount (a JSON number in yuan, read as a Decimal) as a decimal string
    in fen; anything else as it came, for the postback's rules to refuse."""
    if value is None or value == "":
        return "0.00"
    if isinstance(value, bool):
        return str(value)
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if not amount.is_finite():
        return str(value)
    return str(amount.quantize(FEN, rounding=ROUND_HALF_UP))


def _count(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def _order_time(value: Any) -> str:
    """``orderTime`` ("yyyy-MM-dd HH:mm:ss" in Beijing, or epoch milliseconds in
    some accounts' answers) as ISO 8601 with its offset."""
    text = str(value or "").strip()
    if text.isdigit():
        moment = datetime.datetime.fromtimestamp(int(text) / 1000, tz=BEIJING)
        return moment.isoformat()
    try:
        moment = datetime.datetime.strptime(text, JD_TIME_FORMAT).replace(
            tzinfo=BEIJING
        )
    except ValueError:
        return text
    return moment.isoformat()


def jd_row_status(row: Mapping[str, Any]) -> str | None:
    """Our status of a JD order row (the table in the module's docstring), or
    None for a row that is not reported yet."""
    code = _count(row.get("validCode")) if row.get("validCode") is not None else None
    if code in (None, UNKNOWN, NOT_PAID):
        return None
    if code not in (PAID, COMPLETED, SETTLED):
        return ConversionStatus.CANCELLED
    units = _count(row.get("skuNum"))
    if units > 0 and _count(row.get("skuReturnNum")) >= units:
        return ConversionStatus.REFUNDED
    if _count(row.get("skuFrozenNum")) > 0 or code == PAID:
        return ConversionStatus.PENDING
    return ConversionStatus.APPROVED


def jd_row_line(
    row: Mapping[str, Any], *, approve_when: str = "completed"
) -> OrderLine | None:
    """One JD order row as an order line in our field names, or None when the row
    is not reported yet (unpaid, unknown). Values are passed on as they are where
    they cannot be read, so that the postback's rules refuse the line by name."""
    status = jd_row_status(row)
    if status is None:
        return None
    actual = status == ConversionStatus.APPROVED
    if actual and approve_when == "settled" and not _count(row.get("payMonth")):
        # Completed, not yet settled: JD pays a month's completed orders in the
        # month it writes into payMonth (yyyyMMdd); until then, not approvable.
        status = ConversionStatus.PENDING
    sku = row.get("skuId")
    click_id = subid_read(str(row.get("subUnionId") or ""))
    if len(click_id) > CLICK_ID_MAX:
        # Not one of ours (a tag the publisher set by hand, up to 80 characters):
        # the sale is kept, unattributed by click, rather than refused.
        click_id = ""
    return {
        "order_id": str(row.get("orderId") or ""),
        "item_id": str(sku if sku not in (None, "", 0) else row.get("id") or ""),
        "click_id": click_id,
        "amount": _money(row.get("actualCosPrice" if actual else "estimateCosPrice")),
        "commission": _money(row.get("actualFee" if actual else "estimateFee")),
        "currency": "CNY",
        "status": status,
        "occurred_at": _order_time(row.get("orderTime")),
        # JD revises estimates into actual figures, and returns part of a line:
        # the row's modification time orders those versions (conversion_ingest).
        "updated_at": _order_time(row.get("modifyTime"))
        if row.get("modifyTime")
        else None,
    }


class JdUnionConnector(Connector):
    """京东联盟's order rows, by update time, an hour at a time."""

    kind = ConnectionKind.JD_UNION
    default_base_url = "https://api.jd.com/routerjson"
    credential_names = ("app_key", "app_secret")
    # "与endTime间隔不超过1小时" (orderReq.startTime/endTime).
    max_window = datetime.timedelta(hours=1)
    page_size = PAGE_SIZE_MAX
    timeout = TIMEOUT_SECONDS

    def __init__(self, connection):
        super().__init__(connection)
        approve_when = (connection.settings or {}).get("approve_when", "completed")
        if approve_when not in ("completed", "settled"):
            raise ConnectorError(
                "Setting approve_when must be completed (已完成) or settled (payMonth set)."
            )
        self.approve_when = approve_when

    def request_params(self, *, window: Window, page: int) -> dict[str, str]:
        """Every parameter of the request for ``page`` of ``window``, signed."""
        order_req = {
            "pageIndex": page,
            "pageSize": self.page_size,
            "type": QUERY_BY_UPDATE_TIME,
            "startTime": jd_time(window.start),
            "endTime": jd_time(window.end),
        }
        params = {
            "method": METHOD,
            "app_key": self.credential("app_key"),
            "timestamp": jd_time(timezone.now()),
            "format": "json",
            "v": "1.0",
            "sign_method": "md5",
            "360buy_param_json": json.dumps(
                {"orderReq": order_req}, separators=(",", ":"), ensure_ascii=False
            ),
        }
        params["sign"] = jd_sign(params, self.credential("app_secret"))
        return params

    def fetch(self, window: Window) -> Iterator[list[OrderLine]]:
        session = outbound_session(headers={"Accept": "application/json"})
        try:
            page = 1
            while True:
                result = self._page(session=session, window=window, page=page)
                rows = result.get("data") or []
                # A malformed page is refused whole, before any of it is applied.
                if not isinstance(rows, list) or not all(
                    isinstance(row, Mapping) for row in rows
                ):
                    raise ConnectorError(
                        f"JD's page {page} is not a list of order rows."
                    )
                lines = [
                    jd_row_line(row, approve_when=self.approve_when) for row in rows
                ]
                yield [line for line in lines if line is not None]
                if result.get("hasMore") is not True or not rows:
                    return
                page += 1
                if page > PAGES_MAX:
                    raise ConnectorError(
                        f"JD kept answering hasMore past page {PAGES_MAX}."
                    )
        finally:
            session.close()

    def _page(
        self, *, session: requests.Session, window: Window, page: int
    ) -> Mapping[str, Any]:
        params = self.request_params(window=window, page=page)
        body = {"360buy_param_json": params.pop("360buy_param_json")}
        url = f"{self.base_url}?{urlencode(params)}"
        try:
            response = session.request(
                "POST",
                url,
                data=body,
                timeout=(self.timeout, self.timeout),
            )
            try:
                status = response.status_code
                content = body_read(
                    response,
                    limit=ANSWER_MAX_BYTES,
                    deadline=time.monotonic() + 3 * self.timeout,
                )
            finally:
                response.close()
        except requests.RequestException as error:
            raise ConnectorError(
                "JD could not be reached: "
                + outbound_failure(error, timeout=self.timeout)
                + "."
            ) from error
        except TimeoutError as error:
            raise ConnectorError("JD took too long to send its answer.") from error
        except (urllib3.exceptions.HTTPError, OSError) as error:
            # The body is read here, not by requests: a connection cut or stalled
            # in the middle of it surfaces as urllib3's own errors.
            raise ConnectorError("JD's answer was cut off before its end.") from error
        if status != 200:
            raise ConnectorError(f"JD answered HTTP {status}.")
        if content is None:
            raise ConnectorError("JD's answer is too large to be an order page.")
        return _query_result(content)


def _json(text: bytes | str) -> Any:
    # Amounts as decimals, never through a float.
    return json.loads(text, parse_float=Decimal)


def _query_result(content: bytes) -> Mapping[str, Any]:
    """The ``queryResult`` of an answer, or ConnectorError saying why not."""
    try:
        answer = _json(content)
    except (ValueError, RecursionError) as error:
        raise ConnectorError("JD's answer is not valid JSON.") from error
    if not isinstance(answer, Mapping):
        raise ConnectorError("JD's answer is not a JSON object.")
    refusal = answer.get("error_response")
    if isinstance(refusal, Mapping):
        code = str(refusal.get("code", "?"))[:20]
        words = str(refusal.get("zh_desc") or refusal.get("en_desc") or "")[:200]
        reason = GATEWAY_REASONS.get(code, "JD refused the request")
        raise ConnectorError(f"{reason} (error {code}: {words}).")
    envelope = answer.get(RESPONSE_KEY)
    if not isinstance(envelope, Mapping):
        raise ConnectorError(f"JD's answer has no {RESPONSE_KEY}.")
    if str(envelope.get("code", "0")) != "0":
        raise ConnectorError(
            f"JD answered code {str(envelope.get('code'))[:20]} for the order query."
        )
    result = envelope.get("queryResult")
    if isinstance(result, str):
        try:
            result = _json(result)
        except (ValueError, RecursionError) as error:
            raise ConnectorError("JD's queryResult is not valid JSON.") from error
    if not isinstance(result, Mapping):
        raise ConnectorError("JD's answer has no queryResult.")
    if result.get("code") != 200:
        code = str(result.get("code"))[:20]
        message = str(result.get("message") or "")[:200]
        raise ConnectorError(f"JD refused the order query (code {code}: {message}).")
    return result
