"""A site that got worse between two audits: history, diff, --fail-on regression, notifications,
and the answer sheet / HTML report made from stored runs.

One loopback server keeps serving a copy of the demo site on the same port (so all runs are of
the same site); between the first and second audit an evidence PDF is deleted and the contact
details are removed, and the third audit sees the site unchanged. Everything runs through the
real `oit` command, with a real webhook receiver and a real SMTP server on 127.0.0.1.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from demo_changes import DELETED_PDF, DEMO_SITE, REGRESSED, degrade
from receivers import SmtpSink, WebhookReceiver, free_port
from rich.console import Console

from oit_checker.history import diff_runs, list_runs, previous_run, run_result
from oit_checker.output.terminal import print_regressions, print_report
from oit_checker.serve import SiteServer
from oit_checker.store import Store

OIT = str(Path(sys.executable).parent / "oit")


def _oit(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([OIT, *args], cwd=cwd, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Three audits of one site: as shipped, degraded, degraded again (unchanged)."""
    work = tmp_path_factory.mktemp("history")
    site = work / "site"
    shutil.copytree(DEMO_SITE, site)
    db = work / "oit.db"
    common = ["--year", "2568", "--as-of", "2025-10-15", "--db", str(db), "--no-progress"]
    common += ["--fail-on", "regression"]
    with SiteServer(site) as server, WebhookReceiver() as hook, SmtpSink() as smtp:
        notify_toml = work / "notify.toml"
        notify_toml.write_text(
            f'[notify]\nsmtp_host = "127.0.0.1"\nsmtp_port = {smtp.port}\n'
            'smtp_from = "oit@example.go.th"\nsmtp_to = ["webmaster@example.go.th"]\n',
            encoding="utf-8",
        )
        notify = ["--notify-webhook", hook.url, "--notify-config", str(notify_toml)]
        first = _oit("check", server.url, *common, *notify, "--json", "run1.json", cwd=work)
        degrade(site)
        second = _oit("check", server.url, *common, *notify, cwd=work)
        # Unchanged re-run; its notification (forced with --notify-on always) goes to a closed port.
        dead_hook = f"http://127.0.0.1:{free_port()}/hook"
        third = _oit(
            "check", server.url, *common, "--notify-webhook", dead_hook, "--notify-on", "always",
            cwd=work,
        )  # fmt: skip
        yield {
            "work": work,
            "db": db,
            "url": server.url,
            "procs": [first, second, third],
            "posts": list(hook.posts),
            "mails": smtp.messages,
            "envelopes": smtp.envelopes,
        }


def test_fail_on_regression_exits_1_only_on_the_run_that_lost_items(runs):
    first, second, third = runs["procs"]
    assert first.returncode == 0, first.stderr  # nothing to compare with: no regression
    assert second.returncode == 1, second.stderr
    assert third.returncode == 0, third.stderr  # unchanged since the second run
    assert "ถดถอยจากรอบ #1" in second.stdout and "O8" in second.stdout
    assert "ไม่มีข้อที่ถดถอยจากรอบ #2" in third.stdout
    for proc in runs["procs"]:
        assert "Traceback" not in proc.stderr


def test_history_lists_the_runs_newest_first(runs):
    listed = list_runs(Store(runs["db"]), runs["url"])
    assert [r["id"] for r in listed] == [3, 2, 1]
    for r in listed:
        assert r["status"] == "complete" and r["year"] == 2568
        assert r["present"] + r["absent"] + r["uncertain"] == 28
    assert listed[0]["oit"] == listed[1]["oit"] < listed[2]["oit"]
    assert listed[1]["present"] == listed[2]["present"] - 2
    proc = _oit("history", "--db", str(runs["db"]), cwd=runs["work"])
    assert proc.returncode == 0, proc.stderr
    assert f"เว็บไซต์ (site): {runs['url']}" in proc.stdout  # the runs listed under their site
    rows = [line.split() for line in proc.stdout.splitlines()]
    assert [r[0] for r in rows if len(r) > 2 and r[0].isdigit() and r[1][:2] == "20"] == [
        "3",
        "2",
        "1",
    ]
    assert "complete" in proc.stdout and f"{listed[2]['oit']:.2f}" in proc.stdout
    assert list_runs(Store(runs["db"]), "http://elsewhere.go.th/") == []


def test_previous_run_is_the_older_complete_run_of_the_same_site(runs):
    store = Store(runs["db"])
    assert previous_run(store, 3) == 2
    assert previous_run(store, 2) == 1
    assert previous_run(store, 1) is None


