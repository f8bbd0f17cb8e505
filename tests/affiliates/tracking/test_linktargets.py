"""Readers never wait on a locked or slow database: every link's target is held in
each process (and in the shared cache), and a code held nowhere is looked up with a
bound on the wait."""

import runpy
import sqlite3
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from affiliates.models import TrackedLink
from affiliates.tracking.runtime import tracking_runtime
from products.models import Availability, Merchant, Offer
from tests.affiliates.tracking.test_journal import wait_until
from tests.affiliates.tracking.test_views import go
from tests.conftest import review_create
from tests.factories import OfferFactory, ProductFactory, TrackedLinkFactory
from tests.processes import sqlite_on_a_file

pytestmark = pytest.mark.slow

# The lock is taken by a connection of its own: what the tests read and write must
# be committed for it (and for the file the SQLite tests move to).
committed = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# What the redirect can read: its links, their offers, the visitor salts.
LOCKED_TABLES = ("affiliates_trackedlink", "products_offer", "affiliates_visitorsalt")


class DatabaseLocked:
    """Another connection holds the database locked until the block ends, or for
    HOLD seconds at most: on PostgreSQL an ACCESS EXCLUSIVE lock on the tables the
    redirect reads (as a migration takes), on SQLite an exclusive lock on the file.
    ``released`` tells afterwards whether an answer came while the lock was held."""

    HOLD = 10.0

    def __init__(self, sqlite_path: Path | None) -> None:
        self.sqlite_path = sqlite_path
        self.ready, self.release = threading.Event(), threading.Event()
        self.released = False
        self.error: Exception | None = None
        self.thread = threading.Thread(target=self._hold)

    def _connect(self):
        if self.sqlite_path is not None:
            holder = sqlite3.connect(self.sqlite_path, isolation_level=None)
            holder.execute("PRAGMA locking_mode=EXCLUSIVE")
            holder.execute("BEGIN EXCLUSIVE")
            return holder
        import psycopg

        db = connection.settings_dict
        holder = psycopg.connect(
            dbname=db["NAME"],
            user=db["USER"],
            password=db["PASSWORD"] or None,
            host=db["HOST"] or "127.0.0.1",
            port=db["PORT"] or 5432,
        )
        holder.execute(
            f"LOCK TABLE {', '.join(LOCKED_TABLES)} IN ACCESS EXCLUSIVE MODE"
        )
        return holder

    def _hold(self):
        try:
            holder = self._connect()
        except Exception as error:  # noqa: BLE001 - raised again by __enter__
            self.error = error
            self.ready.set()
            return
        self.ready.set()
        self.release.wait(self.HOLD)
        holder.close()
        self.released = True

    def __enter__(self):
        # SQLite's exclusive lock wants no other connection open on the file.
        connection.close()
        self.thread.start()
        assert self.ready.wait(30)
        if self.error is not None:
            raise self.error
        return self

    def __exit__(self, *exc_info):
        self.release.set()
        self.thread.join(60)


def _published(articles, creator, shop_product):
    review_create(parent=articles, author=creator, product=shop_product)
    return TrackedLink.objects.get(product=shop_product, is_preview=False)


@pytest.fixture
def shop_product(shop):
    product = ProductFactory(title="K-9")
    OfferFactory(
        product=product,
        merchant=shop,
        url="https://www.mingyuehome.cn/item/9",
        price="99.00",
        currency="CNY",
    )
    return product


@committed
def test_a_warm_code_answers_while_the_database_is_locked(
    client, articles, creator, shop_product, tmp_path
):
    link = _published(articles, creator, shop_product)
    with sqlite_on_a_file(tmp_path) as path:
        tracking_runtime().link_targets.clear()  # a worker that starts now, after the publishing
        tracking_runtime().link_targets.refresh()  # what it does at start (post_worker_init)
        with DatabaseLocked(path) as lock:
            response = go(client, link)
            assert not lock.released
        assert response.status_code == 302
        assert urlsplit(response["Location"]).path == "/item/9"


@committed
def test_a_code_published_after_the_start_answers_while_locked(
    client, articles, creator, shop_product, other_creator, tmp_path
):
    _published(articles, creator, shop_product)
    with sqlite_on_a_file(tmp_path) as path:
        tracking_runtime().link_targets.clear()
        tracking_runtime().link_targets.refresh()
        # Published now, in this process: its targets are written through.
        later = review_create(
            parent=articles, author=other_creator, product=shop_product, title="Later"
        )
        link = TrackedLink.objects.get(article=later)
        with DatabaseLocked(path) as lock:
            response = go(client, link)
            assert not lock.released
        assert response.status_code == 302


@committed
def test_a_code_held_nowhere_answers_503_at_once_while_locked(
    client, articles, creator, shop_product, tmp_path
):
    _published(articles, creator, shop_product)
    with sqlite_on_a_file(tmp_path) as path:
        tracking_runtime().link_targets.clear()
        tracking_runtime().link_targets.refresh()
        with DatabaseLocked(path) as lock:
            response = client.get("/go/Qq7Qq7Qq7Q")
            # Answered within the lookup's bound, long before the lock ends.
            assert not lock.released
        assert response.status_code == 503
        assert response["Retry-After"]
        # Once the database answers again, so does the redirect.
        assert client.get("/go/Qq7Qq7Qq7Q").status_code == 404


REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/7",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


