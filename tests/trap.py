"""Listeners that must never receive a request: on 127.0.0.1 and [::1], one port,
each counting the connections it accepts (and answering 200, so that a client that
does get through is not left waiting)."""

import socket
import threading

ANSWER = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


class Trap:
    def __init__(self):
        self.connections = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._sockets: list[socket.socket] = []
        self._threads: list[threading.Thread] = []

    def __enter__(self) -> "Trap":
        for _attempt in range(20):
            ipv4 = socket.create_server(("127.0.0.1", 0))
            self.port = ipv4.getsockname()[1]
            try:
                ipv6 = socket.create_server(("::1", self.port), family=socket.AF_INET6)
            except OSError:  # the port is taken on ::1: try another
                ipv4.close()
                continue
            self._sockets = [ipv4, ipv6]
            break
        else:
            raise RuntimeError("No port free on both 127.0.0.1 and ::1.")
        for listener in self._sockets:
            listener.settimeout(0.05)
            thread = threading.Thread(target=self._serve, args=(listener,), daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()
        for listener in self._sockets:
            listener.close()

    def _serve(self, listener: socket.socket) -> None:
        while not self._stop.is_set():
            try:
                connection, _address = listener.accept()
            except TimeoutError:
                continue
            with self._lock:
                self.connections += 1
            with connection:
                connection.settimeout(1)
                try:
                    connection.recv(65536)
                    connection.sendall(ANSWER)
                except OSError:
                    pass

    def url(self, host: str, path: str = "/") -> str:
        """``http://<host>:<port><path>``; host as written (``[::1]``, ``0x7f.0.0.1``)."""
        return f"http://{host}:{self.port}{path}"
