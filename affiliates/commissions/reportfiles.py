"""Reading a merchant's or network's report file, CSV or XLSX, row by row.

Both give the rows ``postbacks.report_rows`` gives: (line number, {our field: value})
or (line number, ReportFieldError), with the file's own line numbers (a
spreadsheet's row numbers), so a refusal points at the row to fix. An XLSX workbook
is read in openpyxl's read-only mode, which streams its rows: a report of any size
holds one row in memory. Its first sheet is the report.

Spreadsheet cells carry types a CSV has not: a number is written back as the text
it stands for (``129.9``, never a float's ``129.90000000000001``), so the
postback's rule for amounts applies unchanged; a date cell has no time zone, so it
is refused like a CSV time without an offset (type times as text with their
offset, such as 2026-11-22T10:00:00+08:00).
"""

import csv
import datetime
import hashlib
import zipfile
import zoneinfo
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from affiliates.commissions.postbacks import (
    REQUIRED_COLUMNS,
    ReportFieldError,
    ReportFileError,
    report_rows,
)

Rows = Iterator[tuple[int, dict | ReportFieldError]]

_ZIP_MAGIC = b"PK\x03\x04"


def _is_xlsx(path: Path) -> bool:
    with path.open("rb") as file:
        return file.read(4) == _ZIP_MAGIC


def _cell_text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        # repr is the shortest text that reads back as this float: what the
        # spreadsheet shows, not the binary fraction's expansion.
        return str(Decimal(repr(value)))
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    return str(value).strip()


def _workbook_open(path: Path):
    """The workbook, streamed (read-only: one row in memory at a time)."""
    try:
        return load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as error:
        raise ReportFileError(
            f"{path.name} is not a readable XLSX workbook."
        ) from error


def _xlsx_rows(path: Path, *, columns: Mapping[str, str]) -> tuple[int, Rows]:
    workbook = _workbook_open(path)
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    try:
        header = [_cell_text(value) or "" for value in next(rows)]
    except StopIteration as error:
        workbook.close()
        raise ReportFileError("Line 1: the sheet is empty.") from error
    missing = [
        f"{columns.get(field, field)} (for {field})"
        for field in REQUIRED_COLUMNS
        if columns.get(field, field) not in header
    ]
    if missing:
        workbook.close()
        raise ReportFileError(
            "Line 1: the header lacks the column(s) " + ", ".join(missing) + "."
        )
    position = {name: index for index, name in reversed(list(enumerate(header)))}
    total = max((sheet.max_row or 1) - 1, 0)

    def read() -> Rows:
        try:
            for line_number, values in enumerate(rows, start=2):
                if all(value is None for value in values):
                    continue  # blank rows a spreadsheet keeps at the end
                yield (
                    line_number,
                    {
                        field: _cell_text(values[position[column]])
                        if column in position and position[column] < len(values)
                        else None
                        for field, column in columns.items()
                    },
                )
        finally:
            workbook.close()

    return total, read()


@contextmanager
def report_file_rows(path: Path, *, columns: Mapping[str, str]):
    """Open the report at ``path`` (CSV in UTF-8, or XLSX) and yield (the number of
    data rows, for a progress bar; the rows). Raises ReportFileError when the file
    cannot be read as a report, OSError when it cannot be opened."""
    if _is_xlsx(path):
        total, rows = _xlsx_rows(path, columns=columns)
        try:
            yield total, rows
        finally:
            rows.close()
        return
    with path.open(encoding="utf-8-sig", newline="") as file:
        try:
            total = max(sum(1 for _line in file) - 1, 0)
        except UnicodeDecodeError as error:
            raise ReportFileError(
                f"{path.name} is neither UTF-8 text nor an XLSX workbook."
            ) from error
        file.seek(0)
        yield total, report_rows(file, columns=columns)


# -- Amazon Associates' earnings report ----------------------------------------------
# Associates Central → Reports → Download: the "Fee-Earnings" report, as CSV (after a
# title line, "Fee-Earnings reports from … to …") or as a sheet of an XLSX workbook.
# One row per product shipped, per tracking id and day; no order id and no sub-id:
# sales are attributed by the tracking id (affiliates.tracking.trackingids). Items
# returned are rows of their own, negative (Revenue, Ad Fees, Items Shipped), on the
# day Amazon took them back ("Why are there negative numbers in my Earnings
# Reports?"): each reverses the one sale it undoes (_amazon_return). Columns
# as Amazon's report has them (help: "How to read the Earnings Report"); the currency
# symbol in the money columns' names is the store's ("Revenue($)", "Revenue(£)").
AMAZON_COLUMNS = ("ASIN", "Tracking ID", "Date Shipped", "Items Shipped")
AMAZON_MONEY = ("Revenue", "Ad Fees")


def _amazon_header(values: list[str]) -> dict[str, int] | None:
    names = [str(value or "").strip() for value in values]
    if not all(name in names for name in AMAZON_COLUMNS):
        return None
    position = {name: names.index(name) for name in AMAZON_COLUMNS}
    for prefix in AMAZON_MONEY:
        for index, name in enumerate(names):
            if name.startswith(prefix + "(") or name == prefix:
                position[prefix] = index
                break
        else:
            return None
    for optional in ("Seller", "Price", "Device Type Group", "Returns"):
        for index, name in enumerate(names):
            if name == optional or name.startswith(optional + "("):
                position[optional] = index
                break
    return position


