"""Background tasks of the affiliates app (django-tasks); `manage.py run_scheduler`
enqueues them periodically (settings.ZHONGCAO_SCHEDULE). Each is safe to run twice."""

from django.conf import settings
from django_tasks import task

from affiliates.analytics.services import rollups_refresh
from affiliates.commissions.networks.feeds import (
    FEED_KIND,
    connection_feed_sync,
    feed_connections_due,
)
from affiliates.commissions.networks.pulls import (
    PullBusy,
    connection_pull,
    connections_due,
)
from affiliates.commissions.services.conversions import conversions_click_settle
from affiliates.commissions.services.ledger import commissions_approve
from affiliates.creators.signup import signups_purge
from affiliates.models import NetworkConnection
from affiliates.tracking.services import clicks_purge, hourly_salts_purge


@task()
def approve_commissions() -> int:
    """Approve pending commissions whose hold period has ended."""
    return commissions_approve()


@task()
def purge_clicks() -> int:
    """Delete clicks past the retention period that no conversion refers to."""
    return clicks_purge(older_than_days=settings.ZHONGCAO_CLICK_RETENTION_DAYS)


@task()
def settle_awaiting_conversions() -> int:
    """Decide the hold of sales that arrived before their click's row, or whose
    click was marked a duplicate after they were decided, where the click writer
    could not (a failure after writing) or the row never came."""
    return conversions_click_settle()


@task()
def purge_hourly_salts() -> int:
    """Delete the salts of past hours that hash opted-out visitors (GPC/DNT), so
    that their clicks can be told apart within the hour and never after it."""
    return hourly_salts_purge()


@task()
def refresh_rollups() -> int:
    """Recompute today's and yesterday's daily rollups (and older days whose sales
    changed since yesterday began)."""
    return rollups_refresh(days=2)


@task()
def purge_signups() -> int:
    """Delete the accounts of sign-ups nobody confirmed in time."""
    return signups_purge()


@task()
def pull_conversions(connection_id: int) -> str:
    """Pull one network connection's order report (Pull now, and the schedule)."""
    # The credentials are read by the pull, where a key that no longer opens them
    # is a failure on the connection's health rather than a crashed task.
    connection = (
        NetworkConnection.objects.filter(pk=connection_id).defer("credentials").first()
    )
    if connection is None:
        return "gone"
    try:
        run = connection_pull(connection=connection)
    except PullBusy:
        return "busy"
    return run.state


@task()
def pull_due_connections() -> int:
    """Enqueue a pull of every connection whose interval has passed."""
    due = connections_due()
    for connection in due:
        pull_conversions.enqueue(connection.pk)
    return len(due)


@task()
def sync_offer_feed(connection_id: int) -> str:
    """Read one merchant's product feed and update its offers (Sync now, and the
    schedule): a task of its own, so that one failing feed never holds up another."""
    connection = (
        NetworkConnection.objects.filter(pk=connection_id, kind=FEED_KIND)
        .select_related("merchant")
        .first()
    )
    if connection is None:
        return "gone"
    try:
        run, _summary = connection_feed_sync(connection=connection)
    except PullBusy:
        return "busy"
    return run.state


@task()
def sync_due_offer_feeds() -> int:
    """Enqueue a sync of every feed connection whose interval has passed."""
    due = feed_connections_due()
    for connection in due:
        sync_offer_feed.enqueue(connection.pk)
    return len(due)
