"""The append-only ledger: immutability, approval, refunds, payouts, adjustments."""

import datetime
import threading
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from affiliates.commissions.selectors import ledger_balances
from affiliates.commissions.services.ledger import (
    LedgerError,
    commissions_approve,
    items_current,
    ledger_adjust,
)
from affiliates.commissions.services.payouts import (
    payout_decide,
    payout_run_create,
    payout_run_decide,
)
from affiliates.models import (
    CreatorKind,
    EntryKind,
    EntryStatus,
    LedgerEntry,
    Payout,
    PayoutRun,
    PayoutStatus,
)
from tests.affiliates.commissions.test_commissions import (
    CLICKED,
    DAY,
    SECOND,
    click,
    report,
    settings_change,
)
from tests.factories import MerchantFactory, TrackedLinkFactory

pytestmark = pytest.mark.django_db

RUN_DATE = datetime.date(2027, 1, 5)
HOLD_ENDS = CLICKED + 30 * DAY  # the shop's hold period, from a sale at CLICKED


@pytest.fixture
def member_link(shop):
    return TrackedLinkFactory(author__kind=CreatorKind.MEMBER, offer__merchant=shop)


@pytest.fixture
def entry(creator):
    return ledger_adjust(
        creator=creator, amount=Decimal("10.00"), currency="CNY", note="Welcome"
    )


def adjust(creator, amount, currency="CNY"):
    return ledger_adjust(
        creator=creator, amount=Decimal(amount), currency=currency, note="Test"
    )


def balances(creator) -> dict[tuple[str, str], Decimal]:
    """The creator's non-zero balances by (currency, status), summed in Python."""
    totals: dict[tuple[str, str], Decimal] = {}
    for entry in LedgerEntry.objects.filter(creator=creator):
        key = (entry.currency, entry.status)
        totals[key] = totals.get(key, Decimal(0)) + entry.amount
    return {key: amount for key, amount in totals.items() if amount}


def sold(shop, link, *, order_id="ORDER-1", amount="1000.00", at=CLICKED):
    return report(shop, order_id=order_id, click_id=click(link), amount=amount, at=at)


def refund(shop, link, *, order_id="ORDER-1", amount="1000.00", at=CLICKED):
    return report(
        shop,
        order_id=order_id,
        click_id=click(link),
        amount=amount,
        at=at,
        status="refunded",
    )


# -- Immutability ---------------------------------------------------------------------


def test_an_entry_is_never_saved_twice(entry):
    entry.amount = Decimal("99.00")
    with pytest.raises(ValidationError):
        entry.save()
    loaded = LedgerEntry.objects.get(pk=entry.pk)
    loaded.note = "Edited"
    with pytest.raises(ValidationError):
        loaded.save(update_fields=["note"])
    with pytest.raises(ValidationError):
        LedgerEntry.objects.update_or_create(
            pk=entry.pk, defaults={"amount": Decimal("1.00")}
        )
    assert LedgerEntry.objects.values_list("amount", "note").get() == (
        Decimal("10.00"),
        "Welcome",
    )


def test_an_entry_is_never_deleted(entry):
    with pytest.raises(ValidationError):
        entry.delete()
    assert LedgerEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.parametrize(
    "attempt",
    [
        lambda entry: LedgerEntry.objects.filter(pk=entry.pk).update(amount=1),
        lambda entry: LedgerEntry.objects.update(note="changed"),
        lambda entry: LedgerEntry.objects.all().delete(),
        lambda entry: LedgerEntry.objects.filter(pk=entry.pk).delete(),
        lambda entry: LedgerEntry.objects.bulk_update([entry], ["note"]),
    ],
    ids=["update", "manager update", "delete all", "delete one", "bulk_update"],
)
def test_querysets_neither_update_nor_delete(entry, attempt):
    entry.note = "changed"
    # In a savepoint: bulk_update's own atomic block leaves the transaction broken.
    with pytest.raises(ValidationError), transaction.atomic():
        attempt(entry)
    assert LedgerEntry.objects.values_list("amount", "note").get() == (
        Decimal("10.00"),
        "Welcome",
    )


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE affiliates_ledgerentry SET amount = 99 WHERE id = %s",
        "UPDATE affiliates_ledgerentry SET note = 'changed' WHERE id = %s",
    ],
)
def test_the_database_refuses_to_update_an_entry(entry, sql):
    with pytest.raises(DatabaseError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])
    assert LedgerEntry.objects.values_list("amount", "note").get() == (
        Decimal("10.00"),
        "Welcome",
    )


