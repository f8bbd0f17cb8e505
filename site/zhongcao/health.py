"""Is this server ready for traffic? The checks behind /readyz, and the figures the
metrics share with them.

Each check answers one word: ``ok``, ``not_configured`` (nothing to check in this
set-up: both pass), or why it fails: ``failing`` (cannot be reached or read),
``behind`` (the click journal holds more than its bound), ``stale`` (no worker ran
the heartbeat lately). What went wrong goes to the log; the public answer holds
these words only, never a host name or an error's text.
"""

import datetime
import logging
import secrets
import uuid
from collections.abc import Callable

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.db import connections
from django.db.models import Count
from django.utils import timezone
from django_tasks import task_backends
from django_tasks.backends.base import BaseTaskBackend
from django_tasks.backends.dummy import DummyBackend
from django_tasks.backends.immediate import ImmediateBackend
from django_tasks.base import TaskResultStatus
from django_tasks.exceptions import TaskResultDoesNotExist

from affiliates.tracking.writer import click_journal_backlog_bytes

from .models import WorkerHeartbeat

logger = logging.getLogger(__name__)

OK = "ok"
NOT_CONFIGURED = "not_configured"
FAILING = "failing"
BEHIND = "behind"
STALE = "stale"
PASSING = frozenset({OK, NOT_CONFIGURED})

# Backends whose tasks no worker process takes: the immediate one runs them in the
# caller, the dummy one never.
_WITHOUT_WORKER = (ImmediateBackend, DummyBackend)


def task_backend() -> BaseTaskBackend:
    """The default task backend, where the project's and Wagtail's tasks go."""
    return task_backends["default"]


def task_backend_has_worker(backend: BaseTaskBackend) -> bool:
    return not isinstance(backend, _WITHOUT_WORKER)


def worker_heartbeat_record(
    *, backend_alias: str, at: datetime.datetime | None = None
) -> WorkerHeartbeat:
    """Record that a worker of ``backend_alias`` is alive (now, unless ``at``)."""
    beat, _ = WorkerHeartbeat.objects.update_or_create(
        backend_alias=backend_alias, defaults={"beat_at": at or timezone.now()}
    )
    return beat


def worker_heartbeat_age(*, backend_alias: str) -> float | None:
    """Seconds since a worker of ``backend_alias`` last beat; None if none ever did."""
    beat_at = (
        WorkerHeartbeat.objects.filter(backend_alias=backend_alias)
        .values_list("beat_at", flat=True)
        .first()
    )
    if beat_at is None:
        return None
    return max(0.0, (timezone.now() - beat_at).total_seconds())


def task_queue_counts(backend: BaseTaskBackend) -> dict[str, int] | None:
    """Tasks waiting (READY) and failed (FAILED) in the queue, when the backend can
    tell: django-tasks-db's (rows of its table) and django-tasks-rq's (its queues'
    jobs, and their failed-job registries, in Redis). None for any other."""
    package = type(backend).__module__.partition(".")[0]
    if package == "django_tasks_rq":
        import django_rq

        queues = [django_rq.get_queue(name) for name in sorted(backend.queues)]
        return {
            str(TaskResultStatus.READY): sum(queue.count for queue in queues),
            str(TaskResultStatus.FAILED): sum(
                queue.failed_job_registry.count for queue in queues
            ),
        }
    if package != "django_tasks_db":
        return None
    results = apps.get_model("django_tasks_database", "DBTaskResult")
    counts = dict.fromkeys((TaskResultStatus.READY, TaskResultStatus.FAILED), 0)
    rows = (
        results.objects.filter(backend_name=backend.alias, status__in=list(counts))
        .order_by()
        .values_list("status")
        .annotate(count=Count("pk"))
    )
    counts.update(dict(rows))
    return {str(status): count for status, count in counts.items()}


def click_journal_backlog() -> int | None:
    """Bytes of clicks this server's journal holds unwritten; None if this server
    writes clicks from each process instead (ZHONGCAO_CLICK_JOURNAL off)."""
    if not settings.ZHONGCAO_CLICK_JOURNAL:
        return None
    return click_journal_backlog_bytes(settings.ZHONGCAO_CLICK_JOURNAL_DIR)


def _database() -> str:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return OK


def _cache() -> str:
    """Every configured cache takes a value and gives it back."""
    token = secrets.token_hex(8)
    key = f"zhongcao:readyz:{token}"
    for alias in settings.CACHES:
        cache = caches[alias]
        cache.set(key, token, timeout=10)
        if cache.get(key) != token:
            return FAILING
        cache.delete(key)
    return OK


def _click_journal() -> str:
    backlog = click_journal_backlog()
    if backlog is None:
        return NOT_CONFIGURED
    return OK if backlog <= settings.ZHONGCAO_READY_CLICK_BACKLOG_BYTES else BEHIND


def _task_queue() -> str:
    """The queue answers: asked for a result that does not exist, it says so."""
    backend = task_backend()
    if not task_backend_has_worker(backend) or not backend.supports_get_result:
        return NOT_CONFIGURED
    try:
        backend.get_result(str(uuid.uuid4()))
    except TaskResultDoesNotExist:
        pass
    return OK


def _worker_heartbeat() -> str:
    backend = task_backend()
    if not task_backend_has_worker(backend):
        return NOT_CONFIGURED
    age = worker_heartbeat_age(backend_alias=backend.alias)
    if age is None or age > settings.ZHONGCAO_WORKER_HEARTBEAT_MAX_AGE:
        return STALE
    return OK


CHECKS: dict[str, Callable[[], str]] = {
    "database": _database,
    "cache": _cache,
    "click_journal": _click_journal,
    "task_queue": _task_queue,
    "worker_heartbeat": _worker_heartbeat,
}


def readiness_check() -> dict[str, str]:
    """Each check's word, in a fixed order. A check that raises is ``failing``, and
    its error is logged here (never shown to the caller)."""
    results = {}
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception:  # noqa: BLE001 (any error of any backend means "not ready")
            logger.warning("Readiness check %s failed", name, exc_info=True)
            results[name] = FAILING
    return results
