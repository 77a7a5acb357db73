"""Fault suite: `oit check` against a hostile loopback server, one fault per site.

Each case runs the real command in a subprocess and asserts what an operator would notice: the
exit code, the message, the wall time and the peak memory of that process (``os.wait4``), and
that the database passes ``PRAGMA integrity_check`` with the run in the right state. Bounds are
generous (a loaded 2-core machine); what they catch is the unbounded: a parse that never ends,
a zip bomb unpacked into gigabytes, a deadline overrun by a minute.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pymupdf
import pytest

OIT = str(Path(sys.executable).parent / "oit")
MAX_RSS_MB = 600  # python + lexbor + MuPDF stay far below; a zip bomb or deep tree would not
FAST = ["--year", "2568", "--no-progress", "--render", "never", "--no-ocr", "--timeout", "3"]

Route = Callable[["_Handler"], None]


# ---------------------------------------------------------------------------------------------
# The hostile server


class FaultSite(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, routes: dict[str, Route]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes = routes
        self.stop = threading.Event()
        self.seen: list[tuple[str, str]] = []  # (path, Authorization header)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"

    def __enter__(self) -> FaultSite:
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.shutdown()
        self.server_close()


class _Handler(BaseHTTPRequestHandler):
    server: FaultSite
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        return

    def do_GET(self) -> None:
        self.server.seen.append((self.path, self.headers.get("Authorization", "")))
        path = self.path.split("?")[0]
        routes = self.server.routes
        # The exact URL, else its path, else its first segment ("/p" serves "/p/12").
        route = routes.get(self.path) or routes.get(path) or routes.get(path[: path.find("/", 1)])
        try:
            if route is None:
                send(self, 404, b"not here")
            else:
                route(self)
        except (BrokenPipeError, ConnectionResetError):
            pass


def send(
    handler: _Handler, status: int, body: bytes, ctype: str = "text/html", **headers: str
) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", ctype)
    handler.send_header("Content-Length", str(len(body)))
    for name, value in headers.items():
        handler.send_header(name.replace("_", "-"), value)
    handler.end_headers()
    handler.wfile.write(body)


def page(html: str, ctype: str = "text/html; charset=utf-8") -> Route:
    return lambda h: send(h, 200, html.encode(), ctype)


def raw(body: bytes, ctype: str, **headers: str) -> Route:
    return lambda h: send(h, 200, body, ctype, **headers)


def status(code: int, **headers: str) -> Route:
    return lambda h: send(h, code, b"", **headers)


def redirect(location: str) -> Route:
    return lambda h: send(h, 302, b"", Location=location)


def hang(h: _Handler) -> None:
    h.server.stop.wait(120)


def trickle(h: _Handler) -> None:
    """A PDF that arrives one kilobyte a second: never done within any sane limit."""
    h.send_response(200)
    h.send_header("Content-Type", "application/pdf")
    h.send_header("Content-Length", str(50 * 2**20))
    h.end_headers()
    h.wfile.write(b"%PDF-1.7\n")
    while not h.server.stop.wait(1.0):
        h.wfile.write(b"%" * 1024)
        h.wfile.flush()


def home(*links: tuple[str, str], extra: str = "") -> Route:
    anchors = "".join(f'<li><a href="{href}">{text}</a></li>' for href, text in links)
    return page(
        "<html><head><title>องค์การบริหารส่วนตำบลทดสอบ</title></head><body>"
        f"<h1>องค์การบริหารส่วนตำบลทดสอบ</h1><ul>{anchors}</ul>{extra}</body></html>"
    )


# ---------------------------------------------------------------------------------------------
# Running oit and reading what it left


@dataclass
class Outcome:
    code: int
    stdout: str
    stderr: str
    seconds: float
    rss_mb: float


def _default_signals() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def start_oit(args: list[str]) -> tuple[subprocess.Popen, float, tuple]:
    out = tempfile.TemporaryFile("w+")  # noqa: SIM115 - closed by finish_oit
    err = tempfile.TemporaryFile("w+")  # noqa: SIM115
    proc = subprocess.Popen(
        [OIT, *args], stdout=out, stderr=err, text=True, preexec_fn=_default_signals
    )
    return proc, time.monotonic(), (out, err)


def finish_oit(proc: subprocess.Popen, began: float, files: tuple, limit: float = 120.0) -> Outcome:
    """Wait for ``proc`` (killing it past ``limit``), with its own wall time and peak RSS."""
    while True:
        pid, wait_status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() - began > limit:
            proc.kill()
        time.sleep(0.05)
    proc.returncode = os.waitstatus_to_exitcode(wait_status)
    texts = []
    for handle in files:
        with handle:
            handle.seek(0)
            texts.append(handle.read())
    return Outcome(
        proc.returncode, texts[0], texts[1], time.monotonic() - began, usage.ru_maxrss / 1024
    )


def run_oit(*args: str, limit: float = 120.0) -> Outcome:
    proc, began, files = start_oit(list(args))
    return finish_oit(proc, began, files, limit)


def check(url: str, db: Path, *extra: str, limit: float = 120.0) -> Outcome:
    return run_oit("check", url, "--db", str(db), *FAST, *extra, limit=limit)


def db_state(db: Path) -> list[tuple[str, str]]:
    """(status, error) of every run, after the database passed its integrity check."""
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return conn.execute("select status, coalesce(error, '') from runs order by id").fetchall()


def item(result: dict, item_id: str) -> dict:
    return next(i for i in result["items"] if i["id"] == item_id)


def bounded(outcome: Outcome, seconds: float) -> None:
    assert outcome.seconds < seconds, outcome
    assert outcome.rss_mb < MAX_RSS_MB, outcome
    assert "Traceback" not in outcome.stderr, outcome.stderr


# ---------------------------------------------------------------------------------------------
# Hostile files


def zip_bomb(member: str, megabytes: int) -> bytes:
    """An Office zip whose one XML part unpacks to ``megabytes`` of spaces."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open(member, "w", force_zip64=True) as part:
            chunk = b" " * 2**20
            for _ in range(megabytes):
                part.write(chunk)
    return buffer.getvalue()


