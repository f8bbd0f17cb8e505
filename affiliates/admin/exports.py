"""CSV exports that Excel opens right (the payout run's, a creator's earnings)."""

from wagtail.admin.views.mixins import SpreadsheetExportMixin

# Excel opens a CSV file as UTF-8 only when it starts with the byte order mark;
# without it a Chinese name (林小鹿) comes out garbled.
UTF8_BOM = "\ufeff"


class ExcelCsvExportMixin(SpreadsheetExportMixin):
    """Wagtail's spreadsheet export (cells made safe in zhongcao.spreadsheets) whose
    CSV starts with a UTF-8 byte order mark and names its charset."""

    def stream_csv(self, queryset):
        yield UTF8_BOM
        yield from super().stream_csv(queryset)

    def write_csv_response(self, queryset):
        response = super().write_csv_response(queryset)
        response["Content-Type"] = "text/csv; charset=utf-8"
        return response
