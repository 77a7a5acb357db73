"""Ctrl-C half-way through a crawl keeps what was fetched and marks the run incomplete."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from http.server import ThreadingHTTPServer
from pathlib import Path

from slow_site import SlowSite, default_sigint, interrupt_once_crawling

OIT = str(Path(sys.executable).parent / "oit")


def test_ctrl_c_leaves_a_consistent_incomplete_run(tmp_path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), SlowSite)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    db = tmp_path / "oit.db"
    proc = subprocess.Popen(
        [OIT, "check", url, "--db", str(db), "--no-progress", "--max-pages", "1000"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=default_sigint,
    )
    try:
        stderr = interrupt_once_crawling(proc, db, 5)
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
