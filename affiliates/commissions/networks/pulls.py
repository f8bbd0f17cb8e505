"""Pulling a connection's order report: incrementally, idempotently, with progress.

A pull reads from the connection's cursor, less the connector's overlap (so an
order the network recorded late is not lost between two pulls), to now, in windows
no longer than the network allows. Every order line is read by the postback's own
rules and ingested on its own (``conversion_ingest``: idempotent, so the overlap,
a second run, or the same order by a postback changes nothing). The cursor moves
to a window's end only once every line of the window was applied or refused; a
network's bad answer (``ConnectorError``) stops the pull with the cursor where it
was, so the next pull reads the window again. Only one pull of a connection runs
at a time (a database constraint on ``ConnectionRun``).

Pages are applied as they come, never collected, so a pull of any size holds one
page in memory.
"""

import datetime
import logging
from collections.abc import Callable, Iterator

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from affiliates.commissions.networks.base import (
    ConnectorError,
    OrderLine,
    Window,
    connector_registry,
)
from affiliates.commissions.postbacks import ReportFieldError, conversion_data_parse
from affiliates.commissions.services.conversions import (
    ConversionConflict,
    conversion_ingest,
)
from affiliates.models import (
    ConnectionRun,
    ConversionSource,
    NetworkConnection,
    RunState,
)
from products.encryption import DecryptionError

logger = logging.getLogger(__name__)

# The first refusals of a run are kept with their reasons; the rest are counted.
REJECTIONS_KEPT = 50


class PullBusy(Exception):
    """Another pull of this connection is running."""


class NotPulled(ValueError):
    """The connection's kind has no report to pull (a postback)."""


def pull_windows(
    start: datetime.datetime, end: datetime.datetime, size: datetime.timedelta
) -> Iterator[Window]:
    """[start, end) in consecutive windows of at most ``size``."""
    while start < end:
        window_end = min(start + size, end)
        yield Window(start=start, end=window_end)
        start = window_end


def _runs_lost_fail(*, connection: NetworkConnection, now: datetime.datetime) -> None:
    """A run still "running" long after it started had its worker killed under it."""
    lost_before = now - datetime.timedelta(seconds=settings.ZHONGCAO_TASK_LOST_AFTER)
    ConnectionRun.objects.filter(
        connection=connection, state=RunState.RUNNING, started_at__lt=lost_before
    ).update(
        state=RunState.FAILED,
        finished_at=now,
        error="The pull stopped without finishing (its worker was stopped).",
    )


def _run_start(
    *, connection: NetworkConnection, window: Window, now: datetime.datetime
) -> ConnectionRun:
    _runs_lost_fail(connection=connection, now=now)
    try:
        with transaction.atomic():
            return ConnectionRun.objects.create(
                connection=connection,
                window_start=window.start,
                window_end=window.end,
            )
    except IntegrityError as error:
        raise PullBusy(f"A pull of {connection} is running.") from error


def _line_key(line: OrderLine) -> str:
    order = str(line.get("order_id", "?"))[:100]
    item = str(line.get("item_id") or "")[:100]
    return f"{order}/{item}" if item else order


def _rejection(run: ConnectionRun, line: OrderLine, field: str, message: str) -> None:
    run.lines_rejected += 1
    if len(run.rejections) < REJECTIONS_KEPT:
        run.rejections.append(f"{_line_key(line)}: {field}: {message}")


def _line_apply(
    *, run: ConnectionRun, connection: NetworkConnection, line: OrderLine
) -> None:
    run.lines_seen += 1
    refused = line.get("refused")
    if refused:
        # The connector read the line and knows it cannot be applied as it is
        # (base.OrderLine): refused with the connector's reason, nothing written.
        _rejection(run, line, *refused)
        return
    try:
        data = conversion_data_parse(line)
        result = conversion_ingest(
            merchant=connection.merchant,
            data=data,
            source=ConversionSource.PULL,
            connection=connection,
        )
    except ReportFieldError as error:
        _rejection(run, line, error.field, error.message)
    except ConversionConflict as conflict:
        _rejection(run, line, conflict.field, conflict.message)
    else:
        if result.changed:
            run.lines_applied += 1
        else:
            run.lines_unchanged += 1


_PROGRESS_FIELDS = [
    "lines_seen",
    "lines_applied",
    "lines_unchanged",
    "lines_rejected",
    "lines_proposed",
    "rejections",
]


