"""Impact (impact.com): the partner Actions API, read a day at a time.

The request (impact.com partner API, "List all actions",
https://integrations.impact.com/impact-publisher/reference/list-actions-1):

    GET https://api.impact.com/Mediapartners/{AccountSID}/Actions
        ?StartDate=…&EndDate=…&PageSize=2000&Page=1
    Authorization: Basic base64(AccountSID:AuthToken)
    Accept: application/json          (Impact answers XML otherwise)

The answer is one page of a paged list:

    {"@page": "1", "@numpages": "3", "@pagesize": "2000", "@total": "5012",
     "@nextpageuri": "/Mediapartners/IR…/Actions?…&Page=2",
     "Actions": [{"Id": "1000.4636.158133", "State": "PENDING",
                  "Amount": "21.99", "Payout": "0.88", "Currency": "USD",
                  "EventDate": "2024-09-10T10:42:38-07:00",
                  "LockingDate": "2024-09-26T00:00:00-07:00",
                  "SubId1": "…", "Oid": "9217374917472",
                  "IntendedAmount": "21.99", "IntendedPayout": "0.88", …}]}

with every value a string (the field list of Impact's published partner OpenAPI,
"impact-radius-partner-actions-v15"; the envelope as public clients read it,
``@nextpageuri`` empty or absent on the last page). Errors come as
{"Status": "ERROR", "Message": "…"} with the HTTP status
(https://integrations.impact.com/brand-api-reference/readme/status-codes-and-errors).

Limits (since 5 August 2024, same page): StartDate and EndDate at most 45 days
apart, PageSize at least 2,000, at most 10 pages per query. A day's window at the
smallest page size keeps each page small and allows 20,000 actions a day.

Which date to query: ``StartDate``/``EndDate`` filter on an action's last update,
which finds new actions and their modifications and reversals; but Impact states
that a state transition (Pending → Approved at the locking date) is *not* an
update. Approval is found by ``LockingDateStart``/``LockingDateEnd`` instead:
each window is asked a second time for the actions that locked in it, a day late
(``locking_lag``) so that Impact has approved them by then. Every locking date
falls in exactly one such shifted window, so none is missed; reading an action
twice changes nothing.

Items: an action is an order, and its items (``GET …/Actions/{Id}/Items``, "List
all items for an action": "Each action has at least one item", answered as
{"ActionItems": [{"Sku", "Quantity", "SaleAmount", "SaleAmountCurrency",
"Payout", "PayoutCurrency", "AdjustmentDate", "AdjustmentReason", …}]} in the same
paged envelope as the actions) are its conversions: our ``order_id`` is the
action's ``Id``, ``item_id`` the item's ``Sku`` (its position in the list when a
brand sends none), so a partial return reverses only the returned item, as JD's
and Taobao's items do. ``Payout`` is the platform's commission. This costs one
more call per action read; a rate-limit answer stops the pull with its cursor
kept, like any other. An action without items (not expected: see above) is one
conversion as a whole.

Modification time: the partner Action object has no update date, but each item
has ``AdjustmentDate``, "the date and time of any adjustment applied to the item.
Returns empty if no adjustment has occurred" (``AdjustmentReason`` ITEM_RETURNED,
ORDER_UPDATE, RECALC_COMM, …). An item's figures are therefore as of its
``AdjustmentDate``, or, never adjusted, as of the action's ``CreationDate``; that
is the line's ``updated_at``, so a modified item (a partial return lowers its
quantity and amount while the action stays PENDING: "Modified actions also have
this state") replaces the figures in force exactly once (conversion_ingest), and
reading it again changes nothing. (Field descriptions and the item endpoint,
operation ``listActionItems``, from Impact's published partner Actions OpenAPI,
version 16, schemas "Action" and "Item", as mirrored in api-evangelist/impact
``openapi/_original/impact-partner-actions-v16.yaml``.) ``ClearedDate`` (when the
commission cleared the balance) and ``LockingDate`` (when it can no longer change)
are not modification times.

States: PENDING and APPROVED are ours; REVERSED (will not pay out) cancels every
item of the action and reverses its ledger entries. An item adjusted to nothing
(sale amount and payout zero) is reversed on its own: refunded when the reason is
a return (ITEM_RETURNED, MP_RETURN), cancelled otherwise.
"""

