"""The click journal: how request processes hand clicks to a writer process.

Under gunicorn (site/zhongcao/gunicorn.conf.py) the redirect does not write clicks
from the worker that answered it: a writer thread there held the interpreter lock
while it built and sent batches, and the request threads of that worker waited
(`make bench` measured tail latency tens of milliseconds above a bare 302). Instead:

* A worker appends each click as one line (JSON) to a journal file under
  ``ZHONGCAO_CLICK_JOURNAL_DIR``: a single ``write()`` on a file opened with
  O_APPEND, so lines from several processes never interleave, and the file outlives
  any process. One file per ten seconds of clicks (a *segment*), so that written
  segments can be deleted without coordinating with the workers.
* One writer process (``manage.py write_clicks``, which gunicorn starts) reads new
  lines every flush interval, writes them with affiliates.services.clicks_store, and
  records how far it got (``checkpoint.json``) after each batch is committed. It
  runs at a lower CPU priority, so request handling wins the CPU under load.

What a crash can lose: a worker that dies loses nothing it answered (the line is in
the kernel's page cache once ``write()`` returns). A writer that dies loses nothing
either: the next writer starts from the checkpoint, and a batch written twice is
harmless (clicks_store skips click ids already written). Only a crash of the whole
machine can lose the last seconds that the kernel had not yet written to disk, and
the signed click id makes even that harmless for attribution.

If a worker cannot append (the directory is missing or read-only, the disk is full),
it keeps the click in its in-process buffer (affiliates.tracking.clicks.click_buffer),
written by a thread of that worker as without a writer process.
"""

import datetime
import fcntl
import json
import logging
import os
import select
import threading
import time
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, close_old_connections, connection

from affiliates.tracking.clicks import PendingClick

logger = logging.getLogger(__name__)

SEGMENT_SECONDS = 10
SEGMENT_SUFFIX = ".clicks"
CHECKPOINT = "checkpoint.json"
WRITER_LOCK = "writer.lock"
# A segment is deleted once written and this long past its ten seconds: a worker
# that computed a segment's name just before it ended writes to it a moment later.
RETIRE_AFTER_SECONDS = 120
# How much of a segment one batch reads (about 3,000 clicks).
READ_BYTES = 1 << 20


# One encoder for every line: json.dumps with options builds a new one each call.
_ENCODER = json.JSONEncoder(separators=(",", ":"))


def click_encode(click: PendingClick) -> bytes:
    """One journal line. JSON escapes quotes, so '["' only ever starts a line."""
    return (
        _ENCODER.encode(
            [
                click.click_id,
                click.link_id,
                click.offer_id,
                click.clicked_at.isoformat(),
                click.visitor_hash,
                click.user_agent,
                click.referrer,
                click.is_bot,
                click.is_preview,
            ]
        ).encode()
        + b"\n"
    )


def click_decode(line: bytes) -> PendingClick:
    """The click of a journal line; ValueError if the line is not one."""
    try:
        fields = json.loads(line)
        (
            click_id,
            link_id,
            offer_id,
            clicked_at,
            visitor_hash,
            user_agent,
            referrer,
            is_bot,
            is_preview,
        ) = fields
        return PendingClick(
            click_id=str(click_id),
            link_id=int(link_id),
            offer_id=None if offer_id is None else int(offer_id),
            clicked_at=datetime.datetime.fromisoformat(clicked_at),
            visitor_hash=str(visitor_hash),
            user_agent=str(user_agent),
            referrer=str(referrer),
            is_bot=None if is_bot is None else bool(is_bot),
            is_preview=bool(is_preview),
        )
    except (TypeError, ValueError) as error:
        raise ValueError(f"not a journal line: {line[:80]!r}") from error


def segment_name(now: float) -> str:
    return f"{int(now) // SEGMENT_SECONDS * SEGMENT_SECONDS}{SEGMENT_SUFFIX}"


class Journal:
    """The request processes' side: append a click, never block on the database."""

    def __init__(self, directory: Path | str) -> None:
        self.setting = directory
        self.directory = Path(directory)
        self.current: tuple[str, int] | None = None  # (segment name, descriptor)
        self.previous: int | None = None
        self.lock = threading.Lock()

    def append(self, click: PendingClick) -> None:
        """Append one click; OSError if it could not be appended whole."""
        line = click_encode(click)
        name = segment_name(time.time())
        current = self.current
        if current is None or current[0] != name:
            current = self._open(name)
        if os.write(current[1], line) != len(line):
            # Only a full disk cuts a write to a regular file short; the writer
            # skips the fragment (see JournalWriter._decode).
            raise OSError(f"click journal: short write in {name}")

    def _open(self, name: str) -> tuple[str, int]:
        with self.lock:
            current = self.current
            if current is not None and current[0] == name:
                return current
            self.directory.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(
                self.directory / name,
                os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC,
                0o600,
            )
            # The descriptor before the last may still be in another thread's
            # hands for a moment: close only the one two segments back.
            if self.previous is not None:
                os.close(self.previous)
            self.previous = current[1] if current is not None else None
            self.current = (name, descriptor)
            return self.current


_journal: Journal | None = None


def click_journal_append(click: PendingClick) -> bool:
    """Hand ``click`` to the writer process through the journal, if this process is
    set to (ZHONGCAO_CLICK_JOURNAL); False if it is not or the append failed, and
    the caller keeps the click itself."""
    global _journal
    if not settings.ZHONGCAO_CLICK_JOURNAL:
        return False
    directory = settings.ZHONGCAO_CLICK_JOURNAL_DIR
    journal = _journal
    if journal is None or journal.setting != directory:  # (tests change the setting)
        journal = _journal = Journal(directory)
    try:
        journal.append(click)
    except OSError:
        logger.exception("Click journal unavailable; the click stays in this process")
        return False
    return True


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
    """The writer process's side: write what the journal holds to the database."""

    def __init__(self, directory: Path) -> None:
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

    @staticmethod
    def _store(clicks: list[PendingClick]) -> None:
        from affiliates.tracking.services import clicks_store

        try:
            clicks_store(clicks=clicks)
        except IntegrityError:
            # One click the database refuses (its link deleted meanwhile) must not
            # hold back the others forever: write them one by one, skip it.
            for click in clicks:
                try:
                    clicks_store(clicks=[click])
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
