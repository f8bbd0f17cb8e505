"""Spreadsheet exports (CSV and XLSX): the one place that makes a cell safe to open.

Every export in the admin is a view built on Wagtail's ``SpreadsheetExportMixin``:
Wagtail's own reports (site history, aging and locked pages, workflows), listings
with ``list_export`` (redirects), Zhongcao's reports and the payout run's CSV.
``spreadsheet_exports_harden`` (run once by the app config) routes every value and
heading the mixin writes, in either format, through ``spreadsheet_cell``. No other
module writes CSV or XLSX; tests/zhongcao/test_spreadsheets.py checks that, and
downloads every export with hostile values in its text columns.
"""

from django.utils.functional import Promise
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from wagtail.admin.views.mixins import SpreadsheetExportMixin

# A cell that begins with one of these is a formula to Excel, LibreOffice or Google
# Sheets (OWASP, "CSV Injection"): =, +, -, @, tab and carriage return; and the
# full-width forms that Chinese and Japanese input methods type, which some
# spreadsheet programs take for the ASCII ones. Titles, creators' public names,
# order and click ids and merchant names are all typed by someone outside.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")

# What a spreadsheet shows in place of a character it cannot hold. Dropping it
# instead could make two different order ids read alike.
REPLACEMENT = "\N{REPLACEMENT CHARACTER}"


def spreadsheet_cell(value):
    """``value`` as it may go into a CSV or XLSX cell.

    Text loses the control characters that XLSX cannot hold (NUL and the other C0
    controls but tab, line feed and carriage return; openpyxl would refuse the whole
    file), and text that a spreadsheet would run as a formula gets a leading single
    quote, which makes it text. Leading spaces do not protect a formula: some
    programs trim a cell before reading it. Numbers, dates and empty values are
    left alone, so that amounts stay numbers.
    """
    if isinstance(value, Promise):
        value = str(value)
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub(REPLACEMENT, value)
    if value.startswith(FORMULA_TRIGGERS) or value.lstrip().startswith(
        FORMULA_TRIGGERS
    ):
        return "'" + value
    return value


def spreadsheet_exports_harden() -> None:
    """Make every ``SpreadsheetExportMixin`` view write its values and headings
    through ``spreadsheet_cell``, in both formats. Safe to call twice.

    Wagtail's own reports cannot be given another base class, so the mixin itself
    is changed: both of its writers (CSV and XLSX) read every value through
    ``preprocess_field_value`` and every heading through ``get_heading``.
    """
    if getattr(SpreadsheetExportMixin, "zhongcao_hardened", False):
        return
    preprocess = SpreadsheetExportMixin.preprocess_field_value
    heading = SpreadsheetExportMixin.get_heading

    def preprocess_field_value(self, field, value, export_format):
        return spreadsheet_cell(preprocess(self, field, value, export_format))

    def get_heading(self, queryset, field):
        return spreadsheet_cell(heading(self, queryset, field))

    SpreadsheetExportMixin.preprocess_field_value = preprocess_field_value
    SpreadsheetExportMixin.get_heading = get_heading
    SpreadsheetExportMixin.zhongcao_hardened = True