def pdf(text: str, pages: int = 1) -> bytes:
    with pymupdf.open() as doc:
        for _ in range(pages):
            doc.new_page().insert_text((72, 72), text)
        return doc.tobytes()


@pytest.fixture(scope="module")
def bombs() -> dict[str, bytes]:
    return {
        "docx": zip_bomb("word/document.xml", 150),
        "xlsx": zip_bomb("xl/sharedStrings.xml", 150),
    }


# ---------------------------------------------------------------------------------------------
# Faults that must be bounded


def test_deeply_nested_page_is_read_in_bounded_time(tmp_path: Path) -> None:
    deep = "<html><body><p>หน้าซ้อนลึก</p>" + "<div>ข้อความ " * 300_000 + "</body></html>"
    routes = {"/": home(("/deep.html", "หน้าลึก")), "/deep.html": page(deep)}
    with FaultSite(routes) as site:
        outcome = check(site.url, tmp_path / "oit.db")
    assert outcome.code == 1, outcome
    bounded(outcome, 60)
    assert db_state(tmp_path / "oit.db") == [("complete", "")]
    with sqlite3.connect(tmp_path / "oit.db") as conn:
        notes = [row[0] for row in conn.execute("select page from pages")]
    assert any("nesting flattened" in n for n in notes)


def test_office_zip_bombs_are_not_unpacked(tmp_path: Path, bombs: dict[str, bytes]) -> None:
    docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    routes = {
        "/": home(
            ("/hr-plan.docx", "แผนการบริหารและพัฒนาทรัพยากรบุคคลประจำปีงบประมาณ 2568"),
            ("/report.xlsx", "รายงานผลการดำเนินงานประจำปี 2567"),
        ),
        "/hr-plan.docx": raw(bombs["docx"], docx),
        "/report.xlsx": raw(bombs["xlsx"], xlsx),
    }
    with FaultSite(routes) as site:
        outcome = check(site.url, tmp_path / "oit.db", "--json", str(tmp_path / "out.json"))
    assert outcome.code == 1, outcome
    bounded(outcome, 60)
    result = json.loads((tmp_path / "out.json").read_text())
    for item_id in ("O14", "O7"):
        judged = item(result, item_id)
        assert judged["status"] == "uncertain", judged
        assert "ไฟล์ใหญ่เกินกว่าจะอ่านได้ (150 MB)" in judged["reason"], judged
    assert db_state(tmp_path / "oit.db") == [("complete", "")]


