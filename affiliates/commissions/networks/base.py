"""The one interface every network connector implements, and the registry of them.

A connector reads a network's order report for a window of time and yields pages of
order lines, each a mapping with our field names (``order_id``, ``item_id``,
``click_id``, ``amount``, ``commission``, ``currency``, ``status``,
``occurred_at``) that ``postbacks.conversion_data_parse`` reads exactly as it reads a
postback: the network's own words (its status codes, its time zone, amounts in fen)
are translated by the connector, the rules of what is valid are ours, in one place.
A line may also carry ``refused`` (a field name and a reason): the connector read it
and knows it cannot be applied as it is (Taobao's partial refund after settlement);
the pull counts it as refused with that reason and writes nothing for it.
"""

import datetime
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from django.apps import apps

from affiliates.models import ConnectionKind, NetworkConnection

OrderLine = Mapping[str, Any]


class ConnectorError(Exception):
    """The network's answer cannot be used (an HTTP error, a timeout, a malformed
    page, a rate limit, refused credentials). The pull stops, its cursor stays where
    it was, and ``reason`` (never holding a secret) shows on the connection's health."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class CredentialsMissing(ConnectorError):
    """A credential the connector needs is not set on the connection."""


@dataclass(frozen=True)
class Window:
    """Orders updated from ``start`` (included) to ``end`` (excluded)."""

    start: datetime.datetime
    end: datetime.datetime


class Connector:
    """A network's report API, read a window at a time."""

    kind: ClassVar[str]
    # The network's own API, used when the connection names no other.
    default_base_url: ClassVar[str] = ""
    # Credentials the connection must hold, under the network's own names.
    credential_names: ClassVar[tuple[str, ...]] = ()
    # The longest window one query may ask for (the network's limit).
    max_window: ClassVar[datetime.timedelta] = datetime.timedelta(hours=1)
    # Each pull starts this much before the cursor, so an order the network
    # recorded late (its update time before a window we already read) is not lost;
    # reading it twice changes nothing.
    overlap: ClassVar[datetime.timedelta] = datetime.timedelta(minutes=20)
    # A new connection's first pull reaches this far back.
    first_lookback: ClassVar[datetime.timedelta] = datetime.timedelta(days=7)

    def __init__(self, connection: NetworkConnection):
        self.connection = connection
        missing = [
            name
            for name in self.credential_names
            if not str(connection.credentials.get(name, "")).strip()
        ]
        if missing:
            raise CredentialsMissing("Credentials missing: " + ", ".join(missing) + ".")

    @property
    def base_url(self) -> str:
        return (self.connection.base_url or self.default_base_url).rstrip("/")

    def credential(self, name: str) -> str:
        return str(self.connection.credentials[name]).strip()

    def fetch(self, window: Window) -> Iterator[list[OrderLine]]:
        """Yield the window's order lines a page at a time; raise ConnectorError
        on an answer that cannot be used."""
        raise NotImplementedError


class ConnectorRegistry:
    """The connector of each kind of connection that is pulled on a schedule.

    One per process, built by ``AffiliatesConfig.ready()`` from the list in
    ``connectors.CONNECTORS`` and read through ``connector_registry()``. A kind
    without a connector is not pulled: its network calls us (a postback)."""

    def __init__(self, connectors: Iterable[type[Connector]]):
        self.by_kind: dict[str, type[Connector]] = {}
        for connector in connectors:
            if connector.kind not in ConnectionKind.values:
                raise ValueError(f"{connector.kind!r} is not a ConnectionKind")
            if connector.kind in self.by_kind:
                raise ValueError(f"Two connectors for {str(connector.kind)!r}")
            self.by_kind[connector.kind] = connector

    def get(self, kind: str) -> type[Connector] | None:
        """The connector for ``kind``, or None when it is not pulled."""
        return self.by_kind.get(kind)

    def kinds(self) -> list[str]:
        """The kinds of connection that are pulled on a schedule."""
        return sorted(self.by_kind)


def connector_registry() -> ConnectorRegistry:
    """This process's connectors (``AffiliatesConfig.ready()`` builds them)."""
    return apps.get_app_config("affiliates").connectors
