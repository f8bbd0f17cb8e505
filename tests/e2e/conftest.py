"""Fixtures of the end-to-end tests: headless Chromium (Debian's, never a downloaded
browser) driven by Playwright, and a local "merchant" HTTP server standing in for
the shop that readers land on and that reports their purchases."""

import json
import os
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from affiliates.reports import signature_make

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "artifacts"


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium for the tests of a module.

    Playwright's sync API keeps an asyncio loop running in the calling thread for as
    long as it is started. Django refuses ORM calls from such a thread
    (SynchronousOnlyOperation), and a second sync_playwright() in it fails, so the
    browser lives only while this module's tests run (not the whole session, where
    it would leak the loop into every later test). The ORM calls here are plain
    synchronous calls between browser steps, so Django's guard is lifted meanwhile,
    as Playwright's documentation advises for Django.
    """
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: `apt-get install -y chromium` (.ci/run does it)."
        )
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
    try:
        yield chromium
    finally:
        chromium.close()
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="module")
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
def merchant_server():
    """The shop on 127.0.0.1 (a free port); stopped after the test."""
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
