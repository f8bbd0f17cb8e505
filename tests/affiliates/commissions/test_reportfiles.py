"""Report files as XLSX workbooks (affiliates.commissions.reportfiles), through
`manage.py import_conversions` as an editor runs it: the same rules and line numbers
as a CSV report."""

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from openpyxl import Workbook

from affiliates.models import Conversion
from tests.affiliates.conftest import click_id_for

pytestmark = pytest.mark.django_db

HEADER = ["order_id", "click_id", "amount", "currency", "status", "occurred_at"]


def workbook(tmp_path, rows, *, header=HEADER, name="report.xlsx"):
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Report")
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    path = tmp_path / name
    book.save(path)
    return path


def run_import(merchant, path):
    out, err = StringIO(), StringIO()
    call_command("import_conversions", merchant.slug, str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_an_xlsx_report_imports_like_a_csv_one(tmp_path, shop, link):
    when = timezone.now().isoformat()
    path = workbook(
        tmp_path,
        [
            ["X-1", click_id_for(link), 129.9, "CNY", "pending", when],  # a number
            ["X-2", None, "48.00", "cny", "approved", when],  # text
            ["X-3", None, 100, "CNY", "pending", when],  # an integer
            [None, None, None, None, None, None],  # a blank row
            ["X-4", None, 12.345, "CNY", "pending", when],  # too many places
            ["X-5", None, "10.00", "CNY", "pending", datetime.datetime(2026, 11, 1)],  # noqa: DTZ001 (a cell has no zone)
        ],
    )
    out, err = run_import(shop, path)
    assert "Imported 3, unchanged 0, rejected 2." in out
    assert "Line 6: amount: CNY has 2 decimal places; 12.345 has more." in err
    assert "Line 7: occurred_at: Must carry a UTC offset" in err
    amounts = dict(Conversion.objects.values_list("order_id", "amount"))
    assert amounts == {
        "X-1": Decimal("129.90"),
        "X-2": Decimal("48.00"),
        "X-3": Decimal("100.00"),
    }
    assert Conversion.objects.get(order_id="X-1").author == link.author

    out, _err = run_import(shop, path)
    assert "Imported 0, unchanged 3, rejected 2." in out


def test_an_xlsx_header_without_a_required_column_is_refused(tmp_path, shop):
    path = workbook(tmp_path, [["X-1", "1.00"]], header=["order_id", "amount"])
    with pytest.raises(CommandError, match="Line 1: the header lacks the column"):
        run_import(shop, path)
    assert not Conversion.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"PK\x03\x04 not really a workbook", "is not a readable XLSX workbook"),
        ("订单,金额\n".encode("gb18030"), "is neither UTF-8 text nor an XLSX workbook"),
    ],
)
def test_a_file_that_is_no_report_is_refused_with_its_reason(
    tmp_path, shop, content, message
):
    path = tmp_path / "report.xlsx"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        run_import(shop, path)
