"""Awin: the publisher transactions API, read a day at a time.

The request (Awin's "Get List of Transactions",
https://help.awin.com/apidocs/returns-a-list-of-transactions-for-a-given-publisher,
and https://wiki.awin.com/index.php/API_get_transactions_list):

    GET https://api.awin.com/publishers/{publisherId}/transactions/
        ?startDate=yyyy-MM-ddThh:mm:ss&endDate=yyyy-MM-ddThh:mm:ss&timezone=UTC
        &dateType=transaction|validation
    Authorization: Bearer <the user's OAuth2 API token>

(the token in a header, as https://help.awin.com/apidocs/api-authentication asks,
never in the URL, where it would reach logs). At most 31 days between startDate
and endDate; no paging: the answer is one JSON array of transactions, each like

    {"id": 259630312, "commissionStatus": "pending",
     "saleAmount": {"amount": 42.56, "currency": "EUR"},
     "commissionAmount": {"amount": 4.26, "currency": "EUR"},
     "clickRefs": {"clickRef": "…"}, "transactionDate": "2024-05-14T20:59:00",
     "validationDate": null, "declineReason": null, "amended": false,
     "transactionParts": [{"commissionGroupCode": "DEFAULT", "amount": 42.56,
                           "commissionAmount": 4.26, …}], …}

(the shape of the documentation's example and of public clients' recorded answers:
FriedrichtenHagen/awin-py README, besttoolbars' AwinApiTest.kt). Times are in the
time zone asked for (UTC here) and carry no offset; amounts are JSON numbers, read
as decimals, never floats.

Which date to query: ``dateType=transaction`` finds a sale when it happens, but a
transaction's later approval or decline keeps its transaction date, so a pull by
transaction date alone would never see it; ``dateType=validation`` finds it on the
day the advertiser validated it. Each window is therefore asked twice, once by
each date, which also catches, at validation at the latest, a sale Awin recorded
days after its transaction date. Reading a transaction twice changes nothing.

Amendments: an advertiser amends a transaction's sale amount (and so its
commission) as one of its validation operations ("Validate Transactions",
https://help.awin.com/apidocs/approve-decline-amend-batch-transactions-for-a-given-advertiser:
approve, decline, amend), and the transaction then shows ``amended: true`` with
``amendReason``, ``oldSaleAmount`` and ``oldCommissionAmount`` beside the new
figures (the field list of the publisher transaction in Awin's "Get List of
Transactions" and of public clients: besttoolbars' ``AwinTransaction``). The
answer carries no separate modification time: a transaction's figures are as of
its ``validationDate`` once validated (approved, declined or amended), and as of
its ``transactionDate`` before. That is the line's ``updated_at``, so an amended
transaction replaces the figures in force exactly once (conversion_ingest), the
validation pull finding it on the day it was amended, and reading it again
changes nothing. An amendment that came with no validation date (not expected:
amending is validating) cannot be dated and is refused by name on the run.

``transactionParts`` split one sale between commission groups (rates), not into
items: an Awin transaction is one conversion; its ``commissionAmount`` is the
platform's commission. Statuses: pending and approved are ours; declined (the
advertiser refused it: a return, a cancellation, fraud) and deleted (Awin removed
it) cancel the conversion and reverse its ledger entries.

Rate limit: 20 calls a minute per user (https://help.awin.com/apidocs/introduction-1);
the connector spaces its calls three seconds apart, and a 429 stops the pull with
its cursor kept.
"""

import datetime
import time
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any, ClassVar

from affiliates.commissions.networks.base import (
    Connector,
    ConnectorError,
    OrderLine,
    Window,
)
from affiliates.commissions.networks.httpjson import network_json_get
from affiliates.commissions.networks.subids import subid_read
from affiliates.models import ConnectionKind, ConversionStatus

NETWORK = "Awin"
# Awin's commissionStatus → ours.
STATUSES = {
    "pending": ConversionStatus.PENDING,
    "approved": ConversionStatus.APPROVED,
    "declined": ConversionStatus.CANCELLED,
    "deleted": ConversionStatus.CANCELLED,
}
DATE_TYPES = ("transaction", "validation")