def test_max_seconds_bounds_requests_in_flight(tmp_path: Path) -> None:
    routes = {
        "/": home(
            ("/manual.pdf", "คู่มือการปฏิบัติงานของเจ้าหน้าที่"),
            ("/service.pdf", "คู่มือการขอรับบริการสำหรับผู้มาติดต่อ"),
            ("/slow-page.html", "ข่าวประชาสัมพันธ์"),
        ),
        "/manual.pdf": trickle,
        "/service.pdf": trickle,
        "/slow-page.html": hang,
    }
    with FaultSite(routes) as site:
        outcome = check(
            site.url,
            tmp_path / "oit.db",
            "--max-seconds",
            "8",
            "--timeout",
            "5",
            "--json",
            str(tmp_path / "out.json"),
        )
    assert outcome.code == 1, outcome
    bounded(outcome, 30)  # 8 s of budget; before: 3 tries x 20 s of the slow bodies
    result = json.loads((tmp_path / "out.json").read_text())
    assert result["stats"]["stopped_by"] == "max_seconds"
    manual = item(result, "O8")
    assert manual["status"] == "uncertain", manual
    assert "ไฟล์ดาวน์โหลดช้าเกินกว่าจะอ่านได้ทันเวลา" in manual["reason"], manual
    assert db_state(tmp_path / "oit.db") == [("complete", "")]


def test_document_over_the_size_cap_is_uncertain_not_absent(tmp_path: Path) -> None:
    big = pdf("แผนยุทธศาสตร์ " + "x" * 2000, pages=1) + b"%" * (2 * 2**20)
    routes = {
        "/": home(("/strategy.pdf", "แผนยุทธศาสตร์หรือแผนพัฒนาหน่วยงาน")),
        "/strategy.pdf": raw(big, "application/pdf"),
    }
    with FaultSite(routes) as site:
        outcome = check(
            site.url, tmp_path / "oit.db", "--max-file-mb", "1", "--json", str(tmp_path / "o.json")
        )
    assert outcome.code == 1, outcome
    bounded(outcome, 60)
    judged = item(json.loads((tmp_path / "o.json").read_text()), "O5")
    assert judged["status"] == "uncertain", judged
    assert "ไฟล์ใหญ่เกินกว่าจะอ่านได้ (1.0 MB)" in judged["reason"], judged


