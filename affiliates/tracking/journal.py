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
  lines every flush interval, writes them with the store it is given (commissions'
  clicks_store_settling: affiliates.tracking.services.clicks_store, then the sales
  that waited for those clicks), and
  records how far it got (``checkpoint.json``) after each batch is committed. It
  runs at a lower CPU priority, so request handling wins the CPU under load.

What a crash can lose: a worker that dies loses nothing it answered (the line is in
the kernel's page cache once ``write()`` returns). A writer that dies loses nothing
either: the next writer starts from the checkpoint, and a batch written twice is
harmless (clicks_store skips click ids already written). Only a crash of the whole
machine can lose the last seconds that the kernel had not yet written to disk, and
the signed click id makes even that harmless for attribution.

If a worker cannot append (the directory is missing or read-only, the disk is full),
it keeps the click in its in-process buffer (the click_buffer of its
affiliates.tracking.runtime.TrackingRuntime, which also holds its Journal), written
by a thread of that worker as without a writer process.
"""

import datetime
import json
import os
import threading
import time
from pathlib import Path

from affiliates.tracking.clicks import PendingClick

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