import base64
import datetime
from collections.abc import Iterator, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar
from urllib.parse import quote, urlsplit

from affiliates.commissions.networks.base import (
    Connector,
    ConnectorError,
    OrderLine,
    Window,
)
from affiliates.commissions.networks.httpjson import network_json_get
from affiliates.commissions.networks.subids import subid_read
from affiliates.models import ConnectionKind, ConversionStatus

NETWORK = "Impact"
STATES = {
    "PENDING": ConversionStatus.PENDING,
    "APPROVED": ConversionStatus.APPROVED,
    "REVERSED": ConversionStatus.CANCELLED,
}
# Item adjustment reasons that are a return (the rest of those that zero an item,
# REJECTED, CONS_FRAUD, ORDER_ERROR…, cancel it).
RETURN_REASONS = frozenset({"ITEM_RETURNED", "MP_RETURN"})
PAGE_SIZE = 2000  # Impact's smallest
MAX_PAGES = 10  # Impact answers an error past 10 pages


def _impact_time(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _is_zero(text: str) -> bool:
    try:
        return Decimal(text) == 0
    except InvalidOperation:
        return False


def _base_line(action: Mapping[str, Any]) -> dict[str, Any]:
    """The fields an action gives each of its lines."""
    state = _text(action.get("State")).upper()
    return {
        "order_id": _text(action.get("Id")),
        "click_id": subid_read(_text(action.get("SubId1"))),
        # An unknown state is passed on as Impact said it, and refused by name.
        "status": STATES.get(state, state.lower()),
        "occurred_at": _text(action.get("EventDate")),
    }


def action_line(action: Mapping[str, Any]) -> dict[str, Any]:
    """An Impact action without items, as one order line with our field names."""
    state = _text(action.get("State")).upper()
    amount, payout = _text(action.get("Amount")), _text(action.get("Payout"))
    if state == "REVERSED" and _is_zero(amount) and _text(action.get("IntendedAmount")):
        # A reversed action may show zero; the reversal is of the sale as it was.
        amount = _text(action.get("IntendedAmount"))
        payout = _text(action.get("IntendedPayout")) or payout
    return {
        **_base_line(action),
        "item_id": "",
        "amount": amount or None,
        "commission": payout or None,
        "currency": _text(action.get("Currency")),
    }


def item_line(
    action: Mapping[str, Any], item: Mapping[str, Any], position: int
) -> dict[str, Any]:
    """One item of an Impact action as an order line with our field names."""
    line = _base_line(action)
    amount, payout = _text(item.get("SaleAmount")), _text(item.get("Payout"))
    currency = _text(item.get("SaleAmountCurrency")) or _text(action.get("Currency"))
    payout_currency = _text(item.get("PayoutCurrency"))
    if payout and payout_currency and currency and payout_currency != currency:
        # Never a silent conversion: the line is refused, naming the amount.
        payout = f"{payout} {payout_currency}"
    adjusted_at = _text(item.get("AdjustmentDate"))
    if (
        line["status"] in (ConversionStatus.PENDING, ConversionStatus.APPROVED)
        and adjusted_at
        and _is_zero(amount)
        and _is_zero(payout or "0")
    ):
        # Adjusted to nothing while the action stands: this item alone is reversed.
        reason = _text(item.get("AdjustmentReason")).upper()
        line["status"] = (
            ConversionStatus.REFUNDED
            if reason in RETURN_REASONS
            else ConversionStatus.CANCELLED
        )
    return {
        **line,
        "item_id": _text(item.get("Sku")) or f"#{position}",
        "amount": amount or None,
        "commission": payout or None,
        "currency": currency,
        # The item's figures as of its last adjustment, or of the action's creation.
        "updated_at": adjusted_at
        or _text(action.get("CreationDate"))
        or line["occurred_at"],
    }


def _mappings(page: Any, key: str) -> list[Mapping[str, Any]] | None:
    rows = page.get(key) if isinstance(page, Mapping) else None
    if not isinstance(rows, list) or not all(isinstance(row, Mapping) for row in rows):
        return None
    return rows


class ImpactConnector(Connector):
    """Impact's partner actions and their items, by last update and by locking
    date."""

    kind = ConnectionKind.IMPACT
    default_base_url = "https://api.impact.com"
    credential_names = ("auth_token",)
    max_window = datetime.timedelta(days=1)
    locking_lag: ClassVar[datetime.timedelta] = datetime.timedelta(days=1)
    request_timeout: ClassVar[float] = 30.0

    def __init__(self, connection):
        super().__init__(connection)
        account_sid = str(connection.settings.get("account_sid") or "").strip()
        if not account_sid or not account_sid.isalnum():
            raise ConnectorError(
                "Setting missing: account_sid (the Impact partner account's SID, "
                "under Settings → API)."
            )
        self.account_sid = account_sid

    def _headers(self) -> dict[str, str]:
        pair = f"{self.account_sid}:{self.credential('auth_token')}".encode()
        return {
            "Authorization": "Basic " + base64.b64encode(pair).decode("ascii"),
            "Accept": "application/json",
        }

    def _next_url(self, next_uri: str) -> str:
        """The next page's address: Impact gives a path on its own host; anything
        pointing elsewhere is refused (credentials go with the request)."""
        parts = urlsplit(next_uri)
        if parts.scheme or parts.netloc or not next_uri.startswith("/"):
            raise ConnectorError("Impact's next page is not on Impact's own host.")
        base = urlsplit(self.base_url)
        return f"{base.scheme}://{base.netloc}{next_uri}"

    def _pages(
        self, url: str, params: dict[str, str] | None, key: str, what: str
    ) -> Iterator[list[Mapping[str, Any]]]:
        """The ``key`` list of each page of an Impact list, following
        ``@nextpageuri``."""
        token = self.credential("auth_token")
        query = params
        for number in range(1, MAX_PAGES + 2):
            if number > MAX_PAGES:
                raise ConnectorError(f"Impact's list ({what}) has too many pages.")
            page = network_json_get(
                network=NETWORK,
                url=url,
                params=query,
                headers=self._headers(),
                secrets=[token],
                timeout=self.request_timeout,
            )
            rows = _mappings(page, key)
            if rows is None:
                raise ConnectorError(
                    f"Impact's answer ({what}, page {number}) has no list of {key}."
                )
            yield rows
            next_uri = _text(page.get("@nextpageuri"))
            if not next_uri:
                return
            url, query = self._next_url(next_uri), None

    def _items(self, action: Mapping[str, Any]) -> list[Mapping[str, Any]]:
        action_id = _text(action.get("Id"))
        if not action_id:
            return []  # refused by name as an action without an order id
        url = (
            f"{self.base_url}/Mediapartners/{self.account_sid}/Actions/"
            f"{quote(action_id, safe='')}/Items"
        )
        items: list[Mapping[str, Any]] = []
        for rows in self._pages(url, None, "ActionItems", f"items of {action_id}"):
            items.extend(rows)
        return items

    def _action_lines(
        self, params: dict[str, str], what: str
    ) -> Iterator[list[OrderLine]]:
        url = f"{self.base_url}/Mediapartners/{self.account_sid}/Actions"
        query = {**params, "PageSize": str(PAGE_SIZE), "Page": "1"}
        for actions in self._pages(url, query, "Actions", what):
            lines: list[OrderLine] = []
            for action in actions:
                items = self._items(action)
                if not items:
                    lines.append(action_line(action))
                for position, item in enumerate(items, start=1):
                    lines.append(item_line(action, item, position))
            yield lines

    def fetch(self, window: Window) -> Iterator[list[OrderLine]]:
        yield from self._action_lines(
            {
                "StartDate": _impact_time(window.start),
                "EndDate": _impact_time(window.end),
            },
            "by update date",
        )
        yield from self._action_lines(
            {
                "LockingDateStart": _impact_time(window.start - self.locking_lag),
                "LockingDateEnd": _impact_time(window.end - self.locking_lag),
            },
            "by locking date",
        )
