"""PostgreSQL advisory locks: every one the project takes, named here with its reason.

An advisory lock's number is shared by the whole database: two uses that happen to
pick the same number wait for each other although nothing of theirs conflicts (the
ledger and the rollups once shared one, so every rollup refresh held up every
ledger write). So each lock is declared here once, with why it exists; importing
this module fails if two share a number; and code takes a lock only through
``advisory_lock_hold``.

The locks live in ``products`` because every app may import it; they serialize work
of ``affiliates`` so far.

A transaction that takes two takes them in this order: LEDGER, then CLICK_WRITER (a
sale looks for its click's row while holding the ledger; the click writer never
takes the ledger in the transaction that holds CLICK_WRITER, but settles waiting
sales after it commits). The other order, in two transactions at once, deadlocks.

On SQLite there is nothing to take: writers there already
take turns on the database's write lock (transactions begin IMMEDIATE, see the
settings).
"""

from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.transaction import TransactionManagementError


@dataclass(frozen=True)
class AdvisoryLock:
    """A transaction-level advisory lock: its number, its name and why it exists."""

    key: int
    name: str
    reason: str


CLICK_WRITER = AdvisoryLock(
    key=727_001,
    name="click writer",
    reason=(
        "Clicks are written in batches, by every process's flush and by the journal "
        "writer. Whether a click is a duplicate (not the visitor's first on a link "
        "in its clock hour) is decided by reading back the clicks already written, "
        "so two writers deciding at once could both bill the same visitor."
    ),
)
LEDGER = AdvisoryLock(
    key=727_002,
    name="ledger",
    reason=(
        "Ledger writers (earning, approving, reversing, adjusting, paying out) read "
        "where an item's money is and append the entry that moves it; one at a time, "
        "so that no money is moved twice."
    ),
)
ROLLUPS = AdvisoryLock(
    key=727_003,
    name="rollups",
    reason=(
        "A rollup refresh deletes a day's and a month's rows and writes them anew; "
        "two at once would leave the rows of both. It reads committed rows only, and "
        "a conversion changed meanwhile is recomputed by the next refresh, so it "
        "neither waits for the ledger nor makes ledger writers wait."
    ),
)


def advisory_locks_check(*, locks: tuple[AdvisoryLock, ...]) -> None:
    """Refuse ``locks`` if two share a number or one lacks a name or a reason."""
    seen: dict[int, AdvisoryLock] = {}
    for lock in locks:
        if not (lock.name and lock.reason):
            raise ImproperlyConfigured(
                f"Advisory lock {lock.key} needs a name and a reason."
            )
        if lock.key in seen:
            raise ImproperlyConfigured(
                f"Advisory locks {seen[lock.key].name!r} and {lock.name!r} share the "
                f"number {lock.key}: each would wait for the other."
            )
        seen[lock.key] = lock


# Every lock declared above, found rather than listed, so that none can be left out.
ADVISORY_LOCKS = tuple(
    value for value in list(globals().values()) if isinstance(value, AdvisoryLock)
)
advisory_locks_check(locks=ADVISORY_LOCKS)


def advisory_lock_hold(*, lock: AdvisoryLock, using: str = DEFAULT_DB_ALIAS) -> None:
    """Wait for ``lock``, then hold it until the current transaction ends.

    Must run inside ``transaction.atomic()``: outside it the lock would be let go
    as soon as it was taken. Does nothing on SQLite (see the module's docstring).
    """
    connection = connections[using]
    if not connection.in_atomic_block:
        raise TransactionManagementError(
            f"The {lock.name} lock must be taken inside transaction.atomic()."
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock.key])
