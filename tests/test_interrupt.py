"""Ctrl-C half-way through a crawl keeps what was fetched and marks the run incomplete."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

OIT = str(Path(sys.executable).parent / "oit")


class _SlowSite(BaseHTTPRequestHandler):
    """An endless site of pages that each take a while: the crawl is still running when we stop it."""

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


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_leaves_a_consistent_incomplete_run(tmp_path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SlowSite)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    db = tmp_path / "oit.db"
    proc = subprocess.Popen(
        [OIT, "check", url, "--db", str(db), "--no-progress", "--max-pages", "1000"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # As from a terminal: a suite started in the background (nohup, `&`) ignores SIGINT,
        # and its children would inherit that and never see the Ctrl-C.
        preexec_fn=_default_sigint,
    )
    try:
        deadline = time.monotonic() + 30
        fetched = 0
        while time.monotonic() < deadline and fetched < 5:
            time.sleep(0.3)
            if db.exists():
                try:
                    with sqlite3.connect(db) as conn:
                        fetched = conn.execute("select count(*) from resources").fetchone()[0]
                except sqlite3.OperationalError:
                    fetched = 0
        assert fetched >= 5, "the crawl never got going"
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=30)
    finally:
        proc.kill()
        server.shutdown()
    assert proc.returncode == 130
    assert "incomplete" in stderr
    assert "Traceback" not in stderr
    with sqlite3.connect(db) as conn:
        status, error = conn.execute("select status, error from runs").fetchone()
        kept = conn.execute("select count(*) from resources where status = 200").fetchone()[0]
        items = conn.execute("select count(*) from items").fetchone()[0]
    assert status == "incomplete" and "interrupted" in error
    assert kept >= 5
    assert items == 0  # no half-made verdicts
