"""Periodic work: settings.ZHONGCAO_SCHEDULE, run by APScheduler.

The scheduler (``manage.py run_scheduler``) only enqueues: each entry names a task
and a crontab line, and when the line comes due the scheduler enqueues the task for
the workers. Each period is enqueued once whatever number of schedulers are running
(two started by mistake, one on each of two servers): a scheduler first records the
period in ``ScheduledRun``, whose unique constraint on (task, due time) lets only one
of them succeed, in the same transaction as the enqueue. With the database queue the
two are one commit; RQ's queue takes the task at once, so a commit that failed after
it would let another scheduler enqueue that period again (tasks are safe to run
twice). Cron triggers are used because their due times are the same for every
scheduler (an interval trigger counts from its own start).

What a period's task does is safe to run twice, and each catches up on what earlier
periods left (approvals approve all that is due, rollups recompute whole days), so a
period missed while no scheduler ran is made up by the next one.
"""

import datetime
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, JobExecutionEvent
from apscheduler.executors.base import BaseExecutor
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks.base import Task, TaskResult

from .models import ScheduledRun

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicTask:
    """One entry of the schedule: the task, and when it is due."""

    path: str
    task: Task
    trigger: CronTrigger

    def period(self, *, now: datetime.datetime | None = None) -> datetime.timedelta:
        """The time between its next two runs."""
        return _period(self.trigger, now=now or timezone.now())


def _period(trigger: CronTrigger, *, now: datetime.datetime) -> datetime.timedelta:
    first = trigger.get_next_fire_time(None, now)
    second = trigger.get_next_fire_time(
        first, first + datetime.timedelta(microseconds=1)
    )
    return second - first


def _trigger(path: str, when: object) -> CronTrigger:
    """A crontab line ("minute hour day month weekday"), or CronTrigger's fields as a
    mapping (which may name seconds: {"second": "*/5"}), in UTC."""
    if isinstance(when, str):
        return CronTrigger.from_crontab(when, timezone=datetime.UTC)
    if isinstance(when, Mapping):
        return CronTrigger(**when, timezone=datetime.UTC)
    raise TypeError(f"{path}: {when!r} is neither a crontab line nor a mapping")


def schedule_load(schedule: Mapping[str, object] | None = None) -> list[PeriodicTask]:
    """The schedule's entries (settings.ZHONGCAO_SCHEDULE by default); an entry that
    names no task or no valid time is an ImproperlyConfigured error naming it."""
    schedule = settings.ZHONGCAO_SCHEDULE if schedule is None else schedule
    entries = []
    for path, when in schedule.items():
        try:
            task = import_string(path)
            trigger = _trigger(path, when)
        except (ImportError, TypeError, ValueError) as error:
            raise ImproperlyConfigured(f"ZHONGCAO_SCHEDULE: {error}") from error
        if not isinstance(task, Task):
            raise ImproperlyConfigured(
                f"ZHONGCAO_SCHEDULE: {path} is not a task (django_tasks.task)."
            )
        entries.append(PeriodicTask(path=path, task=task, trigger=trigger))
    return entries


def schedule_period(*, path: str) -> datetime.timedelta | None:
    """How often the task at ``path`` is scheduled; None if it is not."""
    when = settings.ZHONGCAO_SCHEDULE.get(path)
    if when is None:
        return None
    try:
        trigger = _trigger(path, when)
    except (TypeError, ValueError):
        return None
    return _period(trigger, now=timezone.now())


def periodic_task_enqueue(
    *, periodic: PeriodicTask, due_at: datetime.datetime
) -> TaskResult | None:
    """Enqueue ``periodic``'s task for the period due at ``due_at``, unless it has
    been already (by this scheduler or another); its result, or None."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                run = ScheduledRun.objects.create(
                    task_path=periodic.path, due_at=due_at
                )
        except IntegrityError:
            logger.info(
                "%s due at %s: enqueued already", periodic.path, due_at.isoformat()
            )
            return None
        result = periodic.task.enqueue()
        run.result_id = str(result.id)
        run.save(update_fields=["result_id"])
    logger.info("%s due at %s: enqueued", periodic.path, due_at.isoformat())
    return result


def scheduled_runs_purge(*, older_than: datetime.timedelta, now=None) -> int:
    """Forget the periods enqueued before ``older_than`` ago; how many went."""
    now = now or timezone.now()
    deleted, _per_model = ScheduledRun.objects.filter(
        due_at__lt=now - older_than
    ).delete()
    return deleted


class EnqueueExecutor(BaseExecutor):
    """Runs each due job in the scheduler's own thread, handing it the time it was
    due: the period's key, the same in every scheduler. (APScheduler's own executors
    call a job without it.) An enqueue is one short transaction; a job that runs late
    (the database was busy) still enqueues its period, once."""

    def _do_submit_job(self, job, run_times):
        events = []
        for run_time in run_times:
            try:
                job.func(*job.args, due_at=run_time, **job.kwargs)
            except Exception as error:  # reported; the next period runs anyway
                logger.exception("%s due at %s: not enqueued", job.id, run_time)
                events.append(
                    JobExecutionEvent(
                        EVENT_JOB_ERROR,
                        job.id,
                        job._jobstore_alias,
                        run_time,
                        exception=error,
                    )
                )
            else:
                events.append(
                    JobExecutionEvent(
                        EVENT_JOB_EXECUTED, job.id, job._jobstore_alias, run_time
                    )
                )
        self._run_job_success(job.id, events)


def scheduler_build(
    *,
    periodic_tasks: list[PeriodicTask],
    scheduler_class: Callable[..., BaseScheduler] = BlockingScheduler,
) -> BaseScheduler:
    """An APScheduler scheduler that enqueues each of ``periodic_tasks`` when due."""
    scheduler = scheduler_class(
        executors={"default": EnqueueExecutor()},
        # One run for any number of due times missed at once (the scheduler was
        # held up): each task catches up on its own.
        job_defaults={"coalesce": True, "max_instances": 1},
        timezone=datetime.UTC,
    )
    for periodic in periodic_tasks:
        scheduler.add_job(
            _enqueue_due,
            trigger=periodic.trigger,
            args=[periodic],
            id=periodic.path,
            name=periodic.path,
        )
    return scheduler


def _enqueue_due(
    periodic: PeriodicTask, *, due_at: datetime.datetime | None = None
) -> None:
    # due_at has a default only for APScheduler's check of the job's arguments:
    # EnqueueExecutor always hands it over.
    if due_at is None:
        raise TypeError("due_at is required: run the job with EnqueueExecutor")
    periodic_task_enqueue(periodic=periodic, due_at=due_at)
