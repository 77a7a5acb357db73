"""Nightly re-audits and resume, against real loopback servers and a real SQLite file.

A re-audit of an unchanged site must cost one conditional request per URL and no parsing or OCR,
and still give the same verdicts; a changed page must be noticed; ``fresh`` must bypass all of
it. A crawl killed with SIGKILL must be resumable under its run id without fetching again what it
stored. The extractors are wrapped (not replaced) to count how often they really run.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from oit_checker.audit import AuditError, AuditOptions, AuditResult, audit
from oit_checker.crawl import CrawlOptions
from oit_checker.dates import parse_as_of
from oit_checker.evaluate import load_expected
from oit_checker.rules import load_year
from oit_checker.serve import SiteServer
from oit_checker.store import Store, process_alive

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "fixtures" / "demo"
EXPECTED = load_expected(DEMO / "expected.toml")
AS_OF = parse_as_of(str(EXPECTED["as_of"]))
OIT = str(Path(sys.executable).parent / "oit")
# The crawler reads these without validators on every audit (they steer the crawl, and are
# small): the only requests of a re-audit that are not conditional, besides URLs that failed.
UNCACHED_PATHS = {"/robots.txt", "/sitemap.xml"}


def _audit(url: str, db: Path, **options: object) -> AuditResult:
    return asyncio.run(
        audit(url, load_year(EXPECTED["year"]), Store(db), AuditOptions(as_of=AS_OF, **options))
    )


def _copy_db(source: Path, target: Path) -> Path:
    """A consistent copy of a WAL database (the SQLite backup API, not a file copy)."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return target


def _rows(db: Path, sql: str, *args: object) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, args).fetchall()


def _verdicts(result: AuditResult) -> list[dict]:
    return result.as_dict()["items"]


def _count(calls: Counter, kind: str) -> int:
    return sum(n for (k, _), n in calls.items() if k == kind)


@pytest.fixture(scope="module")
def first_audit(tmp_path_factory):
    """The demo site served once, audited once into a database the tests copy."""
    db = tmp_path_factory.mktemp("first") / "oit.db"
    with SiteServer(DEMO / "site") as server:
        result = _audit(server.url, db)
        entries = list(server.log.entries)
        yield server, db, result, entries


def test_reaudit_revalidates_every_url_and_extracts_nothing(first_audit, tmp_path, extractions):
    server, first_db, first, first_log = first_audit
    db = _copy_db(first_db, tmp_path / "oit.db")
    texts = _rows(db, "select sha256, method from texts order by 1, 2")
    server.log.clear()
    again = _audit(server.url, db, revisit_days=0)  # every URL asked (test_revisit: the rest)
    log = list(server.log.entries)

    downloaded = {path for _, path, status, _ in first_log if status == 200} - UNCACHED_PATHS
    failed = {path for _, path, status, _ in first_log if status >= 400}
    answers = {path: (status, conditional) for _, path, status, conditional in log}
    assert len(downloaded) > 40
    assert {path: answers.get(path) for path in downloaded} == dict.fromkeys(
        downloaded, (304, True)
    )
    assert {path for _, path, status, _ in log if status == 200} <= UNCACHED_PATHS
    plain = {path for _, path, _, conditional in log if not conditional}
    assert plain <= UNCACHED_PATHS | failed, "only robots, sitemap and broken URLs unconditional"

    assert extractions == Counter(), "no page parsed and no document read again"
    assert _rows(db, "select sha256, method from texts order by 1, 2") == texts  # no OCR
    assert _verdicts(again) == _verdicts(first)
    assert again.scores.as_dict() == first.scores.as_dict()
    revalidated = sum(1 for _, _, status, _ in log if status == 304)
    assert again.stats["cache"] == {
        "revalidated": revalidated,
        "unchanged": 0,
        "changed": 0,
        "new": 0,
        "extracted": 0,
    }
    assert first.stats["cache"]["new"] == first.stats["cache"]["extracted"] > 40
    # The run's resource rows describe the same content as the first run's.
    listing = (
        "select url, final_url, status, kind, sha256 from resources where run_id = ? order by 1"
    )
    assert _rows(db, listing, again.run_id) == _rows(db, listing, first.run_id)


