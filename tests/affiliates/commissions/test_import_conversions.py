"""`manage.py import_conversions` and `manage.py postback_secret`."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from affiliates.models import (
    Conversion,
    ConversionReport,
    ConversionStatus,
    LedgerEntry,
    MerchantConnection,
)
from tests.affiliates.conftest import click_id_for

pytestmark = pytest.mark.django_db


def run_import(merchant, path):
    out, err = StringIO(), StringIO()
    call_command("import_conversions", merchant.slug, str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def write(tmp_path, text, name="report.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_import_reports_bad_rows_by_line_and_imports_the_rest(tmp_path, shop, link):
    when = timezone.now().isoformat()
    click_id = click_id_for(link)
    path = write(
        tmp_path,
        "order_id,click_id,amount,currency,status,occurred_at\n"
        f"A-1,{click_id},100.00,CNY,pending,{when}\n"
        f"A-2,,abc,CNY,pending,{when}\n"
        f'"A-3",,"50.00",CNY,shipped,{when}\n'
        f"A-4,,20.00,CNY,approved,{when}\n",
    )
    out, err = run_import(shop, path)
    assert "Imported 2, unchanged 0, rejected 2." in out
    assert "Line 3: amount:" in err
    assert "Line 4: status:" in err
    assert set(Conversion.objects.values_list("order_id", flat=True)) == {"A-1", "A-4"}
    assert Conversion.objects.get(order_id="A-1").author == link.author
    # A progress bar was drawn (tqdm writes to stderr).
    assert "row" in err


def test_importing_the_same_file_again_changes_nothing(tmp_path, shop, link):
    when = timezone.now().isoformat()
    path = write(
        tmp_path,
        "order_id,click_id,amount,currency,status,occurred_at\n"
        f"A-1,{click_id_for(link)},100.00,CNY,pending,{when}\n"
        f"A-1,{click_id_for(link)},100.00,CNY,refunded,{when}\n",
    )
    run_import(shop, path)
    snapshot = (
        list(Conversion.objects.values()),
        list(ConversionReport.objects.values()),
        list(LedgerEntry.objects.values()),
    )
    out, _err = run_import(shop, path)
    assert "Imported 0, unchanged 2, rejected 0." in out
    assert snapshot == (
        list(Conversion.objects.values()),
        list(ConversionReport.objects.values()),
        list(LedgerEntry.objects.values()),
    )
    assert Conversion.objects.get().status == ConversionStatus.REFUNDED


def test_columns_and_statuses_map_through_the_merchants_connection(tmp_path, shop):
    call_command("postback_secret", shop.slug, stdout=StringIO())
    MerchantConnection.objects.filter(merchant=shop).update(
        order_id_column="Order No",
        amount_column="Sale Amount",
        currency_column="Currency",
        status_column="State",
        occurred_at_column="Order Time",
        click_id_column="SubID",
        commission_column="Commission",
        customer_ref_column="",
        status_values="Declined = cancelled\nLocked = approved",
    )
    path = write(
        tmp_path,
        "Order No,SubID,Sale Amount,Currency,State,Order Time,Commission\n"
        "N-1,,88.00,CNY,Locked,2026-11-20T10:00:00+08:00,4.40\n"
        "N-2,,10.00,CNY,Declined,2026-11-20T10:00:00+08:00,\n",
    )
    out, err = run_import(shop, path)
    assert "Imported 2, unchanged 0, rejected 0." in out, err
    first = Conversion.objects.get(order_id="N-1")
    assert first.status == ConversionStatus.APPROVED
    assert first.commission == first.stated_commission
    assert str(first.commission) == "4.4000"
    assert first.occurred_at == datetime.datetime(
        2026, 11, 20, 2, 0, tzinfo=datetime.UTC
    )
    assert Conversion.objects.get(order_id="N-2").status == ConversionStatus.CANCELLED


def test_a_header_without_a_required_column_is_refused_with_its_line(tmp_path, shop):
    path = write(tmp_path, "order_id,amount,currency\nA-1,1.00,CNY\n")
    with pytest.raises(CommandError, match="Line 1: .*status"):
        run_import(shop, path)
    assert not Conversion.objects.exists()


def test_a_quoted_newline_keeps_line_numbers_true(tmp_path, shop):
    when = timezone.now().isoformat()
    path = write(
        tmp_path,
        "order_id,amount,currency,status,occurred_at\n"
        f'"A-1\nsecond line",1.00,CNY,pending,{when}\n'
        f"A-2,oops,CNY,pending,{when}\n",
    )
    _out, err = run_import(shop, path)
    assert "Line 4: amount:" in err


def test_unknown_merchant_and_missing_file(tmp_path, shop):
    with pytest.raises(CommandError, match="No merchant"):
        call_command("import_conversions", "nobody", str(tmp_path / "x.csv"))
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_conversions", shop.slug, str(tmp_path / "x.csv"))


def test_postback_secret_is_created_once_and_rotated_on_request(shop):
    first, again, rotated = StringIO(), StringIO(), StringIO()
    call_command("postback_secret", shop.slug, stdout=first)
    call_command("postback_secret", shop.slug, stdout=again)
    call_command("postback_secret", shop.slug, "--rotate", stdout=rotated)
    assert first.getvalue() == again.getvalue()
    assert first.getvalue().strip().startswith("whsec_")
    assert len(first.getvalue().strip()) > 40
    assert rotated.getvalue() != first.getvalue()
    assert (
        MerchantConnection.objects.get(merchant=shop).postback_secret
        == rotated.getvalue().strip()
    )
    with pytest.raises(CommandError, match="No merchant"):
        call_command("postback_secret", "nobody")


def test_no_row_stops_an_import_half_way(tmp_path, shop):
    """Each bad row is rejected with its line and reason, before or after good ones,
    and the summary is printed; importing again gives the same answer."""
    when = timezone.now().isoformat()
    path = write(
        tmp_path,
        "order_id,amount,currency,status,occurred_at,customer_ref\n"
        f"A-1,10.00,CNY,pending,{when},\n"
        "A-2,10.00,CNY,pending,9999-12-31T23:00:00-05:00,\n"
        "A-3,10.00,CNY,pending,0001-01-01T00:00:00+01:00,\n"
        f"A-4,10.00,CNY,pending,{when},{'x' * 200_000}\n"
        f"A-5\x00,10.00,CNY,pending,{when},\n"
        f"A-6,10.00,CNY,pending,{when},ref\x07\n"
        f"A-7,1234.56,RSD,pending,{when},\n"
        f"A-8,10.00,CNY,pending,{when},\n",
    )
    out, err = run_import(shop, path)
    assert "Imported 3, unchanged 0, rejected 5." in out, err
    assert "Line 3: occurred_at: " in err
    assert "Line 4: occurred_at: " in err
    assert "Line 5: row: " in err
    assert "Line 6: order_id: Contains the control character U+0000." in err
    assert "Line 7: customer_ref: Contains the control character U+0007." in err
    assert set(Conversion.objects.values_list("order_id", flat=True)) == {
        "A-1",
        "A-7",
        "A-8",
    }
    out, err = run_import(shop, path)
    assert "Imported 0, unchanged 3, rejected 5." in out, err


def test_a_stated_commission_above_the_amount_is_rejected_by_line(tmp_path, shop):
    when = timezone.now().isoformat()
    path = write(
        tmp_path,
        "order_id,amount,currency,status,occurred_at,commission\n"
        f"A-1,10.00,CNY,pending,{when},10.01\n"
        f"A-2,10.00,CNY,pending,{when},1.00\n"
        f"A-2,10.00,CNY,approved,{when},2.00\n",
    )
    out, err = run_import(shop, path)
    assert "Imported 1, unchanged 0, rejected 2." in out
    assert "Line 2: commission: The commission (10.01) cannot exceed" in err
    assert "Line 4: commission: " in err
    assert Conversion.objects.get().commission == 1
