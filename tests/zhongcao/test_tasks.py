"""The project's own task: the worker's heartbeat (zhongcao.tasks)."""

import pytest
from django.conf import settings

from zhongcao.models import WorkerHeartbeat
from zhongcao.tasks import worker_heartbeat

pytestmark = pytest.mark.django_db


def test_the_heartbeat_records_a_beat_for_the_backend_that_ran_it():
    first = worker_heartbeat.enqueue()
    second = worker_heartbeat.enqueue()  # safe to run twice: the later beat wins
    beat = WorkerHeartbeat.objects.get()
    assert beat.backend_alias == "default"
    assert first.return_value <= second.return_value == beat.beat_at.isoformat()


def test_the_heartbeat_is_on_the_schedule_every_minute():
    assert settings.ZHONGCAO_SCHEDULE["zhongcao.tasks.worker_heartbeat"] == "* * * * *"
    assert settings.ZHONGCAO_WORKER_HEARTBEAT_MAX_AGE > 60
