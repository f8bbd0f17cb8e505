"""Background tasks on real queues: the database queue run by its worker (the loop of
`manage.py db_worker` in the test's process, and the command itself in a process of
its own), and Redis run by RQ's worker. A request only enqueues; a task that fails is
retried with backoff, a bounded number of times, and editors see it with its error."""

import datetime
import os
import signal
import time

import django_rq
import pytest
import redis
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus, default_task_backend
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from rq.registry import ScheduledJobRegistry

from content.models import (
    DeliveryStatus,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from tests.conftest import review_create
from tests.content.webhook_receiver import receiver_running
from tests.processes import manage_start, sqlite_on_a_file
from tests.zhongcao.tasks import add, fail, fail_once, hang_the_first_time
from zhongcao.models import TaskFailure, TaskOutcome
from zhongcao.settings.base import task_queue_settings
from zhongcao.taskqueue import lost_task_runs_recover, task_retry_delay

pytestmark = pytest.mark.slow

# A worker has connections of its own, or closes and reopens the test's: what the
# tests write must be committed.
committed = pytest.mark.django_db(transaction=True, serialized_rollback=True)

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A database of the local Redis of its own for these tests, emptied before each.
REDIS_URL = os.environ.get("ZHONGCAO_TEST_TASKS_REDIS_URL", "redis://127.0.0.1:6379/12")


@pytest.fixture
def database_queue(settings):
    settings.TASKS = DATABASE_QUEUE
    return default_task_backend


def work() -> None:
    """Run every task that is due, as `manage.py db_worker --batch` does (its loop,
    in this process), then return."""
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    ).run()


def due_now(result_id: str) -> None:
    """Time passes: the queued run ``result_id`` is due."""
    DBTaskResult.objects.filter(pk=result_id).update(run_after=timezone.now())


def wait_until(condition, *, seconds: float = 60.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


# -- Requests only enqueue ------------------------------------------------------------


@committed
def test_the_sign_up_email_is_sent_by_the_worker_not_the_request(
    client, database_queue
):
    response = client.post(
        "/join/",
        {
            "email": "mei@example.com",
            "password": "a-long-and-unusual-pass-phrase",
            "public_name": "Mei",
            "accept_terms": "on",
        },
    )
    assert response.status_code == 302  # "Check your email"
    assert mail.outbox == []
    queued = DBTaskResult.objects.get(task_path="affiliates.creators.tasks.mail_send")
    assert queued.status == TaskResultStatus.READY
    work()
    assert [message.to for message in mail.outbox] == [["mei@example.com"]]
    queued.refresh_from_db()
    assert queued.status == TaskResultStatus.SUCCESSFUL


@committed
def test_a_webhook_is_delivered_by_the_worker_after_publishing(
    database_queue, local_servers_allowed, articles, creator, product
):
    with receiver_running() as receiver:
        WebhookEndpoint.objects.create(
            name="Frontend",
            url=receiver.url(),
            events=[WebhookEvent.ARTICLE_PUBLISHED],
        )
        review_create(parent=articles, author=creator, product=product)
        # Publishing stored the delivery and enqueued it; nothing was sent.
        assert receiver.received() == []
        assert WebhookDelivery.objects.get().status == DeliveryStatus.PENDING
        work()
        assert len(receiver.received()) == 1
    assert WebhookDelivery.objects.get().status == DeliveryStatus.SUCCEEDED


@committed
def test_wagtails_own_tasks_run_on_the_worker(database_queue, articles):
    """Wagtail's reference index (and search index) are updated by tasks too."""
    articles.title = "Reviews"
    articles.save_revision().publish()
    paths = set(DBTaskResult.objects.values_list("task_path", flat=True))
    assert "wagtail.tasks.update_reference_index_task" in paths
    work()
    assert not DBTaskResult.objects.exclude(status=TaskResultStatus.SUCCESSFUL)


# -- Failures: retried with backoff, then given up --------------------------------------


@committed
def test_a_failing_task_is_retried_with_backoff_then_given_up(database_queue, settings):
    settings.ZHONGCAO_TASK_ATTEMPTS = 3
    settings.ZHONGCAO_TASK_RETRY_DELAY = 60
    first = fail.enqueue("the merchant's feed is down")
    work()
    assert DBTaskResult.objects.get(pk=first.id).status == TaskResultStatus.FAILED
    failure = TaskFailure.objects.get(result_id=first.id)
    assert (failure.attempt, failure.outcome) == (1, TaskOutcome.RETRYING)
    assert failure.task_path == "tests.zhongcao.tasks.fail"
    assert failure.exception_class_path == "builtins.ValueError"
    assert failure.message == "ValueError: the merchant's feed is down"
    assert failure.retry_at == failure.failed_at + datetime.timedelta(minutes=1)
    retry = DBTaskResult.objects.get(pk=failure.retry_result_id)
    assert retry.status == TaskResultStatus.READY
    assert retry.run_after == failure.retry_at
    assert retry.args_kwargs == {"args": ["the merchant's feed is down"], "kwargs": {}}

    work()  # not due yet: nothing runs
    retry.refresh_from_db()
    assert retry.status == TaskResultStatus.READY

    due_now(retry.pk)
    work()
    second = TaskFailure.objects.get(result_id=retry.pk)
    assert (second.attempt, second.outcome) == (2, TaskOutcome.RETRYING)
    assert second.retry_at == second.failed_at + datetime.timedelta(minutes=2)
    failure.refresh_from_db()
    assert failure.outcome == TaskOutcome.RETRIED

    due_now(second.retry_result_id)
    work()
    third = TaskFailure.objects.get(result_id=second.retry_result_id)
    assert (third.attempt, third.outcome) == (3, TaskOutcome.FAILED)
    assert (third.retry_result_id, third.retry_at) == ("", None)
    # Three runs in all, each failed; nothing is left to run.
    assert DBTaskResult.objects.filter(task_path=failure.task_path).count() == 3
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.READY).exists()


