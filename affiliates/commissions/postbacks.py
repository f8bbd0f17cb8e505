"""What merchants report: checking postback signatures and reading a reported sale.

Both the postback endpoint and the CSV import read a sale through
``conversion_data_parse``, so one rule decides what is valid for both, and every
refusal names the field at fault.
"""

import csv
import datetime
import json
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from affiliates.models import ConversionStatus
from products.currencies import currency_minor_units, in_minor_units, is_active_currency

MAX_AMOUNT = Decimal("1e12")
# A postback is one sale: a few hundred bytes. A body above this is refused before
# it is read, so no request can make the endpoint hold much memory.
POSTBACK_MAX_BYTES = 64 * 1024
# Purchase times outside these are mistakes; bounding them keeps the hold period
# and attribution window arithmetic within datetime's range. The bounds are fixed,
# not relative to now, so reading a report never depends on when it is read.
OCCURRED_AT_EARLIEST = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
OCCURRED_AT_BEFORE = datetime.datetime(2100, 1, 1, tzinfo=datetime.UTC)


class ReportFieldError(ValueError):
    """A reported field is missing or malformed."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class ConversionData:
    """One reported sale, valid: amounts in the currency's minor units."""

    order_id: str
    click_id: str
    amount: Decimal
    currency: str
    status: str
    occurred_at: datetime.datetime
    commission: Decimal | None
    customer_ref: str
    item_id: str = ""  # one line item of a network's order; empty: the whole order
    # The id the network knows the publisher by, for networks without a sub-id
    # (affiliates.tracking.trackingids); a click id wins over it.
    tracking_id: str = ""
    # When the network last changed this line (its own modification time): a
    # network's figures are estimates until it settles, and a report changed later
    # than the figures in force replaces them (conversion_ingest), whatever order
    # the reports arrive in. None: the figures are final when first reported.
    updated_at: datetime.datetime | None = None


def postback_body_parse(body: bytes) -> Any:
    """The JSON of a postback's body; ReportFieldError("body", …) if it is not."""
    try:
        return json.loads(body)
    except RecursionError as error:
        raise ReportFieldError("body", "The JSON is nested too deeply.") from error
    except ValueError as error:  # also bad UTF-8 and numbers of too many digits
        raise ReportFieldError("body", "The body is not valid JSON.") from error


# Control characters (C0, DEL, C1), lone surrogates and the non-characters U+FFFE
# and U+FFFF: no order id or reference has them, the database refuses some
# (PostgreSQL: NUL, surrogates) and spreadsheets others.
def _unprintable(text: str) -> str | None:
    for char in text:
        if unicodedata.category(char) in ("Cc", "Cs") or char in "\ufffe\uffff":
            return char
    return None


def _text(raw: Mapping[str, Any], field: str, *, required: bool, limit: int) -> str:
    value = raw.get(field)
    if value is None or value == "":
        if required:
            raise ReportFieldError(field, "This field is required.")
        return ""
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise ReportFieldError(field, "Must be a string.")
    text = str(value).strip()
    if required and not text:
        raise ReportFieldError(field, "This field is required.")
    if len(text) > limit:
        raise ReportFieldError(field, f"At most {limit} characters.")
    bad = _unprintable(text)
    if bad is not None:
        raise ReportFieldError(
            field, f"Contains the control character U+{ord(bad):04X}."
        )
    return text


def _occurred_at(
    raw: Mapping[str, Any], field: str = "occurred_at"
) -> datetime.datetime:
    text = _text(raw, field, required=True, limit=40)
    try:
        occurred_at = datetime.datetime.fromisoformat(text)
    except ValueError as error:
        raise ReportFieldError(
            field, "Must be an ISO 8601 time such as 2026-11-22T10:00:00+08:00."
        ) from error
    if occurred_at.tzinfo is None:
        raise ReportFieldError(field, "Must carry a UTC offset, such as +08:00 or Z.")
    try:
        occurred_at = occurred_at.astimezone(datetime.UTC)
    except OverflowError:  # 0001-01-01T00:00:00+01:00 is in year 0 in UTC
        occurred_at = None
    if occurred_at is None or not (
        OCCURRED_AT_EARLIEST <= occurred_at < OCCURRED_AT_BEFORE
    ):
        raise ReportFieldError(
            field,
            f"{text} is out of range: a purchase is from 2000 to 2099 (UTC).",
        )
    return occurred_at


