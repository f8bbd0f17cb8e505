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

An action is one conversion (our ``order_id`` is its ``Id``): its items exist
only behind one more call per action (``/Actions/{Id}/Items``), which the rate
limit does not allow on every pull. ``Payout`` is the platform's commission.
States: PENDING and APPROVED are ours; REVERSED (will not pay out) cancels the
conversion and reverses its ledger entries.
"""

import base64
import datetime
from collections.abc import Iterator, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar
from urllib.parse import urlsplit

from affiliates.commissions.networks.base import (
    Connector,
    ConnectorError,
    OrderLine,
    Window,
    connector_register,
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


def action_line(action: Mapping[str, Any]) -> dict[str, Any]:
    """One Impact action as an order line with our field names."""
    state = _text(action.get("State")).upper()
    amount, payout = _text(action.get("Amount")), _text(action.get("Payout"))
    if state == "REVERSED" and _is_zero(amount) and _text(action.get("IntendedAmount")):
        # A reversed action may show zero; the reversal is of the sale as it was.
        amount = _text(action.get("IntendedAmount"))
        payout = _text(action.get("IntendedPayout")) or payout
    return {
        "order_id": _text(action.get("Id")),
        "item_id": "",
        "click_id": subid_read(_text(action.get("SubId1"))),
        "amount": amount or None,
        "commission": payout or None,
        "currency": _text(action.get("Currency")),
        # An unknown state is passed on as Impact said it, and refused by name.
        "status": STATES.get(state, state.lower()),
        "occurred_at": _text(action.get("EventDate")),
    }


@connector_register
class ImpactConnector(Connector):
    """Impact's partner actions, by last update and by locking date."""

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

    def _pages(self, params: dict[str, str], what: str) -> Iterator[list[OrderLine]]:
        token = self.credential("auth_token")
        url = f"{self.base_url}/Mediapartners/{self.account_sid}/Actions"
        query: dict[str, str] | None = {**params, "PageSize": str(PAGE_SIZE)}
        query["Page"] = "1"
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
            actions = page.get("Actions") if isinstance(page, Mapping) else None
            if not isinstance(actions, list) or not all(
                isinstance(action, Mapping) for action in actions
            ):
                raise ConnectorError(
                    f"Impact's answer ({what}, page {number}) has no list of Actions."
                )
            yield [action_line(action) for action in actions]
            next_uri = _text(page.get("@nextpageuri"))
            if not next_uri:
                return
            url, query = self._next_url(next_uri), None

    def fetch(self, window: Window) -> Iterator[list[OrderLine]]:
        yield from self._pages(
            {
                "StartDate": _impact_time(window.start),
                "EndDate": _impact_time(window.end),
            },
            "by update date",
        )
        yield from self._pages(
            {
                "LockingDateStart": _impact_time(window.start - self.locking_lag),
                "LockingDateEnd": _impact_time(window.end - self.locking_lag),
            },
            "by locking date",
        )
