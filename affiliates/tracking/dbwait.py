"""How long a query of this thread may wait for a locked or slow database: the one
place that bounds it, for the reader's path (the redirect's lookup of a code no
process holds, the day's visitor salt) and the background refresh of link targets.

A locked database otherwise holds a query for as long as the lock lasts: SQLite
waits out its busy timeout (20 s in the settings, for writers), and PostgreSQL waits
without end behind an ACCESS EXCLUSIVE lock (a migration, a LOCK TABLE). Inside
``database_waits_bounded(seconds=...)`` each statement of this thread gives up after
that long with an OperationalError; other threads and requests are not affected.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction

# sqlite3's own default, when the settings name no timeout.
SQLITE_DEFAULT_TIMEOUT = 5.0


@contextmanager
def database_waits_bounded(*, seconds: float) -> Iterator[None]:
    """Each statement of this thread inside the block waits at most ``seconds``
    for a lock (SQLite) or in all (PostgreSQL); a statement past it raises."""
    if connection.vendor == "postgresql":
        with _postgresql_bounded(seconds):
            yield
    elif connection.vendor == "sqlite":
        with _sqlite_bounded(seconds):
            yield
    else:
        yield


@contextmanager
def _postgresql_bounded(seconds: float) -> Iterator[None]:
    # SET LOCAL lasts until the transaction ends: the block is a transaction of its
    # own, or a savepoint in the caller's, whose own setting is put back afterwards.
    milliseconds = str(max(int(seconds * 1000), 1))
    nested = connection.in_atomic_block
    with transaction.atomic():
        with connection.cursor() as cursor:
            before = None
            if nested:
                cursor.execute("SELECT current_setting('statement_timeout')")
                before = cursor.fetchone()[0]
            cursor.execute(
                "SELECT set_config('statement_timeout', %s, true)", [milliseconds]
            )
        yield
        if before is not None:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT set_config('statement_timeout', %s, true)", [before]
                )


@contextmanager
def _sqlite_bounded(seconds: float) -> Iterator[None]:
    # The busy timeout is a property of the connection, and each thread has its own.
    # A connection opened here opens with the short timeout: opening one runs the
    # settings' init_command (journal_mode=WAL), which waits for a lock too.
    if connection.connection is None:
        shared = connection.settings_dict
        options = shared["OPTIONS"]
        before = int(float(options.get("timeout", SQLITE_DEFAULT_TIMEOUT)) * 1000)
        # This thread's connection object only: the dict itself is every thread's.
        connection.settings_dict = {
            **shared,
            "OPTIONS": {**options, "timeout": seconds},
        }
        try:
            connection.ensure_connection()
        finally:
            connection.settings_dict = shared
    else:
        before = connection.connection.execute("PRAGMA busy_timeout").fetchone()[0]
        connection.connection.execute(
            f"PRAGMA busy_timeout = {max(int(seconds * 1000), 1)}"
        )
    try:
        yield
    finally:
        if connection.connection is not None:
            connection.connection.execute(f"PRAGMA busy_timeout = {int(before)}")