@pytest.fixture
def redis_shared():
    """The production layout: Django's cache on Redis, shared by every process."""
    with override_settings(CACHES=REDIS, ZHONGCAO_LINK_TARGETS_CACHE="default"):
        caches["default"].clear()
        yield caches["default"]
        caches["default"].clear()


@committed
def test_another_process_serves_a_new_code_from_the_shared_cache_while_locked(
    client, articles, creator, shop_product, other_creator, tmp_path, redis_shared
):
    _published(articles, creator, shop_product)
    with sqlite_on_a_file(tmp_path) as path:
        tracking_runtime().link_targets.refresh()  # this worker starts
        later = review_create(
            parent=articles, author=other_creator, product=shop_product, title="Later"
        )
        link = TrackedLink.objects.get(article=later)
        # The reader's request reaches another worker, which holds no such code.
        tracking_runtime().link_targets.clear()
        with DatabaseLocked(path) as lock:
            response = go(client, link)
            assert not lock.released
        assert response.status_code == 302
        assert urlsplit(response["Location"]).path == "/item/9"


@committed
def test_a_worker_that_starts_while_locked_serves_from_the_shared_cache(
    client, articles, creator, shop_product, tmp_path, redis_shared
):
    link = _published(articles, creator, shop_product)
    with sqlite_on_a_file(tmp_path) as path:
        tracking_runtime().link_targets.refresh()  # the first worker fills the shared cache
        tracking_runtime().link_targets.clear()  # a new worker, whose start the lock holds up
        with DatabaseLocked(path) as lock:
            response = go(client, link)
            assert not lock.released
        assert response.status_code == 302


# -- Freshness: what changes reaches the redirect ----------------------------------------


@pytest.mark.django_db
def test_stock_changes_are_written_through_once_committed(
    client, link, shop, headphones, django_capture_on_commit_callbacks
):
    cheaper = OfferFactory(
        product=headphones,
        merchant=shop,
        url="https://www.mingyuehome.cn/item/2",
        price="999.00",
        currency="CNY",
    )
    assert urlsplit(go(client, link)["Location"]).path == "/item/1"
    with django_capture_on_commit_callbacks(execute=True):
        original = link.offer
        original.availability = Availability.OUT_OF_STOCK
        original.save()
    assert urlsplit(go(client, link)["Location"]).path == "/item/2"
    with django_capture_on_commit_callbacks(execute=True):
        cheaper.delete()
    # No offer in stock: the original, out of stock or not.
    assert urlsplit(go(client, link)["Location"]).path == "/item/1"


@pytest.mark.django_db
def test_the_refresh_finds_what_another_process_changed(
    client, link, shop, headphones, django_assert_num_queries
):
    tracking_runtime().link_targets.refresh()
    # Changed elsewhere: no write-through reaches this process.
    OfferFactory(
        product=headphones,
        merchant=shop,
        url="https://www.mingyuehome.cn/item/2",
        price="999.00",
        currency="CNY",
    )
    Offer.objects.filter(pk=link.offer_id).update(
        availability=Availability.OUT_OF_STOCK, updated_at=timezone.now()
    )
    Merchant.objects.filter(pk=shop.pk).update(
        deep_link_template="https://www.mingyuehome.cn/r?u={url|urlencode}&c={click_id}"
    )
    newer = TrackedLinkFactory(offer=link.offer, author=link.author)
    tracking_runtime().link_targets.refresh()
    with django_assert_num_queries(0):
        location = urlsplit(go(client, link)["Location"])
        assert go(client, newer).status_code == 302
    assert location.path == "/r"
    assert "item%2F2" in location.query


@pytest.mark.django_db
def test_a_warm_map_needs_the_database_for_no_code(
    client, link, django_assert_num_queries
):
    tracking_runtime().link_targets.refresh()
    with django_assert_num_queries(0):
        assert go(client, link).status_code == 302


@pytest.mark.django_db
def test_an_unknown_code_is_read_once_then_answered_without_the_database(
    client, db, django_assert_num_queries
):
    assert client.get("/go/Zz8Zz8Zz8Z").status_code == 404
    # Not even Wagtail's redirects are looked up for a /go/ code.
    with django_assert_num_queries(0):
        assert client.get("/go/Zz8Zz8Zz8Z").status_code == 404


@pytest.mark.django_db
def test_a_shared_cache_that_is_down_leaves_the_database_to_answer(client, link):
    down = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    with override_settings(CACHES=down, ZHONGCAO_LINK_TARGETS_CACHE="default"):
        assert go(client, link).status_code == 302


@committed
def test_a_gunicorn_worker_loads_every_target_when_it_starts(
    articles, creator, shop_product, monkeypatch
):
    link = _published(articles, creator, shop_product)
    tracking_runtime().link_targets.clear()
    monkeypatch.setenv("ZHONGCAO_CLICK_JOURNAL", "0")  # set by the file when unset
    hooks = runpy.run_path(
        str(Path(settings.BASE_DIR) / "site" / "zhongcao" / "gunicorn.conf.py")
    )
    with override_settings(ZHONGCAO_LINK_TARGETS_REFRESH=0.05):
        hooks["post_worker_init"](None)
        try:
            assert wait_until(
                lambda: link.code in tracking_runtime().link_targets.targets, seconds=60
            )
        finally:
            tracking_runtime().link_targets.stop()
