"""What the redirect learns about a click, and the buffer that keeps the database off
the reader's path where no writer process takes the clicks (affiliates.tracking.journal:
under gunicorn, workers hand clicks to one; runserver and the tests use this buffer).

A click is appended to an in-process buffer and the reader is redirected at once; a
background thread in each process writes the buffer to the database in batches
(the buffer's store: affiliates.tracking.services.clicks_store, then the sales that
waited for those clicks are settled). The buffer and the salts are this process's
own, held by its TrackingRuntime (affiliates.tracking.runtime). When the database fails, the batch goes back into
the buffer and is written later. On a graceful shutdown the buffer is drained. A hard
crash loses what the buffer held (at most one flush interval's clicks), and the
signed click id makes even that harmless for attribution: a purchase carries its
click id, which names its link and time by itself.
"""

import datetime
import hashlib
import logging
import os
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection
from django.http import HttpRequest

from affiliates.tracking.crawlers import crawler_matcher
from affiliates.tracking.dbwait import database_waits_bounded

logger = logging.getLogger(__name__)

# How much of a user agent a click keeps (Click.user_agent).
USER_AGENT_LENGTH = 400
# Read straight from request.META: request.headers would parse every header of
# every click, on the hottest path of the product.
PREFETCH_HEADERS = ("HTTP_SEC_PURPOSE", "HTTP_PURPOSE", "HTTP_X_PURPOSE", "HTTP_X_MOZ")


@dataclass(frozen=True)
class PendingClick:
    click_id: str
    link_id: int
    offer_id: int | None
    clicked_at: datetime.datetime
    visitor_hash: str
    user_agent: str
    referrer: str
    # None: the click writer decides from the user agent (click_is_bot), off the
    # reader's path; True or False: the redirect decided (click_bot_flag).
    is_bot: bool | None
    is_preview: bool


@lru_cache(maxsize=8192)
def user_agent_is_crawler(user_agent: str) -> bool:
    """Crawlers and link-preview fetchers, by crawlerdetect's list (affiliates.
    crawlers), and requests without a user agent. Memoized: real traffic repeats
    user agents, and a repeat costs a dictionary lookup instead of ~15 µs."""
    if not user_agent.strip():
        return True
    return crawler_matcher().is_crawler(user_agent)


def _request_is_automated(request: HttpRequest) -> bool:
    """HEAD requests and prefetches: bots whatever their user agent."""
    if request.method == "HEAD":
        return True
    meta = request.META
    for header in PREFETCH_HEADERS:
        if header in meta and "prefetch" in meta[header].lower():
            return True
    return False


def click_bot_flag(request: HttpRequest) -> bool | None:
    """What the redirect itself says of a bot: True for HEAD and prefetches; None
    for the rest, which the click writer decides from the user agent the click
    keeps (click_is_bot): matching it against ~1,500 crawler patterns is ~15 µs
    for an agent not seen before, work the reader need not wait for. A user agent
    longer than a click keeps is checked here, whole."""
    if _request_is_automated(request):
        return True
    user_agent = request.META.get("HTTP_USER_AGENT", "")
    if len(user_agent) > USER_AGENT_LENGTH:
        return user_agent_is_crawler(user_agent)
    return None


def click_is_bot(click: PendingClick) -> bool:
    if click.is_bot is not None:
        return click.is_bot
    return user_agent_is_crawler(click.user_agent)


def request_opts_out(request: HttpRequest) -> bool:
    """Global Privacy Control or Do Not Track: the visitor is told apart from others
    for the hour only (hourly_visitor_hash), not for the day."""
    meta = request.META
    return meta.get("HTTP_SEC_GPC") == "1" or meta.get("HTTP_DNT") == "1"


class Salts:
    """The secret salt of each period (a UTC day, or a UTC hour for readers who opt
    out), shared by all processes through the database (``model``, keyed by its
    field ``key``) and cached here. If the database cannot be reached, a salt of this
    process stands in for a while, so that the reader is never held up."""

    def __init__(self, *, model: str, key: str) -> None:
        self.model, self.key = model, key
        self.cache: dict = {}
        self.fallback: tuple[float, str] | None = None
        self.lock = threading.Lock()

    def for_period(self, period) -> str:
        salt = self.cache.get(period)
        if salt is not None:
            return salt
        now = time.monotonic()
        if self.fallback is not None and self.fallback[0] > now:
            return self.fallback[1]
        # The model by name: this module loads before the app registry (no models).
        model = apps.get_model("affiliates", self.model)
        try:
            # A reader waits for this (the first click of a period in a process,
            # unless the link targets' refresh read it ahead): never long.
            with database_waits_bounded(seconds=settings.ZHONGCAO_LINK_LOOKUP_WAIT):
                salt = model.objects.get_or_create(
                    **{self.key: period}, defaults={"salt": secrets.token_hex(32)}
                )[0].salt
        except DatabaseError:
            logger.warning("Visitor salt unavailable; using a process salt for now.")
            self.fallback = (now + 30.0, secrets.token_hex(32))
            return self.fallback[1]
        with self.lock:
            # This period's and the next: the refresh reads the next one ahead. An
            # older one is forgotten as soon as a newer one is read.
            self.cache = dict(sorted({**self.cache, period: salt}.items())[-2:])
        return salt