def _awin_time(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S")


def _money(value: Any) -> tuple[str, str] | None:
    """(amount as a decimal string, currency) of an Awin Money object."""
    if not isinstance(value, Mapping):
        return None
    amount, currency = value.get("amount"), value.get("currency")
    if isinstance(amount, bool) or not isinstance(amount, int | Decimal | str):
        return None
    return str(amount), str(currency or "")


def _occurred_at(text: Any) -> str:
    """Awin's transactionDate (in UTC, as asked, without an offset) with its
    offset; anything unreadable is passed on for the postback rules to refuse."""
    if not isinstance(text, str):
        return ""
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        return text
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment.isoformat()


def _updated_at(transaction: Mapping[str, Any]) -> str | None:
    """When Awin last changed the transaction's figures: its validation (an
    approval, a decline or an amendment), or, not yet validated, its transaction
    date. None for an amended transaction without a validation date: its change
    cannot be dated, so it is refused rather than taken as the original."""
    validated = transaction.get("validationDate")
    if isinstance(validated, str) and validated.strip():
        return _occurred_at(validated)
    if transaction.get("amended") is True:
        return None
    return _occurred_at(transaction.get("transactionDate")) or None


def transaction_line(transaction: Mapping[str, Any]) -> dict[str, Any]:
    """One Awin transaction as an order line with our field names."""
    sale = _money(transaction.get("saleAmount"))
    commission = _money(transaction.get("commissionAmount"))
    currency = sale[1] if sale else ""
    commission_text = None
    if commission is not None:
        commission_text = commission[0]
        if commission[1] and currency and commission[1] != currency:
            # Never a silent conversion: the line is refused, naming the amount.
            commission_text = f"{commission[0]} {commission[1]}"
    click_refs = transaction.get("clickRefs")
    click_ref = click_refs.get("clickRef") if isinstance(click_refs, Mapping) else ""
    status = str(transaction.get("commissionStatus") or "").lower()
    return {
        "order_id": str(transaction.get("id") or ""),
        "item_id": "",
        "click_id": subid_read(click_ref) if isinstance(click_ref, str) else "",
        "amount": sale[0] if sale else None,
        "commission": commission_text,
        "currency": currency,
        # An unknown status is passed on as Awin said it, and refused by name.
        "status": STATUSES.get(status, status),
        "occurred_at": _occurred_at(transaction.get("transactionDate")),
        "updated_at": _updated_at(transaction),
    }


class AwinConnector(Connector):
    """Awin's publisher transactions, by transaction date and by validation date."""

    kind = ConnectionKind.AWIN
    default_base_url = "https://api.awin.com"
    credential_names = ("api_token",)
    # Awin allows 31 days a query; a day keeps each answer (one unpaged array)
    # small enough to hold.
    max_window = datetime.timedelta(days=1)
    # Seconds between two calls: Awin allows 20 a minute.
    call_interval: ClassVar[float] = 3.0
    request_timeout: ClassVar[float] = 30.0

    def __init__(self, connection):
        super().__init__(connection)
        publisher_id = str(connection.settings.get("publisher_id") or "").strip()
        if not publisher_id.isdigit():
            raise ConnectorError(
                "Setting missing: publisher_id (the Awin publisher account's number)."
            )
        self.publisher_id = publisher_id
        self._last_call = 0.0

    def _pace(self) -> None:
        wait = self._last_call + self.call_interval - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        self._last_call = time.monotonic()

    def _transactions(self, window: Window, date_type: str) -> list[Any]:
        self._pace()
        token = self.credential("api_token")
        answer = network_json_get(
            network=NETWORK,
            url=f"{self.base_url}/publishers/{self.publisher_id}/transactions/",
            params={
                "startDate": _awin_time(window.start),
                "endDate": _awin_time(window.end),
                "timezone": "UTC",
                "dateType": date_type,
            },
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            secrets=[token],
            timeout=self.request_timeout,
        )
        if not isinstance(answer, list) or not all(
            isinstance(item, Mapping) for item in answer
        ):
            raise ConnectorError(
                f"Awin's answer ({date_type} dates) is not a list of transactions."
            )
        return answer

    def fetch(self, window: Window) -> Iterator[list[OrderLine]]:
        for date_type in DATE_TYPES:
            transactions = self._transactions(window, date_type)
            yield [transaction_line(transaction) for transaction in transactions]