def test_diff_names_the_regressions_and_the_dead_evidence(runs):
    changes = diff_runs(Store(runs["db"]), 1, 2)
    regressed = {r["id"]: r for r in changes["regressions"]}
    assert set(regressed) == REGRESSED
    assert regressed["O8"]["before"] == "present" and regressed["O8"]["after"] == "absent"
    assert "404" in regressed["O8"]["reason"]
    assert changes["improvements"] == []
    dead = {(d["item"], d["url"]): d for d in changes["dead_evidence"]}
    pdf = ("O8", runs["url"] + DELETED_PDF)
    assert dead[pdf]["status"] == 404 and dead[pdf]["why"] == "HTTP 404"
    contact = dead[("O3", runs["url"] + "contact.html")]
    assert contact["why"] == "no longer evidence" and contact["status"] == 200
    assert changes["scores"]["oit"]["change"] < 0
    assert changes["scores"]["oit"]["before"] > changes["scores"]["oit"]["after"]


def test_cli_diff_prints_regressions_first(runs):
    proc = _oit("diff", "1", "2", "--db", str(runs["db"]), "--json", "d.json", cwd=runs["work"])
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout
    assert text.index("ถดถอย") < text.index("หลักฐานที่หายไป")
    assert "O8" in text and "O3" in text and "มี → ไม่มี" in text
    assert DELETED_PDF in text and "HTTP 404" in text
    raw = (runs["work"] / "d.json").read_text(encoding="utf-8")
    assert "เปิดไม่ได้" in raw and "\\u0e" not in raw  # Thai as Thai, like check --json
    saved = json.loads(raw)
    assert {r["id"] for r in saved["regressions"]} == REGRESSED
    # Default: the latest complete run against the one before it — nothing changed.
    proc = _oit("diff", "--db", str(runs["db"]), cwd=runs["work"])
    assert proc.returncode == 0, proc.stderr
    assert "run #2 → run #3" in proc.stdout and "no regressions" in proc.stdout
    # One run: that run against its previous one.
    proc = _oit("diff", "2", "--db", str(runs["db"]), cwd=runs["work"])
    assert "run #1 → run #2" in proc.stdout and "O8" in proc.stdout


def test_a_stored_run_gives_back_the_json_contract(runs):
    written = json.loads((runs["work"] / "run1.json").read_text(encoding="utf-8"))
    rebuilt = json.loads(json.dumps(run_result(Store(runs["db"]), 1), ensure_ascii=False))
    assert rebuilt == written


def test_a_stored_run_prints_the_report_check_printed(runs):
    """One result shape: the terminal report of run 1 read back from the database is the one
    `oit check` printed when it made the run (piped: rich's 80 columns)."""
    screen = Console(file=io.StringIO(), width=80, color_system=None)
    print_report(run_result(Store(runs["db"]), 1), screen)
    printed = runs["procs"][0].stdout
    assert "ตัวชี้วัดที่ 9" in printed and "OIT = " in printed
    assert printed.startswith(screen.file.getvalue())


def test_webhook_gets_one_json_summary_for_the_regression(runs):
    posts = runs["posts"]
    assert len(posts) == 1  # first run: nothing to report; third run: its hook was dead
    assert posts[0].content_type.startswith("application/json")
    body = json.loads(posts[0].body.decode("utf-8"))
    assert body["site"] == runs["url"]
    assert (body["run_id"], body["previous_run_id"]) == (2, 1)
    assert body["oit"] < body["previous_oit"]
    assert {r["id"] for r in body["regressions"]} == REGRESSED
    assert all(r["title"] and r["reason"] for r in body["regressions"])
    assert runs["url"] + DELETED_PDF in {d["url"] for d in body["dead_evidence"]}


def test_email_in_thai_reaches_the_smtp_server(runs):
    assert len(runs["mails"]) == 1
    assert runs["envelopes"][0] == ("oit@example.go.th", ["webmaster@example.go.th"])
    mail = runs["mails"][0]
    assert "ถดถอย 2 ข้อ" in mail["Subject"]
    part = mail.get_body(preferencelist=("plain",))
    assert part.get_content_charset() == "utf-8"
    text = part.get_content()
    assert "ข้อที่ถดถอย" in text and "O8" in text and "มี → ไม่มี" in text
    assert runs["url"] in text and DELETED_PDF in text


def test_a_failed_notification_is_reported_and_kept_but_the_audit_stands(runs):
    third = runs["procs"][2]
    assert third.returncode == 0
    assert "notification failed" in third.stderr
    with sqlite3.connect(runs["db"]) as conn:
        stats = json.loads(conn.execute("select stats from runs where id = 3").fetchone()[0])
        sent = json.loads(conn.execute("select stats from runs where id = 2").fetchone()[0])
    assert stats["notify"]["webhook"].startswith("failed")
    assert sent["notify"] == {"webhook": "sent", "email": "sent"}


