"""Background tasks of the project itself (django-tasks): Wagtail's scheduled
publishing, forgetting old records of background work, sending runs whose worker
died back to the queue, and the worker's heartbeat.
All are in settings.ZHONGCAO_SCHEDULE; each is safe to run twice.

The heartbeat runs every minute; /readyz wants a beat younger than
ZHONGCAO_WORKER_HEARTBEAT_MAX_AGE seconds whenever tasks go to a queue that a worker
process serves (zhongcao.health). The beat waits its turn in the queue like any task
(the RQ backend has no priorities), so a queue backed up for longer than the bound
shows as stale too: worth knowing either way."""

import datetime
import io

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskContext

from .health import worker_heartbeat_record
from .scheduling import scheduled_runs_purge
from .taskqueue import lost_task_runs_recover, task_failures_purge

# Finished runs kept in the database queue, and failures kept for the report.
SUCCESSFUL_RUNS_KEPT = datetime.timedelta(days=7)
FAILURES_KEPT = datetime.timedelta(days=30)
SCHEDULED_RUNS_KEPT = datetime.timedelta(days=2)


@task()
def publish_scheduled_pages() -> None:
    """Publish the pages and snippets whose scheduled time has come, and unpublish
    those whose expiry has passed: Wagtail's own `publish_scheduled` command."""
    call_command("publish_scheduled", stdout=io.StringIO())


@task()
def purge_task_records() -> int:
    """Forget finished runs of the database queue (successful after a week, failed
    after 30 days), failures no retry waits on after 30 days, and enqueued periods
    after two days; how many rows went."""
    now = timezone.now()
    deleted = task_failures_purge(older_than=FAILURES_KEPT, now=now)
    deleted += scheduled_runs_purge(older_than=SCHEDULED_RUNS_KEPT, now=now)
    if apps.is_installed("django_tasks_db"):
        from django_tasks_db.models import DBTaskResult

        results = DBTaskResult.objects
        deleted += (
            results.successful()
            .filter(finished_at__lt=now - SUCCESSFUL_RUNS_KEPT)
            .delete()[0]
        )
        deleted += (
            results.failed().filter(finished_at__lt=now - FAILURES_KEPT).delete()[0]
        )
    return deleted


@task()
def recover_lost_tasks() -> int:
    """Runs of the database queue whose worker stopped under them, failed and
    retried (zhongcao.taskqueue); how many."""
    return lost_task_runs_recover(
        older_than=datetime.timedelta(seconds=settings.ZHONGCAO_TASK_LOST_AFTER)
    )


@task(takes_context=True)
def worker_heartbeat(context: TaskContext) -> str:
    """Record that a worker of this task's backend is alive and taking tasks; safe to
    run twice (the later beat wins)."""
    beat = worker_heartbeat_record(backend_alias=context.task_result.backend)
    return beat.beat_at.isoformat()
