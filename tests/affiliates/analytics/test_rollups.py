"""Daily rollups: rebuilt from raw clicks, conversions and the ledger, refreshed
idempotently, and kept where raw clicks were purged."""

import datetime
import threading
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Sum
from django.db.models.functions import TruncMonth
from django.test import override_settings
from django.utils import timezone

from affiliates.analytics.services import (
    CLICK_SUMS,
    SALE_SUMS,
    STANDING_SALE,
    rollups_rebuild,
    rollups_refresh,
)
from affiliates.commissions.services.conversions import conversion_ingest
from affiliates.commissions.services.ledger import ledger_adjust
from affiliates.models import (
    Click,
    Conversion,
    DailyCreatorClicks,
    DailyCreatorSales,
    DailyLinkClicks,
    DailyLinkSales,
    LedgerEntry,
    MonthlyLinkClicks,
    MonthlyLinkSales,
)
from affiliates.tasks import refresh_rollups
from affiliates.tracking.services import clicks_purge
from tests.affiliates.conftest import clicks_add, noon, sale, sale_ingest
from zhongcao.scheduling import schedule_period

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def days_ago(day: datetime.date) -> int:
    return (timezone.now().astimezone(datetime.UTC).date() - day).days


def click_rollups() -> dict:
    return {
        (row.day, row.link_id): (
            row.billable_clicks,
            row.bot_clicks,
            row.duplicate_clicks,
        )
        for row in DailyLinkClicks.objects.all()
    }


def sales_rollups() -> dict:
    return {
        (row.day, row.link_id, row.currency): (
            row.conversions,
            row.sales,
            row.commission,
            row.author_earnings,
            row.override_earnings,
            row.platform_earnings,
        )
        for row in DailyLinkSales.objects.all()
    }


def assert_months_sum_days() -> None:
    """Each monthly rollup row is the sum of its month's daily rows, and no month
    with daily rows lacks its monthly ones."""
    for daily, monthly, group, sums in (
        (DailyLinkClicks, MonthlyLinkClicks, ("link_id",), CLICK_SUMS),
        (DailyLinkSales, MonthlyLinkSales, ("link_id", "currency"), SALE_SUMS),
    ):
        expected = {
            (row["month"], *(row[name] for name in group)): tuple(
                row[name] for name in sums
            )
            for row in daily.objects.annotate(month=TruncMonth("day"))
            .values("month", *group)
            .annotate(**{name: Sum(name) for name in sums})
            .order_by()
        }
        assert expected
        assert {
            (row.month, *(getattr(row, name) for name in group)): tuple(
                getattr(row, name) for name in sums
            )
            for row in monthly.objects.all()
        } == expected


def assert_creators_sum_links() -> None:
    """Each creator's daily row is the sum of that day's rows of their links (per
    currency for sales), and no creator with link rows on a day lacks theirs."""
    for by_link, by_creator, group, sums in (
        (DailyLinkClicks, DailyCreatorClicks, (), CLICK_SUMS),
        (DailyLinkSales, DailyCreatorSales, ("currency",), SALE_SUMS),
    ):
        expected = {
            (row["day"], row["author_id"], *(row[name] for name in group)): tuple(
                row[name] for name in sums
            )
            for row in by_link.objects.values("day", "author_id", *group)
            .annotate(**{name: Sum(name) for name in sums})
            .order_by()
        }
        assert expected
        assert {
            (row.day, row.author_id, *(getattr(row, name) for name in group)): tuple(
                getattr(row, name) for name in sums
            )
            for row in by_creator.objects.all()
        } == expected


def test_rebuild_equals_raw_counts(history):
    assert rollups_rebuild() == 121  # from the first click, 120 days ago, to today
    assert_months_sum_days()
    assert_creators_sum_links()
    # The creators' daily click rollups against the raw clicks too.
    by_creator: dict = {}
    for click in Click.objects.select_related("link"):
        key = (click.clicked_at.astimezone(datetime.UTC).date(), click.link.author_id)
        billable, bots, duplicates = by_creator.get(key, (0, 0, 0))
        by_creator[key] = (
            billable + click.is_billable,
            bots + click.is_bot,
            duplicates + click.is_duplicate,
        )
    assert {
        (row.day, row.author_id): (
            row.billable_clicks,
            row.bot_clicks,
            row.duplicate_clicks,
        )
        for row in DailyCreatorClicks.objects.all()
    } == by_creator
    # The monthly click rollups against the raw clicks too.
    by_month: dict = {}
    for click in Click.objects.all():
        day = click.clicked_at.astimezone(datetime.UTC).date()
        key = (day.replace(day=1), click.link_id)
        by_month[key] = by_month.get(key, 0) + click.is_billable
    assert {
        (row.month, row.link_id): row.billable_clicks
        for row in MonthlyLinkClicks.objects.all()
    } == by_month

    expected: dict = {}
    for click in Click.objects.all():
        key = (click.clicked_at.astimezone(datetime.UTC).date(), click.link_id)
        billable, bots, duplicates = expected.get(key, (0, 0, 0))
        expected[key] = (
            billable + click.is_billable,
            bots + click.is_bot,
            duplicates + click.is_duplicate,
        )
    assert click_rollups() == expected

    # Every raw figure against the rollups' sums, per link and currency.
    for link_id, currency in {(key[1], key[2]) for key in sales_rollups()}:
        rows = DailyLinkSales.objects.filter(link_id=link_id, currency=currency)
        conversions = Conversion.objects.filter(link_id=link_id, currency=currency)
        standing = conversions.filter(STANDING_SALE)
        assert rows.aggregate(n=Sum("conversions"))["n"] == standing.count()
        assert (
            rows.aggregate(s=Sum("sales"))["s"]
            == standing.aggregate(s=Sum("amount"))["s"]
        )
        entries = LedgerEntry.objects.filter(conversion__in=conversions)
        author = conversions.first().author
        assert (
            rows.aggregate(e=Sum("author_earnings"))["e"]
            == entries.filter(creator=author).aggregate(e=Sum("amount"))["e"]
        )
        assert (
            rows.aggregate(e=Sum("platform_earnings"))["e"]
            == entries.filter(creator__isnull=True).aggregate(e=Sum("amount"))["e"]
        )


