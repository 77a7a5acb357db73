"""Serve a fixture site on 127.0.0.1: the demo, the tests and the accuracy suite all use this.

A fixture site is a folder of files plus an optional ``routes.toml`` that gives what plain files
cannot: query-string URLs (``/index.php?page_id=12``), redirects (download redirectors), error
statuses (broken links) and odd headers (a lying charset). Example::

    [[route]]
    path = "/index.php?page_id=12"     # path and query, matched exactly
    file = "pages/page-12.html"
    [[route]]
    path = "/ewt_dl_link.php?nid=55"
    redirect = "/files/plan.pdf"       # 302
    [[route]]
    path = "/files/gone.pdf"
    status = 404
    [[route]]
    path = "/legacy/index.html"
    file = "legacy/index.html"
    headers = { "Content-Type" = "text/html; charset=TIS-620" }

Any other path is looked up as a file under the folder (``/`` and ``/dir/`` serve index.html).
Files are sent with a Content-Type from their extension and no charset, as many real servers do.
The server supports ETag / Last-Modified conditional requests and counts what it served, so tests
can assert which requests a crawler made.
"""

from __future__ import annotations

import hashlib
import mimetypes
import threading
import time
import tomllib
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

EXTRA_TYPES = {
    ".html": "text/html",
    ".htm": "text/html",
    ".php": "text/html",
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xls": "application/vnd.ms-excel",
    ".doc": "application/msword",
    ".xml": "application/xml",
    ".txt": "text/plain",
    ".json": "application/json",
}


@dataclass
class Route:
    path: str
    file: str = ""
    redirect: str = ""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class RequestLog:
    """What the server was asked, for tests that count requests."""

    entries: list[tuple[str, str, int, bool]] = field(
        default_factory=list
    )  # method, path, status, conditional
    # (began, ended) of each request, time.monotonic(): when the server was busy, so a test can
    # tell whether two crawls of one host overlapped.
    spans: list[tuple[float, float]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(
        self, method: str, path: str, status: int, conditional: bool, began: float = 0.0
    ) -> None:
        with self.lock:
            self.entries.append((method, path, status, conditional))
            self.spans.append((began or time.monotonic(), time.monotonic()))

    def paths(self) -> list[str]:
        with self.lock:
            return [e[1] for e in self.entries]

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


def load_routes(root: Path) -> dict[str, Route]:
    routes_file = root / "routes.toml"
    if not routes_file.exists():
        return {}
    data = tomllib.loads(routes_file.read_text(encoding="utf-8"))
    return {r["path"]: Route(**r) for r in data.get("route", [])}


class _Handler(BaseHTTPRequestHandler):
    server: _SiteServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # quiet: tests read RequestLog
        return

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def do_GET(self) -> None:
        self._serve(head=False)

    def _serve(self, head: bool) -> None:
        site = self.server
        self.began = time.monotonic()
        if site.delay:  # a real agency server's response time
            time.sleep(site.delay)
        raw = self.path
        route = site.routes.get(raw) or site.routes.get(unquote(raw))
        conditional = bool(
            self.headers.get("If-None-Match") or self.headers.get("If-Modified-Since")
        )
        if route and route.redirect:
            self._reply(302, b"", {"Location": route.redirect}, head, conditional)
            return
        if route and route.status != 200 and not route.file:
            body = f"<html><body><h1>{route.status}</h1></body></html>".encode()
            self._reply(route.status, body, {"Content-Type": "text/html"}, head, conditional)
            return
        rel = route.file if route and route.file else unquote(urlsplit(raw).path).lstrip("/")
        target = (site.root / rel).resolve()
        if target.is_dir():
            target = target / "index.html"
        if site.root not in target.parents and target != site.root or not target.is_file():
            body = b"<html><body><h1>404 Not Found</h1></body></html>"
            self._reply(404, body, {"Content-Type": "text/html"}, head, conditional)
            return
        body = target.read_bytes()
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        modified = formatdate(target.stat().st_mtime, usegmt=True)
        headers = {
            "Content-Type": EXTRA_TYPES.get(target.suffix.lower())
            or mimetypes.guess_type(target.name)[0]
            or "application/octet-stream",
            "ETag": etag,
            "Last-Modified": modified,
        }
        if route:
            headers.update(route.headers)
        if self.headers.get("If-None-Match") == etag or (
            not self.headers.get("If-None-Match")
            and self.headers.get("If-Modified-Since") == modified
        ):
            self._reply(304, b"", {"ETag": etag, "Last-Modified": modified}, head, conditional)
            return
        self._reply(route.status if route else 200, body, headers, head, conditional)

    def _reply(
        self, status: int, body: bytes, headers: dict[str, str], head: bool, conditional: bool
    ) -> None:
        self.server.log.add(self.command, self.path, status, conditional, self.began)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head and status != 304:
            self.wfile.write(body)


class _SiteServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, root: Path, port: int, host: str, delay: float) -> None:
        self.root = root.resolve()
        self.routes = load_routes(self.root)
        self.log = RequestLog()
        self.delay = delay
        super().__init__((host, port), _Handler)


class SiteServer:
    """A fixture site served in a background thread: ``with SiteServer(path) as site: site.url``.

    ``host`` may be any 127.x.y.z (all loopback on Linux): sites on different addresses look
    like different servers to per-IP politeness; ``delay`` seconds are slept before each answer.
    """

    def __init__(
        self, root: Path | str, port: int = 0, host: str = "127.0.0.1", delay: float = 0.0
    ) -> None:
        self._server = _SiteServer(Path(root), port, host, delay)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/"

    @property
    def log(self) -> RequestLog:
        return self._server.log

    def start(self) -> SiteServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> SiteServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
