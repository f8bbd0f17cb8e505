"""`manage.py write_clicks`: the click writer process (affiliates.tracking.writer).

gunicorn starts it (site/zhongcao/gunicorn.conf.py) with --lifeline-fd; run it
yourself as a service of its own, next to servers started with
ZHONGCAO_CLICK_JOURNAL=1, or with --once to write what a journal holds and exit.
"""

import os

from django.core.management.base import BaseCommand

from affiliates.commissions.services.conversions import clicks_store_settling
from affiliates.tracking.writer import click_writer_run


class Command(BaseCommand):
    help = (
        "Write the clicks that request processes append to the click journal "
        "(ZHONGCAO_CLICK_JOURNAL_DIR) to the database, every flush interval, until "
        "SIGTERM or SIGINT; then write what remains and exit."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--once", action="store_true", help="write what the journal holds and exit"
        )
        parser.add_argument(
            "--nice",
            type=int,
            default=10,
            help="lower the CPU priority by this much (default 10): requests first",
        )
        parser.add_argument(
            "--lifeline-fd",
            type=int,
            default=None,
            help=(
                "(gunicorn.conf.py) a pipe whose write end the server's processes "
                "hold: stop when it closes, that is when no process can append any "
                "more; SIGTERM and SIGINT are then left to the server"
            ),
        )

    def handle(self, *args, once, nice, lifeline_fd, **options):
        if nice:
            os.nice(nice)
        # Stored, then the sales that waited for the clicks are settled.
        written = click_writer_run(
            store=clicks_store_settling, once=once, lifeline_fd=lifeline_fd
        )
        if once:
            self.stdout.write(f"Wrote {written} click{'s' if written != 1 else ''}.")
