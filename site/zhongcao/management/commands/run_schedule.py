"""`manage.py run_schedule [--once]`: enqueue the periodic tasks when they are due."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string

MAX_SLEEP_SECONDS = 60


class Command(BaseCommand):
    help = (
        "Enqueue each task of settings.ZHONGCAO_SCHEDULE at its start and then every "
        "so many seconds, until stopped (run it as a service, beside the web server). "
        "With the default in-process task backend the tasks run right here. --once "
        "enqueues every task once and exits (for cron)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true")

    def handle(self, *args, once, **options):
        try:
            tasks = {
                path: (import_string(path), int(seconds))
                for path, seconds in settings.ZHONGCAO_SCHEDULE.items()
            }
        except (ImportError, TypeError, ValueError) as error:
            raise CommandError(f"ZHONGCAO_SCHEDULE: {error}") from error
        due = dict.fromkeys(tasks, time.monotonic())
        while True:
            now = time.monotonic()
            for path, (task, seconds) in tasks.items():
                if due[path] <= now:
                    result = task.enqueue()
                    self.stdout.write(f"{path}: enqueued ({result.status})")
                    due[path] = now + seconds
            if once:
                return
            time.sleep(
                max(0.0, min(min(due.values()) - time.monotonic(), MAX_SLEEP_SECONDS))
            )