def test_the_database_refuses_even_when_the_model_is_fooled(entry):
    # An instance that claims to be new passes the model's check; the UPDATE that
    # Django then sends for its primary key meets the trigger.
    entry._state.adding = True
    entry.amount = Decimal("99.00")
    with pytest.raises(DatabaseError), transaction.atomic():
        entry.save()
    assert LedgerEntry.objects.get(pk=entry.pk).amount == Decimal("10.00")


@pytest.mark.parametrize(
    ("amount", "currency"), [("1.005", "CNY"), ("1.5", "JPY"), ("0.0001", "BHD")]
)
def test_an_entry_has_no_more_decimals_than_its_currency(creator, amount, currency):
    entry = LedgerEntry(
        creator=creator,
        kind=EntryKind.ADJUSTMENT,
        status=EntryStatus.APPROVED,
        amount=Decimal(amount),
        currency=currency,
    )
    with pytest.raises(ValidationError):
        entry.save()
    assert not LedgerEntry.objects.exists()


def test_the_database_refuses_a_zero_entry(creator):
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.bulk_create(
            [
                LedgerEntry(
                    creator=creator,
                    kind=EntryKind.ADJUSTMENT,
                    status=EntryStatus.APPROVED,
                    amount=Decimal(0),
                    currency="CNY",
                )
            ]
        )


# -- Approval ---------------------------------------------------------------------------


def test_approval_waits_for_the_hold_period_and_moves_once(shop, member_link):
    conversion = sold(shop, member_link)
    # The merchant's own approval does not shorten the hold period.
    report(shop, click_id=click(member_link), at=CLICKED, status="approved")
    assert conversion.hold_until == HOLD_ENDS

    assert commissions_approve(now=HOLD_ENDS - SECOND) == 0
    assert not LedgerEntry.objects.filter(status=EntryStatus.APPROVED).exists()
    assert commissions_approve(now=HOLD_ENDS) == 2  # the author's and the platform's
    written = LedgerEntry.objects.count()
    assert commissions_approve(now=HOLD_ENDS + 365 * DAY) == 0
    assert LedgerEntry.objects.count() == written
    assert balances(member_link.author) == {("CNY", "approved"): Decimal("48.00")}
    assert {item.status for item in items_current(conversion=conversion)} == {
        EntryStatus.APPROVED
    }


def test_each_merchant_has_its_own_hold_period(shop, member_link):
    quick = MerchantFactory(hold_period_days=0)
    quick_link = TrackedLinkFactory(author=member_link.author, offer__merchant=quick)
    sold(shop, member_link)
    sold(quick, quick_link)
    assert commissions_approve(now=CLICKED) == 2
    assert balances(member_link.author) == {
        ("CNY", "approved"): Decimal("48.00"),
        ("CNY", "pending"): Decimal("48.00"),
    }


def test_approve_commissions_command_as_of_a_time(shop, member_link):
    sold(shop, member_link)
    out = StringIO()
    # One second before the hold ends, written in Beijing time.
    call_command(
        "approve_commissions", "--as-of", "2026-12-01T19:59:59+08:00", stdout=out
    )
    assert "Approved 0 commission items." in out.getvalue()
    call_command("approve_commissions", "--as-of", "2026-12-01T12:00:00Z", stdout=out)
    assert "Approved 2 commission items." in out.getvalue()
    call_command("approve_commissions", "--as-of", "2027-06-01T00:00:00Z", stdout=out)
    assert out.getvalue().count("Approved 0 commission items.") == 2


