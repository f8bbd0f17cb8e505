"""The click writer: the one process per server (`manage.py write_clicks`) that reads
the click journal (journal.py) and writes its clicks to the database
with the store it is given (commissions' clicks_store_settling: services.clicks_store,
then the sales that waited for those clicks), with a checkpoint so that a click is
written once."""

import fcntl
import json
import logging
import os
import select
import signal
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, close_old_connections, connection

from affiliates.tracking.clicks import PendingClick
from affiliates.tracking.journal import (
    CHECKPOINT,
    READ_BYTES,
    RETIRE_AFTER_SECONDS,
    SEGMENT_SECONDS,
    SEGMENT_SUFFIX,
    WRITER_LOCK,
    click_decode,
)

logger = logging.getLogger(__name__)


def _segments(directory: Path) -> list[Path]:
    return sorted(
        path for path in directory.iterdir() if path.name.endswith(SEGMENT_SUFFIX)
    )


def _checkpoint_load(directory: Path) -> dict[str, tuple[int, int]]:
    """The writer's checkpoint: segment name -> (inode, bytes written)."""
    try:
        saved = json.loads((directory / CHECKPOINT).read_text())
        return {
            name: (int(inode), int(offset)) for name, (inode, offset) in saved.items()
        }
    except FileNotFoundError:
        return {}
    except (ValueError, TypeError, AttributeError):
        # Starting over is safe: clicks already written are skipped.
        logger.warning("Click journal checkpoint unreadable; reading from the start")
        return {}


def _pending_bytes(segments: list[Path], positions: dict[str, tuple[int, int]]) -> int:
    total = 0
    for path in segments:
        try:
            status = path.stat()
        except FileNotFoundError:
            continue
        inode, offset = positions.get(path.name, (status.st_ino, 0))
        total += status.st_size - (offset if inode == status.st_ino else 0)
    return total


def click_journal_backlog_bytes(directory: Path | str) -> int:
    """How many bytes of the journal in ``directory`` the writer has not yet written
    to the database, as its last checkpoint says (a click is about 300
    bytes). Reads only: a directory that does not exist yet holds nothing. For
    health checks and metrics, from any process (the writer's own figure may be a
    batch ahead of its checkpoint). OSError if the directory cannot be read."""
    directory = Path(directory)
    try:
        segments = _segments(directory)
    except FileNotFoundError:
        return 0
    return _pending_bytes(segments, _checkpoint_load(directory))


