"""Where the redirect finds a code's target without waiting on the database.

Each process holds a map of every tracked link's target (code → LinkTarget, or None
for a link with nowhere to send its reader): a LinkTargetMap, kept by the process's
TrackingRuntime (affiliates.tracking.runtime). It is loaded whole when the process
starts serving (gunicorn.conf.py's post_worker_init; elsewhere at the first code it
does not hold) by a thread that then asks the database every
ZHONGCAO_LINK_TARGETS_REFRESH seconds what changed since it last asked: new links by
primary key, offers and products by ``updated_at``, merchants compared whole (a few
rows each), and that reloads everything every FULL_RELOAD_SECONDS, which also
catches what no cursor shows (an offer deleted without its product being saved).

Changes are written through: publishing an article (article_links_sync) and saving
or deleting an offer, product or merchant (signals, connected in
AffiliatesConfig.ready) put the new targets into this process's map once committed,
and into the shared cache (ZHONGCAO_LINK_TARGETS_CACHE; Redis in production), where a
process whose map lacks a code looks before it asks the database.

Only a code that no store holds is read from the database, waiting at most
ZHONGCAO_LINK_LOOKUP_WAIT a statement (affiliates.tracking.dbwait); past that the reader gets
a 503 at once rather than a page that hangs.
"""

import dataclasses
import datetime
import functools
import logging
import os
import threading
import time
from collections import OrderedDict

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, close_old_connections, connection, transaction
from django.db.models import Max, Q, QuerySet
from django.db.models.signals import post_save, pre_delete
from django.utils import timezone

from affiliates.models import TrackedLink
from affiliates.tracking.clicks import Salts, hour_of
from affiliates.tracking.dbwait import database_waits_bounded
from affiliates.tracking.selectors import LinkTarget, link_targets_load
from products.models import Merchant, Offer, Product

logger = logging.getLogger(__name__)

_MISSING = object()

# Everything is read again this often, for what the change cursors cannot see.
FULL_RELOAD_SECONDS = 600.0
# A change is looked for again in the next refreshes for this long: a transaction
# stamps updated_at before it commits.
CHANGE_OVERLAP = datetime.timedelta(seconds=10)
# How long a statement of the background refresh or of a write-through may wait.
REFRESH_WAIT = 10.0
# A code the database does not have is answered 404 without asking again for this
# long (a crawler retrying a mistyped link); at most this many are remembered.
UNKNOWN_SECONDS = 60.0
UNKNOWN_SIZE = 10_000
# Product ids per query of a refresh: within SQLite's limit on parameters.
PRODUCTS_PER_QUERY = 500

# The shared cache: one key per code. Every process writes what it loads or sees
# change; one process a half day writes everything, which keeps every key alive.
SHARED_PREFIX = "link-target:"
SHARED_SECONDS = 24 * 60 * 60
SHARED_FILLED_KEY = "link-targets:filled"
SHARED_BATCH = 1000


def _shared_cache():
    alias = settings.ZHONGCAO_LINK_TARGETS_CACHE
    return caches[alias] if alias else None


def _shared_get(code: str):
    """The shared cache's target for ``code``, or _MISSING (also when the cache
    cannot be reached: then the database decides)."""
    cache = _shared_cache()
    if cache is None:
        return _MISSING
    try:
        value = cache.get(SHARED_PREFIX + code, _MISSING)
        if value is _MISSING or value is None:
            return value
        return LinkTarget(*value)
    except Exception:
        logger.warning("Shared link target of %s unreadable", code, exc_info=True)
        return _MISSING


def _shared_set(targets: dict[str, LinkTarget | None]) -> None:
    cache = _shared_cache()
    if cache is None or not targets:
        return
    items = list(targets.items())
    try:
        for start in range(0, len(items), SHARED_BATCH):
            cache.set_many(
                {
                    SHARED_PREFIX + code: None
                    if target is None
                    else dataclasses.astuple(target)
                    for code, target in items[start : start + SHARED_BATCH]
                },
                timeout=SHARED_SECONDS,
            )
    except Exception:
        logger.warning("Link targets not written to the shared cache", exc_info=True)


