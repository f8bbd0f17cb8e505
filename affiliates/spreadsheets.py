"""What an exported spreadsheet cell may hold.

XLSX (its XML) cannot hold most C0 control characters, and openpyxl raises on one,
which turned a whole export into a server error. Postbacks and imports refuse
them now, but names, titles and values stored before could still hold one.
"""

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

REPLACEMENT = "\ufffd"  # what a character a format cannot hold is shown as


def xlsx_text(value: str) -> str:
    """``value`` with every character XLSX cannot hold replaced by U+FFFD."""
    return ILLEGAL_CHARACTERS_RE.sub(REPLACEMENT, value)


class XlsxSafeExportMixin:
    """For Wagtail's SpreadsheetExportMixin views (ReportView): every text cell of
    the XLSX export goes through ``xlsx_text``, whatever the column."""

    def preprocess_field_value(self, field, value, export_format):
        value = super().preprocess_field_value(field, value, export_format)
        if export_format == self.FORMAT_XLSX and isinstance(value, str):
            return xlsx_text(value)
        return value