class JournalWriter:
    """The writer process's side: write what the journal holds to the database
    with ``store`` (called as store(clicks=[...]))."""

    def __init__(self, directory: Path, *, store: Callable[..., object]) -> None:
        self.store = store
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        # segment name -> (inode, bytes written to the database)
        self.positions: dict[str, tuple[int, int]] = _checkpoint_load(self.directory)
        self.lock_file: int | None = None

    def lock(self, *, wait: bool = True) -> bool:
        """Become the only writer of this journal (another may be draining it)."""
        self.lock_file = os.open(
            self.directory / WRITER_LOCK, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600
        )
        flags = fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB)
        try:
            fcntl.flock(self.lock_file, flags)
        except BlockingIOError:
            os.close(self.lock_file)
            self.lock_file = None
            return False
        return True

    def segments(self) -> list[Path]:
        return _segments(self.directory)

    def pending_bytes(self) -> int:
        """How much of the journal is not yet in the database."""
        return _pending_bytes(self.segments(), self.positions)

    def write(self) -> int:
        """Write every complete line beyond the checkpoint; return how many clicks.

        A database error leaves the checkpoint where the last committed batch left
        it and is raised: the next call tries the same lines again.
        """
        written = 0
        for path in self.segments():
            written += self._write_segment(path)
        self._retire()
        return written

    def _write_segment(self, path: Path) -> int:
        written = 0
        try:
            handle = path.open("rb")
        except FileNotFoundError:
            return 0
        with handle:
            inode = os.fstat(handle.fileno()).st_ino
            saved_inode, offset = self.positions.get(path.name, (inode, 0))
            if saved_inode != inode:  # a new file under an old name
                offset = 0
            while True:
                handle.seek(offset)
                data = handle.read(READ_BYTES)
                end = data.rfind(b"\n") + 1
                if not end:
                    return written
                clicks = self._decode(data[:end], path.name, offset)
                self._store(clicks)
                offset += end
                self.positions[path.name] = (inode, offset)
                self._save()
                written += len(clicks)

    @staticmethod
    def _decode(data: bytes, name: str, offset: int) -> list[PendingClick]:
        clicks = []
        for line in data.splitlines():
            try:
                clicks.append(click_decode(line))
            except ValueError:
                # A fragment of a short write glued to the next line: keep the line.
                start = line.rfind(b'["')
                try:
                    clicks.append(click_decode(line[start:]))
                    logger.error(
                        "Click journal %s@%d: a fragment skipped", name, offset
                    )
                except ValueError:
                    logger.error("Click journal %s@%d: %r skipped", name, offset, line)
        return clicks

    def _store(self, clicks: list[PendingClick]) -> None:
        try:
            self.store(clicks=clicks)
        except IntegrityError:
            # One click the database refuses (its link deleted meanwhile) must not
            # hold back the others forever: write them one by one, skip it.
            for click in clicks:
                try:
                    self.store(clicks=[click])
                except IntegrityError:
                    logger.exception("Click %s refused; skipped", click.click_id)

    def _save(self) -> None:
        temporary = self.directory / (CHECKPOINT + ".tmp")
        temporary.write_text(
            json.dumps({name: list(value) for name, value in self.positions.items()})
        )
        os.replace(temporary, self.directory / CHECKPOINT)

    def _retire(self) -> None:
        """Delete segments written whole and long finished."""
        now = time.time()
        changed = False
        for path in self.segments():
            start = int(path.name.removesuffix(SEGMENT_SUFFIX) or 0)
            if start + SEGMENT_SECONDS + RETIRE_AFTER_SECONDS > now:
                continue
            status = path.stat()
            if self.positions.get(path.name) == (status.st_ino, status.st_size):
                path.unlink()
                del self.positions[path.name]
                changed = True
        for name in list(self.positions):
            if not (self.directory / name).exists():
                del self.positions[name]
                changed = True
        if changed:
            self._save()

    def run(self, *, interval: float, stop_fds: list[int]) -> int:
        """Write the journal every ``interval`` seconds until one of ``stop_fds``
        becomes readable (a byte, or the end of a pipe), then write what remains
        and return how many clicks were written in all. A failing database is
        retried, with growing pauses, and at the end for a while longer."""
        total = 0
        delay = interval
        stopping_since: float | None = None
        while True:
            try:
                close_old_connections()
                total += self.write()
                delay = interval
                if stopping_since is not None:
                    return total
            except Exception:  # the writer must survive any failure and retry
                logger.exception(
                    "Writing clicks failed; %d bytes of journal kept for the next try",
                    self.pending_bytes(),
                )
                connection.close()
                delay = min(max(delay * 2, 1.0), 30.0)
                if stopping_since is not None:
                    if time.monotonic() - stopping_since > 30:
                        logger.error(
                            "Stopping with %d bytes of clicks in the journal %s; "
                            "the next writer writes them",
                            self.pending_bytes(),
                            self.directory,
                        )
                        return total
                    delay = 1.0
            if stopping_since is None:
                readable, _, _ = select.select(stop_fds, [], [], delay)
                if readable:
                    stopping_since = time.monotonic()
            else:
                time.sleep(delay)


def click_writer_run(
    *,
    store: Callable[..., object],
    once: bool = False,
    lifeline_fd: int | None = None,
) -> int:
    """Be this server's click writer (``manage.py write_clicks``), writing with
    ``store`` (commissions' clicks_store_settling): take the journal's
    lock (waiting for a writer that still holds it), then write what the journal
    holds, once or every flush interval until SIGTERM or SIGINT, or, with
    ``lifeline_fd``, until that pipe closes; then write what remains. Returns how
    many clicks were written."""
    writer = JournalWriter(settings.ZHONGCAO_CLICK_JOURNAL_DIR, store=store)
    if not writer.lock(wait=False):
        logger.info("Another click writer holds the journal; waiting for it")
        writer.lock(wait=True)
    if once:
        return writer.write()

    stop_read, stop_write = os.pipe()

    def stop(signum, frame):
        os.write(stop_write, b"x")

    if lifeline_fd is None:
        stop_fds = [stop_read]
        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
    else:
        # Workers still answering requests after the server got SIGTERM append
        # clicks until they exit: stopping now would leave those in the journal.
        stop_fds = [lifeline_fd]
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    logger.info(
        "Click writer %d: journal %s", os.getpid(), settings.ZHONGCAO_CLICK_JOURNAL_DIR
    )
    written = writer.run(
        interval=settings.ZHONGCAO_CLICK_FLUSH_INTERVAL, stop_fds=stop_fds
    )
    logger.info("Click writer %d stopped; %d clicks written", os.getpid(), written)
    return written