def test_the_backoff_doubles(settings):
    settings.ZHONGCAO_TASK_RETRY_DELAY = 30
    assert [task_retry_delay(attempt=n).total_seconds() for n in (1, 2, 3, 4)] == [
        30,
        60,
        120,
        240,
    ]


@committed
def test_a_retry_that_succeeds_recovers_the_failure(database_queue):
    first = fail_once.enqueue("test-retry-recovers")
    work()
    failure = TaskFailure.objects.get(result_id=first.id)
    assert failure.message == "ConnectionError: the receiver was down"
    due_now(failure.retry_result_id)
    work()
    retry = DBTaskResult.objects.get(pk=failure.retry_result_id)
    assert (retry.status, retry.return_value) == (TaskResultStatus.SUCCESSFUL, "sent")
    failure.refresh_from_db()
    assert failure.outcome == TaskOutcome.RECOVERED


@committed
@pytest.mark.parametrize(
    ("when", "retried"), [("* * * * *", False), ("5 * * * *", True)]
)
def test_a_retry_never_waits_past_its_next_scheduled_run(
    database_queue, settings, when, retried
):
    """A task due every minute is retried by its next run; an hourly one is retried
    after a minute."""
    settings.ZHONGCAO_SCHEDULE = {"tests.zhongcao.tasks.fail": when}
    result = fail.enqueue("down")
    work()
    failure = TaskFailure.objects.get(result_id=result.id)
    assert failure.outcome == (TaskOutcome.RETRYING if retried else TaskOutcome.FAILED)


@pytest.mark.django_db
def test_a_backend_that_cannot_wait_records_the_failure_without_retrying():
    """The tests' immediate backend runs a task at once and cannot run it later."""
    result = fail.enqueue("at once")
    assert result.status == TaskResultStatus.FAILED
    failure = TaskFailure.objects.get(result_id=result.id)
    assert (failure.outcome, failure.retry_result_id) == (TaskOutcome.FAILED, "")


# -- The worker process ----------------------------------------------------------------


