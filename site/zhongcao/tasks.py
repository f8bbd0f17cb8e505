"""The project's own background task: the worker's heartbeat.

Schedule ``zhongcao.tasks.worker_heartbeat`` every minute
(settings.ZHONGCAO_SCHEDULE); /readyz wants a beat younger than
ZHONGCAO_WORKER_HEARTBEAT_MAX_AGE seconds whenever tasks go to a queue that a worker
process serves (zhongcao.health). The beat waits its turn in the queue like any task
(the RQ backend has no priorities), so a queue backed up for longer than the bound
shows as stale too: worth knowing either way.
"""

from django_tasks import task
from django_tasks.base import TaskContext

from .health import worker_heartbeat_record


@task(takes_context=True)
def worker_heartbeat(context: TaskContext) -> str:
    """Record that a worker of this task's backend is alive and taking tasks; safe to
    run twice (the later beat wins)."""
    beat = worker_heartbeat_record(backend_alias=context.task_result.backend)
    return beat.beat_at.isoformat()