def test_approve_commissions_command_defaults_to_now(shop, member_link):
    now = timezone.now()
    for order_id, days_ago in (("OLD", 31), ("NEW", 1)):
        at = now - days_ago * DAY
        report(shop, order_id=order_id, click_id=click(member_link, at=at), at=at)
    out = StringIO()
    call_command("approve_commissions", stdout=out)
    assert out.getvalue().strip() == "Approved 2 commission items."
    assert balances(member_link.author) == {
        ("CNY", "approved"): Decimal("48.00"),
        ("CNY", "pending"): Decimal("48.00"),
    }


@pytest.mark.parametrize("as_of", ["tomorrow", "2026-12-01T12:00:00", "2026-13-01"])
def test_approve_commissions_command_refuses_a_bad_time(shop, member_link, as_of):
    sold(shop, member_link)
    with pytest.raises(CommandError, match="--as-of"):
        call_command("approve_commissions", "--as-of", as_of)
    assert not LedgerEntry.objects.filter(status=EntryStatus.APPROVED).exists()


# -- Refunds ----------------------------------------------------------------------------


def test_a_refund_while_pending_takes_the_money_back_where_it_is(shop, member_link):
    conversion = sold(shop, member_link)
    refund(shop, member_link)
    assert balances(member_link.author) == {}
    assert sum(conversion.entries.values_list("amount", flat=True)) == 0
    assert set(
        conversion.entries.filter(kind=EntryKind.REVERSAL).values_list(
            "status", flat=True
        )
    ) == {EntryStatus.PENDING}
    assert commissions_approve(now=HOLD_ENDS) == 0


def test_a_refund_after_approval_reverses_the_approved_items(shop, member_link):
    conversion = sold(shop, member_link)
    commissions_approve(now=HOLD_ENDS)
    refund(shop, member_link)
    reversals = conversion.entries.filter(kind=EntryKind.REVERSAL)
    assert set(reversals.values_list("status", flat=True)) == {EntryStatus.APPROVED}
    assert sorted(reversals.values_list("amount", flat=True)) == [
        Decimal("-48.00"),
        Decimal("-32.00"),
    ]
    assert balances(member_link.author) == {}
    assert items_current(conversion=conversion) == []
    settings_change(payout_minimums="CNY 0")
    with pytest.raises(LedgerError):
        payout_run_create(run_date=RUN_DATE)


def test_a_refund_after_payment_is_carried_into_the_next_payout(shop, member_link):
    author = member_link.author
    first = sold(shop, member_link, order_id="FIRST", amount="5000.00")  # 240.00
    commissions_approve(now=HOLD_ENDS)
    first_payout = payout_run_create(run_date=RUN_DATE).payouts.get()
    assert first_payout.amount == Decimal("240.00")
    payout_decide(payout=first_payout, paid=True)

    refund(shop, member_link, order_id="FIRST", amount="5000.00")
    author_item = first.entries.get(kind=EntryKind.AUTHOR, origin__isnull=True)
    debt = LedgerEntry.objects.get(reverses=author_item)
    assert (debt.kind, debt.status, debt.amount, debt.origin) == (
        EntryKind.REVERSAL,
        EntryStatus.APPROVED,
        Decimal("-240.00"),
        None,
    )
    assert balances(author) == {
        ("CNY", "approved"): Decimal("-240.00"),
        ("CNY", "paid"): Decimal("240.00"),
    }
    assert sum(first.entries.values_list("amount", flat=True)) == 0
    with pytest.raises(LedgerError):  # a negative balance is nobody's payout
        payout_run_create(run_date=RUN_DATE)

    sold(shop, member_link, order_id="SECOND", amount="10000.00", at=CLICKED + DAY)
    commissions_approve(now=HOLD_ENDS + DAY)
    second_payout = payout_run_create(run_date=RUN_DATE).payouts.get()
    assert second_payout.amount == Decimal("240.00")  # 480.00 earned, 240.00 owed
    assert debt.pk in {item.entry.pk for item in items_current(payout=second_payout)}
    payout_decide(payout=second_payout, paid=True)
    assert balances(author) == {("CNY", "paid"): Decimal("480.00")}


