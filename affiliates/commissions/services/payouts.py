"""Payout runs: who is paid what, and the outcome the bank reports."""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from affiliates.commissions.services.ledger import (
    LedgerError,
    items_current,
    items_move,
    ledger_lock,
)
from affiliates.models import (
    CommissionSettings,
    EntryKind,
    EntryStatus,
    Payout,
    PayoutRun,
    PayoutStatus,
)


def payout_run_create(*, run_date: datetime.date, user=None) -> PayoutRun:
    """Pay every creator whose approved balance in a currency reaches the minimum.

    Each payout takes the approved items behind that balance (negative ones, carried
    from refunds after an earlier payment, included). A creator who is in an open
    payout is left for a later run. Raises LedgerError if nobody is due.
    """
    settings = CommissionSettings.load()
    with transaction.atomic():
        ledger_lock()
        busy = set(
            Payout.objects.filter(status=PayoutStatus.OPEN).values_list(
                "creator_id", flat=True
            )
        )
        by_account = defaultdict(list)
        for item in items_current(status=EntryStatus.APPROVED, creator__isnull=False):
            if item.entry.creator_id not in busy:
                by_account[(item.entry.creator_id, item.entry.currency)].append(item)
        due = {}
        for (creator_id, currency), items in by_account.items():
            balance = sum((item.amount for item in items), Decimal(0))
            if balance > 0 and balance >= settings.minimum_for(currency):
                due[(creator_id, currency)] = (balance, items)
        if not due:
            raise LedgerError(
                _("No creator's approved balance reaches the payout minimum.")
            )
        run = PayoutRun.objects.create(run_date=run_date, created_by=user)
        for (creator_id, currency), (balance, items) in sorted(due.items()):
            payout = Payout.objects.create(
                run=run, creator_id=creator_id, currency=currency, amount=balance
            )
            items_move(
                items=items,
                to_status=EntryStatus.PROCESSING,
                kind=EntryKind.PAYOUT,
                payout=payout,
                user=user,
            )
        return run


def payout_decide(*, payout: Payout, paid: bool, user=None) -> Payout:
    """Mark an open payout paid (its items become paid) or failed (they return to
    approved, to be taken by the next run)."""
    with transaction.atomic():
        ledger_lock()
        payout = Payout.objects.select_for_update().get(pk=payout.pk)
        if payout.status != PayoutStatus.OPEN:
            raise LedgerError(
                _("This payout is already %(status)s.")
                % {"status": payout.get_status_display().lower()}
            )
        items = items_current(payout=payout, status=EntryStatus.PROCESSING)
        items_move(
            items=items,
            to_status=EntryStatus.PAID if paid else EntryStatus.APPROVED,
            kind=EntryKind.PAYOUT,
            payout=payout,
            user=user,
        )
        payout.status = PayoutStatus.PAID if paid else PayoutStatus.FAILED
        payout.decided_at = timezone.now()
        payout.decided_by = user
        payout.save(update_fields=["status", "decided_at", "decided_by"])
        return payout


def payout_run_decide(*, run: PayoutRun, paid: bool, user=None) -> int:
    """Mark every open payout of a run paid (or failed)."""
    with transaction.atomic():
        ledger_lock()  # read the open payouts only once no one else decides one
        payouts = list(run.payouts.filter(status=PayoutStatus.OPEN))
        for payout in payouts:
            payout_decide(payout=payout, paid=paid, user=user)
    return len(payouts)
