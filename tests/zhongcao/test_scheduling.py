"""Periodic work: settings.ZHONGCAO_SCHEDULE, enqueued by `manage.py run_scheduler`
(APScheduler's cron triggers) once per period however many schedulers run, and run
by the workers. Wagtail's scheduled publishing is part of it."""

import datetime
import signal
import threading
import time
from collections import Counter

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tests.conftest import review_create
from tests.processes import manage_start, sqlite_on_a_file
from zhongcao.checks import schedule_is_valid
from zhongcao.models import ScheduledRun
from zhongcao.scheduling import (
    periodic_task_enqueue,
    schedule_load,
    schedule_period,
)
from zhongcao.tasks import publish_scheduled_pages

committed = pytest.mark.django_db(transaction=True, serialized_rollback=True)

MINUTE = datetime.timedelta(minutes=1)


def test_the_schedule_holds_what_the_product_promises():
    paths = {periodic.path for periodic in schedule_load()}
    assert {
        "zhongcao.tasks.publish_scheduled_pages",
        "affiliates.tasks.refresh_rollups",
        "affiliates.tasks.approve_commissions",
        "affiliates.tasks.purge_clicks",
        "affiliates.tasks.purge_signups",
        "products.tasks.check_links",
        "content.webhooks.tasks.retry_webhook_deliveries",
        "content.webhooks.tasks.purge_webhook_deliveries",
        "zhongcao.tasks.purge_task_records",
    } <= paths
    # A page scheduled for T is live within a minute of T; a click shows on the
    # dashboards within two; a commission whose hold ended is approved within the
    # hour.
    assert schedule_period(path="zhongcao.tasks.publish_scheduled_pages") == MINUTE
    assert schedule_period(path="affiliates.tasks.refresh_rollups") == MINUTE
    assert schedule_period(path="affiliates.tasks.approve_commissions") <= 60 * MINUTE
    assert schedule_period(path="not.in.the.schedule") is None


@pytest.mark.parametrize(
    ("entry", "error"),
    [
        ({"affiliates.tasks.nothing": "* * * * *"}, "nothing"),
        ({"django.utils.timezone.now": "* * * * *"}, "is not a task"),
        ({"affiliates.tasks.refresh_rollups": "61 * * * *"}, "61"),
        ({"affiliates.tasks.refresh_rollups": "every minute"}, "Wrong number"),
        ({"affiliates.tasks.refresh_rollups": 60}, "neither a crontab line"),
        ({"affiliates.tasks.refresh_rollups": {"minutes": "*"}}, "minutes"),
    ],
)
def test_a_schedule_entry_it_cannot_run_is_a_clear_error(settings, entry, error):
    settings.ZHONGCAO_SCHEDULE = entry
    [problem] = schedule_is_valid(None)
    assert problem.id == "zhongcao.E001"
    assert problem.msg.startswith("ZHONGCAO_SCHEDULE: ")
    assert error in problem.msg
    with pytest.raises(CommandError, match="ZHONGCAO_SCHEDULE"):
        call_command("run_scheduler")


def test_the_default_schedule_passes_the_check():
    assert schedule_is_valid(None) == []


def test_adding_a_periodic_task_is_one_line(settings):
    settings.ZHONGCAO_SCHEDULE = {
        **settings.ZHONGCAO_SCHEDULE,
        "affiliates.tasks.purge_signups": "*/5 * * * *",
    }
    assert schedule_period(path="affiliates.tasks.purge_signups") == 5 * MINUTE


@pytest.mark.django_db
def test_a_period_is_enqueued_once(settings):
    [periodic] = schedule_load({"zhongcao.tasks.purge_task_records": "* * * * *"})
    due_at = timezone.now().replace(second=0, microsecond=0)
    first = periodic_task_enqueue(periodic=periodic, due_at=due_at)
    assert first.status == TaskResultStatus.SUCCESSFUL
    # Another scheduler, for the same period: nothing.
    assert periodic_task_enqueue(periodic=periodic, due_at=due_at) is None
    # The next period is enqueued.
    assert periodic_task_enqueue(periodic=periodic, due_at=due_at + MINUTE)
    runs = ScheduledRun.objects.order_by("due_at")
    assert [run.due_at for run in runs] == [due_at, due_at + MINUTE]
    assert runs[0].result_id == str(first.id)


