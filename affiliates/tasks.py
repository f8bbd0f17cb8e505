"""Background tasks of the affiliates app (django-tasks)."""

from django_tasks import task

from .services import commissions_approve


@task()
def approve_commissions() -> int:
    """Approve pending commissions whose hold period has ended. Safe to run twice."""
    return commissions_approve()
