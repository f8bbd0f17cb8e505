"""A local HTTP server serving merchants' product feeds for the feed tests.

It listens on 127.0.0.1 (a free port) in a thread of the test. ``feeds`` maps a path
to the body: bytes (sent with a Content-Length), or a function returning an
iterator of chunks (sent as they are made, the end of the body being the end of the
connection, as HTTP/1.0 allows: a feed generated on the fly, never whole in
memory). ``statuses`` and ``redirects`` make a path answer otherwise. Reach it with
the ``local_servers_allowed`` fixture.
"""

import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Body = bytes | Callable[[], Iterator[bytes]]


class FeedServer:
    def __init__(self):
        self.feeds: dict[str, Body] = {}
        self.statuses: dict[str, int] = {}
        self.redirects: dict[str, str] = {}
        self.requests: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                outer.requests.append(self.path)
                try:
                    if self.path in outer.redirects:
                        self.send_response(302)
                        self.send_header("Location", outer.redirects[self.path])
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                    body = outer.feeds.get(self.path)
                    status = outer.statuses.get(
                        self.path, 200 if body is not None else 404
                    )
                    self.send_response(status)
                    if isinstance(body, bytes) or body is None:
                        body = body or b""
                        self.send_header("Content-Length", str(len(body)))
                        self.end_headers()
                        self.wfile.write(body)
                        return
                    self.send_header("Connection", "close")
                    self.end_headers()
                    for chunk in body():
                        self.wfile.write(chunk)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client stopped reading (a size limit)

            def log_message(self, format, *args):  # noqa: A002
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return self.base_url + path

    def __enter__(self) -> "FeedServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
