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


# =====================================================================================
# Chinese unions (JD, Taobao, PDD)
# =====================================================================================
# The three unions' gateways have one shape: a POST of form fields (JD also puts its
# system parameters in the query string) to one router path, answered 200 with JSON
# (a refusal in the network's own ``error_response``), signed with an MD5 of the
# secret around the sorted parameters. A test module writes the network's rules as
# a ``UnionRouter`` (what it checks and serves) and starts it with ``union_server``.

import datetime  # noqa: E402 - this section's own imports, kept with it
import hashlib  # noqa: E402
import zoneinfo  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from urllib.parse import parse_qsl  # noqa: E402

UNION_ZONE = zoneinfo.ZoneInfo("Asia/Shanghai")  # the unions' clocks: Beijing
UNION_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def beijing(text: str) -> datetime.datetime:
    """A union's time ("yyyy-MM-dd HH:mm:ss", Beijing)."""
    return datetime.datetime.strptime(text, UNION_TIME_FORMAT).replace(
        tzinfo=UNION_ZONE
    )


def union_md5_sign(params: dict, secret: str, *, keep_empty: bool = False) -> str:
    """The gateways' own check, written apart from the connectors': the secret,
    every parameter but ``sign`` sorted by name as name+value, the secret again;
    MD5, uppercase hex. JD (JOS) and Taobao (TOP) leave empty values out; PDD
    signs every parameter it was sent (``keep_empty``)."""
    pairs = "".join(
        name + value
        for name, value in sorted(params.items())
        if name != "sign" and (value or keep_empty)
    )
    text = secret + pairs + secret
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest().upper()


def union_json(payload) -> bytes:
    """A union's JSON answer (Chinese as it is, not \\u-escaped)."""
    return json.dumps(payload, ensure_ascii=False).encode()


class CutOff(bytes):
    """A body the server starts and never finishes: it promises more bytes than
    it sends, then hangs up."""


@dataclass
class UnionRouter:
    """A union's gateway as the tests steer it: its secrets by key, the failures
    to answer the next requests with (``http_500``, ``slow`` and whatever
    ``failure`` knows), and every request's parameters. A subclass writes
    ``check`` (the gateway's refusal of a request, or None) and ``serve`` (the
    report's answer)."""

    base_url: str = ""
    secrets: dict = field(default_factory=dict)
    failures: list = field(default_factory=list)
    requests: list = field(default_factory=list)
    slow_seconds: float = 1.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, params: dict) -> tuple[int, bytes]:
        with self.lock:
            self.requests.append(params)
            told = self.failures.pop(0) if self.failures else None
        if told == "http_500":
            return 500, b"<html>500 Internal Server Error</html>"
        if told == "slow":
            time.sleep(self.slow_seconds)
        elif told is not None:
            answered = self.failure(told)
            if answered is not None:
                return 200, answered
        refusal = self.check(params)
        if refusal is not None:
            return 200, union_json(refusal)
        return 200, self.serve(params)

    def failure(self, told: str) -> bytes | None:
        """The body for a failure of this network's own (a rate limit, a
        malformed page), or None to answer as usual."""
        return None

    def check(self, params: dict) -> dict | None:
        raise NotImplementedError

    def serve(self, params: dict) -> bytes:
        raise NotImplementedError


@contextmanager
def union_server(router: UnionRouter, path: str):
    """Serve ``router`` at ``path`` on 127.0.0.1 (a free port) while in the block;
    ``router.base_url`` is set to its URL. Any other path is a 404."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):  # noqa: N802 - http.server's name
            try:
                self._answer()
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting (a timeout test)

        def _answer(self):
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            form = self.rfile.read(length).decode()
            params = dict(parse_qsl(parts.query, keep_blank_values=True))
            params.update(parse_qsl(form, keep_blank_values=True))
            if parts.path != path:
                status, body = 404, b"not found"
            else:
                status, body = router.answer(params)
            self.send_response(status)
            self.send_header("Content-Type", "application/json;charset=UTF-8")
            if isinstance(body, CutOff):
                self.send_header("Content-Length", str(len(body) + 4096))
                self.end_headers()
                self.wfile.write(body)
                self.wfile.flush()
                self.close_connection = True
                return
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    router.base_url = f"http://127.0.0.1:{server.server_address[1]}{path}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield router
    finally:
        server.shutdown()
        server.server_close()