def test_rollups_hold_the_hand_computed_figures(history):
    rollups_rebuild()
    a, b, d = (history["links"][name] for name in "ABD")
    clicks = {
        (days_ago(day), link): counts for (day, link), counts in click_rollups().items()
    }
    assert clicks[(2, a.pk)] == (3, 1, 1)
    assert clicks[(20, a.pk)] == (2, 0, 0)
    assert clicks[(60, a.pk)] == (4, 0, 0)
    assert clicks[(120, a.pk)] == (1, 0, 0)
    assert clicks[(20, b.pk)] == (1, 1, 0)

    sales = {
        (days_ago(day), link, currency): figures
        for (day, link, currency), figures in sales_rollups().items()
    }
    money = Decimal
    # conversions, sales, commission, author, overrides, platform
    assert sales[(2, a.pk, "CNY")] == (1, money("1000"), money("100"), 60, 0, 40)
    # The refunded sale of the same day counts for nothing, its money reversed.
    assert sales[(20, a.pk, "CNY")] == (1, money("500"), money("50"), 30, 0, 20)
    assert sales[(60, a.pk, "CNY")] == (1, money("2000"), money("200"), 120, 0, 80)
    assert sales[(2, b.pk, "USD")] == (1, money("50"), money("5"), 3, 0, 2)
    # Mia's sale: Lulu's override of 10.00 is apart from Mia's author share.
    assert sales[(2, d.pk, "CNY")] == (1, money("1000"), money("100"), 60, 10, 30)
    assert set(
        DailyLinkSales.objects.filter(link__in=[a, b]).values_list("author", flat=True)
    ) == {history["lulu"].pk}


def test_refresh_is_idempotent_and_matches_a_rebuild(history):
    rollups_rebuild()
    rebuilt = (click_rollups(), sales_rollups())
    assert rollups_refresh(days=3) >= 3
    assert rollups_refresh(days=3) >= 3
    assert (click_rollups(), sales_rollups()) == rebuilt
    assert_months_sum_days()
    assert_creators_sum_links()


def test_refresh_recomputes_recent_days_only(history):
    rollups_refresh(days=3)
    assert {days_ago(day) for day, _link in click_rollups()} == {2}
    # The first visitor of that day comes back within the hour: one more duplicate.
    clicks_add(history["links"]["A"], days_ago=2, billable=1)
    rollups_refresh(days=3)
    assert click_rollups()[(noon(2).date(), history["links"]["A"].pk)] == (3, 1, 2)


def test_refresh_takes_up_a_refund_of_an_old_sale(history, shop):
    rollups_rebuild()
    a = history["links"]["A"]
    key = (noon(60).date(), a.pk, "CNY")
    assert sales_rollups()[key][:2] == (1, Decimal("2000"))
    # A-60 was paid out; its refund now leaves a debt, and the sale stops counting.
    sale_ingest(
        shop,
        order_id="A-60",
        click_id=None,
        days_ago=60,
        amount="2000.00",
        commission="200.00",
        status="refunded",
    )
    rollups_refresh(days=2)
    assert sales_rollups()[key] == (1 - 1, 0, 0, 0, 0, 0)
    # The month of that day follows (the refresh recomputed it from its days), and
    # so does the creator's day.
    assert_months_sum_days()
    assert_creators_sum_links()
    creator_day = DailyCreatorSales.objects.get(
        day=noon(60).date(), author=a.author, currency="CNY"
    )
    assert (creator_day.conversions, creator_day.sales) == (0, 0)
    month = MonthlyLinkSales.objects.get(
        month=noon(60).date().replace(day=1), link=a, currency="CNY"
    )
    assert (month.conversions, month.sales) == (0, 0)  # the refunded sale left it


