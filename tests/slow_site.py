"""A loopback site whose pages each take a while: a crawl is still running when a test stops it."""

from __future__ import annotations

import contextlib
import signal
import sqlite3
import subprocess
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path


class SlowSite(BaseHTTPRequestHandler):
    """An endless site: page n links pages 3n+1..3n+3, each answered after 0.2 s."""

    def log_message(self, *args: object) -> None:
        return

    def do_GET(self) -> None:
        time.sleep(0.2)
        n = int(self.path.strip("/").split("/")[-1] or 0) if self.path.startswith("/p/") else 0
        links = "".join(f'<a href="/p/{n * 3 + k}">หน้า {n * 3 + k}</a> ' for k in (1, 2, 3))
        body = f"<html><head><title>หน้า {n}</title></head><body><h1>หน้า {n}</h1>{links}</body></html>".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def default_sigint() -> None:
    """As from a terminal: a suite started in the background (nohup, `&`) ignores SIGINT, and
    its children would inherit that and never see the Ctrl-C."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def interrupt_once_crawling(proc: subprocess.Popen, db: Path, resources: int) -> str:
    """Ctrl-C ``proc`` once its run in ``db`` holds ``resources`` fetched resources; its stderr."""
    deadline, fetched = time.monotonic() + 60, 0
    while time.monotonic() < deadline and fetched < resources:
        time.sleep(0.3)
        if not db.exists():  # not made here: oit makes it
            continue
        with contextlib.suppress(sqlite3.Error), sqlite3.connect(db) as conn:
            fetched = conn.execute("select count(*) from resources").fetchone()[0]
    assert fetched >= resources, "the crawl never got going"
    proc.send_signal(signal.SIGINT)
    return proc.communicate(timeout=30)[1]
