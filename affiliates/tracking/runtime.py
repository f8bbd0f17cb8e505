"""What tracking keeps per process, in one object: the TrackingRuntime.

A process's link targets (linktargets.LinkTargetMap and its refresh thread), its
visitor salts (clicks.Salts, of the day and of the hour), its click buffer
(clicks.ClickBuffer and its writer thread) and its handle on the click journal
(journal.Journal). AffiliatesConfig.ready makes the one runtime of the process,
gives it the store its clicks are written with (commissions'
clicks_store_settling: tracking does not import commissions), connects the
write-through of link targets and drains the buffer at exit; tracking_runtime()
returns it. The tests start each test from reset().
"""

import logging
from collections.abc import Callable

from django.apps import apps
from django.conf import settings

from affiliates.tracking.clicks import ClickBuffer, PendingClick, Salts
from affiliates.tracking.journal import Journal
from affiliates.tracking.linktargets import LinkTargetMap

logger = logging.getLogger(__name__)


class TrackingRuntime:
    """This process's link targets, visitor salts, click buffer and journal."""

    def __init__(self, *, store: Callable[..., object]) -> None:
        self.visitor_salts = Salts(model="VisitorSalt", key="day")
        self.hourly_salts = Salts(model="HourlySalt", key="hour")
        self.link_targets = LinkTargetMap(
            visitor_salts=self.visitor_salts, hourly_salts=self.hourly_salts
        )
        # Clicks waiting for the database (when no writer process takes them).
        self.click_buffer = ClickBuffer(store=store)
        self.journal: Journal | None = None

    def click_journal_append(self, click: PendingClick) -> bool:
        """Hand ``click`` to the writer process through the journal, if this process
        is set to (ZHONGCAO_CLICK_JOURNAL); False if it is not or the append failed,
        and the caller keeps the click itself."""
        if not settings.ZHONGCAO_CLICK_JOURNAL:
            return False
        directory = settings.ZHONGCAO_CLICK_JOURNAL_DIR
        journal = self.journal
        if journal is None or journal.setting != directory:  # (tests change it)
            journal = self.journal = Journal(directory)
        try:
            journal.append(click)
        except OSError:
            logger.exception(
                "Click journal unavailable; the click stays in this process"
            )
            return False
        return True

    def drain(self) -> int:
        """Write what the click buffer holds (at exit; gunicorn's worker_exit)."""
        return self.click_buffer.drain()

    def reset(self) -> None:
        """Forget everything held: the state of a new process (the tests use it).
        The objects stay (the write-through signals hold the map); their contents
        go."""
        self.click_buffer.pending.clear()
        self.link_targets.clear()
        for salts in (self.visitor_salts, self.hourly_salts):
            salts.cache.clear()
            salts.fallback = None
        self.journal = None


def tracking_runtime() -> TrackingRuntime:
    """This process's TrackingRuntime (made by AffiliatesConfig.ready)."""
    return apps.get_app_config("affiliates").runtime
