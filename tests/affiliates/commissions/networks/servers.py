"""A local HTTP server for the network connectors' tests.

It listens on 127.0.0.1 (a free port) in a thread of the test, records every
request, and answers each with what ``respond`` (the network's behaviour, written
in each test module) returns. Tests reach it with ``local_servers_allowed``.
"""

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # names in lower case


@dataclass
class Answer:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering (a slow network)


def json_answer(data, status: int = 200, **headers: str) -> Answer:
    return Answer(
        status=status,
        body=json.dumps(data).encode(),
        headers={"Content-Type": "application/json", **headers},
    )


class NetworkServer:
    """Start with ``with NetworkServer(respond) as server``; ``server.url`` is its
    base URL and ``server.requests`` what it was asked."""

    def __init__(self, respond: Callable[[Request], Answer]):
        self.respond = respond
        self.requests: list[Request] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                parts = urlsplit(self.path)
                request = Request(
                    path=parts.path,
                    query={k: v[-1] for k, v in parse_qs(parts.query).items()},
                    headers={k.lower(): v for k, v in self.headers.items()},
                )
                outer.requests.append(request)
                answer = outer.respond(request)
                if answer.delay:
                    time.sleep(answer.delay)
                try:
                    self.send_response(answer.status)
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(answer.body)))
                    self.end_headers()
                    self.wfile.write(answer.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (a timeout test)

            def log_message(self, format, *args):  # noqa: A002
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "NetworkServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


# -- Western networks (Awin, Impact) --------------------------------------------------
#
# What the Awin and Impact tests share: a network's side behind one credential
# check, with answers a test queues ahead of its data (an error, a slow answer),
# the connection that points at it, and the checks every pulled network must pass
# (a bad answer keeps the cursor, a slow one times out). Each test module writes
# only its network's own wire format.


class WesternFake:
    """A network's side: ``respond`` refuses an unknown path and a wrong
    ``Authorization`` header in the network's own error format, then gives the
    answers queued in ``next_answers``, then ``answer(request)`` from its data."""

    network = ""  # its name, as errors name it
    authorization = ""  # the header value the network expects
    unauthorized_message = "Unauthorized"

    def __init__(self):
        self.next_answers: list[Answer] = []
        self.server: NetworkServer | None = None

    def known(self, path: str) -> bool:
        raise NotImplementedError

    def error(self, status: int, message: str) -> Answer:
        raise NotImplementedError

    def answer(self, request: Request) -> Answer:
        raise NotImplementedError

    def respond(self, request: Request) -> Answer:
        if not self.known(request.path):
            return self.error(404, "Not Found")
        if request.headers.get("authorization") != self.authorization:
            return self.error(401, self.unauthorized_message)
        if self.next_answers:
            return self.next_answers.pop(0)
        return self.answer(request)


class WesternServed(NetworkServer):
    """``with WesternServed(fake)``: ``fake`` behind a local server, reachable as
    ``fake.server`` for the block."""

    def __init__(self, fake: WesternFake):
        super().__init__(fake.respond)
        fake.server = self


def western_connection(
    *, merchant, kind: str, fake: WesternFake, credentials, settings
):
    """The merchant's connection of ``kind`` to the fake's server."""
    from affiliates.models import NetworkConnection

    return NetworkConnection.objects.create(
        merchant=merchant,
        kind=kind,
        base_url=fake.server.url,
        credentials=credentials,
        settings=settings,
    )


def western_bad_answer_check(
    fake: WesternFake, connection, answer, reason, *, now, unseen
):
    """A first pull up to ``now`` moves the cursor there; a second one, answered
    ``answer`` first, fails naming ``reason`` and the network, keeps the cursor and
    the reason on the connection's health, and records nothing of order ``unseen``
    (a sale the test put in the second window)."""
    import datetime

    from affiliates.commissions.networks.pulls import connection_pull
    from affiliates.models import Conversion, RunState

    connection_pull(connection=connection, until=now)
    connection.refresh_from_db()
    assert connection.cursor == now

    fake.next_answers = [answer]
    run = connection_pull(
        connection=connection, until=now + datetime.timedelta(hours=2)
    )
    assert run.state == RunState.FAILED
    assert reason in run.error and fake.network in run.error
    connection.refresh_from_db()
    assert connection.cursor == now and connection.last_error == run.error
    assert not Conversion.objects.filter(order_id=unseen).exists()


def western_refused_credentials_check(
    fake: WesternFake, connection, credentials, *, now
):
    """With ``credentials`` the network refuses, the pull fails naming the refusal
    and the network's own message, shows none of the credentials, and keeps no
    cursor."""
    from affiliates.commissions.networks.pulls import connection_pull
    from affiliates.models import RunState

    connection.credentials = credentials
    connection.save()
    run = connection_pull(connection=connection, until=now)
    assert run.state == RunState.FAILED
    assert f"{fake.network} refused the credentials (HTTP 401)" in run.error
    assert fake.unauthorized_message in run.error
    assert not any(str(value) in run.error for value in credentials.values())
    connection.refresh_from_db()
    assert connection.cursor is None and connection.last_error == run.error


def western_slow_answer_check(
    *, fake: WesternFake, connection, body: bytes, now
) -> None:
    """An answer slower than the connector's timeout (set short by the test)
    fails the pull as timed out."""
    from affiliates.commissions.networks.pulls import connection_pull
    from affiliates.models import RunState

    fake.next_answers = [Answer(body=body, delay=1.5)]
    run = connection_pull(connection=connection, until=now)
    assert run.state == RunState.FAILED and "Timed out" in run.error


def western_ledger(sale) -> tuple:
    """(what the sale's commission stands at in the ledger, what was reversed, how
    many entries it has)."""
    from affiliates.commissions.services.ledger import items_current
    from affiliates.models import LedgerEntry

    entries = LedgerEntry.objects.filter(conversion=sale)
    return (
        sum(item.amount for item in items_current(conversion=sale)),
        sum(entry.amount for entry in entries.filter(kind="reversal")),
        entries.count(),
    )
