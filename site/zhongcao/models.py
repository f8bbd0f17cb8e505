"""What the project itself keeps in the database: the task worker's heartbeat."""

from django.db import models
from django.utils.translation import gettext_lazy as _


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
