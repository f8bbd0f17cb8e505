"""Running the product's own processes (a worker, a scheduler) against the test
database: the database moved to a file on SQLite, its URL for another process, and
manage.py started with it."""

import os
import sqlite3
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection


@contextmanager
def sqlite_on_a_file(directory: Path):
    """SQLite only: the test database, moved to a file in WAL mode as in production
    (the in-memory test database cannot be locked by another connection as a file
    is, nor opened by another process); moved back afterwards."""
    if connection.vendor != "sqlite":
        yield None
        return
    memory = connection.connection
    path = directory / "db.sqlite3"
    copy = sqlite3.connect(path)
    memory.backup(copy)
    copy.execute("PRAGMA journal_mode=WAL")
    copy.close()
    shared = connection.settings_dict
    connection.connection = None
    connection.settings_dict = {**shared, "NAME": str(path)}
    try:
        yield path
    finally:
        connection.close()
        connection.settings_dict = shared
        connection.connection = memory


def database_url() -> str:
    """The URL of the database the test's connection uses (after sqlite_on_a_file on
    SQLite), for DATABASE_URL of another process."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


def manage_start(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    """`manage.py ARGS` in a process of its own, on the test's database with the
    test settings (unless ``env`` names others), its output (stdout and stderr
    together) as text."""
    return subprocess.Popen(  # noqa: S603 (our own manage.py, fixed arguments)
        [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), *args],
        cwd=settings.BASE_DIR,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "zhongcao.settings.test",
            "DATABASE_URL": database_url(),
            # Each line as it is written, not when the process ends.
            "PYTHONUNBUFFERED": "1",
            **(env or {}),
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
