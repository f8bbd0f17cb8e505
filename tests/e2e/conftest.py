"""Fixtures of the end-to-end tests: a local "merchant" HTTP server standing in for the
shop that readers land on and that reports their purchases. The browser (Debian's
Chromium driven by Playwright: ``browser``, ``new_context``, ``expect``,
``reader_user_agent``, ``artifacts``) is the suite's one harness, tests/browser.py."""

import json
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from products.signing import signature_make


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