def db_worker_start():
    """`manage.py db_worker`, as `make run` and production start it, polling often."""
    return manage_start(
        "db_worker",
        "--interval",
        "0.1",
        "--no-startup-delay",
        env={"ZHONGCAO_TASK_QUEUE": "database"},
    )


@pytest.mark.slow
@committed
def test_the_worker_process_runs_tasks_and_retries_failures(tmp_path, database_queue):
    """`manage.py db_worker`, as `make run` and production start it."""
    with sqlite_on_a_file(tmp_path):
        worker = db_worker_start()
        try:
            sum_result = add.enqueue(2, 3)
            failing = fail.enqueue("boom")

            def finished() -> bool:
                return not DBTaskResult.objects.filter(
                    pk__in=[sum_result.id, failing.id],
                    status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
                ).exists()

            assert wait_until(finished)
            done = DBTaskResult.objects.get(pk=sum_result.id)
            assert (done.status, done.return_value) == (TaskResultStatus.SUCCESSFUL, 5)
            # The worker recorded the failure and enqueued its retry.
            assert wait_until(
                lambda: TaskFailure.objects.filter(result_id=failing.id).exists()
            )
            failure = TaskFailure.objects.get(result_id=failing.id)
            assert failure.outcome == TaskOutcome.RETRYING
            assert DBTaskResult.objects.get(pk=failure.retry_result_id).status == (
                TaskResultStatus.READY
            )
        finally:
            worker.send_signal(signal.SIGTERM)
            output, _ = worker.communicate(timeout=60)
    assert worker.returncode == 0, output


@pytest.mark.slow
@committed
def test_a_run_whose_worker_was_killed_is_recovered_and_retried(
    tmp_path, database_queue
):
    """A worker killed mid-run (SIGKILL: no chance to say so) leaves its run
    "running"; recovery records it as failed and the retry runs it to the end."""
    with sqlite_on_a_file(tmp_path):
        worker = db_worker_start()
        try:
            run = hang_the_first_time.enqueue(str(tmp_path / "started"))
            assert wait_until(
                lambda: DBTaskResult.objects.filter(
                    pk=run.id, status=TaskResultStatus.RUNNING
                ).exists()
            )
        finally:
            worker.kill()
            worker.communicate(timeout=60)
        # Not yet: a run younger than the bound may still be working.
        assert lost_task_runs_recover(older_than=datetime.timedelta(hours=1)) == 0
        assert lost_task_runs_recover(older_than=datetime.timedelta(0)) == 1
        assert lost_task_runs_recover(older_than=datetime.timedelta(0)) == 0
        lost = DBTaskResult.objects.get(pk=run.id)
        assert lost.status == TaskResultStatus.FAILED
        failure = TaskFailure.objects.get(result_id=run.id)
        assert failure.exception_class_path == "zhongcao.taskqueue.WorkerLost"
        assert "stopped during the run" in failure.message
        assert failure.outcome == TaskOutcome.RETRYING
        due_now(failure.retry_result_id)
        work()
        retry = DBTaskResult.objects.get(pk=failure.retry_result_id)
        assert (retry.status, retry.return_value) == (
            TaskResultStatus.SUCCESSFUL,
            "done",
        )
        failure.refresh_from_db()
        assert failure.outcome == TaskOutcome.RECOVERED


# -- Redis (RQ) ----------------------------------------------------------------------


@pytest.fixture
def redis_queue(settings):
    """ZHONGCAO_TASK_QUEUE=redis, on a database of the local Redis of its own."""
    connection = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5)
    try:
        connection.flushdb()
    except (redis.ConnectionError, redis.TimeoutError):
        pytest.skip(f"no Redis at {REDIS_URL}")
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}
    }
    settings.RQ_QUEUES = {"default": {"URL": REDIS_URL}}
    yield connection
    connection.flushdb()


