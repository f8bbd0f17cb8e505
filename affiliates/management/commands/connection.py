"""`manage.py connection <merchant-slug> --kind <kind> [--name N] --set key=value …`:
create or change a network connection; `--show` prints a merchant's connections
and their health, secrets masked.

Where each ``--set key=value`` goes:

- a credential name of the kind (``app_key``, ``app_secret``, ``client_id``,
  ``client_secret``, ``token``, …: the connector's ``credential_names``; ``token``
  and ``secret`` for a templated postback) → the encrypted credentials; an empty
  value keeps the stored one;
- ``base_url``, ``enabled`` (true/false), ``pull_every_minutes`` → the connection's
  own fields;
- anything else → its settings. A dotted key sets a key of a map
  (``--set params.click_id=subid1``); a value that starts with ``{`` or ``[`` is
  read as JSON (``--set 'statuses={"approved": "approved"}'``), any other is a
  string. ``--unset key`` removes a setting (dotted keys too).

Examples::

    manage.py connection jd-shop --kind jd-union --set app_key=… --set app_secret=…
    manage.py connection mingyue --kind templated-postback --set auth=token \\
        --set token=… --set params.click_id=subid1 --set params.order_id=oid
    manage.py connection jd-shop --show
    manage.py connection taobao --kind taobao-union --tracking-ids relation-ids.txt

``--tracking-ids FILE`` (``-``: standard input) adds the ids a network knows the
publisher by (Taobao relation ids, Amazon tags), one per line, to the connection's
pool; each creator is given one when their article first links to the merchant.

The connection changed is the merchant's one of that kind (and ``--name``, when
given); a new one is made when there is none. Bad input changes nothing and says
which key was wrong.
"""

import json
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from affiliates.commissions.networks.connections import (
    FIELD_NAMES,
    ConnectionChanges,
    connection_credential_names,
    connection_inbound_url,
    connection_kinds,
    connection_run_running,
    connection_runs_recent,
    credentials_masked,
    network_connection_save,
    network_connections,
    run_summary,
    tracking_ids_pool,
)
from affiliates.commissions.networks.feeds import FEED_KIND
from affiliates.tracking.trackingids import TrackingIdInvalid, tracking_ids_import
from products.models import Merchant

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off"}


def _setting_value(raw: str, *, key: str):
    if raw.lstrip().startswith(("{", "[")):
        try:
            return json.loads(raw)
        except json.JSONDecodeError as error:
            raise CommandError(
                f"--set {key}: the value starts like JSON but is not valid JSON "
                f"({error.msg} at character {error.pos})."
            ) from error
    return raw


def _setting_put(settings: dict, dotted: str, value, *, remove: bool = False) -> None:
    parts = dotted.split(".")
    if any(not part for part in parts):
        raise CommandError(f"--set {dotted}: a key cannot have an empty part.")
    node = settings
    for depth, part in enumerate(parts[:-1]):
        child = node.get(part)
        if child is None:
            if remove:
                return
            child = node[part] = {}
        if not isinstance(child, dict):
            raise CommandError(
                f"--set {dotted}: {'.'.join(parts[: depth + 1])} is not a map."
            )
        node = child
    if remove:
        node.pop(parts[-1], None)
    else:
        node[parts[-1]] = value


