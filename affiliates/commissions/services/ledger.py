"""Writes to the append-only ledger: earning, moving, reversing and adjusting.

Every function here appends entries; none changes or deletes one. All of them run
under ``ledger_lock`` (inside the caller's transaction), so two writers never move
the same item at once: on PostgreSQL the LEDGER advisory lock (products.locks), on
SQLite the database's own write lock (transactions there begin IMMEDIATE).
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from affiliates.commissions.selectors import item_positions
from affiliates.models import (
    Conversion,
    ConversionStatus,
    CreatorProfile,
    EntryKind,
    EntryStatus,
    LedgerEntry,
    Payout,
)
from affiliates.models.money import EARNING_KINDS
from products.currencies import in_minor_units, is_active_currency
from products.locks import LEDGER, advisory_lock_hold


class LedgerError(Exception):
    """A ledger operation that the rules forbid."""


def ledger_lock() -> None:
    """Serialize ledger writers until the current transaction ends (inside
    ``transaction.atomic()``; products.locks.LEDGER says why)."""
    advisory_lock_hold(lock=LEDGER)


@dataclass(frozen=True)
class Item:
    """An earning, owing or adjusting entry, with where its money is now."""

    entry: LedgerEntry
    status: str
    amount: Decimal


def items_current(**filters) -> list[Item]:
    """Items among the entries matching ``filters`` whose money is still somewhere,
    with the status it is in. Filters apply to every entry of an item (moves copy
    creator, conversion and currency from their item)."""
    positions = item_positions(LedgerEntry.objects.filter(**filters))
    entries = LedgerEntry.objects.in_bulk(list(positions))
    return [
        Item(entry=entries[item_id], status=status, amount=total)
        for item_id, (status, total) in positions.items()
    ]


def _entry(item: LedgerEntry, **fields) -> LedgerEntry:
    """A new entry of ``item``'s creator, conversion and currency; by default one
    that moves or cancels the item (its origin)."""
    fields.setdefault("origin_id", item.pk)
    return LedgerEntry(
        creator_id=item.creator_id,
        conversion_id=item.conversion_id,
        currency=item.currency,
        **fields,
    )


def items_move(
    *,
    items: Iterable[Item],
    to_status: str,
    kind: str,
    payout: Payout | None = None,
    user=None,
    note: str = "",
) -> int:
    """Move each item's money to ``to_status``: two entries per item."""
    entries: list[LedgerEntry] = []
    for item in items:
        common = {"kind": kind, "payout": payout, "created_by": user, "note": note}
        entries.append(
            _entry(item.entry, status=item.status, amount=-item.amount, **common)
        )
        entries.append(
            _entry(item.entry, status=to_status, amount=item.amount, **common)
        )
    LedgerEntry.objects.bulk_create(entries)
    return len(entries) // 2


def items_reverse(*, items: Iterable[Item], user=None, note: str = "") -> int:
    """Cancel each item. Money not yet in a payout is taken back where it is; money
    in a payout or paid stays paid, and a new negative item in *approved* carries
    the debt into the creator's next payout."""
    entries = []
    for item in items:
        carried = item.status in (EntryStatus.PROCESSING, EntryStatus.PAID)
        entries.append(
            _entry(
                item.entry,
                # A carried debt is an item of its own, not a move of the paid one.
                origin_id=None if carried else item.entry.pk,
                kind=EntryKind.REVERSAL,
                status=EntryStatus.APPROVED if carried else item.status,
                amount=-item.amount,
                reverses=item.entry,
                created_by=user,
                note=note,
            )
        )
    LedgerEntry.objects.bulk_create(entries)
    return len(entries)


def conversion_items_reverse(*, conversion: Conversion, user=None) -> int:
    items = [
        item
        for item in items_current(conversion=conversion)
        if item.entry.kind in EARNING_KINDS
    ]
    return items_reverse(items=items, user=user)


def commissions_approve(*, now: datetime.datetime | None = None) -> int:
    """Approve every pending item whose conversion's hold period has ended (and,
    where its connection says so, that its network reported settled).

    Safe to run at any time and any number of times: an item moves once.
    """
    now = now or timezone.now()
    with transaction.atomic():
        ledger_lock()
        items = items_current(
            status=EntryStatus.PENDING, conversion__hold_until__lte=now
        )
        # A connection that approves with the network: not before it settled.
        waiting = set(
            Conversion.objects.filter(
                pk__in={item.entry.conversion_id for item in items},
                awaits_settlement=True,
            )
            .exclude(status=ConversionStatus.APPROVED)
            .values_list("pk", flat=True)
        )
        items = [item for item in items if item.entry.conversion_id not in waiting]
        return items_move(
            items=items, to_status=EntryStatus.APPROVED, kind=EntryKind.APPROVAL
        )


def ledger_adjust(
    *,
    creator: CreatorProfile,
    amount: Decimal,
    currency: str,
    note: str,
    user=None,
) -> LedgerEntry:
    """A correction by an editor: a new approved item, positive or negative."""
    if not note.strip():
        raise LedgerError(_("Say why in the note."))
    if not is_active_currency(currency):
        raise LedgerError(
            _("%(currency)s is not an ISO 4217 currency code in use.")
            % {"currency": currency}
        )
    if amount == 0 or not in_minor_units(amount, currency):
        raise LedgerError(
            _("The amount must be non-zero, in %(currency)s's minor units.")
            % {"currency": currency}
        )
    with transaction.atomic():
        ledger_lock()
        entry = LedgerEntry(
            creator=creator,
            kind=EntryKind.ADJUSTMENT,
            status=EntryStatus.APPROVED,
            amount=amount,
            currency=currency,
            note=note.strip(),
            created_by=user,
        )
        entry.save()
        return entry