def test_a_refund_during_a_payout_that_then_fails(shop, member_link):
    author = member_link.author
    sold(shop, member_link, amount="5000.00")
    commissions_approve(now=HOLD_ENDS)
    payout = payout_run_create(run_date=RUN_DATE).payouts.get()
    refund(shop, member_link, amount="5000.00")
    assert balances(author) == {
        ("CNY", "approved"): Decimal("-240.00"),
        ("CNY", "processing"): Decimal("240.00"),
    }
    payout_decide(payout=payout, paid=False)
    assert balances(author) == {}
    with pytest.raises(LedgerError):
        payout_run_create(run_date=RUN_DATE)


# -- Payouts ----------------------------------------------------------------------------


def test_payouts_reach_the_minimum_of_their_currency(creator, other_creator):
    adjust(creator, "99.99")
    adjust(other_creator, "9.99", "USD")
    with pytest.raises(LedgerError):
        payout_run_create(run_date=RUN_DATE)
    assert not PayoutRun.objects.exists()

    adjust(creator, "0.01")
    adjust(other_creator, "1", "JPY")  # no minimum for yen: any positive balance
    run = payout_run_create(run_date=RUN_DATE)
    assert sorted(run.payouts.values_list("creator", "currency", "amount")) == sorted(
        [
            (creator.pk, "CNY", Decimal("100.00")),
            (other_creator.pk, "JPY", Decimal("1")),
        ]
    )
    assert balances(creator) == {("CNY", "processing"): Decimal("100.00")}
    assert balances(other_creator) == {
        ("JPY", "processing"): Decimal("1"),
        ("USD", "approved"): Decimal("9.99"),
    }


def test_a_creator_in_an_open_payout_waits_for_the_next_run(creator, other_creator):
    adjust(creator, "150.00")
    first = payout_run_create(run_date=RUN_DATE).payouts.get()
    adjust(creator, "200.00")
    adjust(creator, "20.00", "USD")
    adjust(other_creator, "120.00")

    second = payout_run_create(run_date=RUN_DATE)
    assert list(second.payouts.values_list("creator", "amount")) == [
        (other_creator.pk, Decimal("120.00"))
    ]
    assert balances(creator) == {
        ("CNY", "approved"): Decimal("200.00"),
        ("CNY", "processing"): Decimal("150.00"),
        ("USD", "approved"): Decimal("20.00"),
    }
    payout_decide(payout=first, paid=True)
    third = payout_run_create(run_date=RUN_DATE)
    assert sorted(third.payouts.values_list("creator", "currency", "amount")) == [
        (creator.pk, "CNY", Decimal("200.00")),
        (creator.pk, "USD", Decimal("20.00")),
    ]


def test_a_failed_payout_returns_its_items_to_approved(creator):
    adjust(creator, "150.00")
    payout = payout_run_create(run_date=RUN_DATE).payouts.get()
    payout = payout_decide(payout=payout, paid=False)
    assert payout.status == PayoutStatus.FAILED
    assert payout.decided_at is not None
    assert balances(creator) == {("CNY", "approved"): Decimal("150.00")}
    with pytest.raises(LedgerError):
        payout_decide(payout=payout, paid=True)

    again = payout_run_create(run_date=RUN_DATE).payouts.get()
    assert again.amount == Decimal("150.00")
    payout_decide(payout=again, paid=True)
    assert balances(creator) == {("CNY", "paid"): Decimal("150.00")}


def test_a_paid_payout_is_final(creator, editor):
    adjust(creator, "150.00")
    payout = payout_run_create(run_date=RUN_DATE, user=editor).payouts.get()
    payout = payout_decide(payout=payout, paid=True, user=editor)
    assert (payout.status, payout.decided_by) == (PayoutStatus.PAID, editor)
    assert balances(creator) == {("CNY", "paid"): Decimal("150.00")}
    written = LedgerEntry.objects.count()
    for paid in (True, False):
        with pytest.raises(LedgerError):
            payout_decide(payout=payout, paid=paid)
    assert LedgerEntry.objects.count() == written
    with pytest.raises(LedgerError):
        payout_run_create(run_date=RUN_DATE)


def test_a_run_is_decided_at_once(creator, other_creator):
    adjust(creator, "150.00")
    adjust(other_creator, "150.00")
    run = payout_run_create(run_date=RUN_DATE)
    assert payout_run_decide(run=run, paid=True) == 2
    assert set(run.payouts.values_list("status", flat=True)) == {PayoutStatus.PAID}
    assert payout_run_decide(run=run, paid=False) == 0


