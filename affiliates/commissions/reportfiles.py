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

import datetime
import zipfile
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


def _xlsx_rows(path: Path, *, columns: Mapping[str, str]) -> tuple[int, Rows]:
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as error:
        raise ReportFileError(
            f"{path.name} is not a readable XLSX workbook."
        ) from error
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