def test_answer_sheet_and_report_from_stored_runs(runs):
    work, db = runs["work"], str(runs["db"])
    proc = _oit("sheet", "1", "--format", "csv", "--output", "s1.csv", "--db", db, cwd=work)
    assert proc.returncode == 0, proc.stderr
    with (work / "s1.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert len(rows) == 29
    o8 = next(r for r in rows if r[0] == "O8")
    assert o8[2] == "มี" and o8[3].endswith(DELETED_PDF)
    proc = _oit("sheet", "--output", "latest.xlsx", "--db", db, cwd=work)
    assert proc.returncode == 0, proc.stderr
    from openpyxl import load_workbook

    book = load_workbook(work / "latest.xlsx")
    answers = {row[0]: row[2] for row in book.worksheets[0].iter_rows(values_only=True)}
    assert answers["O8"] == "ไม่มี"
    proc = _oit("report", "2", "--output", "r2.html", "--db", db, cwd=work)
    assert proc.returncode == 0, proc.stderr
    html = (work / "r2.html").read_text(encoding="utf-8")
    assert "เปลี่ยนแปลงจากครั้งก่อน" in html and "ถดถอย" in html  # compared with run #1
    assert DELETED_PDF in html


def test_stored_run_commands_fail_cleanly(runs, tmp_path):
    db = str(runs["db"])
    cases = [
        (["report", "99", "--db", db], "no run #99"),
        (["sheet", "--db", str(tmp_path / "none.db")], "no database"),
        (["diff", "1", "--db", db], "no earlier complete run"),
        (["history", "--db", str(tmp_path / "none.db")], "no database"),
        (["sheet", "--site", "http://elsewhere.go.th/", "--db", db], "no complete run"),
    ]
    for args, message in cases:
        proc = _oit(*args, cwd=tmp_path)
        assert proc.returncode == 2, (args, proc.stdout, proc.stderr)
        assert message in proc.stderr and "Traceback" not in proc.stderr
    not_sqlite = tmp_path / "notes.db"
    not_sqlite.write_text("not a database", encoding="utf-8")
    proc = _oit("history", "--db", str(not_sqlite), cwd=tmp_path)
    assert proc.returncode == 2 and "cannot read database" in proc.stderr


def test_every_command_that_writes_a_file_makes_its_folder_and_fails_cleanly(runs, tmp_path):
    db = str(runs["db"])
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where a folder is expected", encoding="utf-8")
    for args, name in (
        (["diff", "1", "2", "--json"], "d.json"),
        (["sheet", "2", "--output"], "s.csv"),
        (["report", "2", "--output"], "r.html"),
    ):
        target = tmp_path / "new" / "folder" / name
        proc = _oit(*args, str(target), "--db", db, cwd=tmp_path)
        assert proc.returncode == 0, (args, proc.stderr)
        assert "O8" in target.read_text(encoding="utf-8-sig")
        proc = _oit(*args, str(blocker / name), "--db", db, cwd=tmp_path)
        assert proc.returncode == 2, (args, proc.stdout, proc.stderr)
        assert f"(cannot write) {blocker / name}" in proc.stderr
        assert "Traceback" not in proc.stderr


def test_diff_of_runs_of_two_sites_is_refused(runs, tmp_path):
    """Every item of another site would look changed: say it plainly instead."""
    db = tmp_path / "two-sites.db"
    shutil.copy(runs["db"], db)
    store = Store(db)
    other = store.start_run("http://other.go.th/", 2568, "rules", "", "2025-10-15", {})
    store.db["runs"].update(other, {"status": "complete"})
    proc = _oit("diff", "1", str(other), "--db", str(db), cwd=tmp_path)
    assert proc.returncode == 2, proc.stdout
    assert "คนละเว็บไซต์" in proc.stderr and "http://other.go.th/" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_regression_names_its_real_cause_first_and_improvements_are_shown(runs):
    """O8's manual was deleted: the line says its evidence now answers 404 before anything about
    other candidates; a run that gained items says which."""
    second = runs["procs"][1].stdout
    o8 = next(  # the regression's line, not O8's evidence URL listed under the report's table
        line
        for line in second.splitlines()
        if line.strip().startswith("O8 ") and not line.split()[1].startswith("http")
    )
    assert ": หลักฐานเดิม" in o8 and "HTTP 404" in o8  # the cause opens the reason
    console = Console(record=True, width=200)
    print_regressions(diff_runs(Store(runs["db"]), 2, 1), console)  # as if the site was repaired
    shown = console.export_text()
    assert "ดีขึ้นจากรอบ #2" in shown and "O8" in shown and "O3" in shown
