"""The readiness checks (zhongcao.health) with task queues that a worker serves:
django-tasks-rq on the real Redis (127.0.0.1:6379, database 13), and django-tasks-db
where that app is installed."""

import datetime

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_tasks import task

from zhongcao.health import (
    task_backend,
    task_queue_counts,
    worker_heartbeat_age,
    worker_heartbeat_record,
)
from zhongcao.models import WorkerHeartbeat
from zhongcao.tasks import worker_heartbeat

pytestmark = pytest.mark.django_db

REDIS_URL = "redis://127.0.0.1:6379/13"


@pytest.fixture
def rq_backend():
    """Tasks go to RQ on Redis, emptied before and after."""
    pytest.importorskip("django_tasks_rq")
    import django_rq
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    with override_settings(
        TASKS={"default": {"BACKEND": "django_tasks_rq.RQBackend"}},
        RQ_QUEUES={"default": {"URL": REDIS_URL}},
    ):
        yield django_rq.get_queue("default")
    redis.Redis.from_url(REDIS_URL).flushdb()


@task()
def fail() -> None:
    raise RuntimeError("a task that fails")


def _rq_worker_burst(queue) -> None:
    """An RQ worker, in this process, that takes every waiting job and stops."""
    from django_tasks_rq import Job
    from rq import SimpleWorker

    SimpleWorker([queue], connection=queue.connection, job_class=Job).work(burst=True)


def test_the_heartbeat_is_recorded_for_its_backend_and_ages():
    assert worker_heartbeat_age(backend_alias="default") is None
    worker_heartbeat_record(
        backend_alias="default", at=timezone.now() - datetime.timedelta(seconds=90)
    )
    assert 90 <= worker_heartbeat_age(backend_alias="default") < 120
    worker_heartbeat_record(backend_alias="default")
    assert WorkerHeartbeat.objects.count() == 1
    assert worker_heartbeat_age(backend_alias="default") < 30


def test_with_a_queue_nobody_serves_the_server_is_not_ready(client, rq_backend):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["task_queue"] == "ok"
    assert response.json()["checks"]["worker_heartbeat"] == "stale"
    assert response.json()["failing"] == ["worker_heartbeat"]


def test_a_worker_that_runs_the_heartbeat_makes_the_server_ready(client, rq_backend):
    worker_heartbeat.enqueue()
    fail.enqueue()
    assert client.get("/readyz").status_code == 503  # enqueued, not yet run
    assert task_queue_counts(task_backend()) == {"READY": 2, "FAILED": 0}
    _rq_worker_burst(rq_backend)
    assert task_queue_counts(task_backend()) == {"READY": 0, "FAILED": 1}
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"]["worker_heartbeat"] == "ok"


@override_settings(ZHONGCAO_WORKER_HEARTBEAT_MAX_AGE=60)
def test_a_heartbeat_older_than_its_bound_is_stale(client, rq_backend):
    worker_heartbeat_record(
        backend_alias="default", at=timezone.now() - datetime.timedelta(seconds=61)
    )
    assert client.get("/readyz").json()["checks"]["worker_heartbeat"] == "stale"
    worker_heartbeat_record(
        backend_alias="default", at=timezone.now() - datetime.timedelta(seconds=30)
    )
    assert client.get("/readyz").json()["checks"]["worker_heartbeat"] == "ok"


def test_a_queue_that_cannot_be_reached_fails(client, rq_backend):
    worker_heartbeat_record(backend_alias="default")
    with override_settings(RQ_QUEUES={"default": {"URL": "redis://127.0.0.1:1/0"}}):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["task_queue"] == "failing"
    assert response.json()["failing"] == ["task_queue"]
    assert "127.0.0.1" not in response.content.decode()


@pytest.fixture
def database_backend():
    if not apps.is_installed("django_tasks_db"):
        pytest.skip("django_tasks_db is not among the installed apps")
    with override_settings(
        TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    ):
        yield


def test_the_database_queue_counts_waiting_and_failed_tasks(
    client, database_backend, monkeypatch
):
    worker_heartbeat.enqueue()
    fail.enqueue()
    assert task_queue_counts(task_backend()) == {"READY": 2, "FAILED": 0}
    assert client.get("/readyz").json()["checks"] == {
        "database": "ok",
        "cache": "ok",
        "click_journal": "not_configured",
        "task_queue": "ok",
        "worker_heartbeat": "stale",
    }
    # The worker, in this process: it must not close the test's own transaction.
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections",
        lambda: None,
    )
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    # The failed task's retry waits its turn (zhongcao.taskqueue).
    assert task_queue_counts(task_backend()) == {"READY": 1, "FAILED": 1}
    assert client.get("/readyz").status_code == 200


def test_backends_that_cannot_tell_have_no_counts():
    assert task_queue_counts(task_backend()) is None  # the immediate backend