def hour_of(moment: datetime.datetime) -> datetime.datetime:
    """The UTC hour ``moment`` falls in."""
    return moment.astimezone(datetime.UTC).replace(minute=0, second=0, microsecond=0)


def _salted_hash(salt: str, ip: str, user_agent: str) -> str:
    return hashlib.sha256(f"{salt}|{ip}|{user_agent}".encode()).hexdigest()


def visitor_hash(*, salts: Salts, ip: str, user_agent: str, day: datetime.date) -> str:
    """SHA-256 of the day's secret salt (of ``salts``, the runtime's visitor salts),
    the IP and the user agent."""
    return _salted_hash(salts.for_period(day), ip, user_agent)


def hourly_visitor_hash(
    *, salts: Salts, ip: str, user_agent: str, hour: datetime.datetime
) -> str:
    """The visitor hash of a reader who opts out of tracking: SHA-256 of the hour's
    secret salt, the IP and the user agent. It tells their clicks apart for the
    duplicate check within the hour; once the hour's salt is deleted, nothing can
    link it to another hash or to the reader."""
    return _salted_hash(salts.for_period(hour), ip, user_agent)


class ClickBuffer:
    """Clicks waiting to be written, and the thread that writes them with ``store``
    (the runtime's: commissions' clicks_store_settling, given to it by
    AffiliatesConfig, since storing needs the models and this module must not)."""

    batch_size = 2000

    def __init__(self, *, store: Callable[..., object]) -> None:
        self.store = store
        self.pending: deque[PendingClick] = deque()
        self.flush_lock = threading.Lock()
        self.wake = threading.Event()
        self.thread: threading.Thread | None = None
        self.pid = os.getpid()
        self.stopping = False

    def add(self, click: PendingClick) -> None:
        self.pending.append(click)
        if settings.ZHONGCAO_CLICK_FLUSH_THREAD:
            self._ensure_thread()
            if len(self.pending) >= self.batch_size:
                self.wake.set()

    def __len__(self) -> int:
        return len(self.pending)

    def flush(self) -> int:
        """Write every pending click; return how many. On a database error the
        unwritten clicks go back to the front of the buffer and the error is raised."""
        written = 0
        with self.flush_lock:
            while self.pending:
                batch = []
                while self.pending and len(batch) < self.batch_size:
                    batch.append(self.pending.popleft())
                try:
                    self.store(clicks=batch)
                except BaseException:
                    self.pending.extendleft(reversed(batch))
                    raise
                written += len(batch)
        return written

    def drain(self, *, timeout: float = 10.0) -> int:
        """Flush until empty, retrying a failing database until ``timeout``."""
        self.stopping = True
        deadline = time.monotonic() + timeout
        written = 0
        while self.pending:
            try:
                written += self.flush()
            except DatabaseError:
                logger.exception("Clicks could not be written; retrying")
                if time.monotonic() > deadline:
                    logger.error(
                        "%d clicks were not written at shutdown", len(self.pending)
                    )
                    break
                connection.close()
                time.sleep(0.5)
        return written

    def _ensure_thread(self) -> None:
        if os.getpid() != self.pid:  # forked: the parent's thread is not ours
            self.pid, self.thread = os.getpid(), None
        if self.thread is None or not self.thread.is_alive():
            self.thread = threading.Thread(
                target=self._run, name="click-flush", daemon=True
            )
            self.thread.start()

    def _run(self) -> None:
        interval = settings.ZHONGCAO_CLICK_FLUSH_INTERVAL
        delay = interval
        while not self.stopping:
            self.wake.wait(delay)
            self.wake.clear()
            try:
                close_old_connections()
                self.flush()
                delay = interval
            except Exception:  # the thread must survive any failure and retry
                logger.exception(
                    "Writing clicks failed; %d kept for the next try", len(self)
                )
                connection.close()
                delay = min(max(delay * 2, 1.0), 30.0)