def _money(
    raw: Mapping[str, Any], field: str, currency: str, *, required: bool
) -> Decimal | None:
    value = raw.get(field)
    if value is None or value == "":
        if required:
            raise ReportFieldError(field, "This field is required.")
        return None
    if not isinstance(value, str):
        # A JSON number would pass through a float: amounts are decimal strings.
        raise ReportFieldError(field, 'Must be a decimal string such as "129.90".')
    try:
        # Decimal also reads "1_000" and other scripts' digits ("١٢٣"): a network
        # writes neither, so they are refused rather than guessed at.
        if not value.isascii() or "_" in value:
            raise InvalidOperation
        amount = Decimal(value.strip())
    except InvalidOperation as error:
        raise ReportFieldError(
            field, 'Must be a decimal string such as "129.90".'
        ) from error
    if not amount.is_finite() or amount < 0 or amount >= MAX_AMOUNT:
        raise ReportFieldError(field, "Must be zero or more (and below 10^12).")
    if currency and not in_minor_units(amount, currency):
        places = currency_minor_units(currency)
        raise ReportFieldError(
            field, f"{currency} has {places} decimal places; {value} has more."
        )
    return amount


def conversion_data_parse(
    raw: Mapping[str, Any], *, status_mapping: Mapping[str, str] | None = None
) -> ConversionData:
    """Read one reported sale; raise ReportFieldError naming the first bad field."""
    if not isinstance(raw, Mapping):
        raise ReportFieldError("body", "Must be a JSON object.")
    order_id = _text(raw, "order_id", required=True, limit=100)
    item_id = _text(raw, "item_id", required=False, limit=100)
    click_id = _text(raw, "click_id", required=False, limit=64)
    tracking_id = _text(raw, "tracking_id", required=False, limit=64)

    currency = _text(raw, "currency", required=True, limit=3).upper()
    if not is_active_currency(currency):
        raise ReportFieldError(
            "currency", f"{currency} is not an ISO 4217 currency code in use."
        )
    amount = _money(raw, "amount", currency, required=True)
    commission = _money(raw, "commission", currency, required=False)
    if commission is not None and commission > amount:
        raise ReportFieldError(
            "commission",
            f"The commission ({commission}) cannot exceed the sale amount ({amount}).",
        )

    status_word = _text(raw, "status", required=True, limit=40).lower()
    mapping = status_mapping or {s.value: s.value for s in ConversionStatus}
    status = mapping.get(status_word)
    if status is None:
        raise ReportFieldError(
            "status",
            f"{status_word!r} is not one of pending, approved, refunded, cancelled.",
        )

    occurred_at = _occurred_at(raw)
    updated_at = (
        _occurred_at(raw, "updated_at")
        if raw.get("updated_at") not in (None, "")
        else None
    )
    customer_ref = _text(raw, "customer_ref", required=False, limit=128)
    return ConversionData(
        order_id=order_id,
        click_id=click_id,
        amount=amount,
        currency=currency,
        status=status,
        occurred_at=occurred_at,
        commission=commission,
        customer_ref=customer_ref,
        item_id=item_id,
        tracking_id=tracking_id,
        updated_at=updated_at,
    )


REQUIRED_COLUMNS = ("order_id", "amount", "currency", "status", "occurred_at")


class ReportFileError(ValueError):
    """The report as a whole cannot be read (its header lacks a required column)."""


def report_rows(lines, *, columns: Mapping[str, str]):
    """Read a CSV report: yield (line number, {our field: value}) for each data row,
    or (line number, ReportFieldError) for a row the CSV reader cannot read (a value
    over its field size limit); reading goes on with the next line.

    ``columns`` maps our field names to the report's column names. Line numbers are
    the file's own (the header is line 1), even when a quoted value spans lines.
    """
    reader = csv.DictReader(lines)
    try:
        header = reader.fieldnames or []
    except csv.Error as error:
        raise ReportFileError(f"Line 1: {error}.") from error
    missing = [
        f"{columns.get(field, field)} (for {field})"
        for field in REQUIRED_COLUMNS
        if columns.get(field, field) not in header
    ]
    if missing:
        raise ReportFileError(
            "Line 1: the header lacks the column(s) " + ", ".join(missing) + "."
        )
    # The csv reader's own count: DictReader's stays behind after a row that failed.
    line_number = reader.reader.line_num
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            # The reader drops the rest of the physical line and goes on after it.
            yield line_number + 1, ReportFieldError("row", f"Cannot be read: {error}.")
        else:
            yield (
                line_number + 1,
                {field: row.get(column) for field, column in columns.items()},
            )
        line_number = reader.reader.line_num
