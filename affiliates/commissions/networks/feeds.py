"""A merchant's product feed as a connection (kind ``merchant-feed``): its settings
(``url``, and ``format``: auto, xml or tsv), and its sync, recorded as a
ConnectionRun like a report's pull so that the connection's health page shows it.

The sync itself is the catalog's (``products.feeds``): the feed is fetched through
the outbound client and streamed into ``merchant_feed_apply``. A run's counters
read, for a feed: ``lines_seen`` items read, ``lines_applied`` offers updated,
``lines_unchanged`` offers matched and already right, ``lines_proposed`` items
proposed to an editor, ``lines_rejected`` items refused (the first ones kept in
``rejections`` with their item or line number and the reason). A feed that cannot
be fetched or read to its end fails the run with the reason; the items read before
it stay applied. One connection's failure is its own: the schedule syncs each feed
in a task of its own.
"""

import logging
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.translation import gettext as _

from affiliates.commissions.networks.base import Window
from affiliates.commissions.networks.pulls import (
    _PROGRESS_FIELDS,
    _run_finish,
    _run_start,
    connections_due,
)
from affiliates.models import ConnectionKind, ConnectionRun, NetworkConnection
from products.feeds.fetch import feed_open
from products.feeds.parse import FORMATS, FeedError, feed_entries
from products.feeds.services import FeedSummary, merchant_feed_apply
from products.outbound import outbound_url_check

logger = logging.getLogger(__name__)

FEED_KIND = ConnectionKind.MERCHANT_FEED.value
# A new feed connection is read this often unless told otherwise.
FEED_EVERY_MINUTES = 60


class NotAFeed(ValueError):
    """The connection is not a merchant feed."""


def feed_settings_check(settings: dict) -> dict:
    """A feed connection's settings: ``url`` (http or https, not inside the
    network) and ``format`` (auto, xml or tsv); ValidationError naming the
    setting."""
    url = str(settings.get("url") or "").strip()
    if not url:
        raise ValidationError(
            {"settings": _("A merchant feed needs its url: --set url=https://…")}
        )
    try:
        URLValidator(schemes=["http", "https"])(url)
        outbound_url_check(url)
    except ValidationError as error:
        raise ValidationError(
            {"settings": _("url: %(reason)s") % {"reason": " ".join(error.messages)}}
        ) from error
    feed_format = str(settings.get("format") or "auto").strip().lower()
    if feed_format not in FORMATS:
        raise ValidationError(
            {
                "settings": _("format: “%(format)s” is not auto, xml or tsv.")
                % {"format": feed_format}
            }
        )
    return {**settings, "url": url, "format": feed_format}


def _run_counts(run: ConnectionRun, summary: FeedSummary) -> None:
    run.lines_seen = summary.read
    run.lines_applied = summary.updated
    run.lines_unchanged = summary.unchanged
    run.lines_proposed = summary.proposed
    run.lines_rejected = summary.rejected
    run.rejections = list(summary.rejections)


def connection_feed_sync(
    *,
    connection: NetworkConnection,
    progress: Callable[[ConnectionRun, FeedSummary], None] | None = None,
    **fetch_options,
) -> tuple[ConnectionRun, FeedSummary]:
    """Read the connection's feed now and apply it to the merchant's offers; return
    the run (succeeded or failed) and what was done. Raises PullBusy when a sync of
    the connection is running, NotAFeed for another kind of connection.
    ``fetch_options`` go to ``feed_open`` (a size limit, timeouts)."""
    if connection.kind != FEED_KIND:
        raise NotAFeed(f"{connection} is not a merchant feed.")
    now = timezone.now()
    run = _run_start(connection=connection, window=Window(now, now), now=now)
    summary = FeedSummary()

    def saved(current: FeedSummary) -> None:
        _run_counts(run, current)
        run.save(update_fields=_PROGRESS_FIELDS)
        if progress is not None:
            progress(run, current)

    try:
        settings = connection.settings or {}
        url = str(settings.get("url") or "").strip()
        if not url:
            raise FeedError("The connection has no feed url.")
        with feed_open(url=url, **fetch_options) as stream:
            summary = merchant_feed_apply(
                merchant=connection.merchant,
                entries=feed_entries(
                    stream, feed_format=str(settings.get("format") or "auto")
                ),
                at=now,
                progress=saved,
            )
    except FeedError as error:
        summary.error = error.reason
    except Exception:
        _run_finish(
            run=run,
            connection=connection,
            error="An internal error stopped the sync; it is in the server's log.",
        )
        raise
    _run_counts(run, summary)
    if summary.error:
        logger.warning("Feed of connection %s failed: %s", connection.pk, summary.error)
    _run_finish(run=run, connection=connection, error=summary.error)
    return run, summary


def feed_connections_due() -> list[NetworkConnection]:
    """Enabled feed connections whose interval has passed since their last sync
    began, with none running."""
    return connections_due(kinds=[FEED_KIND])