def _amazon_amount(text: str | None) -> str:
    # "1,299.00" or "$1,299.00" in the CSV; a number in a workbook.
    return (text or "").replace(",", "").lstrip("$£€¥").strip()


def _amazon_day(text: str | None, zone) -> str:
    value = (text or "").strip()
    for pattern in ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%m/%d/%Y"):
        try:
            day = datetime.datetime.strptime(value, pattern).replace(tzinfo=zone)
        except ValueError:
            continue
        return day.isoformat()
    return value  # refused by name as occurred_at


def _amazon_row(cells: list, position: dict[str, int], *, currency: str, zone) -> dict:
    def cell(name: str) -> str | None:
        index = position.get(name)
        if index is None or index >= len(cells):
            return None
        return _cell_text(cells[index])

    key = "|".join(
        cell(name) or ""
        for name in (
            "Tracking ID",
            "ASIN",
            "Seller",
            "Date Shipped",
            "Price",
            "Device Type Group",
        )
    )
    day = (cell("Date Shipped") or "")[:10]
    return {
        # Amazon names no order: a row is one product shipped on one day through one
        # tracking id (at one price, on one kind of device), the same in every
        # download of that day, so importing a report again changes nothing.
        "order_id": f"amazon-{day}-{hashlib.sha256(key.encode()).hexdigest()[:20]}",
        "item_id": cell("ASIN"),
        "tracking_id": cell("Tracking ID"),
        "amount": _amazon_amount(cell("Revenue")),
        "commission": _amazon_amount(cell("Ad Fees")),
        "currency": currency,
        "status": "pending",
        "occurred_at": _amazon_day(cell("Date Shipped"), zone),
    }


def _amazon_items(cells: list, position: dict[str, int]) -> str:
    index = position["Items Shipped"]
    return (_cell_text(cells[index]) if index < len(cells) else None) or ""


def _negative(text: str) -> bool:
    return text.strip().startswith("-")


def _amazon_return(row: dict, *, items: str) -> dict:
    """A sale row as it is; a return row (negative Revenue, Ad Fees or Items
    Shipped: items shipped earlier and sent back) as a refund of the sale it
    undoes. Amazon names no order, so ``returned`` asks the import to find that
    sale (``conversions.conversion_return_match``: same tracking id and ASIN, the
    same revenue and fees, shipped on or before the return's day). A row negative
    in one money column and positive in the other is neither, and refused."""
    amount, commission = row["amount"], row["commission"]
    if not (_negative(amount) or _negative(commission) or _negative(items)):
        return row
    for field, text in (("amount", amount), ("commission", commission)):
        if text and not _negative(text) and text.strip("0.") != "":
            raise ReportFieldError(
                field,
                "A return row (negative revenue, fees or items) has a positive "
                f"{'Revenue' if field == 'amount' else 'Ad Fees'} ({text}): it is "
                "neither a sale nor a return.",
            )
    return {
        **row,
        # Replaced by the matched sale's order id; the row's own key meanwhile.
        "order_id": "return-" + row["order_id"],
        "amount": amount.strip().removeprefix("-"),
        "commission": commission.strip().removeprefix("-"),
        "status": "refunded",
        "returned": True,
    }


def _amazon_cells(path: Path) -> Iterator[tuple[int, list]]:
    if _is_xlsx(path):
        workbook = _workbook_open(path)
        try:
            names = workbook.sheetnames
            sheet = workbook[
                next((name for name in names if "Earnings" in name), names[0])
            ]
            for number, values in enumerate(sheet.iter_rows(values_only=True), 1):
                yield number, list(values)
        finally:
            workbook.close()
        return
    with path.open(encoding="utf-8-sig", newline="") as file:
        try:
            sample = file.read(4096)
        except UnicodeDecodeError as error:
            raise ReportFileError(
                f"{path.name} is neither UTF-8 text nor an XLSX workbook."
            ) from error
        file.seek(0)
        delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
        reader = csv.reader(file, delimiter=delimiter)
        try:
            for values in reader:
                yield reader.line_num, values
        except (csv.Error, UnicodeDecodeError) as error:
            raise ReportFileError(
                f"Line {reader.line_num + 1}: cannot be read: {error}."
            ) from error


def amazon_earnings_rows(path: Path, *, currency: str, time_zone: str) -> Rows:
    """The rows of an Amazon Associates earnings report (CSV, TSV or XLSX) in our
    field names; the file's line numbers. Raises ReportFileError when no header with
    Amazon's columns is found in its first lines."""
    zone = zoneinfo.ZoneInfo(time_zone)
    position = None
    for number, cells in _amazon_cells(path):
        if position is None:
            position = _amazon_header([_cell_text(cell) or "" for cell in cells])
            if position is None and number >= 10:
                break
            continue
        if all(cell in (None, "") for cell in cells):
            continue
        first = (_cell_text(cells[0]) or "").lower() if cells else ""
        if first.startswith("total"):
            continue  # the summary line some downloads end with
        row = _amazon_row(cells, position, currency=currency, zone=zone)
        try:
            yield number, _amazon_return(row, items=_amazon_items(cells, position))
        except ReportFieldError as error:
            yield number, error
    if position is None:
        raise ReportFileError(
            "Line 1: no header with Amazon's columns ("
            + ", ".join(AMAZON_COLUMNS)
            + ", Revenue, Ad Fees) in the first 10 lines."
        )