def test_fresh_sends_no_conditional_request_and_extracts_everything(
    first_audit, tmp_path, extractions
):
    server, first_db, first, _ = first_audit
    db = _copy_db(first_db, tmp_path / "oit.db")
    server.log.clear()
    again = _audit(server.url, db, fresh=True)
    log = list(server.log.entries)
    assert log and not [entry for entry in log if entry[3]], "no conditional request"
    documents = _rows(
        db, "select count(*) from resources where run_id = ? and kind = 'pdf'", again.run_id
    )[0][0]
    assert _count(extractions, "document") >= documents >= 30
    assert _count(extractions, "html") > 10
    assert again.stats["cache"]["revalidated"] == 0
    assert again.stats["cache"]["unchanged"] == first.stats["cache"]["new"]
    assert _verdicts(again) == _verdicts(first)


def test_a_changed_page_is_reextracted_alone_and_its_verdict_follows(tmp_path, extractions):
    """The officer adds the two deputies' photos overnight: O2 turns present, nothing else moves."""
    site = shutil.copytree(DEMO / "site", tmp_path / "site")
    db = tmp_path / "oit.db"
    executives = site / "executives.html"
    with SiteServer(site) as server:
        first = _audit(server.url, db)
        assert _item(first, "O2").status == "absent"  # the deputies have no photo
        html = executives.read_text(encoding="utf-8")
        photo = '<img src="/files/exec/mayor.jpg" width="150" height="190">'
        assert html.count('<div class="photo-none"></div>') == 2
        executives.write_text(html.replace('<div class="photo-none"></div>', photo), "utf-8")
        extractions.clear()
        again = _audit(server.url, db)
    assert _item(again, "O2").status == "present", _item(again, "O2").reason
    assert extractions == Counter({("html", server.url + "executives.html"): 1})
    assert again.stats["cache"]["changed"] == 1
    assert again.stats["cache"]["extracted"] == 1
    assert again.stats["cache"]["revalidated"] > 40
    unchanged = [v for v in _verdicts(first) if v["id"] != "O2"]
    assert [v for v in _verdicts(again) if v["id"] != "O2"] == unchanged
    changed = _rows(
        db, "select url from resources where run_id = ? and cache = 'changed'", again.run_id
    )
    assert changed == [(server.url + "executives.html",)]


def _item(result: AuditResult, item_id: str):
    return next(item for item in result.items if item.id == item_id)


# ---- resume ----------------------------------------------------------------------------------

SLOW_SITE_PAGES = 60  # a tree: page n links to 3n+1..3n+3


class _SlowSite(BaseHTTPRequestHandler):
    """A finite site of slow pages with ETags, that logs what it was asked."""

    protocol_version = "HTTP/1.1"
    log: list[tuple[str, bool, int]] = []  # replaced per server: (path, conditional, status)
    lock = threading.Lock()

    def log_message(self, *args: object) -> None:
        return

    def _answer(self, status: int, body: bytes = b"", etag: str = "") -> None:
        conditional = bool(self.headers.get("If-None-Match"))
        with self.lock:
            self.log.append((self.path, conditional, status))
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        if etag:
            self.send_header("ETag", etag)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        time.sleep(0.15)
        if self.path == "/":
            n = 0
        elif self.path.startswith("/p/") and self.path[3:].isdigit():
            n = int(self.path[3:])
        else:
            self._answer(404, b"<html><body>404</body></html>")
            return
        if n >= SLOW_SITE_PAGES:
            self._answer(404, b"<html><body>404</body></html>")
            return
        etag = f'"page-{n}"'
        if self.headers.get("If-None-Match") == etag:
            self._answer(304, etag=etag)
            return
        children = [k for k in range(3 * n + 1, 3 * n + 4) if k < SLOW_SITE_PAGES]
        links = "".join(f'<a href="/p/{k}">หน้า {k}</a> ' for k in children)
        body = f"<html><head><title>หน้า {n}</title></head><body><h1>หน้า {n}</h1>{links}"
        self._answer(200, (body + "</body></html>").encode(), etag)


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:  # the killed client hung up
        return


