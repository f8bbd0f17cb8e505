"""The periodic tasks, as `manage.py run_schedule` enqueues them."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from affiliates.models import Click, EntryStatus, LedgerEntry
from affiliates.services import items_current
from tests.affiliates.conftest import click_id_for, postback, sale

pytestmark = pytest.mark.django_db


def test_once_approves_what_waited_long_enough_and_purges_old_clicks(
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
    out = StringIO()
    call_command("run_schedule", "--once", stdout=out)
    assert (
        "affiliates.tasks.approve_commissions: enqueued (SUCCESSFUL)" in out.getvalue()
    )
    assert "affiliates.tasks.purge_clicks: enqueued (SUCCESSFUL)" in out.getvalue()
    assert LedgerEntry.objects.filter(status=EntryStatus.APPROVED).exists()
    assert items_current(status=EntryStatus.PENDING) == []
    assert not Click.objects.filter(click_id="x" * 32).exists()
