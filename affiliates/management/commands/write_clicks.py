"""`manage.py write_clicks`: the click writer process (affiliates.tracking.journal).

gunicorn starts it (site/zhongcao/gunicorn.conf.py) with --lifeline-fd; run it
yourself as a service of its own, next to servers started with
ZHONGCAO_CLICK_JOURNAL=1, or with --once to write what a journal holds and exit.
"""

import logging
import os
import signal

from django.conf import settings
from django.core.management.base import BaseCommand

from affiliates.tracking.writer import JournalWriter

logger = logging.getLogger(__name__)


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
        writer = JournalWriter(settings.ZHONGCAO_CLICK_JOURNAL_DIR)
        if not writer.lock(wait=False):
            logger.info("Another click writer holds the journal; waiting for it")
            writer.lock(wait=True)
        if once:
            written = writer.write()
            self.stdout.write(f"Wrote {written} click{'s' if written != 1 else ''}.")
            return

        stop_read, stop_write = os.pipe()

        def stop(signum, frame):
            os.write(stop_write, b"x")

        if lifeline_fd is None:
            stop_fds = [stop_read]
            signal.signal(signal.SIGTERM, stop)
            signal.signal(signal.SIGINT, stop)
        else:
            # Workers still answering requests after the server got SIGTERM append
            # clicks until they exit: stopping now would leave those in the journal.
            stop_fds = [lifeline_fd]
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            signal.signal(signal.SIGINT, signal.SIG_IGN)
        logger.info(
            "Click writer %d: journal %s",
            os.getpid(),
            settings.ZHONGCAO_CLICK_JOURNAL_DIR,
        )
        written = writer.run(
            interval=settings.ZHONGCAO_CLICK_FLUSH_INTERVAL, stop_fds=stop_fds
        )
        logger.info("Click writer %d stopped; %d clicks written", os.getpid(), written)
