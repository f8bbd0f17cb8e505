"""Background tasks of the content app (django-tasks); `manage.py run_schedule`
enqueues the periodic ones (settings.ZHONGCAO_SCHEDULE). Each is safe to run twice."""

from django.conf import settings
from django_tasks import task

from content.webhooks.delivery import (
    webhook_deliveries_deliver,
    webhook_deliveries_purge,
    webhook_deliveries_retry,
)


@task()
def deliver_webhooks(delivery_pks: list[int]) -> int:
    """Send these webhook deliveries (enqueued when the change that made them
    commits); those that fail wait for ``retry_webhook_deliveries``."""
    return webhook_deliveries_deliver(delivery_pks=delivery_pks)


@task()
def retry_webhook_deliveries() -> int:
    """Send the webhook deliveries whose next attempt is due."""
    return webhook_deliveries_retry()


@task()
def purge_webhook_deliveries() -> int:
    """Forget finished webhook deliveries past the log's retention period."""
    return webhook_deliveries_purge(
        older_than_days=settings.ZHONGCAO_WEBHOOK_LOG_RETENTION_DAYS
    )