def _run_finish(
    *, run: ConnectionRun, connection: NetworkConnection, error: str = ""
) -> None:
    now = timezone.now()
    run.state = RunState.FAILED if error else RunState.SUCCEEDED
    run.error = error
    run.finished_at = now
    run.save(update_fields=[*_PROGRESS_FIELDS, "state", "error", "finished_at"])
    if error:
        connection.last_error_at = now
        connection.last_error = error
        fields = ["last_error_at", "last_error"]
    else:
        connection.last_success_at = now
        fields = ["last_success_at"]
    NetworkConnection.objects.filter(pk=connection.pk).update(
        **{field: getattr(connection, field) for field in fields}
    )


# A credential shorter than this is not masked: it would blank out ordinary words
# of the reason, and is no secret worth the name.
_MASKED_MIN_LENGTH = 4


def _secrets_masked(reason: str, *, connection: NetworkConnection) -> str:
    """``reason`` with every credential of the connection masked: a network (or a
    server a base URL points at) may echo a secret in its error text, and a
    connector that forgot to mask it must not put it on the health page or in the
    log."""
    try:
        credentials = connection.credentials
    except DecryptionError:
        return reason  # no key opens them: no secret can be in the reason
    values = sorted(
        (
            str(value)
            for value in credentials.values()
            if value is not None and len(str(value)) >= _MASKED_MIN_LENGTH
        ),
        key=len,
        reverse=True,
    )
    for value in values:
        reason = reason.replace(value, "…")
    return reason


def connection_pull(
    *,
    connection: NetworkConnection,
    since: datetime.datetime | None = None,
    until: datetime.datetime | None = None,
    progress: Callable[[ConnectionRun], None] | None = None,
) -> ConnectionRun:
    """Pull the connection's report from its cursor (or ``since``) to now (or
    ``until``) and apply every order line; return the run, succeeded or failed.
    Raises PullBusy when another pull of the connection runs, NotPulled for a
    connection that is not pulled."""
    connector_cls = connector_registry().get(connection.kind)
    if connector_cls is None:
        raise NotPulled(f"A {connection.get_kind_display()} connection is not pulled.")
    now = timezone.now()
    end = until or now
    if since is None:
        since = (
            connection.cursor or end - connector_cls.first_lookback
        ) - connector_cls.overlap
    run = _run_start(connection=connection, window=Window(since, end), now=now)
    try:
        connector = connector_cls(connection)
        for window in pull_windows(since, end, connector_cls.max_window):
            for page in connector.fetch(window):
                for line in page:
                    _line_apply(run=run, connection=connection, line=line)
                run.save(update_fields=_PROGRESS_FIELDS)
                if progress is not None:
                    progress(run)
            if connection.cursor is None or window.end > connection.cursor:
                connection.cursor = window.end
                NetworkConnection.objects.filter(pk=connection.pk).update(
                    cursor=window.end
                )
    except DecryptionError:
        _run_finish(
            run=run,
            connection=connection,
            error="The credentials cannot be decrypted: ZHONGCAO_ENCRYPTION_KEYS no "
            "longer holds the key they were saved with.",
        )
    except ConnectorError as error:
        reason = _secrets_masked(error.reason, connection=connection)
        logger.warning("Pull of connection %s failed: %s", connection.pk, reason)
        _run_finish(run=run, connection=connection, error=reason)
    except Exception:
        _run_finish(
            run=run,
            connection=connection,
            error="An internal error stopped the pull; it is in the server's log.",
        )
        raise
    else:
        _run_finish(run=run, connection=connection)
    return run


def connections_due(
    *, now: datetime.datetime | None = None, kinds: list[str] | None = None
) -> list[NetworkConnection]:
    """Enabled pulled connections (of ``kinds``, default the order reports) whose
    last pull started at least their interval ago (or never), and that have none
    running."""
    now = now or timezone.now()
    due = []
    connections = (
        NetworkConnection.objects.filter(
            enabled=True,
            kind__in=connector_registry().kinds() if kinds is None else kinds,
        )
        .select_related("merchant")
        .defer("credentials")  # read by the pull itself, not to decide it is due
    )
    for connection in connections:
        _runs_lost_fail(connection=connection, now=now)
        last = connection.runs.order_by("-started_at").first()
        if last is not None and (
            last.state == RunState.RUNNING
            or last.started_at
            > now - datetime.timedelta(minutes=connection.pull_every_minutes)
        ):
            continue
        due.append(connection)
    return due