@pytest.mark.slow
@committed
def test_the_redis_queue_runs_tasks_on_the_rq_worker_and_retries_failures(
    tmp_path, redis_queue
):
    """`manage.py rqworker default --job-class django_tasks_rq.Job --with-scheduler`,
    as the production layout of docs/operations.md starts it (here with --burst: it stops once
    the queue is empty)."""
    sum_result = add.enqueue(20, 22)
    failing = fail.enqueue("no route to the merchant")
    assert sum_result.status == TaskResultStatus.READY
    with sqlite_on_a_file(tmp_path):
        worker = manage_start(
            "rqworker",
            "default",
            "--job-class",
            "django_tasks_rq.Job",
            "--with-scheduler",
            "--burst",
            env={"ZHONGCAO_TASK_QUEUE": "redis", "ZHONGCAO_TASK_REDIS_URL": REDIS_URL},
        )
        output, _ = worker.communicate(timeout=120)
        assert worker.returncode == 0, output
        done = default_task_backend.get_result(sum_result.id)
        assert (done.status, done.return_value) == (TaskResultStatus.SUCCESSFUL, 42)
        assert default_task_backend.get_result(failing.id).status == (
            TaskResultStatus.FAILED
        )
        failure = TaskFailure.objects.get(result_id=failing.id)
    assert failure.message == "ValueError: no route to the merchant"
    assert failure.outcome == TaskOutcome.RETRYING
    scheduled = ScheduledJobRegistry(queue=django_rq.get_queue("default"))
    assert failure.retry_result_id in scheduled.get_job_ids()


# -- Editors see failures ------------------------------------------------------------


@pytest.fixture
def failures(db):
    now = timezone.now()
    TaskFailure.objects.create(
        task_path="content.webhooks.tasks.deliver_webhooks",
        result_id="r1",
        attempt=1,
        exception_class_path="requests.exceptions.ConnectionError",
        message="ConnectionError: the receiver was down",
        failed_at=now - datetime.timedelta(minutes=3),
        outcome=TaskOutcome.RETRYING,
        retry_result_id="r2",
        retry_at=now + datetime.timedelta(minutes=1),
    )
    TaskFailure.objects.create(
        task_path="products.tasks.check_links",
        result_id="r3",
        attempt=5,
        exception_class_path="builtins.RuntimeError",
        message="RuntimeError: <script>alert(1)</script>",
        failed_at=now,
        outcome=TaskOutcome.FAILED,
    )


REPORT = "zhongcao_background_tasks"


def test_editors_see_failed_and_retrying_tasks_with_their_error(editor, failures):
    client = Client()
    client.force_login(editor)
    response = client.get(reverse(REPORT))
    assert response.status_code == 200
    html = response.content.decode()
    assert "content.webhooks.tasks.deliver_webhooks" in html
    assert "ConnectionError: the receiver was down" in html
    assert "Retry scheduled" in html
    assert "products.tasks.check_links" in html
    assert "Failed, not retried" in html
    # The error is shown as text, never as markup.
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html

    retrying = client.get(reverse(REPORT), {"outcome": TaskOutcome.RETRYING})
    assert "content.webhooks.tasks.deliver_webhooks" in retrying.content.decode()
    assert "products.tasks.check_links" not in retrying.content.decode()

    export = client.get(reverse(REPORT), {"export": "csv"})
    assert export.status_code == 200
    assert "the receiver was down" in b"".join(export.streaming_content).decode()


def test_creators_may_not_see_background_tasks(creator, failures):
    client = Client()
    client.force_login(creator.user)
    assert client.get(reverse(REPORT)).status_code == 403


def test_a_bad_filter_is_no_error(editor, failures):
    client = Client()
    client.force_login(editor)
    response = client.get(reverse(REPORT), {"outcome": "nonsense"})
    assert response.status_code == 200


def test_an_unknown_queue_is_a_clear_error():
    with pytest.raises(ImproperlyConfigured, match="ZHONGCAO_TASK_QUEUE"):
        task_queue_settings("rabbit", redis_url="")
    with pytest.raises(ImproperlyConfigured, match="REDIS_URL"):
        task_queue_settings("redis", redis_url="")
