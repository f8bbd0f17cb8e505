"""The periodic tasks, as the scheduler (`manage.py run_scheduler`) enqueues them."""

import datetime

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus

from affiliates.commissions.services.ledger import items_current
from affiliates.models import Click, EntryStatus, LedgerEntry
from tests.affiliates.conftest import click_id_for, postback, sale
from tests.conftest import schedule_run_once

pytestmark = pytest.mark.django_db


def test_the_schedule_approves_what_waited_long_enough_and_purges_old_clicks(
    client, connected, link
):
    long_ago = timezone.now() - datetime.timedelta(days=connected.hold_period_days + 1)
    postback(
        client,
        connected,
        sale(
            click_id=click_id_for(link, at=long_ago), occurred_at=long_ago.isoformat()
        ),
    )
    Click.objects.create(
        click_id="x" * 32,
        link=link,
        clicked_at=timezone.now() - datetime.timedelta(days=500),
    )
    results = schedule_run_once()
    assert results["affiliates.tasks.approve_commissions"].status == (
        TaskResultStatus.SUCCESSFUL
    )
    assert results["affiliates.tasks.purge_clicks"].status == (
        TaskResultStatus.SUCCESSFUL
    )
    assert LedgerEntry.objects.filter(status=EntryStatus.APPROVED).exists()
    assert items_current(status=EntryStatus.PENDING) == []
    assert not Click.objects.filter(click_id="x" * 32).exists()
