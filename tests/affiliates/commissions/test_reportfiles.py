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

from affiliates.commissions.selectors import ledger_balances
from affiliates.commissions.services.ledger import commissions_approve
from affiliates.commissions.services.payouts import payout_decide, payout_run_create
from affiliates.models import (
    CommissionSettings,
    ConnectionKind,
    Conversion,
    LedgerEntry,
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
    # The return of one of the two kettles shipped undoes no whole sale row.
    assert "Line 5: item_id: A return of B0KETTLE1 through lulu-20" in err
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


# -- Amazon's returns -----------------------------------------------------------------


def amazon_row(
    day,
    tag="lulu-20",
    *,
    asin="B0KETTLE1",
    items="1",
    returns="0",
    revenue="59.99",
    fees="2.40",
):
    return [
        "Home",
        "Kettle",
        asin,
        "Amazon.com",
        tag,
        f"2026-{day} 00:00:00",
        "59.99",
        items,
        returns,
        revenue,
        fees,
        "DESKTOP",
    ]


def returned(day, **fields):
    return amazon_row(
        day, items="0", returns="1", revenue="-59.99", fees="-2.40", **fields
    )


def creator_balances(creator) -> dict:
    return {row["status"]: row["amount"] for row in ledger_balances(creator=creator)}


def test_a_return_reverses_the_one_sale_it_undoes_even_after_payout(
    tmp_path, amazon, creator
):
    november = amazon_csv(
        tmp_path,
        [
            amazon_row("11-20"),
            amazon_row("11-25"),
            amazon_row("11-25", asin="B0TOASTER"),
        ],
    )
    out, _err = run_amazon(amazon, november)
    assert "Imported 3, unchanged 0, rejected 0." in out
    Conversion.objects.update(hold_until=timezone.now() - datetime.timedelta(days=1))
    commissions_approve()
    settings = CommissionSettings.load()
    settings.payout_minimums = "USD 0"
    settings.save()
    payout = payout_run_create(run_date=datetime.date(2026, 12, 1)).payouts.get()
    payout_decide(payout=payout, paid=True)
    paid = creator_balances(creator)["paid"]

    december = tmp_path / "december"
    december.mkdir()
    path = amazon_csv(december, [returned("12-02")])
    out, err = run_amazon(amazon, path)
    assert "Imported 1, unchanged 0, rejected 0." in out, err
    # The latest kettle shipped on or before the return: the 25th's, only it.
    by_day = {
        (sale.item_id, sale.occurred_at.day): sale.status
        for sale in Conversion.objects.all()
    }
    assert by_day == {
        ("B0KETTLE1", 20): "pending",  # Amazon's sales stay as reported
        ("B0KETTLE1", 25): "refunded",
        ("B0TOASTER", 25): "pending",
    }
    refunded = Conversion.objects.get(status="refunded")
    share = sum(
        entry.amount
        for entry in LedgerEntry.objects.filter(
            conversion=refunded, creator=creator, kind="reversal"
        )
    )
    assert share < 0
    # Paid stays paid; the creator owes the returned kettle's share.
    assert creator_balances(creator) == {"paid": paid, "approved": share}

    entries = LedgerEntry.objects.count()
    out, _err = run_amazon(amazon, path)
    assert "Imported 0, unchanged 1, rejected 0." in out
    assert LedgerEntry.objects.count() == entries

    # A later download holds the same day and one more return of the kettle:
    # the 2nd's is known, the 3rd's undoes the 20th's sale.
    later = tmp_path / "later"
    later.mkdir()
    path = amazon_csv(later, [returned("12-02"), returned("12-03")])
    out, err = run_amazon(amazon, path)
    assert "Imported 1, unchanged 1, rejected 0." in out, err
    assert Conversion.objects.filter(status="refunded").count() == 2
    out, _err = run_amazon(amazon, path)
    assert "Imported 0, unchanged 2, rejected 0." in out


def test_a_return_without_its_sale_or_with_mixed_signs_is_refused_by_line(
    tmp_path, amazon
):
    out, _err = run_amazon(amazon, amazon_csv(tmp_path, [amazon_row("11-20")]))
    assert "Imported 1," in out
    entries = LedgerEntry.objects.count()
    other = tmp_path / "returns"
    other.mkdir()
    path = amazon_csv(
        other,
        [
            returned("11-19"),  # before any sale of it
            returned("11-21", tag="spare-20"),  # no sale through that tag
            amazon_row("11-22", items="0", returns="1", revenue="-59.99"),  # +fees
            amazon_row("11-22", items="-1", revenue="-30.00", fees="-1.20"),
        ],
    )
    out, err = run_amazon(amazon, path)
    assert "Imported 0, unchanged 0, rejected 4." in out
    lines = err.splitlines()
    assert lines[0].startswith("Line 3: item_id: A return of B0KETTLE1 through lulu-20")
    assert lines[1].startswith(
        "Line 4: item_id: A return of B0KETTLE1 through spare-20"
    )
    assert lines[2].startswith(
        "Line 5: commission: A return row (negative revenue, fees or items) has a "
        "positive Ad Fees (2.40)"
    )
    assert lines[3].startswith("Line 6: item_id: A return of B0KETTLE1")
    assert Conversion.objects.get().status == "pending"
    assert LedgerEntry.objects.count() == entries
