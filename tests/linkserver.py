"""A local HTTP server for the link checker's tests: each path answers as told."""

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# path -> (status for HEAD, status for GET); a "Location" for 3xx comes from the
# server's ``redirects`` (REDIRECTS unless a test changes them).
DEFAULT_ROUTES = {
    "/ok": (200, 200),
    "/moved": (301, 301),
    "/not-found": (404, 404),
    "/gone": (410, 410),
    "/forbidden": (403, 403),
    "/too-many": (429, 429),
    "/server-error": (500, 500),
    "/slow": (200, 200),
    "/no-head": (405, 200),
    "/loop": (302, 302),
    "/head-not-found": (404, 200),
    "/hold": (200, 200),
}
REDIRECTS = {"/moved": "/ok", "/loop": "/loop"}
SLOW_PATHS = {"/slow"}
HOLD_SECONDS = 0.2  # /hold answers after this long, so that requests overlap


@dataclass
class LinkServer:
    """What the tests see: the base URL, the routes and redirects (change them
    between checks) and every request received as (method, path, user agent); ``peak`` is the most
    requests to /hold it was answering at once."""

    base_url: str = ""
    routes: dict = field(default_factory=lambda: dict(DEFAULT_ROUTES))
    redirects: dict = field(default_factory=lambda: dict(REDIRECTS))
    requests: list = field(default_factory=list)
    slow_seconds: float = 2.0
    in_flight: int = 0
    peak: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        return self.base_url + path


def _handler_for(state: LinkServer):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _hold(self) -> None:
            """Wait a while, counted as in flight. The count drops before the answer
            is sent: a client that has its answer is no longer counted."""
            with state.lock:
                state.in_flight += 1
                state.peak = max(state.peak, state.in_flight)
            time.sleep(HOLD_SECONDS)
            with state.lock:
                state.in_flight -= 1

        def _answer(self, method: str) -> None:
            path = self.path.split("?")[0]
            state.requests.append((method, path, self.headers.get("User-Agent", "")))
            if path in SLOW_PATHS:
                time.sleep(state.slow_seconds)
            if path == "/hold":
                self._hold()
            head_code, get_code = state.routes.get(path, (404, 404))
            code = head_code if method == "HEAD" else get_code
            body = b"" if method == "HEAD" else f"{code} {path}".encode()
            self.send_response(code)
            if path in state.redirects:
                self.send_header("Location", state.redirects[path])
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if body:
                self.wfile.write(body)

        def do_HEAD(self):
            self._answer("HEAD")

        def do_GET(self):
            self._answer("GET")

        def log_message(self, format, *args):  # silence the access log
            pass

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a client that gave up on /slow closes the socket early: not news


def link_server_start() -> tuple[LinkServer, _Server]:
    state = LinkServer()
    server = _Server(("127.0.0.1", 0), _handler_for(state))
    host, port = server.server_address[:2]
    state.base_url = f"http://{host}:{port}"
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    return state, server
