"""What happens when a background task fails: it is recorded for editors (Reports →
Background tasks) and tried again later, with backoff, a bounded number of times.

Every task backend (the database queue, RQ, the immediate one of the tests) sends
django-tasks' ``task_finished`` signal where the task ran; ``task_finished_receive``
(connected in ``ZhongcaoConfig.ready``) takes it from there, for every task, ours and
Wagtail's. Attempt n+1 runs ZHONGCAO_TASK_RETRY_DELAY * 2**(n-1) seconds after
attempt n failed, up to ZHONGCAO_TASK_ATTEMPTS attempts, and never later than the
task's next run in ZHONGCAO_SCHEDULE (that run is the retry: a task due every minute
is not retried). A backend that cannot run a task later (the immediate one) does not
retry. Tasks are safe to run twice, so a retry is too.

A worker killed in the middle of a run (a deploy, the OOM killer, a power cut) tells
nobody: the database queue would keep the run "running" for ever. The scheduler's
``recover_lost_tasks`` finds runs started more than ZHONGCAO_TASK_LOST_AFTER seconds
ago and still running, marks each failed (``WorkerLost``) and hands it to the same
failure path, so it is recorded and retried. (RQ notices a dead worker itself: its
job goes to the failed registry when the worker's heartbeat lapses.)
"""

import datetime
import logging
import sys
import traceback

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_tasks.base import TaskError, TaskResult, TaskResultStatus

from .models import TaskFailure, TaskOutcome
from .scheduling import schedule_period

logger = logging.getLogger(__name__)

MESSAGE_LENGTH = 1_000
TRACEBACK_LENGTH = 20_000


def task_retry_delay(*, attempt: int) -> datetime.timedelta:
    """How long after failed attempt ``attempt`` (1, 2, ...) the next one runs."""
    return datetime.timedelta(
        seconds=settings.ZHONGCAO_TASK_RETRY_DELAY * 2 ** (attempt - 1)
    )


def _last_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1].strip()[:MESSAGE_LENGTH] if lines else ""


def _task_error(task_result: TaskResult) -> TaskError | None:
    """The run's error: the last its backend recorded or, where the backend records
    it only after telling (RQ), the exception being handled when it tells."""
    if task_result.errors:
        return task_result.errors[-1]
    exception = sys.exc_info()[1]
    if exception is None:
        return None
    return TaskError(
        exception_class_path=(
            f"{type(exception).__module__}.{type(exception).__qualname__}"
        ),
        traceback="".join(traceback.format_exception(exception)),
    )


def task_failure_record(
    *,
    task_result: TaskResult,
    error: TaskError | None = None,
    now: datetime.datetime | None = None,
) -> TaskFailure | None:
    """Record the failed run ``task_result`` (``error``: its error, by default the
    last its backend recorded) and enqueue the next attempt if it has one left, in
    one transaction; the record (None if this run had one already)."""
    now = now or timezone.now()
    path = task_result.task.module_path
    if error is None and task_result.errors:
        error = task_result.errors[-1]
    if TaskFailure.objects.filter(result_id=str(task_result.id)).exists():
        return None
    with transaction.atomic():
        previous = (
            TaskFailure.objects.select_for_update()
            .filter(retry_result_id=str(task_result.id))
            .first()
        )
        attempt = previous.attempt + 1 if previous else 1
        if previous:
            previous.outcome = TaskOutcome.RETRIED
            previous.save(update_fields=["outcome"])
        delay = task_retry_delay(attempt=attempt)
        period = schedule_period(path=path)
        retry_at = None
        retry_result_id = ""
        if (
            attempt < settings.ZHONGCAO_TASK_ATTEMPTS
            and task_result.task.get_backend().supports_defer
            and (period is None or delay < period)
        ):
            retry_at = now + delay
            retry = task_result.task.using(run_after=retry_at).enqueue(
                *task_result.args, **task_result.kwargs
            )
            retry_result_id = str(retry.id)
        return TaskFailure.objects.create(
            task_path=path,
            result_id=str(task_result.id),
            attempt=attempt,
            exception_class_path=error.exception_class_path[:255] if error else "",
            message=_last_line(error.traceback) if error else "",
            traceback=error.traceback[-TRACEBACK_LENGTH:] if error else "",
            failed_at=now,
            outcome=TaskOutcome.RETRYING if retry_result_id else TaskOutcome.FAILED,
            retry_result_id=retry_result_id,
            retry_at=retry_at,
        )


class WorkerLost(Exception):
    """The worker running a task stopped before the task finished."""


def lost_task_runs_recover(
    *, older_than: datetime.timedelta, now: datetime.datetime | None = None
) -> int:
    """Runs of the database queue started before ``older_than`` ago and still
    running: each marked failed and recorded (with its retry, if it has attempts
    left) in one transaction; how many."""
    if not apps.is_installed("django_tasks_db"):
        return 0
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    lost = DBTaskResult.objects.running().filter(started_at__lt=now - older_than)
    recovered = 0
    for pk in list(lost.values_list("pk", flat=True)):
        with transaction.atomic():
            row = (
                DBTaskResult.objects.select_for_update(skip_locked=True)
                .running()
                .filter(pk=pk)
                .first()
            )
            if row is None:  # it finished meanwhile, or another recovery has it
                continue
            row.set_failed(
                WorkerLost(
                    f"Worker {', '.join(row.worker_ids) or '?'} stopped during the "
                    f"run started at {row.started_at.isoformat()}"
                )
            )
            task_failure_record(task_result=row.task_result, now=now)
            recovered += 1
    if recovered:
        logger.warning("Recovered %d task run(s) whose worker stopped", recovered)
    return recovered


def task_success_record(*, task_result: TaskResult) -> int:
    """A retry that succeeded: its failed attempt is marked recovered (how many)."""
    return TaskFailure.objects.filter(
        retry_result_id=str(task_result.id), outcome=TaskOutcome.RETRYING
    ).update(outcome=TaskOutcome.RECOVERED)


def task_failures_purge(
    *, older_than: datetime.timedelta, now: datetime.datetime | None = None
) -> int:
    """Forget failures recorded before ``older_than`` ago that are not waiting for a
    retry; how many went."""
    now = now or timezone.now()
    deleted, _per_model = (
        TaskFailure.objects.filter(failed_at__lt=now - older_than)
        .exclude(outcome=TaskOutcome.RETRYING)
        .delete()
    )
    return deleted


def task_failures() -> QuerySet[TaskFailure]:
    """Every recorded failure, newest first (Reports → Background tasks)."""
    return TaskFailure.objects.order_by("-failed_at", "-pk")


def task_finished_receive(sender, task_result: TaskResult, **kwargs) -> None:
    """django-tasks' ``task_finished``: record a failure (and retry), or a retry's
    success. Never raises: the database worker would mark a task that succeeded as
    failed, and stop, if a receiver did."""
    try:
        if task_result.status == TaskResultStatus.FAILED:
            task_failure_record(task_result=task_result, error=_task_error(task_result))
        elif task_result.status == TaskResultStatus.SUCCESSFUL:
            task_success_record(task_result=task_result)
    except Exception:  # the task's own outcome stands whatever happens here
        logger.exception(
            "Could not record the outcome of task %s (%s)",
            task_result.id,
            task_result.task.module_path,
        )