@pytest.mark.django_db
def test_a_page_scheduled_for_later_goes_live_when_due_and_expires(
    articles, creator, product
):
    page = review_create(
        parent=articles, author=creator, product=product, publish=False
    )
    page.go_live_at = timezone.now() + datetime.timedelta(hours=1)
    revision = page.save_revision(user=page.owner)
    revision.publish()  # as an editor schedules it: not live yet
    page.refresh_from_db()
    assert not page.live
    publish_scheduled_pages.enqueue()
    page.refresh_from_db()
    assert not page.live

    # The hour has passed.
    past = timezone.now() - datetime.timedelta(seconds=1)
    revision.content["go_live_at"] = past.isoformat()
    revision.approved_go_live_at = past
    revision.save(update_fields=["content", "approved_go_live_at"])
    publish_scheduled_pages.enqueue()
    page.refresh_from_db()
    assert page.live

    page.expire_at = timezone.now() - datetime.timedelta(seconds=1)
    page.save()
    publish_scheduled_pages.enqueue()
    page.refresh_from_db()
    assert (page.live, page.expired) == (False, True)


# -- Two schedulers, one worker ---------------------------------------------------------


class Output:
    """A process's output lines, read as they come."""

    def __init__(self, process):
        self.lines: list[str] = []
        self.thread = threading.Thread(target=self._read, args=(process,))
        self.thread.start()

    def _read(self, process):
        for line in process.stdout:
            self.lines.append(line.rstrip("\n"))

    def count(self, *texts: str) -> int:
        return sum(all(text in line for text in texts) for line in self.lines)


@pytest.mark.slow
@committed
def test_two_schedulers_enqueue_each_period_once_and_the_worker_runs_it_once(
    tmp_path,
):
    """Two `run_scheduler` processes, started by mistake, on a schedule due every
    second (or two): each period is enqueued once, and runs once."""
    env = {
        "DJANGO_SETTINGS_MODULE": "tests.zhongcao.settings_every_second",
        "ZHONGCAO_TASK_QUEUE": "database",
    }
    with sqlite_on_a_file(tmp_path):
        schedulers = [manage_start("run_scheduler", env=env) for _ in range(2)]
        outputs = [Output(process) for process in schedulers]
        try:
            # Both compete for a few periods.
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and not all(
                output.count("purge_task_records", ": enqueued") >= 3
                for output in outputs
            ):
                time.sleep(0.2)
        finally:
            for process in schedulers:
                process.send_signal(signal.SIGTERM)
            for process, output in zip(schedulers, outputs, strict=True):
                process.wait(timeout=60)
                output.thread.join(timeout=10)
        for process, output in zip(schedulers, outputs, strict=True):
            assert process.returncode == 0, "\n".join(output.lines)
            assert "Scheduler stopped." in output.lines

        runs = list(ScheduledRun.objects.values_list("task_path", "due_at"))
        enqueued = sum(output.count("enqueued") for output in outputs)
        already = sum(output.count("enqueued already") for output in outputs)
        # Every period is enqueued by one scheduler: the other found it enqueued.
        assert len(runs) == len(set(runs)) == enqueued - already
        assert already >= 1
        assert all(due_at.microsecond == 0 for _path, due_at in runs)
        periods = Counter(path for path, _due_at in runs)
        results = Counter(DBTaskResult.objects.values_list("task_path", flat=True))
        assert results == periods
        assert periods["zhongcao.tasks.purge_task_records"] >= 3, outputs[0].lines

        worker = manage_start("db_worker", "--batch", "--no-startup-delay", env=env)
        output, _ = worker.communicate(timeout=120)
        assert worker.returncode == 0, output
        ran = Counter(
            DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL).values_list(
                "task_path", flat=True
            )
        )
        assert ran == periods
