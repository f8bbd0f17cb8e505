"""`manage.py run_scheduler`: enqueue the periodic tasks of settings.ZHONGCAO_SCHEDULE
when they are due (zhongcao.scheduling), until stopped."""

import signal

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from zhongcao.scheduling import schedule_load, scheduler_build


def _stop(signum, frame):
    raise SystemExit(0)


class Command(BaseCommand):
    help = (
        "Enqueue each task of settings.ZHONGCAO_SCHEDULE when its crontab line comes "
        "due, until stopped; the workers run them. Run one beside the workers: a "
        "second one does no harm (each period is enqueued once), none means no "
        "periodic work."
    )

    def handle(self, *args, **options):
        try:
            periodic_tasks = schedule_load()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        scheduler = scheduler_build(periodic_tasks=periodic_tasks)
        # SIGTERM (a process manager, honcho on Ctrl-C) stops it as Ctrl-C does: an
        # enqueue under way is one transaction, rolled back.
        signal.signal(signal.SIGTERM, _stop)
        self.stdout.write(
            f"Scheduling {len(periodic_tasks)} periodic tasks (ZHONGCAO_SCHEDULE)."
        )
        try:
            scheduler.start()
        except (KeyboardInterrupt, SystemExit):
            pass
        self.stdout.write("Scheduler stopped.")
