"""The creators' background task: sending a mail after the transaction commits.

It sits below the services that enqueue it (signup), so they import it at the top.
A queued run names the task by its path, ``affiliates.creators.tasks.mail_send``."""

from django.core.mail import send_mail
from django_tasks import task


@task()
def mail_send(*, to: str, subject: str, body: str) -> int:
    """Send one plain-text email (the sign-up confirmation) from DEFAULT_FROM_EMAIL."""
    return send_mail(subject, body, None, [to])
