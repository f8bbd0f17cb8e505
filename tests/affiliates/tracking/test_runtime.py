"""What tracking keeps per process is one TrackingRuntime, owned by the app config;
and tracking stores clicks without knowing commissions."""

import ast
import datetime
from pathlib import Path

import pytest
from django.apps import apps
from django.utils import timezone

from affiliates.commissions.services.conversions import clicks_store_settling
from affiliates.models import Click, ClickDemotion
from affiliates.tracking.clickids import click_id_make
from affiliates.tracking.runtime import TrackingRuntime, tracking_runtime
from affiliates.tracking.services import ClicksStored, clicks_store
from tests.factories import pending_click

pytestmark = pytest.mark.django_db

TRACKING = Path(__file__).resolve().parents[3] / "affiliates" / "tracking"


def test_the_app_config_owns_the_one_runtime():
    runtime = tracking_runtime()
    assert isinstance(runtime, TrackingRuntime)
    assert runtime is apps.get_app_config("affiliates").runtime
    assert runtime.click_buffer.store is clicks_store_settling
    assert runtime.link_targets.visitor_salts is runtime.visitor_salts
    assert runtime.link_targets.hourly_salts is runtime.hourly_salts


def test_reset_forgets_what_the_process_held(link):
    runtime = tracking_runtime()
    runtime.link_targets.get(link.code)
    runtime.visitor_salts.for_period(timezone.now().date())
    runtime.click_buffer.pending.append(object())
    runtime.reset()
    assert runtime is tracking_runtime()
    assert not runtime.link_targets.targets
    assert not runtime.visitor_salts.cache
    assert len(runtime.click_buffer) == 0
    assert runtime.journal is None


def test_tracking_imports_nothing_of_commissions():
    """Commissions is the higher domain: it may import tracking, never the reverse,
    at the top of a module or inside a function."""
    for path in TRACKING.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                assert not name.startswith("affiliates.commissions"), path


def _pending(link, minute: int):
    at = timezone.now().replace(minute=0, second=0, microsecond=0) + (
        datetime.timedelta(minutes=minute)
    )
    return pending_click(
        link=link,
        click_id=click_id_make(link_id=link.pk, clicked_at=at),
        clicked_at=at,
        visitor="v" * 64,
    )


def test_clicks_store_returns_what_the_settle_needs_and_settles_nothing(link):
    later, earlier = _pending(link, 20), _pending(link, 10)
    assert clicks_store(clicks=[later]) == ClicksStored(
        click_ids=[later.click_id], demoted=[]
    )
    assert clicks_store(clicks=[earlier]) == ClicksStored(
        click_ids=[earlier.click_id], demoted=[later.click_id]
    )
    assert not Click.objects.get(click_id=later.click_id).is_billable
    # Left for commissions (clicks_store_settling) to settle.
    assert ClickDemotion.objects.filter(click_id=later.click_id).exists()
    assert clicks_store(clicks=[]) == ClicksStored(click_ids=[], demoted=[])


def test_clicks_store_settling_settles_the_demotions(link):
    later, earlier = _pending(link, 20), _pending(link, 10)
    clicks_store_settling(clicks=[later])
    stored = clicks_store_settling(clicks=[earlier])
    assert stored.demoted == [later.click_id]
    assert not ClickDemotion.objects.exists()