@pytest.fixture
def slow_site():
    handler = type("Handler", (_SlowSite,), {"log": []})
    server = _QuietServer(("127.0.0.1", 0), handler)
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", handler
    finally:
        server.shutdown()
        server.server_close()


def _kill_after_some_stored(url: str, db: Path) -> int:
    """`oit check` in a subprocess, SIGKILLed once a few resources are stored; its pid."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    # The slow site has no JavaScript; rendering is kept out of a test about resuming.
    command = [
        OIT,
        "check",
        url,
        "--db",
        str(db),
        "--no-progress",
        "--year",
        "2568",
        "--render",
        "never",
    ]
    proc = subprocess.Popen(
        [*command, "--as-of", str(EXPECTED["as_of"])],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    try:
        deadline = time.monotonic() + 30
        stored = 0
        while time.monotonic() < deadline and stored < 5:
            time.sleep(0.05)
            if db.exists():
                try:
                    stored = _rows(db, "select count(*) from resources")[0][0]
                except sqlite3.OperationalError:
                    stored = 0
        assert stored >= 5, "the crawl never got going"
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait(timeout=10)
    return proc.pid


def test_a_killed_crawl_resumes_under_its_run_id_without_refetching(slow_site, tmp_path):
    url, handler = slow_site
    db = tmp_path / "oit.db"
    pid = _kill_after_some_stored(url, db)
    [(run_id, status, run_pid)] = _rows(db, "select id, status, pid from runs")
    assert (status, run_pid) == ("running", pid)  # SIGKILL: nobody marked it
    stored = {row[0] for row in _rows(db, "select url from resources where run_id = ?", run_id)}
    assert 5 <= len(stored) < SLOW_SITE_PAGES

    handler.log.clear()
    options = AuditOptions(resume=True, crawl=CrawlOptions(render="never"))
    result = asyncio.run(audit(url, load_year(2568), Store(db), options))

    assert result.run_id == run_id
    assert result.as_of == AS_OF  # the run's audit date, not today's
    assert result.stats["resume"] == {"restored": len(stored)}
    asked = {path for path, _, _ in handler.log}
    again = {url.rstrip("/") + path for path in asked} & stored
    assert again <= {url}, "only the start URL is asked again"
    assert [(c, s) for p, c, s in handler.log if p == "/"] == [(True, 304)]
    assert _rows(db, "select id, status from runs") == [(run_id, "complete")]
    rows = _rows(db, "select url, count(*) from resources group by url")
    assert len(rows) == SLOW_SITE_PAGES, "the stored pages' links were followed"
    assert all(n == 1 for _, n in rows)
    assert result.stats["fetched"] == SLOW_SITE_PAGES


def test_resume_with_nothing_to_resume_says_so(slow_site, tmp_path):
    url, _ = slow_site
    db = tmp_path / "oit.db"
    with pytest.raises(AuditError) as empty:
        _audit(url, db, resume=True)
    assert empty.value.exit_code == 2
    assert "nothing to resume" in str(empty.value) and "no run" in str(empty.value)

    done = _audit(url, db)
    with pytest.raises(AuditError) as complete:
        _audit(url, db, resume=True)
    assert complete.value.exit_code == 2
    assert f"#{done.run_id}" in str(complete.value) and "complete" in str(complete.value)

    live = Store(db).start_run(url, 2568, "rules", "sha", AS_OF.isoformat(), {})  # this process
    with pytest.raises(AuditError) as running:
        _audit(url, db, resume=True)
    assert running.value.exit_code == 2
    assert f"#{live}" in str(running.value) and "still running" in str(running.value)


def test_a_killed_process_not_yet_reaped_counts_as_dead():
    proc = subprocess.Popen(["true"])
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:  # wait until it is a zombie, without reaping it
            state = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            if state == "Z":
                break
            time.sleep(0.01)
        assert not process_alive(proc.pid, None)
    finally:
        proc.wait()
    assert process_alive(os.getpid(), None)
    assert not process_alive(proc.pid, None)
