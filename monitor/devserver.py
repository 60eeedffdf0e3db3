"""A small local HTTP server: serves the demo site, the tests' fixtures and the benchmarks.

Routes map a path to a :class:`Response` (or a callable returning one). Files under a root
directory are served too, with ETag/Last-Modified so conditional GET can be exercised.
Binds 127.0.0.1 on a free port by default. Never reachable from outside the machine.
"""

from __future__ import annotations

import email.utils
import gzip
import hashlib
import mimetypes
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


@dataclass
class Response:
    status: int = 200
    body: bytes | str = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering
    gzip: bool = False
    chunk_delay: float = 0.0  # seconds between 16 KiB chunks (slow body)


Handler = Callable[["Request"], Response]


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        """Clients that hang up (size limits, timeouts) are expected here: no traceback."""


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes = b""  # a POST's body (a test time-stamp authority reads its query here)


class LocalServer:
    """``with LocalServer(root=dir) as srv: srv.url("/feed.xml")``"""

    def __init__(
        self,
        root: Path | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        latency: float = 0.0,
        template_vars: bool = False,
    ) -> None:
        self.root = Path(root) if root else None
        self.routes: dict[str, Response | Handler] = {}
        self.latency = latency
        self.template_vars = template_vars  # replace {{BASE}} in served text files
        self.hits: dict[str, int] = {}
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        self._httpd = _QuietServer((host, port), self._make_handler())
        self._httpd.daemon_threads = True
        self._httpd.request_queue_size = 1024
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def url(self, path: str = "/") -> str:
        return self.base_url + path

    def route(self, path: str, response: Response | Handler) -> None:
        self.routes[path] = response

    def start(self) -> LocalServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- request handling -------------------------------------------------------------
    def _record(self, request: Request) -> None:
        with self._lock:
            self.hits[request.path] = self.hits.get(request.path, 0) + 1
            self.requests.append(request)

    def _resolve(self, request: Request) -> Response:
        target = self.routes.get(request.path)
        if target is None and request.query:
            target = self.routes.get(f"{request.path}?{request.query}")
        if target is not None:
            return target(request) if callable(target) else target
        if self.root is not None:
            return self._static(request)
        return Response(404, b"not found")

    def _static(self, request: Request) -> Response:
        assert self.root is not None
        rel = request.path.lstrip("/") or "index.html"
        path = (self.root / rel).resolve()
        if path.is_dir():
            path = path / "index.html"
        if not path.is_file() or self.root.resolve() not in path.parents:
            return Response(404, b"not found")
        body = path.read_bytes()
        if self.template_vars and path.suffix in {".xml", ".html", ".txt", ".rss", ".atom"}:
            body = body.replace(b"{{BASE}}", self.base_url.encode())
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'  # noqa: S324 - not security
        mtime = email.utils.formatdate(path.stat().st_mtime, usegmt=True)
        if request.headers.get("if-none-match") == etag:
            return Response(304, b"", {"ETag": etag})
        ctype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if path.suffix in {".xml", ".rss"}:
            ctype = "application/rss+xml"
        if ctype.startswith("text/") or ctype.endswith("xml"):
            ctype += "; charset=utf-8"
        return Response(200, body, {"Content-Type": ctype, "ETag": etag, "Last-Modified": mtime})

    def _make_handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out at once: no 40 ms stalls

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                return  # quiet: tests and the demo print their own progress

            def do_HEAD(self) -> None:  # noqa: N802
                self._serve(head=True)

            def do_GET(self) -> None:  # noqa: N802
                self._serve(head=False)

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                self._serve(head=False, body=self.rfile.read(length) if length else b"")

            def _serve(self, head: bool, body: bytes = b"") -> None:
                parts = urlsplit(self.path)
                request = Request(
                    self.command,
                    parts.path,
                    parts.query,
                    {k.lower(): v for k, v in self.headers.items()},
                    body,
                )
                server._record(request)
                response = server._resolve(request)
                delay = server.latency + response.delay
                if delay:
                    time.sleep(delay)
                body = response.body.encode() if isinstance(response.body, str) else response.body
                headers = dict(response.headers)
                if response.gzip:
                    body = gzip.compress(body)
                    headers["Content-Encoding"] = "gzip"
                headers.setdefault("Content-Type", "text/html; charset=utf-8")
                headers["Content-Length"] = str(len(body))
                try:
                    self.send_response(response.status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    if head or response.status == 304:
                        return
                    if response.chunk_delay:
                        for start in range(0, len(body), 16384):
                            self.wfile.write(body[start : start + 16384])
                            self.wfile.flush()
                            time.sleep(response.chunk_delay)
                    else:
                        self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    return  # the client gave up (size limit, timeout): expected in tests

        return _Handler


class MailSink:
    """A local SMTP server (aiosmtpd) that keeps what it receives: the demo shows an alert
    arriving, the tests read it. ``with MailSink() as sink: sink.port; sink.messages``"""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        import socket

        if port == 0:  # a free port, chosen the way LocalServer gets one
            with socket.socket() as probe:
                probe.bind((host, 0))
                port = probe.getsockname()[1]
        self.host, self.port = host, port
        self.messages: list[Any] = []
        self._received = threading.Condition()
        self._controller: Any = None

    def start(self) -> MailSink:
        from aiosmtpd.controller import Controller

        sink = self

        class _Keep:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
                import email
                from email import policy

                message = email.message_from_bytes(envelope.content, policy=policy.default)
                with sink._received:
                    sink.messages.append(message)
                    sink._received.notify_all()
                return "250 OK"

        self._controller = Controller(_Keep(), hostname=self.host, port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def wait(self, count: int = 1, timeout: float = 5.0) -> bool:
        """Block until ``count`` messages arrived (True) or ``timeout`` seconds passed."""
        with self._received:
            return self._received.wait_for(lambda: len(self.messages) >= count, timeout)

    def __enter__(self) -> MailSink:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