def test_commissions_and_adjustments_are_paid_together(shop, member_link):
    author = member_link.author
    sold(shop, member_link, amount="2000.00")  # 96.00
    commissions_approve(now=HOLD_ENDS)
    with pytest.raises(LedgerError):
        payout_run_create(run_date=RUN_DATE)
    adjust(author, "4.00")
    payout = payout_run_create(run_date=RUN_DATE).payouts.get()
    assert payout.amount == Decimal("100.00")
    assert len(items_current(payout=payout, status=EntryStatus.PROCESSING)) == 2
    # The platform's own share never goes into a payout.
    assert not Payout.objects.filter(creator__isnull=True).exists()
    assert LedgerEntry.objects.filter(
        creator__isnull=True, status=EntryStatus.APPROVED
    ).exists()


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent writers need a server database (SQLite in memory locks tables)",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_runs_at_once_pay_each_creator_once(creator, other_creator):
    adjust(creator, "150.00")
    adjust(other_creator, "120.00")
    outcomes = []
    barrier = threading.Barrier(4)

    def run():
        barrier.wait()
        try:
            payout_run_create(run_date=RUN_DATE)
            outcomes.append("run")
        except LedgerError:
            outcomes.append("nobody due")
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["nobody due"] * 3 + ["run"]
    assert sorted(Payout.objects.values_list("creator", "amount")) == sorted(
        [(creator.pk, Decimal("150.00")), (other_creator.pk, Decimal("120.00"))]
    )
    assert balances(creator) == {("CNY", "processing"): Decimal("150.00")}
    assert balances(other_creator) == {("CNY", "processing"): Decimal("120.00")}


# -- Balances ---------------------------------------------------------------------------


def test_balances_are_the_sums_of_entries(shop, member_link):
    author = member_link.author
    sold(shop, member_link, amount="2000.00")
    commissions_approve(now=HOLD_ENDS)
    adjust(author, "4.00")
    assert ledger_balances(creator=author) == [
        {"currency": "CNY", "status": "approved", "amount": Decimal("100.00")}
    ]
    payout_run_create(run_date=RUN_DATE)
    assert ledger_balances(creator=author) == [
        {"currency": "CNY", "status": "processing", "amount": Decimal("100.00")}
    ]


def test_a_balance_that_nets_to_zero_is_not_shown(creator):
    adjust(creator, "99.99")
    adjust(creator, "0.01")
    payout_run_create(run_date=RUN_DATE)
    assert ledger_balances(creator=creator) == [
        {"currency": "CNY", "status": "processing", "amount": Decimal("100.00")}
    ]


# -- Adjustments ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "currency", "note"),
    [
        ("10.00", "CNY", ""),
        ("10.00", "CNY", "   "),
        ("0", "CNY", "Nothing"),
        ("0.001", "CNY", "Too precise"),
        ("0.5", "JPY", "Half a yen"),
        ("10.00", "XYZ", "Not a currency"),
        ("10.00", "cny", "Not a code as written"),
    ],
)
def test_ledger_adjust_refuses(creator, amount, currency, note):
    with pytest.raises(LedgerError):
        ledger_adjust(
            creator=creator, amount=Decimal(amount), currency=currency, note=note
        )
    assert not LedgerEntry.objects.exists()


def test_ledger_adjust_appends_an_approved_item_either_way(creator, editor):
    bonus = ledger_adjust(
        creator=creator,
        amount=Decimal("150.00"),
        currency="CNY",
        note="  Launch bonus ",
        user=editor,
    )
    ledger_adjust(
        creator=creator, amount=Decimal("-30.00"), currency="CNY", note="Overpaid"
    )
    assert (bonus.kind, bonus.status, bonus.note, bonus.created_by) == (
        EntryKind.ADJUSTMENT,
        EntryStatus.APPROVED,
        "Launch bonus",
        editor,
    )
    assert balances(creator) == {("CNY", "approved"): Decimal("120.00")}
    assert payout_run_create(run_date=RUN_DATE).payouts.get().amount == Decimal(
        "120.00"
    )
