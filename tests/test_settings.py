"""Audit settings: one table (settings.py) gives the CLI and config.toml the same defaults and checks.

A value the CLI refuses is refused in config.toml with the same words, before any request and
before a run is stored (``--max-seconds 0`` once stored a "complete" all-absent run). Runs go
through the real `oit` command; the throttle test crawls a real loopback server.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import typer

from oit_checker.audit import AuditOptions
from oit_checker.cli import app
from oit_checker.config import AuditSettings, load_config
from oit_checker.settings import SETTINGS

OIT = str(Path(sys.executable).parent / "oit")
UNREACHABLE = "http://127.0.0.1:9/"  # never contacted: each bad value stops the command first

# (CLI option and value, the same in config.toml, words of the message)
BAD_VALUES = [
    (["--timeout", "0"], "timeout = 0", "must be greater than 0"),
    (["--max-file-mb", "0"], "max_file_mb = 0", "must be greater than 0"),
    (["--max-seconds", "0"], "max_seconds = 0", "must be greater than 0"),
    (["--max-seconds", "nan"], "max_seconds = nan", "must be a finite number"),
    (["--rate", "0"], "rate = 0", "must be greater than 0"),
    (["--max-pages", "-5"], "max_pages = -5", "must be at least 1"),
    (["--concurrency", "0"], "concurrency = 0", "must be at least 1"),
    (["--revisit-days", "-1"], "revisit_days = -1", "must be at least 0"),
    (["--render", "sometimes"], 'render = "sometimes"', "must be one of never, auto, always"),
    (["--contact", "ผู้ดูแลเว็บ"], 'contact = "ผู้ดูแลเว็บ"', "ASCII only"),
    (["--iit", "150"], "iit = 150", "must be at most 100"),
]


def _oit(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([OIT, *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def _refused(proc: subprocess.CompletedProcess, *words: str) -> None:
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("ข้อผิดพลาด (error): "), proc.stderr
    for word in words:
        assert word in proc.stderr, (word, proc.stderr)


@pytest.mark.parametrize(("option", "toml", "words"), BAD_VALUES, ids=lambda v: str(v))
def test_a_bad_value_is_refused_by_the_cli_and_by_config_toml_alike(tmp_path, option, toml, words):
    proc = _oit("check", UNREACHABLE, *option, "--no-progress", "--db", "x.db", cwd=tmp_path)
    _refused(proc, f"{option[0]}: ", words)
    config = tmp_path / "config.toml"
    config.write_text(f'[defaults]\n{toml}\ndb = "x.db"\n\n[[site]]\nurl = "{UNREACHABLE}"\n')
    key = toml.split(" = ")[0]
    _refused(_oit("batch", str(config), cwd=tmp_path), f"[defaults]: {key}: ", words)
    assert not (tmp_path / "x.db").exists()  # no run stored, no database made


def test_every_setting_is_a_cli_option_of_check_and_a_config_key(tmp_path):
    check = typer.main.get_command(app).commands["check"]  # type: ignore[attr-defined]
    flags = {flag for param in check.params for flag in param.opts}
    assert {s.flag for s in SETTINGS.values()} <= flags
    values = {
        "year": "2568", "rules": '"my-rules.toml"', "as_of": '"30/09/2568"', "max_pages": "50",
        "max_seconds": "120", "concurrency": "2", "timeout": "5", "max_file_mb": "5", "ocr": "false",
        "ocr_seconds": "30",
        "render": '"never"', "rate": "2", "contact": '"ops@example.go.th"', "revisit_days": "0",
        "ignore_robots": "true", "insecure": "true", "iit": "80", "eit1": "70", "eit2": "90",
    }  # fmt: skip
    assert set(values) == set(SETTINGS)  # a new setting needs a line here, and in README
    lines = "\n".join(f"{key} = {value}" for key, value in values.items())
    config = tmp_path / "config.toml"
    config.write_text(f'[defaults]\n{lines}\n\n[[site]]\nurl = "https://a.go.th/"\n')
    options = load_config(config).sites[0].settings.audit_options()
    assert options.crawl.rate == 2.0 and options.crawl.fetch.contact == "ops@example.go.th"
    assert options.crawl.render == "never" and options.crawl.max_pages == 50
    assert options.crawl.fetch.timeout == 5.0 and options.crawl.fetch.insecure
    assert options.crawl.fetch.max_file_bytes == 5 * 2**20
    assert not options.crawl.respect_robots and not options.ocr.enabled
    assert (options.iit, options.eit1, options.eit2, options.revisit_days) == (80, 70, 90, 0)


def test_objects_down_the_path_start_from_the_table_defaults():
    """An audit built in code (tests, eval, verify) runs as `oit check` with no options does."""
    built, from_cli = AuditOptions(), AuditSettings().audit_options()
    assert built.crawl == from_cli.crawl and built.ocr == from_cli.ocr
    assert built.revisit_days == from_cli.revisit_days is None
    assert built.crawl.render == "auto"  # README's default, once rendered "never" in crawl.py
    assert built.crawl.max_pages == SETTINGS["max_pages"].default


class _Recording(BaseHTTPRequestHandler):
    """A small site that notes when each request came and who said it was asking."""

    seen: list[tuple[float, str, str]] = []

    def do_GET(self) -> None:
        self.seen.append((time.monotonic(), self.path, self.headers.get("User-Agent", "")))
        if self.path == "/":
            links = "".join(f'<a href="/p{n}.html">หน้า {n}</a>' for n in range(1, 5))
            body = f"<html><body><h1>อบต.ทดสอบ</h1>{links}</body></html>"
        elif self.path.startswith("/p"):
            body = "<html><body><p>ข่าวประชาสัมพันธ์</p></body></html>"
        else:
            self.send_error(404)
            return
        data = body.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        return


def test_config_rate_and_contact_reach_the_site(tmp_path):
    """A nightly job can throttle itself and say who runs it, from config.toml alone."""
    _Recording.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recording)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    config = tmp_path / "config.toml"
    config.write_text(
        '[defaults]\nrate = 4\ncontact = "ops@example.go.th"\nocr = false\nrender = "never"\n'
        f'db = "oit.db"\n\n[[site]]\nurl = "{url}"\n'
    )
    try:
        proc = _oit("batch", str(config), "--fail-on", "regression", cwd=tmp_path)
    finally:
        server.shutdown()
        server.server_close()
    assert proc.returncode == 0, proc.stderr + proc.stdout
    pages = [(at, agent) for at, path, agent in _Recording.seen if path.endswith(".html")]
    assert len(pages) == 4
    assert all(agent.endswith("(+ops@example.go.th)") for _, _, agent in _Recording.seen)
    gaps = [b[0] - a[0] for a, b in zip(pages, pages[1:], strict=False)]
    assert min(gaps) >= 0.2  # 4 requests per second at most, not as fast as the server answers
