"""The click journal: workers append clicks, one writer process writes them."""

import datetime
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import OperationalError, connection
from django.test import override_settings

from affiliates.commissions.services.conversions import clicks_store_settling
from affiliates.models import Click
from affiliates.tracking.clicks import PendingClick, hour_of
from affiliates.tracking.journal import (
    CHECKPOINT,
    SEGMENT_SUFFIX,
    click_decode,
    click_encode,
)
from affiliates.tracking.runtime import tracking_runtime
from affiliates.tracking.writer import JournalWriter, click_journal_backlog_bytes
from tests.affiliates.conftest import flush
from tests.affiliates.tracking.test_views import READER_IP, go

# The writer runs in a thread or a process of its own, with its own connection: the
# clicks it writes must be committed for it, and visible to the test.
committed = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def journal_on(directory):
    return override_settings(
        ZHONGCAO_CLICK_JOURNAL=True, ZHONGCAO_CLICK_JOURNAL_DIR=directory
    )


def journal_lines(directory: Path) -> list[bytes]:
    return [
        line
        for path in sorted(directory.glob(f"*{SEGMENT_SUFFIX}"))
        for line in path.read_bytes().splitlines()
    ]


def wait_until(condition, seconds=20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


class WriterThread:
    """The writer's loop (JournalWriter.run, as `manage.py write_clicks` runs it) in
    a thread, reading the real journal files and writing the test database."""

    def __init__(self, directory):
        self.stop_read, self.stop_write = os.pipe()
        self.written: list[int] = []
        self.thread = threading.Thread(target=self._run, args=(directory,))

    def _run(self, directory):
        try:
            self.written.append(
                JournalWriter(directory, store=clicks_store_settling).run(
                    interval=0.05, stop_fds=[self.stop_read]
                )
            )
        finally:
            connection.close()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        os.write(self.stop_write, b"x")
        self.thread.join(timeout=60)
        os.close(self.stop_read)
        os.close(self.stop_write)


@pytest.mark.slow
@committed
def test_clicks_reach_the_database_through_the_journal_and_the_writer(
    client, link, tmp_path
):
    with journal_on(tmp_path), WriterThread(tmp_path) as writer:
        for _ in range(5):
            assert go(client, link).status_code == 302
        assert go(client, link, method="head").status_code == 302
        # Handed over, not kept by the request process.
        assert len(tracking_runtime().click_buffer) == 0
        assert wait_until(lambda: Click.objects.count() == 6)
        late = go(client, link, **{"Sec-GPC": "1"})
    # Appended just before the stop: written before the writer exits.
    assert writer.written == [7]
    clicks = Click.objects.all()
    assert clicks.count() == 7
    assert clicks.filter(is_billable=True).count() == 2  # the first, and the GPC one
    assert clicks.filter(is_duplicate=True).count() == 4
    assert clicks.filter(is_bot=True).count() == 1
    gpc = clicks.get(click_id=late["Location"].split("subid=")[1])
    # Hashed with the hour's salt, not the day's: not the reader's other clicks.
    assert gpc.visitor_hash
    assert not clicks.filter(visitor_hash=gpc.visitor_hash).exclude(pk=gpc.pk)
    for click in clicks:  # no raw IP on the way either
        assert READER_IP not in str(click.__dict__)
    assert not any(READER_IP.encode() in line for line in journal_lines(tmp_path))


@pytest.mark.django_db
def test_clicks_wait_in_the_journal_while_no_writer_runs(client, link, tmp_path):
    with journal_on(tmp_path):
        for _ in range(3):
            go(client, link)
    assert not Click.objects.exists()
    assert len(journal_lines(tmp_path)) == 3
    assert JournalWriter(tmp_path, store=clicks_store_settling).write() == 3
    assert Click.objects.count() == 3
    assert Click.objects.filter(is_billable=True).count() == 1


@pytest.mark.django_db
def test_a_writer_that_dies_before_its_checkpoint_writes_nothing_twice(
    client, link, tmp_path
):
    with journal_on(tmp_path):
        for _ in range(3):
            go(client, link)
    assert JournalWriter(tmp_path, store=clicks_store_settling).write() == 3
    (tmp_path / CHECKPOINT).unlink()  # as if the writer died just after committing
    assert (
        JournalWriter(tmp_path, store=clicks_store_settling).write() == 3
    )  # read again...
    assert Click.objects.count() == 3  # ...written once
    assert Click.objects.filter(is_billable=True).count() == 1
    assert (
        JournalWriter(tmp_path, store=clicks_store_settling).write() == 0
    )  # the checkpoint moved on


@pytest.mark.django_db
def test_a_failing_database_keeps_the_clicks_in_the_journal(client, link, tmp_path):
    with journal_on(tmp_path):
        for _ in range(2):
            go(client, link)
    writer = JournalWriter(tmp_path, store=clicks_store_settling)

    def refuse_clicks(execute, sql, params, many, context):
        if Click._meta.db_table in sql:
            raise OperationalError("database is locked")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(refuse_clicks), pytest.raises(OperationalError):
        writer.write()
    assert not Click.objects.exists()
    assert writer.pending_bytes() > 0
    assert writer.write() == 2
    assert writer.pending_bytes() == 0
    assert Click.objects.count() == 2


@pytest.mark.django_db
def test_the_backlog_another_process_reads_follows_the_writers_checkpoint(
    client, link, tmp_path
):
    """What /readyz and /metrics read: the journal less what the writer recorded as
    written, without touching the writer's files."""
    assert click_journal_backlog_bytes(tmp_path / "not-yet-made") == 0
    assert not (tmp_path / "not-yet-made").exists()
    with journal_on(tmp_path):
        for _ in range(2):
            go(client, link)
    appended = sum(len(line) + 1 for line in journal_lines(tmp_path))
    assert click_journal_backlog_bytes(tmp_path) == appended > 0
    writer = JournalWriter(tmp_path, store=clicks_store_settling)
    assert writer.write() == 2
    assert click_journal_backlog_bytes(tmp_path) == 0
    with journal_on(tmp_path):
        go(client, link)
    assert click_journal_backlog_bytes(tmp_path) == writer.pending_bytes() > 0
    (tmp_path / CHECKPOINT).write_text("not json")  # unreadable: all of it counts
    assert click_journal_backlog_bytes(tmp_path) == sum(
        len(line) + 1 for line in journal_lines(tmp_path)
    )


@pytest.mark.django_db
def test_an_unwritable_journal_leaves_the_click_in_the_process(client, link, tmp_path):
    (tmp_path / "a-file").write_text("")
    with journal_on(tmp_path / "a-file" / "journal"):
        assert go(client, link).status_code == 302
    assert len(tracking_runtime().click_buffer) == 1
    assert flush() == 1
    assert Click.objects.count() == 1


@pytest.mark.django_db
def test_without_the_journal_setting_clicks_stay_in_the_process(client, link, tmp_path):
    """runserver and the tests: no writer process, the in-process buffer."""
    assert settings.ZHONGCAO_CLICK_JOURNAL is False
    go(client, link)
    assert len(tracking_runtime().click_buffer) == 1


def click(**changes) -> PendingClick:
    values = {
        "click_id": "c" * 32,
        "link_id": 1,
        "offer_id": None,
        "clicked_at": datetime.datetime(2026, 11, 22, 8, 1, 2, 345678, datetime.UTC),
        "visitor_hash": "h" * 64,
        "user_agent": 'Mozilla/5.0 "quoted"\t["tab"]\n 微信 \\',
        "referrer": 'https://example.com/?a=1&b=["x"]',
        "is_bot": False,
        "is_preview": True,
    }
    return PendingClick(**{**values, **changes})


def test_a_click_survives_its_journal_line_unchanged():
    line = click_encode(click())
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert click_decode(line.rstrip(b"\n")) == click()
    assert click_decode(click_encode(click(offer_id=7))) == click(offer_id=7)
    # a bot left for the writer to decide stays undecided through the journal
    assert click_decode(click_encode(click(is_bot=None))) == click(is_bot=None)
    assert click_decode(click_encode(click(is_bot=True))) == click(is_bot=True)
    with pytest.raises(ValueError):
        click_decode(b'["too short"]')


@pytest.mark.django_db
def test_a_fragment_of_a_short_write_costs_only_itself(link, tmp_path):
    whole = click_encode(click(link_id=link.pk, click_id="a" * 32))
    fragment = click_encode(click(link_id=link.pk, click_id="b" * 32))[:50]
    after = click_encode(click(link_id=link.pk, click_id="d" * 32))
    name = f"{int(time.time()) // 10 * 10}{SEGMENT_SUFFIX}"
    (tmp_path / name).write_bytes(whole + fragment + after)
    assert JournalWriter(tmp_path, store=clicks_store_settling).write() == 2
    assert set(Click.objects.values_list("click_id", flat=True)) == {
        "a" * 32,
        "d" * 32,
    }


@pytest.mark.django_db
def test_written_segments_are_deleted_once_long_finished(link, tmp_path):
    old = tmp_path / f"1000000000{SEGMENT_SUFFIX}"
    old.write_bytes(click_encode(click(link_id=link.pk)))
    current = tmp_path / f"{int(time.time()) // 10 * 10}{SEGMENT_SUFFIX}"
    current.write_bytes(click_encode(click(link_id=link.pk, click_id="e" * 32)))
    assert JournalWriter(tmp_path, store=clicks_store_settling).write() == 2
    assert not old.exists()
    assert current.exists()  # workers may still append to it
    assert JournalWriter(tmp_path, store=clicks_store_settling).write() == 0


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


@pytest.mark.slow
@committed
def test_the_writer_process_writes_clicks_and_the_last_ones_when_the_server_stops(
    client, link, tmp_path
):
    """`manage.py write_clicks --lifeline-fd`, as gunicorn.conf.py starts it: it
    writes clicks as they come, and once every holder of the lifeline is gone
    (the server's master and workers), whatever was appended last."""
    if connection.vendor != "postgresql":
        pytest.skip("a second process cannot open the in-memory SQLite test database")
    lifeline_read, lifeline_write = os.pipe()
    writer = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            str(Path(settings.BASE_DIR) / "manage.py"),
            "write_clicks",
            "--lifeline-fd",
            str(lifeline_read),
        ],
        pass_fds=(lifeline_read,),
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "zhongcao.settings.test",
            "DATABASE_URL": _database_url(),
            "ZHONGCAO_CLICK_JOURNAL_DIR": str(tmp_path),
        },
    )
    os.close(lifeline_read)
    try:
        with journal_on(tmp_path):
            go(client, link)
            assert wait_until(lambda: Click.objects.count() == 1, seconds=60)
            writer.send_signal(15)  # SIGTERM is the server's to handle: ignored
            for _ in range(4):
                go(client, link)
    finally:
        os.close(lifeline_write)
        assert writer.wait(timeout=60) == 0
    assert Click.objects.count() == 5
    # One reader: one billable click per clock hour (seconds pass between the
    # first click and the others, which may cross the turn of an hour).
    hours = {hour_of(at) for at in Click.objects.values_list("clicked_at", flat=True)}
    assert Click.objects.filter(is_billable=True).count() == len(hours)
