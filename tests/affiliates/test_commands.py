"""`manage.py purge_clicks`: retention of clicks."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from affiliates.models import Click
from tests.affiliates.conftest import flush
from tests.affiliates.tracking.test_views import go

pytestmark = pytest.mark.django_db


def test_purge_deletes_only_clicks_older_than_the_retention(client, link, settings):
    for _ in range(3):
        go(client, link)
    flush()
    old, older, fresh = Click.objects.order_by("pk")
    Click.objects.filter(pk=old.pk).update(
        clicked_at=timezone.now() - datetime.timedelta(days=401)
    )
    Click.objects.filter(pk=older.pk).update(
        clicked_at=timezone.now() - datetime.timedelta(days=30)
    )

    out = StringIO()
    call_command("purge_clicks", stdout=out)
    assert "1 click" in out.getvalue()
    assert set(Click.objects.values_list("pk", flat=True)) == {older.pk, fresh.pk}

    call_command("purge_clicks", "--days", "7", stdout=out)
    assert list(Click.objects.values_list("pk", flat=True)) == [fresh.pk]


def test_purge_refuses_a_negative_retention(db):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="--days"):
        call_command("purge_clicks", "--days", "-1")
