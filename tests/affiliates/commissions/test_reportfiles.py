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

from affiliates.models import (
    ConnectionKind,
    Conversion,
    NetworkConnection,
    TrackingId,
)
from affiliates.tracking.trackingids import tracking_ids_import
from tests.affiliates.conftest import click_id_for
from tests.factories import MerchantFactory

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


# -- Amazon Associates' earnings report -----------------------------------------------

AMAZON_HEADER = [
    "Category",
    "Name",
    "ASIN",
    "Seller",
    "Tracking ID",
    "Date Shipped",
    "Price($)",
    "Items Shipped",
    "Returns",
    "Revenue($)",
    "Ad Fees($)",
    "Device Type Group",
]


@pytest.fixture
def amazon(db, creator):
    merchant = MerchantFactory(name="Amazon US", currency="USD")
    connection = NetworkConnection.objects.create(
        merchant=merchant, kind=ConnectionKind.AMAZON_ASSOCIATES
    )
    tracking_ids_import(connection=connection, values=["lulu-20", "spare-20"])
    # Given before the report's sales (an id credits only sales made after).
    TrackingId.objects.filter(value="lulu-20").update(
        creator=creator, assigned_at=timezone.now() - datetime.timedelta(days=365)
    )
    return merchant


def run_amazon(merchant, path, *extra):
    out, err = StringIO(), StringIO()
    call_command(
        "import_conversions",
        merchant.slug,
        str(path),
        "--format",
        "amazon-earnings",
        "--no-progress",
        *extra,
        stdout=out,
        stderr=err,
    )
    return out.getvalue(), err.getvalue()


def amazon_csv(tmp_path, rows):
    lines = [
        "Fee-Earnings reports from 11-01-2026 to 11-30-2026",
        ",".join(AMAZON_HEADER),
    ]
    lines += [",".join(row) for row in rows]
    path = tmp_path / "Fee-Earnings.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


KETTLE = ["Home", "Kettle", "B0KETTLE1", "Amazon.com", "lulu-20", "2026-11-20 00:00:00"]


def test_an_amazon_earnings_report_credits_each_tag_s_creator(
    tmp_path, amazon, creator
):
    path = amazon_csv(
        tmp_path,
        [
            [*KETTLE, "59.99", "2", "0", "119.98", "4.80", "DESKTOP"],
            [
                *KETTLE[:4],
                "spare-20",
                KETTLE[5],
                "59.99",
                "1",
                "0",
                "59.99",
                "2.40",
                "PHONE",
            ],
            [*KETTLE, "59.99", "0", "1", "-59.99", "-2.40", "DESKTOP"],
        ],
    )
    out, err = run_amazon(amazon, path)
    assert "Imported 2, unchanged 0, rejected 1." in out
    assert "Line 5: amount: A return (a negative row)" in err
    mine = Conversion.objects.get(tracking_id="lulu-20")
    assert mine.author == creator and mine.item_id == "B0KETTLE1"
    assert (mine.amount, mine.commission, mine.currency) == (
        Decimal("119.98"),
        Decimal("4.80"),
        "USD",
    )
    assert mine.occurred_at == datetime.datetime(
        2026, 11, 20, 8, 0, tzinfo=datetime.UTC
    )
    unassigned = Conversion.objects.get(tracking_id="spare-20")
    assert unassigned.author is None
    assert unassigned.unattributed_reason == "unknown_tracking_id"

    out, _err = run_amazon(amazon, path)
    assert "Imported 0, unchanged 2, rejected 1." in out


def test_the_xlsx_download_reads_its_earnings_sheet(tmp_path, amazon, creator):
    book = Workbook(write_only=True)
    book.create_sheet("Fee-Orders").append(["Category", "Name", "ASIN"])
    sheet = book.create_sheet("Fee-Earnings")
    sheet.append(["Fee-Earnings reports from 11-01-2026 to 11-30-2026"])
    sheet.append(AMAZON_HEADER)
    sheet.append(
        [
            *KETTLE[:5],
            datetime.datetime(2026, 11, 20),  # noqa: DTZ001 (a cell has no zone)
            59.99,
            1,
            0,
            59.99,
            2.4,
            "DESKTOP",
        ]
    )
    path = tmp_path / "Fee-Earnings.xlsx"
    book.save(path)
    out, _err = run_amazon(amazon, path, "--time-zone", "Europe/London")
    assert "Imported 1, unchanged 0, rejected 0." in out
    sale = Conversion.objects.get()
    assert (sale.author, sale.commission) == (creator, Decimal("2.40"))
    assert sale.occurred_at == datetime.datetime(2026, 11, 20, tzinfo=datetime.UTC)


def test_a_file_without_amazon_s_columns_or_a_bad_zone_is_refused(tmp_path, amazon):
    path = tmp_path / "report.csv"
    path.write_text("order_id,amount\nA,1.00\n", encoding="utf-8")
    with pytest.raises(CommandError, match="no header with Amazon's columns"):
        run_amazon(amazon, path)
    with pytest.raises(CommandError, match="'Mars/Olympus' is not a time zone"):
        run_amazon(amazon, path, "--time-zone", "Mars/Olympus")
    assert not Conversion.objects.exists()
