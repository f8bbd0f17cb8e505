"""Fixtures of the end-to-end tests: headless Chromium (Debian's, never a downloaded
browser) driven by Playwright, and a local "merchant" HTTP server standing in for
the shop that readers land on and that reports their purchases."""

import json
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from products.signing import signature_make

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "artifacts"


class Remote:
    """A Playwright object that lives in the browser thread: reading an attribute of
    it, or calling it, runs there and waits for the answer. Playwright objects come
    back wrapped; plain values (text, numbers, lists, dicts) as they are."""

    __slots__ = ("_executor", "_target")

    def __init__(self, executor: ThreadPoolExecutor, target):
        object.__setattr__(self, "_executor", executor)
        object.__setattr__(self, "_target", target)

    def _wrap(self, value):
        if callable(value) or type(value).__module__.startswith("playwright."):
            return Remote(self._executor, value)
        return value

    def __getattr__(self, name: str):
        return self._wrap(self._executor.submit(getattr, self._target, name).result())

    def __call__(self, *args, **kwargs):
        args = [_unwrap(value) for value in args]
        kwargs = {name: _unwrap(value) for name, value in kwargs.items()}
        return self._wrap(self._executor.submit(self._target, *args, **kwargs).result())


def _unwrap(value):
    return value._target if isinstance(value, Remote) else value


@pytest.fixture(scope="session")
def playwright_thread():
    """Playwright's sync API, run in a thread of its own.

    Playwright keeps an asyncio loop marked as running in the thread that starts
    it. In the test's thread that would make Django refuse ORM calls
    (SynchronousOnlyOperation), give that thread other database connections than
    the test's (Django keeps them in an asgiref Local, which is per task, not per
    thread, while a loop runs), and forbid any other sync_playwright() there. So
    every Playwright call runs in this thread: `expect`, the fixtures below and the
    objects they return are `Remote`s.
    """
    from playwright.sync_api import expect, sync_playwright

    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: `apt-get install -y chromium` (.ci/run does it)."
        )
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="playwright")
    playwright = executor.submit(lambda: sync_playwright().start()).result()
    try:
        yield Remote(executor, playwright), Remote(executor, expect)
    finally:
        executor.submit(playwright.stop).result()
        executor.shutdown()


@pytest.fixture(scope="session")
def browser(playwright_thread, live_server):
    """One headless Chromium for the session: Debian's, never a downloaded one.

    It needs the live server so as to be closed before it: a browser still
    connected to a stopped server leaves its request threads failing."""
    playwright, _expect = playwright_thread
    chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
    yield chromium
    chromium.close()


@pytest.fixture
def new_context(browser):
    """Make a browser context (a visitor's own cookies and tabs), closed after the
    test."""
    contexts = []

    def make(**options):
        contexts.append(browser.new_context(**options))
        return contexts[-1]

    yield make
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def expect(playwright_thread):
    """Playwright's `expect` (assertions that wait), run in the browser thread."""
    return playwright_thread[1]


@pytest.fixture(scope="session")
def reader_user_agent(browser) -> str:
    """The user agent of an ordinary desktop Chrome of the same version.

    Headless Chromium announces itself as "HeadlessChrome", which the click tracker
    rightly counts as a bot (its sales are held for review); a reader's browser
    does not.
    """
    return (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        f"Chrome/{browser.version} Safari/537.36"
    )


@pytest.fixture
def artifacts() -> Path:
    """var/artifacts/: where screenshots are kept for a person to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@dataclass
class Merchant:
    """The shop's side: the landings it received and the postbacks it sends."""

    base_url: str = ""
    landings: list = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base_url + path

    def click_id_of(self, landing: str, *, parameter: str) -> str:
        values = parse_qs(urlsplit(landing).query).get(parameter, [])
        assert len(values) == 1, f"{parameter} in {landing}"
        return values[0]

    def postback(
        self, *, server_url: str, slug: str, secret: str, sale: dict
    ) -> tuple[int, dict]:
        """POST a signed postback to the product, as the shop's server would."""
        body = json.dumps(sale).encode()
        request = urllib.request.Request(  # noqa: S310 (the test's own live server)
            f"{server_url}/api/postbacks/{slug}",
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Zhongcao-Signature": signature_make(
                    secret=secret, body=body, timestamp=int(time.time())
                ),
            },
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, json.loads(response.read())


def _handler_for(state: Merchant):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            if self.path == "/favicon.ico":
                body, status = b"", 204
            else:
                state.landings.append(self.path)
                body, status = (
                    b"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
                    b"<title>Merchant</title></head><body><h1>Thank you for "
                    b"shopping</h1></body></html>",
                    200,
                )
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format, *args):  # silence the access log
            pass

    return Handler


@pytest.fixture
def merchant_server(local_servers_allowed):
    """The shop on 127.0.0.1 (a free port), allowed for the test
    (``local_servers_allowed``: its address is the merchant's domain); stopped after
    the test."""
    state = Merchant()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(state))
    server.daemon_threads = True
    host, port = server.server_address[:2]
    state.base_url = f"http://{host}:{port}"
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    yield state
    server.shutdown()
    server.server_close()