class Command(BaseCommand):
    help = (
        "Create or change a merchant's network connection (--kind, --name, --set "
        "key=value …), or print its connections and their health (--show)."
    )

    def add_arguments(self, parser):
        parser.add_argument("merchant_slug")
        parser.add_argument("--kind", help="The connection's kind, e.g. jd-union.")
        parser.add_argument("--name", help="Which of the merchant's connections.")
        parser.add_argument(
            "--set",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            dest="assignments",
            help="A credential, base_url, enabled, pull_every_minutes or a setting.",
        )
        parser.add_argument(
            "--unset", action="append", default=[], metavar="KEY", help="A setting."
        )
        parser.add_argument(
            "--show", action="store_true", help="Print the connections and health."
        )
        parser.add_argument(
            "--tracking-ids",
            metavar="FILE",
            help="Add the tracking ids in FILE (one a line; - for standard input).",
        )

    def handle(
        self,
        *args,
        merchant_slug,
        kind,
        name,
        assignments,
        unset,
        show,
        tracking_ids,
        **_,
    ):
        merchant = Merchant.objects.filter(slug=merchant_slug).first()
        if merchant is None:
            raise CommandError(f"No merchant with the slug {merchant_slug!r}.")
        kinds = dict(connection_kinds())
        if kind is not None and kind not in kinds:
            raise CommandError(
                f"--kind {kind}: not a connection kind installed here; the kinds "
                f"are: {', '.join(kinds)}."
            )
        values = self._tracking_ids_read(tracking_ids) if tracking_ids else None
        if show and not (assignments or unset or values is not None):
            self._show(merchant=merchant, kind=kind, name=name)
            return
        if kind is None:
            raise CommandError("--kind is required to create or change a connection.")
        connection = self._find(merchant=merchant, kind=kind, name=name)
        changes = self._changes(
            kind=kind,
            name=name,
            assignments=assignments,
            unset=unset,
            settings=dict(connection.settings) if connection else {},
        )
        added = known = None
        try:
            # One change: a bad tracking id leaves the connection as it was too.
            with transaction.atomic():
                saved = network_connection_save(
                    merchant=merchant, kind=kind, changes=changes, connection=connection
                )
                if values is not None:
                    added, known = tracking_ids_import(connection=saved, values=values)
        except ValidationError as error:
            raise CommandError(
                "; ".join(
                    f"{field}: {' '.join(messages)}"
                    for field, messages in error.message_dict.items()
                )
            ) from error
        except TrackingIdInvalid as error:
            raise CommandError(f"--tracking-ids: {error}") from error
        verb = "Changed" if connection else "Created"
        self.stdout.write(f"{verb} connection #{saved.pk}.")
        if added is not None:
            self.stdout.write(f"Added {added} tracking ids ({known} already there).")
        self._show(merchant=merchant, kind=kind, name=None, only=saved.pk)

    def _tracking_ids_read(self, path: str) -> list[str]:
        if path == "-":
            return sys.stdin.read().splitlines()
        try:
            with open(path, encoding="utf-8-sig") as file:
                return file.read().splitlines()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from error
        except UnicodeDecodeError as error:
            raise CommandError(f"{path} is not UTF-8 text.") from error

    def _find(self, *, merchant, kind, name):
        candidates = merchant.network_connections.filter(kind=kind)
        if name is not None:
            candidates = candidates.filter(name=name)
        found = list(candidates[:2])
        if len(found) > 1:
            raise CommandError(
                f"{merchant.slug} has several {kind} connections; say which with "
                "--name."
            )
        return found[0] if found else None

    def _changes(self, *, kind, name, assignments, unset, settings):
        credential_names = connection_credential_names(kind=kind)
        credentials, fields = {}, {}
        for assignment in assignments:
            key, equals, value = assignment.partition("=")
            key = key.strip()
            if not equals or not key:
                raise CommandError(
                    f"--set {assignment!r}: write it as key=value, e.g. "
                    "--set base_url=https://…"
                )
            if key in credential_names:
                credentials[key] = value
            elif key == "enabled":
                if value.strip().lower() not in TRUE | FALSE:
                    raise CommandError(f"--set enabled={value}: say true or false.")
                fields["enabled"] = value.strip().lower() in TRUE
            elif key == "pull_every_minutes":
                try:
                    fields["pull_every_minutes"] = int(value)
                except ValueError as error:
                    raise CommandError(
                        f"--set pull_every_minutes={value}: a whole number of minutes."
                    ) from error
            elif key in FIELD_NAMES:
                fields[key] = value
            elif _looks_secret(key):
                # A secret under a name the kind does not know would be stored in
                # the plain settings: refuse rather than leak it.
                raise CommandError(
                    f"--set {key}: looks like a credential, but a {kind} connection's "
                    f"credentials are: {', '.join(credential_names) or 'none'}."
                )
            else:
                _setting_put(settings, key, _setting_value(value, key=key))
        for key in unset:
            if key in credential_names or key in FIELD_NAMES:
                raise CommandError(f"--unset {key}: only settings can be unset.")
            _setting_put(settings, key, None, remove=True)
        return ConnectionChanges(
            name=name,
            settings=settings,
            credentials=credentials,
            **fields,
        )

    def _show(self, *, merchant, kind, name, only=None):
        connections = network_connections().filter(merchant=merchant)
        if only is not None:
            connections = connections.filter(pk=only)
        if kind is not None:
            connections = connections.filter(kind=kind)
        if name is not None:
            connections = connections.filter(name=name)
        connections = list(connections)
        if not connections:
            self.stdout.write(f"{merchant.slug} has no network connection.")
            return
        for connection in connections:
            self._show_one(connection)

    def _show_one(self, connection):
        write = self.stdout.write
        write(f"#{connection.pk} {connection} [{connection.kind}]")
        write(f"  enabled: {'yes' if connection.enabled else 'no'}")
        if connection.name:
            write(f"  name: {connection.name}")
        inbound = connection_inbound_url(connection=connection)
        if inbound:
            write(f"  inbound URL: {inbound}")
        elif connection.kind == FEED_KIND:
            write(f"  feed URL: {connection.settings.get('url', '')}")
            write(f"  read every: {connection.pull_every_minutes} minutes")
        else:
            write(f"  base URL: {connection.base_url or '(the network’s own)'}")
            write(f"  pull every: {connection.pull_every_minutes} minutes")
            write(f"  resumes from: {_when(connection.cursor) or '(first pull)'}")
        for credential, masked in credentials_masked(connection=connection).items():
            write(f"  {credential}: {masked or '(not set)'}")
        write(
            "  settings: "
            + json.dumps(connection.settings, ensure_ascii=False, sort_keys=True)
        )
        write(f"  last success: {_when(connection.last_success_at) or '-'}")
        if connection.last_error_at:
            write(
                f"  last error: {_when(connection.last_error_at)}: "
                f"{connection.last_error}"
            )
        write(f"  orders received today: {connection.orders_today}")
        pool, given = tracking_ids_pool(connection=connection)
        if pool:
            write(f"  tracking ids: {pool}, {given} given to creators")
        running = connection_run_running(connection=connection)
        if running is not None:
            write(f"  pull running since {_when(running.started_at)}: ")
            write(f"    {run_summary(running)}")
        else:
            last = connection_runs_recent(connection=connection, limit=1)
            if last:
                write(
                    f"  last pull: {last[0].get_state_display()} "
                    f"{_when(last[0].started_at)}: {run_summary(last[0])}"
                )


def _looks_secret(key: str) -> bool:
    top = key.split(".")[0].lower()
    return top.endswith(("secret", "password", "token", "api_key", "apikey"))


def _when(moment) -> str:
    return moment.isoformat(timespec="seconds") if moment else ""
