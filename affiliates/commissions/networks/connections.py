"""Setting up a network connection, for the admin and ``manage.py connection``: its
credentials (write-only: kept when left blank, shown masked), its base URL (checked
as every outbound address is), its settings (a JSON object), and its health.

The credentials a kind holds are its connector's ``credential_names`` (the
network's own names); a templated postback has no connector: it is authenticated by
a token or by our HMAC with a secret, as its settings' ``auth`` says, so both names
are credentials of that kind and neither can land in the plain settings.
"""

import datetime
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from affiliates.commissions.networks.base import connector_registry
from affiliates.commissions.networks.feeds import (
    FEED_EVERY_MINUTES,
    FEED_KIND,
    feed_settings_check,
)
from affiliates.commissions.networks.templates import (
    TemplateSettingsError,
    postback_template_validate,
)
from affiliates.models import (
    ConnectionKind,
    ConnectionRun,
    NetworkConnection,
    RunState,
)
from products.models import Merchant
from products.outbound import outbound_host_is_allowed, outbound_url_check
from products.web import public_url

# A templated postback's credentials: a token in its URL or a header, or the secret
# of our HMAC; which one is used is its settings' "auth".
TEMPLATED_CREDENTIALS = ("token", "secret")
# Columns of the connection that a setting of this name would shadow.
FIELD_NAMES = ("base_url", "enabled", "pull_every_minutes")
# A masked secret shows this many of its last characters, when it is long enough
# that they give nothing useful away.
MASK_VISIBLE = 4
MASK_MIN_LENGTH = 8
MASK = "••••"


def connection_kinds() -> list[tuple[str, str]]:
    """The kinds a connection can be made of here: those with a connector installed
    (pulled), the templated postback, and Amazon Associates (tracking ids only)."""
    installed = {
        ConnectionKind.TEMPLATED_POSTBACK.value,
        # Holds the tags given to creators; its reports are imported as files.
        ConnectionKind.AMAZON_ASSOCIATES.value,
        # The merchant's product feed (products.feeds), synced on a schedule.
        FEED_KIND,
        *connector_registry().kinds(),
    }
    return [
        (value, label) for value, label in ConnectionKind.choices if value in installed
    ]


def connection_credential_names(*, kind: str) -> tuple[str, ...]:
    """The credentials a connection of ``kind`` holds, under the network's names."""
    if kind == ConnectionKind.TEMPLATED_POSTBACK:
        return TEMPLATED_CREDENTIALS
    connector = connector_registry().get(kind)
    return tuple(connector.credential_names) if connector is not None else ()


def connection_credential_in_use(*, kind: str, settings: dict, name: str) -> bool:
    """Whether ``name`` is the credential the connection authenticates with now: a
    templated postback uses its secret only with our HMAC, its token otherwise."""
    if kind != ConnectionKind.TEMPLATED_POSTBACK:
        return True
    uses_secret = str(settings.get("auth", "")).lower() in {"hmac", "signature"}
    return (name == "secret") == uses_secret


def secret_mask(value: Any) -> str:
    """A stored secret as shown: its last four characters behind dots, or only dots
    when it is too short for that to be safe; empty when there is none."""
    text = str(value or "")
    if not text:
        return ""
    if len(text) < MASK_MIN_LENGTH:
        return MASK
    return MASK + text[-MASK_VISIBLE:]


def credentials_masked(*, connection: NetworkConnection) -> dict[str, str]:
    """Each credential of the connection's kind, masked ('' when not set)."""
    stored = connection.credentials or {}
    return {
        name: secret_mask(stored.get(name))
        for name in connection_credential_names(kind=connection.kind)
    }


def connection_inbound_url(*, connection: NetworkConnection) -> str:
    """Where a templated postback's network calls us; '' for other kinds."""
    if connection.kind != ConnectionKind.TEMPLATED_POSTBACK:
        return ""
    return public_url(f"/api/postbacks/{connection.merchant.slug}/{connection.key}")


# -- Writing a connection --------------------------------------------------------------


def _settings_check(settings: Any, *, credential_names: tuple[str, ...]) -> dict:
    if not isinstance(settings, dict):
        raise ValidationError(
            {"settings": _('Settings must be a JSON object, as in {"time_zone": …}.')}
        )
    for key in settings:
        if not isinstance(key, str) or not key.strip():
            raise ValidationError({"settings": _("A setting's name cannot be empty.")})
        if key in credential_names:
            raise ValidationError(
                {
                    "settings": _(
                        "“%(name)s” is a credential: it is stored encrypted, not in "
                        "the settings."
                    )
                    % {"name": key}
                }
            )
        if key in FIELD_NAMES:
            raise ValidationError(
                {
                    "settings": _(
                        "“%(name)s” is a field of the connection, not a setting."
                    )
                    % {"name": key}
                }
            )
    return settings


