"""What the project keeps about its background work: the failures of tasks (and what
became of each), the periods the scheduler has enqueued (zhongcao.taskqueue,
zhongcao.scheduling) and the worker's heartbeat (zhongcao.health). The queue itself
is the task backend's (django-tasks-db's table, or Redis)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TaskOutcome(models.TextChoices):
    RETRYING = "retrying", _("Retry scheduled")
    RETRIED = "retried", _("Failed again")
    RECOVERED = "recovered", _("Succeeded on retry")
    FAILED = "failed", _("Failed, not retried")


class TaskFailure(models.Model):
    """One failed run of a background task, and what became of it: retried later
    (``retry_result_id``, the run that tries again), or given up."""

    task_path = models.CharField(_("task"), max_length=255)
    # The failed run's id in its backend (a UUID in the database queue, RQ's job id).
    result_id = models.CharField(max_length=64, unique=True)
    attempt = models.PositiveSmallIntegerField(_("attempt"))
    exception_class_path = models.CharField(_("exception"), max_length=255)
    # The exception's own words (the traceback's last line), shown to editors.
    message = models.TextField(_("error"), blank=True)
    traceback = models.TextField(blank=True)
    failed_at = models.DateTimeField(_("failed at"), default=timezone.now)
    outcome = models.CharField(_("outcome"), max_length=16, choices=TaskOutcome.choices)
    retry_result_id = models.CharField(max_length=64, blank=True, db_index=True)
    retry_at = models.DateTimeField(_("retry at"), null=True, blank=True)

    class Meta:
        ordering = ["-failed_at", "-pk"]
        indexes = [models.Index(fields=["outcome", "failed_at"])]
        verbose_name = _("background task failure")
        verbose_name_plural = _("background task failures")

    def __str__(self) -> str:
        return f"{self.task_path} #{self.attempt}"


class ScheduledRun(models.Model):
    """A periodic task enqueued for one period (its due time). The unique constraint
    lets one scheduler only enqueue it, however many are running."""

    task_path = models.CharField(max_length=255)
    due_at = models.DateTimeField()
    enqueued_at = models.DateTimeField(default=timezone.now)
    result_id = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["task_path", "due_at"], name="scheduled_run_once_per_period"
            )
        ]
        indexes = [models.Index(fields=["due_at"])]

    def __str__(self) -> str:
        return f"{self.task_path} @ {self.due_at:%Y-%m-%d %H:%M:%S}"


class WorkerHeartbeat(models.Model):
    """When a worker of a task backend last ran the heartbeat task
    (zhongcao.tasks.worker_heartbeat), so that /readyz can tell a queue that is
    drained from one nobody serves. In the database, not the cache: the embedded
    default's cache is each process's own, and the worker is another process."""

    backend_alias = models.CharField(_("task backend"), max_length=32, primary_key=True)
    beat_at = models.DateTimeField(_("last heartbeat"))

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return f"{self.backend_alias}: {self.beat_at.isoformat()}"