def test_rebuild_keeps_click_rollups_of_purged_days(history, network):
    a, b = history["links"]["A"], history["links"]["B"]
    # 120 days ago B had two clicks; a sale refers to the first, so the purge
    # keeps that one and deletes the other (and A's click of that day).
    kept, _purged = clicks_add(b, days_ago=120, billable=2)
    sale_ingest(network, order_id="B-120", click_id=kept, days_ago=120, currency="USD")
    rollups_rebuild()
    day = noon(120).date()
    assert click_rollups()[(day, a.pk)] == (1, 0, 0)
    assert click_rollups()[(day, b.pk)] == (2, 0, 0)
    with override_settings(ZHONGCAO_CLICK_RETENTION_DAYS=100):
        assert clicks_purge(older_than_days=100) == 2
        assert list(
            Click.objects.filter(clicked_at__lt=noon(100)).values_list("pk", flat=True)
        ) == [kept]
        assert rollups_rebuild() == 121  # the sale's day is still the first
    # The rollups of that day are all that is left of its clicks: kept as they were,
    # and still counted in their month.
    assert click_rollups()[(day, a.pk)] == (1, 0, 0)
    assert click_rollups()[(day, b.pk)] == (2, 0, 0)
    assert_months_sum_days()
    assert_creators_sum_links()
    # Within the retention period, the raw clicks rule.
    Click.objects.filter(
        link=a, clicked_at__gte=noon(61), clicked_at__lt=noon(59)
    ).delete()
    rollups_rebuild()
    assert (noon(60).date(), a.pk) not in click_rollups()


def test_preview_clicks_and_unattributed_sales_are_left_out(history, shop):
    from affiliates.commissions.postbacks import conversion_data_parse
    from affiliates.models import ConversionSource

    rollups_rebuild()
    before = (click_rollups(), sales_rollups())
    conversion_ingest(
        merchant=shop,
        data=conversion_data_parse(sale(order_id="NO-CLICK")),
        source=ConversionSource.POSTBACK,
    )
    rollups_rebuild()
    assert (click_rollups(), sales_rollups()) == before


def test_refresh_rejects_no_days(db):
    with pytest.raises(ValueError, match="days"):
        rollups_refresh(days=0)


def test_the_task_refreshes_and_is_scheduled(history):
    # Every minute: a click shows on the dashboards within two.
    assert schedule_period(
        path="affiliates.tasks.refresh_rollups"
    ) == datetime.timedelta(minutes=1)
    result = refresh_rollups.enqueue()
    # Today and yesterday, and the days of the sales that changed since yesterday
    # began (all of them: they were just ingested).
    assert result.return_value == 2 + 3
    assert click_rollups() == {}
    assert {days_ago(day) for day, _link, _currency in sales_rollups()} == {2, 20, 60}


def test_command_rebuilds_with_a_progress_bar(history):
    out, err = StringIO(), StringIO()
    call_command("rebuild_rollups", stdout=out, stderr=err)
    assert "Recomputed 121 days." in out.getvalue()  # 120 days ago to today
    assert "121/121" in err.getvalue()
    assert len(click_rollups()) == 8
    call_command("rebuild_rollups", "--days", "1", "--no-progress", stdout=out)
    with pytest.raises(CommandError, match="--days must be 1 or more"):
        call_command("rebuild_rollups", "--days", "0")


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent writers need a server database (SQLite in memory locks tables)",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_refreshes_at_once_leave_the_rows_of_one(history):
    rollups_refresh(days=3)
    expected = (click_rollups(), sales_rollups())
    errors = []
    barrier = threading.Barrier(4)

    def refresh():
        barrier.wait()
        try:
            rollups_refresh(days=3)
        except Exception as error:  # noqa: BLE001 (any failure fails the test)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=refresh) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert (click_rollups(), sales_rollups()) == expected


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="advisory locks are PostgreSQL's (SQLite has one writer at a time anyway)",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_ledger_write_does_not_wait_for_a_rollup_refresh(history, creator):
    """The rollups and the ledger have locks of their own (products.locks): a ledger
    write goes through while a rollup refresh holds its lock."""
    refreshing, done_waiting = threading.Event(), threading.Event()
    order, errors = [], []

    def refresh():
        try:
            # The refresh's lock lasts as long as the transaction around it.
            with transaction.atomic():
                rollups_refresh(days=1)
                refreshing.set()
                done_waiting.wait(timeout=120)
        except Exception as error:  # noqa: BLE001 (any failure fails the test)
            errors.append(error)
        finally:
            refreshing.set()
            connection.close()

    def write():
        try:
            ledger_adjust(
                creator=creator,
                amount=Decimal("5.00"),
                currency="CNY",
                note="Written meanwhile",
            )
            order.append("ledger written")
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    refresher = threading.Thread(target=refresh)
    refresher.start()
    refreshing.wait(timeout=120)
    writer = threading.Thread(target=write)
    writer.start()
    # A write that waited for the rollups' lock would wait until the refresh ends.
    writer.join(timeout=30)
    order.append("refresh let go")
    done_waiting.set()
    refresher.join()
    writer.join()
    assert errors == []
    assert order == ["ledger written", "refresh let go"]
    assert LedgerEntry.objects.filter(note="Written meanwhile").count() == 1