def test_a_download_that_stalls_midway_is_uncertain_too_slow_not_absent(tmp_path: Path) -> None:
    # The server answers 200, sends a megabyte of the PDF, then goes silent: the per-read
    # --timeout cuts it. Before: "absent: the link does not open (HTTP 200)".
    body = pdf("แผนยุทธศาสตร์ " + "x" * 2000, pages=1)

    def stall(h: _Handler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/pdf")
        h.send_header("Content-Length", str(len(body) + 3 * 2**20))
        h.end_headers()
        h.wfile.write(body[: len(body) // 2] + b"%" * 2**20)
        h.wfile.flush()
        h.server.stop.wait(60)

    routes = {
        "/": home(("/strategy.pdf", "แผนยุทธศาสตร์หรือแผนพัฒนาหน่วยงาน")),
        "/strategy.pdf": stall,
    }
    with FaultSite(routes) as site:
        outcome = check(site.url, tmp_path / "oit.db", "--json", str(tmp_path / "o.json"))
    assert outcome.code == 1, outcome
    bounded(outcome, 60)
    judged = item(json.loads((tmp_path / "o.json").read_text()), "O5")
    assert judged["status"] == "uncertain", judged
    assert "ไฟล์ดาวน์โหลดช้าเกินกว่าจะอ่านได้ทันเวลา (ได้มา 1.0 MB)" in judged["reason"], judged


def test_robots_forbidding_everything_means_the_site_could_not_be_crawled(
    tmp_path: Path,
) -> None:
    routes = {
        "/": home(("/about.html", "โครงสร้างและอำนาจหน้าที่"), ("/news.html", "ข่าว")),
        "/robots.txt": page("User-agent: *\nDisallow: /\n", "text/plain"),
        "/about.html": page("<html><body>about</body></html>"),
    }
    with FaultSite(routes) as site:
        outcome = check(site.url, tmp_path / "oit.db")
        fetched = [path for path, _ in site.seen]
    assert outcome.code == 3, outcome
    bounded(outcome, 60)
    assert "robots.txt" in outcome.stderr and "--ignore-robots" in outcome.stderr
    assert "เก็บข้อมูลเว็บไซต์ไม่ได้" in outcome.stderr
    assert "/about.html" not in fetched
    assert db_state(tmp_path / "oit.db")[0][0] == "failed"


def test_robots_forbidding_part_of_the_site_makes_its_items_uncertain(tmp_path: Path) -> None:
    routes = {
        "/": home(
            ("/about.html", "โครงสร้างและอำนาจหน้าที่"),
            ("/private/manual.pdf", "คู่มือการปฏิบัติงานของเจ้าหน้าที่"),
        ),
        "/robots.txt": page("User-agent: *\nDisallow: /private/\n", "text/plain"),
        "/about.html": page("<html><body><h1>โครงสร้าง</h1></body></html>"),
    }
    with FaultSite(routes) as site:
        outcome = check(site.url, tmp_path / "oit.db", "--json", str(tmp_path / "out.json"))
        fetched = [path for path, _ in site.seen]
    assert outcome.code == 1, outcome
    bounded(outcome, 60)
    assert "/private/manual.pdf" not in fetched
    assert "robots.txt ห้ามเปิด 1 URL" in outcome.stdout
    manual = item(json.loads((tmp_path / "out.json").read_text()), "O8")
    assert manual["status"] == "uncertain" and "robots.txt" in manual["reason"], manual
    assert db_state(tmp_path / "oit.db") == [("complete", "")]


def test_robots_that_never_answers_is_said_not_reported_as_absent(tmp_path: Path) -> None:
    routes = {"/": home(("/about.html", "โครงสร้างและอำนาจหน้าที่")), "/robots.txt": hang}
    with FaultSite(routes) as site:
        outcome = check(site.url, tmp_path / "oit.db", "--max-seconds", "6")
    assert outcome.code == 3, outcome
    bounded(outcome, 30)
    assert "robots.txt did not answer" in outcome.stderr, outcome.stderr
    assert "--max-seconds" in outcome.stderr
    assert db_state(tmp_path / "oit.db")[0][0] == "failed"


def test_credentials_in_the_start_url_are_used_but_never_kept(tmp_path: Path) -> None:
    secret = "S3cret-PaSS"
    routes = {
        "/": home(("/about.html", "โครงสร้างและอำนาจหน้าที่")),
        "/about.html": page("<html><body><h1>โครงสร้าง</h1></body></html>"),
        "/robots.txt": page("User-agent: *\nAllow: /\n", "text/plain"),
    }
    with FaultSite(routes) as site:
        url = site.url.replace("http://", f"http://officer:{secret}@")
        outcome = check(url, tmp_path / "oit.db", "--json", str(tmp_path / "out.json"))
        seen = dict(site.seen)
    assert outcome.code == 1, outcome
    bounded(outcome, 60)
    import base64

    expected = "Basic " + base64.b64encode(f"officer:{secret}".encode()).decode()
    assert seen["/robots.txt"] == expected  # the password as given, not lower-cased
    assert seen["/about.html"] == expected
    assert secret not in outcome.stdout + outcome.stderr
    assert secret not in (tmp_path / "out.json").read_text()
    with sqlite3.connect(tmp_path / "oit.db") as conn:
        dump = "\n".join(conn.iterdump())
    assert secret not in dump and "officer" not in dump


def test_page_declaring_utf8_with_stray_bytes_stays_utf8(tmp_path: Path) -> None:
    body = (
        '<html><head><meta charset="utf-8"><title>โครงสร้างและอำนาจหน้าที่</title></head><body>'
        + "<p>องค์การบริหารส่วนตำบลทดสอบ มีอำนาจหน้าที่ตามกฎหมาย</p>" * 3
    ).encode() + b"<p>\x96\xe9\xa0</p>" * 150
    routes = {"/": home(("/about.html", "อำนาจหน้าที่")), "/about.html": raw(body, "text/html")}
    with FaultSite(routes) as site:
        outcome = check(site.url, tmp_path / "oit.db")
    assert outcome.code == 1, outcome
    with sqlite3.connect(tmp_path / "oit.db") as conn:
        titles = [json.loads(row[0])["title"] for row in conn.execute("select page from pages")]
    assert "โครงสร้างและอำนาจหน้าที่" in titles


def test_faults_that_were_already_bounded_stay_bounded(tmp_path: Path) -> None:
    encrypted = pymupdf.open()
    encrypted.new_page().insert_text((72, 72), "secret")
    locked = encrypted.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="x", owner_pw="y")
    calendar = page('<html><body><a href="/calendar?month=2">ถัดไป</a></body></html>')
    routes = {
        "/": home(
            ("/loop-a", "คู่มือการปฏิบัติงาน"),
            ("/down", "ข้อมูลสถิติการให้บริการ"),
            ("/busy", "E-Service"),
            ("/bomb.html", "ข่าวประชาสัมพันธ์"),
            ("/broken.pdf", "แผนยุทธศาสตร์"),
            ("/locked.pdf", "รายงานผลการดำเนินงานประจำปี"),
            ("/calendar?month=1", "ปฏิทินกิจกรรม"),
        ),
        "/loop-a": redirect("/loop-b"),
        "/loop-b": redirect("/loop-a"),
        "/down": status(503),
        "/busy": status(429, Retry_After="1"),
        "/bomb.html": raw(
            gzip.compress(b"<p>" + b"\0" * (60 * 2**20), 9), "text/html", Content_Encoding="gzip"
        ),
        "/broken.pdf": raw(b"%PDF-1.7\n1 0 obj<<>>\ntrailer garbage", "application/pdf"),
        "/locked.pdf": raw(locked, "application/pdf"),
        "/calendar": lambda h: calendar(h),
    }
    with FaultSite(routes) as site:
        outcome = check(site.url, tmp_path / "oit.db", "--json", str(tmp_path / "out.json"))
    assert outcome.code == 1, outcome
    bounded(outcome, 90)
    result = json.loads((tmp_path / "out.json").read_text())
    errors = " ".join(e["error"] for e in result["stats"]["errors"])
    assert "redirect loop" in errors and "too large" in errors
    assert item(result, "O11")["status"] == "uncertain"  # 503: try again later
    assert db_state(tmp_path / "oit.db") == [("complete", "")]


# ---------------------------------------------------------------------------------------------
# Stopping, killing, two at once


def _slow_site() -> dict[str, Route]:
    def numbered(h: _Handler) -> None:
        time.sleep(0.3)
        n = int(h.path.rsplit("/", 1)[-1] or 0) if h.path.startswith("/p/") else 0
        links = "".join(f'<a href="/p/{n * 3 + k}">หน้า {n * 3 + k}</a> ' for k in (1, 2, 3))
        send(h, 200, f"<html><body><h1>หน้า {n}</h1>{links}</body></html>".encode())

    return {"/": numbered, "/p": numbered}


def _wait_for_resources(db: Path, count: int, seconds: float = 40) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        time.sleep(0.3)
        try:
            with sqlite3.connect(db) as conn:
                if conn.execute("select count(*) from resources").fetchone()[0] >= count:
                    return
        except sqlite3.OperationalError:
            continue
    raise AssertionError("the crawl never got going")


def interrupt_midway(
    args: list[str], db: Path, sig: int, meanwhile: Callable[[], None] = lambda: None
) -> Outcome:
    """Start ``oit args``, let it store a few resources, run ``meanwhile``, then send ``sig``."""
    proc, began, files = start_oit(args)
    try:
        _wait_for_resources(db, 3)
        meanwhile()
        proc.send_signal(sig)
        return finish_oit(proc, began, files, limit=60)
    finally:
        proc.kill()


def test_second_audit_of_a_site_refuses_and_sigterm_keeps_the_run(tmp_path: Path) -> None:
    db = tmp_path / "oit.db"

    def second_audit() -> None:
        second = check(site.url, db)
        assert second.code == 3, second
        assert "another audit" in second.stderr and "มีการตรวจเว็บไซต์นี้อยู่แล้ว" in second.stderr
        bounded(second, 30)

    with FaultSite(_slow_site()) as site:
        first = interrupt_midway(
            ["check", site.url, "--db", str(db), *FAST], db, signal.SIGTERM, second_audit
        )
    assert first.code == 143, first
    assert "SIGTERM" in first.stderr and "Traceback" not in first.stderr
    assert db_state(db) == [("incomplete", "interrupted: CancelledError")]


def test_sigterm_stops_a_batch_and_keeps_its_runs(tmp_path: Path) -> None:
    db = tmp_path / "oit.db"
    with FaultSite(_slow_site()) as site:
        sites = tmp_path / "sites.csv"
        sites.write_text(f"{site.url},อบต.ช้า\n", encoding="utf-8")
        outcome = interrupt_midway(["batch", str(sites), "--db", str(db)], db, signal.SIGTERM)
    assert outcome.code == 143, outcome
    assert "Traceback" not in outcome.stderr
    assert db_state(db) == [("incomplete", "interrupted: CancelledError")]


def test_killed_run_shows_as_interrupted_and_can_be_resumed(tmp_path: Path) -> None:
    db = tmp_path / "oit.db"
    with FaultSite(_slow_site()) as site:
        interrupt_midway(["check", site.url, "--db", str(db), *FAST], db, signal.SIGKILL)
        assert db_state(db)[0][0] == "running"
        history = run_oit("history", "--db", str(db))
        assert "interrupted" in history.stdout and "running" not in history.stdout
        # The lock died with the process: a new audit is not refused.
        resumed = check(site.url, db, "--resume", "--max-pages", "8")
    assert resumed.code == 1, resumed
    assert db_state(db)[0][0] == "complete"