def _url_valid(url: str) -> None:
    """URLValidator's check; but a host the operator named may be one that only
    their resolver knows, such as a staging service "jd-mock": a single label,
    which URLValidator refuses. Such a URL must still be whole: a number for its
    port, no spaces."""
    parts = urlsplit(url)
    if not outbound_host_is_allowed(parts.hostname or ""):
        URLValidator(schemes=["http", "https"])(url)
        return
    try:
        parts.port  # noqa: B018 (read for its check: ValueError when not a number)
    except ValueError as error:
        raise ValidationError(_("Enter a valid URL."), code="invalid") from error
    if any(char.isspace() or not char.isprintable() for char in url):
        raise ValidationError(_("Enter a valid URL."), code="invalid")


def _base_url_check(base_url: str) -> str:
    base_url = base_url.strip()
    if not base_url:
        return ""
    try:
        outbound_url_check(base_url)
        _url_valid(base_url)
    except ValidationError as error:
        raise ValidationError({"base_url": error.messages}) from error
    return base_url


def _template_check(*, settings: dict, credentials: dict) -> None:
    """A templated postback's settings can be used, and the credential its auth
    needs is there: else its network's every call would be refused (503, 401)."""
    try:
        postback_template_validate(settings=settings, credentials=credentials)
    except TemplateSettingsError as error:
        field = "credentials" if error.key == "credentials" else "settings"
        raise ValidationError({field: str(error)}) from error


@dataclass(frozen=True)
class ConnectionChanges:
    """What a save may change; ``None`` leaves a field as it is."""

    name: str | None = None
    enabled: bool | None = None
    base_url: str | None = None
    pull_every_minutes: int | None = None
    settings: dict | None = None
    # A credential given blank (or not given) keeps its stored value.
    credentials: dict[str, str] | None = None


def network_connection_save(
    *,
    merchant: Merchant,
    kind: str,
    changes: ConnectionChanges,
    connection: NetworkConnection | None = None,
) -> NetworkConnection:
    """Create a connection of ``kind`` for ``merchant`` (``connection`` None) or
    change one; raise ValidationError naming the field, writing nothing, on bad
    input. Blank credentials keep the stored ones, so an edit form never needs
    to show them."""
    if kind not in dict(connection_kinds()):
        raise ValidationError(
            {
                "kind": _(
                    "“%(kind)s” is not a connection kind installed here; the kinds "
                    "are: %(kinds)s."
                )
                % {"kind": kind, "kinds": ", ".join(dict(connection_kinds()))}
            }
        )
    credential_names = connection_credential_names(kind=kind)
    given = {
        name: str(value).strip()
        for name, value in (changes.credentials or {}).items()
        if str(value or "").strip()
    }
    unknown = sorted(set(given) - set(credential_names))
    if unknown:
        raise ValidationError(
            {
                "credentials": _(
                    "A %(kind)s connection has no credential “%(name)s”; its "
                    "credentials are: %(names)s."
                )
                % {
                    "kind": kind,
                    "name": unknown[0],
                    "names": ", ".join(credential_names) or _("none"),
                }
            }
        )
    settings = None
    if changes.settings is not None:
        settings = _settings_check(changes.settings, credential_names=credential_names)
    if kind == FEED_KIND:
        # A feed is its URL: checked whether or not this change touches it.
        settings = feed_settings_check(
            settings
            if settings is not None
            else (connection.settings if connection is not None else {})
        )
    base_url = None
    if changes.base_url is not None:
        base_url = _base_url_check(changes.base_url)
    if changes.pull_every_minutes is not None and not (
        1 <= changes.pull_every_minutes <= 7 * 24 * 60
    ):
        raise ValidationError(
            {"pull_every_minutes": _("Pull every 1 to 10080 minutes (a week).")}
        )
    if changes.name is not None and len(changes.name) > 100:
        raise ValidationError({"name": _("At most 100 characters.")})
    enabled = changes.enabled
    if enabled is None:
        enabled = connection.enabled if connection is not None else True
    if kind == ConnectionKind.TEMPLATED_POSTBACK and enabled:
        # A disabled one may be saved half set up: its URL answers 404 meanwhile.
        stored_settings, stored_credentials = {}, {}
        if connection is not None:
            stored_settings = connection.settings
            stored_credentials = connection.credentials or {}
        _template_check(
            settings=settings if settings is not None else stored_settings,
            credentials={**stored_credentials, **given},
        )

    with transaction.atomic():
        if connection is None:
            connection = NetworkConnection(merchant=merchant, kind=kind)
            if kind == FEED_KIND:
                connection.pull_every_minutes = FEED_EVERY_MINUTES
            fields = None
        else:
            # Locked: a pull moving the cursor, or another editor, is not undone.
            connection = NetworkConnection.objects.select_for_update().get(
                pk=connection.pk
            )
            fields = ["credentials"]
        for field in ("name", "enabled", "pull_every_minutes"):
            value = getattr(changes, field)
            if value is not None:
                setattr(connection, field, value)
                if fields is not None:
                    fields.append(field)
        if base_url is not None:
            connection.base_url = base_url
            if fields is not None:
                fields.append("base_url")
        if settings is not None:
            connection.settings = settings
            if fields is not None:
                fields.append("settings")
        connection.credentials = {**(connection.credentials or {}), **given}
        connection.save(update_fields=fields)
    return connection


