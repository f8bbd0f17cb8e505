"""Advisory locks: named in one module, each with its reason, no two sharing a
number, and taken nowhere else."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.transaction import TransactionManagementError

from products import locks
from products.locks import (
    ADVISORY_LOCKS,
    LEDGER,
    ROLLUPS,
    AdvisoryLock,
    advisory_lock_hold,
    advisory_locks_check,
)

SOURCE_FOLDERS = ("products", "affiliates", "content", "site")


def test_every_lock_has_a_number_of_its_own_a_name_and_a_reason():
    assert {LEDGER, ROLLUPS} <= set(ADVISORY_LOCKS)
    assert len({lock.key for lock in ADVISORY_LOCKS}) == len(ADVISORY_LOCKS)
    for lock in ADVISORY_LOCKS:
        assert lock.name and len(lock.reason) > 40, lock
    # The ledger and the rollups once shared a number: every rollup refresh held up
    # every ledger write.
    assert LEDGER.key != ROLLUPS.key


def test_two_locks_with_one_number_are_refused():
    twin = AdvisoryLock(key=LEDGER.key, name="twin", reason="Shares the ledger's.")
    with pytest.raises(ImproperlyConfigured, match="'ledger' and 'twin' share"):
        advisory_locks_check(locks=(*ADVISORY_LOCKS, twin))
    with pytest.raises(ImproperlyConfigured, match="needs a name and a reason"):
        advisory_locks_check(locks=(AdvisoryLock(key=1, name="nameless", reason=""),))


def test_advisory_locks_are_taken_only_through_products_locks():
    """No other module names an advisory lock function (or picks a number)."""
    root = Path(settings.BASE_DIR)
    own = Path(locks.__file__).resolve()
    elsewhere = [
        str(path.relative_to(root))
        for folder in SOURCE_FOLDERS
        for path in (root / folder).rglob("*.py")
        if path.resolve() != own and "pg_advisory" in path.read_text(encoding="utf-8")
    ]
    assert elsewhere == []


def test_a_lock_is_taken_inside_a_transaction_only():
    """Outside one, a transaction-level lock would be let go as soon as taken."""
    with pytest.raises(TransactionManagementError, match="ledger lock"):
        advisory_lock_hold(lock=LEDGER)
