"""Background tasks of the catalog (django-tasks); `manage.py run_schedule` enqueues
them periodically (settings.ZHONGCAO_SCHEDULE). Each is safe to run twice."""

from django_tasks import task

from .services import offers_check


@task()
def check_links() -> dict:
    """Check every offer's URL and record the results (products.services)."""
    return offers_check().as_dict()