def _shared_fill_claimed() -> bool:
    """True for the one process that should write every target to the shared cache
    now (none has in half the keys' lifetime)."""
    cache = _shared_cache()
    if cache is None:
        return False
    try:
        return cache.add(SHARED_FILLED_KEY, 1, timeout=SHARED_SECONDS // 2)
    except Exception:
        logger.warning("Shared cache of link targets unreachable", exc_info=True)
        return False


class LinkTargetMap:
    """This process's targets of every link, and the thread that keeps them fresh
    (one per process, held by its TrackingRuntime). Its refresh also reads ahead the
    visitor salts it is given."""

    def __init__(self, *, visitor_salts: Salts, hourly_salts: Salts) -> None:
        self.visitor_salts, self.hourly_salts = visitor_salts, hourly_salts
        self.targets: dict[str, LinkTarget | None] = {}
        self.unknown: OrderedDict[str, float] = OrderedDict()
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None
        self.stopping = threading.Event()
        self.pid = os.getpid()
        self._cursors_reset()

    def _cursors_reset(self) -> None:
        self.loaded_at: float | None = None
        self.link_pk = 0
        self.changed_since: datetime.datetime | None = None
        self.merchants: dict[int, tuple] = {}

    def get(self, code: str) -> LinkTarget | None:
        """The target of ``code`` (None: the code leads nowhere). Raises
        DatabaseError when no store holds the code and the database cannot say
        within ZHONGCAO_LINK_LOOKUP_WAIT."""
        target = self.targets.get(code, _MISSING)
        if target is _MISSING:
            return self._miss(code)
        return target

    def _miss(self, code: str) -> LinkTarget | None:
        self.start()
        target = _shared_get(code)
        if target is not _MISSING:
            self.targets[code] = target
            return target
        until = self.unknown.get(code)
        if until is not None and until > time.monotonic():
            return None
        with database_waits_bounded(seconds=settings.ZHONGCAO_LINK_LOOKUP_WAIT):
            loaded = link_targets_load(links=TrackedLink.objects.filter(code=code))
        if code not in loaded:
            with self.lock:
                self.unknown[code] = time.monotonic() + UNKNOWN_SECONDS
                self.unknown.move_to_end(code)
                while len(self.unknown) > UNKNOWN_SIZE:
                    self.unknown.popitem(last=False)
            return None
        _shared_set(self._put(loaded))
        return loaded[code]

    def _put(self, targets: dict[str, LinkTarget | None]) -> dict:
        """Put ``targets`` into the map; return those that were not there as they are."""
        with self.lock:
            changed = {
                code: target
                for code, target in targets.items()
                if self.targets.get(code, _MISSING) != target
            }
            self.targets.update(changed)
        return changed

    def links_changed(self, *, links: QuerySet[TrackedLink]) -> None:
        """Write through: read the targets of ``links`` now and put them into this
        process's map and the shared cache. Called once a change is committed; never
        raises (the refresh finds the change later)."""
        try:
            with database_waits_bounded(seconds=REFRESH_WAIT):
                loaded = link_targets_load(links=links)
        except DatabaseError:
            logger.exception("Changed link targets could not be read")
            return
        self._put(loaded)
        _shared_set(loaded)

    def refresh(self) -> int:
        """Bring the map up to date: every link on the first call and every
        FULL_RELOAD_SECONDS, else the links of what changed since the last call.
        Returns how many targets were read."""
        full = (
            self.loaded_at is None
            or time.monotonic() - self.loaded_at >= FULL_RELOAD_SECONDS
        )
        started, started_at = time.monotonic(), timezone.now()
        with database_waits_bounded(seconds=REFRESH_WAIT):
            merchants = {
                pk: state
                for pk, *state in Merchant.objects.order_by().values_list(
                    "pk", "allowed_domains", "deep_link_template", "sends_referrer"
                )
            }
            link_pk = TrackedLink.objects.aggregate(last=Max("pk"))["last"] or 0
            if full:
                loaded = link_targets_load(links=TrackedLink.objects.all())
            else:
                loaded = self._changed_load(merchants=merchants, link_pk=link_pk)
        # This day's and hour's visitor salts and the next ones, so that no click
        # waits for one.
        today, hour = started_at.date(), hour_of(started_at)
        for day in (today, today + datetime.timedelta(days=1)):
            self.visitor_salts.for_period(day)
        for each in (hour, hour + datetime.timedelta(hours=1)):
            self.hourly_salts.for_period(each)
        if full:
            with self.lock:
                previous = self.targets
                for code, target in previous.items():
                    # Written through while this was read: newer than the read.
                    loaded.setdefault(code, target)
                self.targets = loaded
            if _shared_fill_claimed():
                _shared_set(loaded)
            elif previous:
                _shared_set(
                    {
                        code: target
                        for code, target in loaded.items()
                        if previous.get(code, _MISSING) != target
                    }
                )
            self.loaded_at = started
        else:
            _shared_set(self._put(loaded))
        self.link_pk = max(self.link_pk, link_pk)
        self.merchants = merchants
        self.changed_since = started_at - CHANGE_OVERLAP
        return len(loaded)

    def _changed_load(
        self, *, merchants: dict[int, tuple], link_pk: int
    ) -> dict[str, LinkTarget | None]:
        """The targets of links made since the last refresh and of the links of the
        products whose offers, product or merchants changed."""
        merchants_changed = [
            pk
            for pk in merchants.keys() | self.merchants.keys()
            if merchants.get(pk) != self.merchants.get(pk)
        ]
        products = set(
            Product.objects.filter(updated_at__gte=self.changed_since).values_list(
                "pk", flat=True
            )
        ) | set(
            Offer.objects.filter(
                Q(updated_at__gte=self.changed_since)
                | Q(merchant_id__in=merchants_changed)
            ).values_list("product_id", flat=True)
        )
        loaded: dict[str, LinkTarget | None] = {}
        if link_pk > self.link_pk:
            loaded |= link_targets_load(
                links=TrackedLink.objects.filter(pk__gt=self.link_pk)
            )
        products_list = sorted(products)
        for start in range(0, len(products_list), PRODUCTS_PER_QUERY):
            chunk = products_list[start : start + PRODUCTS_PER_QUERY]
            loaded |= link_targets_load(
                links=TrackedLink.objects.filter(product_id__in=chunk)
            )
        return loaded

    def start(self) -> None:
        """Start this process's refresh thread, which loads every target first;
        unless it runs already, or ZHONGCAO_LINK_TARGETS_REFRESH is 0 (the tests)."""
        if os.getpid() != self.pid:  # forked: the parent's thread is not ours
            self.pid, self.thread = os.getpid(), None
        if self.thread is not None or not settings.ZHONGCAO_LINK_TARGETS_REFRESH:
            return
        with self.lock:
            if self.thread is None:
                self.thread = threading.Thread(
                    target=self._run, name="link-targets", daemon=True
                )
                self.thread.start()

    def _run(self) -> None:
        interval = settings.ZHONGCAO_LINK_TARGETS_REFRESH
        delay = 0.0
        while not self.stopping.wait(delay):
            try:
                close_old_connections()
                self.refresh()
                # And again: on SQLite (no persistent connections) an idle one would
                # hold the database file open until the next refresh.
                close_old_connections()
                delay = interval
            except Exception:  # the thread must survive any failure and retry
                logger.exception("Link targets could not be refreshed; retrying")
                connection.close()
                delay = min(max(delay * 2, 1.0), 30.0)
        connection.close()

    def stop(self, *, timeout: float = 30.0) -> None:
        """Stop the refresh thread (the tests; a process that exits just ends it)."""
        thread = self.thread
        if thread is None:
            return
        self.stopping.set()
        thread.join(timeout)
        with self.lock:
            self.thread, self.stopping = None, threading.Event()

    def links_changed_on_commit(self, links: QuerySet[TrackedLink]) -> None:
        """Once the transaction commits, put ``links``' targets into this map and
        the shared cache."""
        transaction.on_commit(lambda: self.links_changed(links=links), robust=True)

    def clear(self) -> None:
        """Forget every target (a new process's state; the tests use it)."""
        with self.lock:
            self.targets = {}
            self.unknown.clear()
            self._cursors_reset()


# -- Write-through of changes to offers, products and merchants ------------------------
# Cache upkeep, hence signals (connected in AffiliatesConfig.ready): products, which
# knows nothing of links, changes these rows in the admin.


def _saved(
    sender, instance, raw=False, *, link_targets: LinkTargetMap, **kwargs
) -> None:
    if raw:
        return
    if isinstance(instance, Merchant):
        products = Offer.objects.filter(merchant_id=instance.pk).values("product_id")
        link_targets.links_changed_on_commit(
            TrackedLink.objects.filter(product_id__in=products)
        )
    else:
        product_id = (
            instance.pk if isinstance(instance, Product) else instance.product_id
        )
        link_targets.links_changed_on_commit(
            TrackedLink.objects.filter(product_id=product_id)
        )


def _deleting(sender, instance, *, link_targets: LinkTargetMap, **kwargs) -> None:
    # Read now: the deletion sets the links' product and offer to NULL.
    if isinstance(instance, Product):
        affected = Q(product_id=instance.pk)
    else:
        affected = Q(offer_id=instance.pk) | Q(product_id=instance.product_id)
    pks = list(TrackedLink.objects.filter(affected).values_list("pk", flat=True))
    if pks:
        link_targets.links_changed_on_commit(TrackedLink.objects.filter(pk__in=pks))


def signals_connect(*, link_targets: LinkTargetMap) -> None:
    """Write changes of offers, products and merchants through to ``link_targets``
    (the runtime's map, which lives as long as the process)."""
    saved = functools.partial(_saved, link_targets=link_targets)
    deleting = functools.partial(_deleting, link_targets=link_targets)
    for model in (Offer, Product, Merchant):
        post_save.connect(
            saved,
            sender=model,
            weak=False,
            dispatch_uid=f"link-targets-{model.__name__}",
        )
    for model in (Offer, Product):
        pre_delete.connect(
            deleting,
            sender=model,
            weak=False,
            dispatch_uid=f"link-targets-{model.__name__}",
        )