# -- Health ----------------------------------------------------------------------------


def _today_start(now: datetime.datetime | None = None) -> datetime.datetime:
    today = timezone.localdate(now or timezone.now())
    return timezone.make_aware(
        datetime.datetime.combine(today, datetime.time.min),
        timezone.get_current_timezone(),
    )


def network_connections(*, now: datetime.datetime | None = None) -> QuerySet:
    """Every connection with its merchant and ``orders_today``: the order reports
    that came through it since midnight (the site's time zone)."""
    return NetworkConnection.objects.select_related("merchant").annotate(
        orders_today=Count(
            "reports", filter=Q(reports__received_at__gte=_today_start(now))
        )
    )


def connection_run_running(*, connection: NetworkConnection) -> ConnectionRun | None:
    """The pull of the connection under way, if any."""
    return connection.runs.filter(state=RunState.RUNNING).first()


def connection_runs_recent(
    *, connection: NetworkConnection, limit: int = 20
) -> list[ConnectionRun]:
    return list(connection.runs.all()[:limit])


def connection_runs_running(*, connections: list[NetworkConnection]) -> dict:
    """Connection pk → its running pull, for a page of connections."""
    runs = ConnectionRun.objects.filter(
        connection__in=connections, state=RunState.RUNNING
    )
    return {run.connection_id: run for run in runs}


def run_progress(run: ConnectionRun | None) -> dict:
    """A run's progress as the admin's health and its JSON endpoint show it."""
    if run is None:
        return {"state": "", "running": False}
    return {
        "state": run.state,
        "running": run.state == RunState.RUNNING,
        "started_at": run.started_at.isoformat() if run.started_at else None,
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "window_start": run.window_start.isoformat(),
        "window_end": run.window_end.isoformat(),
        "lines_seen": run.lines_seen,
        "lines_applied": run.lines_applied,
        "lines_unchanged": run.lines_unchanged,
        "lines_rejected": run.lines_rejected,
        "lines_proposed": run.lines_proposed,
        "error": run.error,
    }


def run_summary(run: ConnectionRun) -> str:
    if run.connection.kind == FEED_KIND:
        return _(
            "%(seen)s items read: %(matched)s matched (%(applied)s updated, "
            "%(unchanged)s unchanged), %(proposed)s proposed, %(rejected)s rejected"
        ) % {
            "seen": run.lines_seen,
            "matched": run.lines_applied + run.lines_unchanged,
            "applied": run.lines_applied,
            "unchanged": run.lines_unchanged,
            "proposed": run.lines_proposed,
            "rejected": run.lines_rejected,
        }
    return _(
        "%(seen)s order lines read: %(applied)s applied, %(unchanged)s already "
        "known, %(rejected)s refused"
    ) % {
        "seen": run.lines_seen,
        "applied": run.lines_applied,
        "unchanged": run.lines_unchanged,
        "rejected": run.lines_rejected,
    }


def tracking_ids_pool(*, connection: NetworkConnection) -> tuple[int, int]:
    """(ids in the connection's pool, of which given to creators)."""
    ids = connection.tracking_ids.all()
    return ids.count(), ids.filter(creator__isnull=False).count()
