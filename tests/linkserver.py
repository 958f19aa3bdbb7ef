"""A local HTTP server with one route per link-check outcome, for tests and the benchmark.

    with LinkServer() as server:
        check_urls([server.url("/ok")])
        server.count("/ok")  # -> 1

Routes:
  /ok 200                      /moved 301 → /ok               /chain/<n> n redirects, then /ok
  /loop-a ↔ /loop-b (302s)     /missing 404 (so is any unknown path)   /gone 410   /error 500
  /flaky-429   429 with Retry-After: 1 on its first request, then 200
  /no-head     HEAD 405, GET 200
  /slow        200 after `slow` seconds (woken early when the server stops)
  /ua-check    403 to a User-Agent starting python-httpx or python-requests, or none; else 200
  /delay/<id>  200 after `delay` seconds (id and query are free: they make URLs distinct)
  /in-flight   200 after 0.1 s; `max_in_flight` records the most requests in flight at once
  /hangup      closes the connection without answering
"""

from __future__ import annotations

import socket
import sys
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import urlsplit

UA_BLOCKED_PREFIXES = ("python-httpx", "python-requests")


@dataclass(frozen=True)
class Request:
    """One request as the server saw it."""

    method: str
    path: str  # without the query
    user_agent: str | None
    started: float  # time.monotonic() on arrival


def closed_port() -> int:
    """A port on 127.0.0.1 that was just bound and closed, so connecting to it is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LinkServer:
    """The threaded server on 127.0.0.1 (a free port), started and stopped as a context manager."""

    def __init__(self, slow: float = 2.0, delay: float = 0.2) -> None:
        self.slow = slow
        self.delay = delay
        self.requests: list[Request] = []
        self.max_in_flight = 0
        self._in_flight = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()  # wakes /slow handlers at shutdown
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.app = self
        # A short poll interval makes shutdown (one per test) quick.
        serve = {"poll_interval": 0.05}
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs=serve, daemon=True)

    @property
    def port(self) -> int:
        """The port the server listens on."""
        return self._httpd.server_address[1]

    def url(self, path: str) -> str:
        """Absolute URL of path on this server."""
        return f"http://127.0.0.1:{self.port}{path}"

    def count(self, path: str, method: str | None = None) -> int:
        """Requests received for path (query ignored), optionally only those with method."""
        with self._lock:
            return sum(1 for r in self.requests if r.path == path and (method is None or r.method == method))

    def __enter__(self) -> LinkServer:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()

    def _record(self, method: str, path: str, user_agent: str | None) -> int:
        """Log a request; returns how many requests path has had, this one included."""
        with self._lock:
            self.requests.append(Request(method, path, user_agent, time.monotonic()))
            return sum(1 for r in self.requests if r.path == path)

    def _enter_flight(self) -> None:
        """Count a request in flight on /in-flight, keeping the maximum."""
        with self._lock:
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)

    def _leave_flight(self) -> None:
        """Count a request on /in-flight as done."""
        with self._lock:
            self._in_flight -= 1


class _Server(ThreadingHTTPServer):
    app: LinkServer
    request_queue_size = 128  # the default backlog of 5 drops connections in bursts (benchmark)

    def handle_error(self, request: object, client_address: object) -> None:
        # A client that gave up (timeout test) leaves a closed socket behind: not a server fault.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"  # keep-alive, as real servers do

    def do_HEAD(self) -> None:
        self._route()

    def do_GET(self) -> None:
        self._route()

    def log_message(self, format: str, *args: object) -> None:
        """Silence the per-request log on stderr."""

    def _route(self) -> None:
        """Log the request and answer it (or hang up)."""
        app = self.server.app
        path = urlsplit(self.path).path
        nth = app._record(self.command, path, self.headers.get("User-Agent"))
        reply = self._reply(app, path, nth)
        if reply is None:
            self.close_connection = True  # /hangup: close without a word
        else:
            self._answer(*reply)

    def _reply(self, app: LinkServer, path: str, nth: int) -> tuple[int, dict[str, str]] | None:
        """Status and headers for a request to path, its nth; None for no answer at all."""
        if path == "/ok":
            return 200, {}
        if path == "/moved":
            return 301, {"Location": "/ok"}
        if path.startswith("/chain/"):
            left = int(path.rsplit("/", 1)[1])
            return 302, {"Location": f"/chain/{left - 1}" if left > 1 else "/ok"}
        if path in ("/loop-a", "/loop-b"):
            return 302, {"Location": "/loop-b" if path == "/loop-a" else "/loop-a"}
        if path == "/gone":
            return 410, {}
        if path == "/error":
            return 500, {}
        if path == "/flaky-429":
            return (429, {"Retry-After": "1"}) if nth == 1 else (200, {})
        if path == "/no-head":
            return (405, {"Allow": "GET"}) if self.command == "HEAD" else (200, {})
        if path == "/slow":
            app._stopping.wait(app.slow)
            return 200, {}
        if path == "/ua-check":
            agent = self.headers.get("User-Agent") or ""
            return (403 if not agent or agent.startswith(UA_BLOCKED_PREFIXES) else 200), {}
        if path.startswith("/delay/"):
            time.sleep(app.delay)
            return 200, {}
        if path == "/in-flight":
            app._enter_flight()
            time.sleep(0.1)
            app._leave_flight()
            return 200, {}
        if path == "/hangup":
            return None
        return 404, {}  # /missing, and anything else

    def _answer(self, status: int, headers: dict[str, str]) -> None:
        """Send status with headers and a short body (headers only for HEAD)."""
        body = f"{status}\n".encode()
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
