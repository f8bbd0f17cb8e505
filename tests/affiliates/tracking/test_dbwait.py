"""The bound on how long a query of this thread waits for the database."""

import pytest
from django.db import connection

from affiliates.tracking.dbwait import database_waits_bounded

pytestmark = pytest.mark.django_db


def _wait_setting() -> str:
    """The connection's own limit: statement_timeout, or SQLite's busy timeout."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW statement_timeout")
        else:
            cursor.execute("PRAGMA busy_timeout")
        return str(cursor.fetchone()[0])


def test_the_bound_holds_inside_the_block_and_is_undone_after_it():
    usual = _wait_setting()
    with database_waits_bounded(seconds=0.25):
        assert _wait_setting() in {"250ms", "250"}
    # The connection serves other code afterwards, with its usual patience.
    assert _wait_setting() == usual


def test_a_failing_block_leaves_the_usual_bound_too():
    usual = _wait_setting()
    with pytest.raises(ZeroDivisionError), database_waits_bounded(seconds=0.25):
        1 / 0  # noqa: B018
    assert _wait_setting() == usual
