"""`manage.py run_schedule`: refuses a schedule it cannot run."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

pytestmark = pytest.mark.django_db


def test_a_bad_schedule_is_a_clear_error(settings):
    settings.ZHONGCAO_SCHEDULE = {"affiliates.tasks.nothing": 60}
    with pytest.raises(CommandError, match="ZHONGCAO_SCHEDULE"):
        call_command("run_schedule", "--once")
