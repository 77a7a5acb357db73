"""Bad input ends in a message and exit 2, never a traceback (exit 1 means "items absent").

Each case once printed a Python traceback and exited 1, which a nightly job reads as "the site
lacks items". They go through the real `oit` command, as a user or cron would run it.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import threading
from http.server import ThreadingHTTPServer
from pathlib import Path

from slow_site import SlowSite, default_sigint, interrupt_once_crawling

from oit_checker.store import Store

OIT = str(Path(sys.executable).parent / "oit")
UNREACHABLE = "http://127.0.0.1:9/"  # never contacted: each case fails before the first request


def _oit(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([OIT, *args], cwd=cwd, capture_output=True, text=True, timeout=60)


def _rejected(proc: subprocess.CompletedProcess, *words: str) -> str:
    """A usage error: exit 2, Thai first, the words that say what is wrong, no traceback."""
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.stderr.startswith("ข้อผิดพลาด (error): "), proc.stderr
    for word in words:
        assert word in proc.stderr, (word, proc.stderr)
    return proc.stderr


def test_a_folder_given_as_rule_file_is_named_as_a_folder(tmp_path):
    proc = _oit("check", UNREACHABLE, "--rules", str(tmp_path), "--db", "x.db", cwd=tmp_path)
    _rejected(proc, str(tmp_path), "a folder, not a rule file")
    assert not (tmp_path / "x.db").exists()  # rejected before the audit started


def test_a_url_with_an_unclosed_ipv6_bracket_is_not_a_web_address(tmp_path):
    proc = _oit("check", "http://[::1/", "--no-progress", "--db", "x.db", cwd=tmp_path)
    _rejected(proc, "not a web address", "http://[::1/")
    sites = tmp_path / "sites.csv"
    sites.write_text("url\nhttp://[::1/\n", encoding="utf-8")
    _rejected(_oit("batch", str(sites), cwd=tmp_path), "line 2", "not a web address")
    config = tmp_path / "config.toml"
    config.write_text('[[site]]\nurl = "http://[::1/"\n', encoding="utf-8")
    _rejected(_oit("batch", str(config), cwd=tmp_path), "[[site]] #1", "not a web address")


def test_an_answer_sheet_cell_over_the_csv_limit_names_its_row(tmp_path):
    sheet = tmp_path / "answers.csv"
    sheet.write_text(
        "ข้อ,URL\nO1,https://example.go.th/\nO2,https://example.go.th/" + "a" * 140_000 + "\n",
        encoding="utf-8",
    )
    proc = _oit("verify", str(sheet), "--site", UNREACHABLE, "--db", "x.db", cwd=tmp_path)
    _rejected(proc, "answers.csv", "row 3")
    sites = tmp_path / "sites.csv"
    sites.write_text("url\nhttps://example.go.th/" + "a" * 140_000 + "\n", encoding="utf-8")
    _rejected(_oit("batch", str(sites), cwd=tmp_path), "sites.csv", "unreadable CSV")


def test_explain_of_a_run_that_does_not_exist_says_so(tmp_path):
    Store(tmp_path / "oit.db")  # a real, empty oit database
    proc = _oit("explain", "O1", "--run", "999", cwd=tmp_path)
    _rejected(proc, "no run #999")
    proc = _oit("explain", "O1", "--db", str(tmp_path), cwd=tmp_path)  # a folder, not SQLite
    _rejected(proc, "cannot read database")


def test_ctrl_c_in_any_command_exits_130_not_1(tmp_path):
    """`oit verify` has no Ctrl-C handling of its own: the one handler gives it exit 130."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), SlowSite)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    sheet = tmp_path / "answers.csv"
    sheet.write_text(f"item,url\nO1,{url}p/1\n", encoding="utf-8")
    db = tmp_path / "oit.db"
    command = [OIT, "verify", str(sheet), "--site", url, "--db", str(db), "--no-progress"]
    proc = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=default_sigint,
    )  # fmt: skip
    try:
        stderr = interrupt_once_crawling(proc, db, 3)
    finally:
        proc.kill()
        server.shutdown()
        server.server_close()
    assert proc.returncode == 130, stderr
    assert "interrupted" in stderr and "Aborted" not in stderr and "Traceback" not in stderr


# Exceptions that never reach a user: each is caught inside the module that raises it.
INTERNAL_EXCEPTIONS = {
    "_OcrTimeout",  # extract/documents.py: OCR's time budget, becomes a Page note
    "Forbidden",  # web/security.py: becomes an HTTP 403 page
    "Terminated",  # signals.py: SIGTERM, the CLI exits 143
    "AuditFailed",  # fleet/worker.py: raised into Dramatiq, which retries the job later
}


def test_every_error_meant_for_a_user_is_an_oit_error():
    """An exception class of ours that is not an OitError would reach the user as a
    traceback and exit 1 ("items absent"): each is an OitError or known to stay inside."""
    package = Path(__file__).resolve().parent.parent / "oit_checker"
    plain = []
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            bases = {getattr(b, "id", "") for b in getattr(node, "bases", [])}
            if isinstance(node, ast.ClassDef) and bases & {"Exception", "BaseException"}:
                plain.append(node.name)
    assert set(plain) - {"OitError"} == INTERNAL_EXCEPTIONS
