"""An oit.db written by an earlier version opens, is upgraded in place, and still answers.

Nightly jobs keep one database for years and upgrade the tool under it, so the schema is a list
of numbered migrations. ``data/oit-db-v2.sql`` is a real database made by the version before
migrations were recorded (two audits of the degraded demo site), dumped as SQL; a schema-1
database is the same with the columns schema 2 added dropped again.
"""

from __future__ import annotations

import multiprocessing
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import sqlite_utils

from oit_checker.history import diff_runs, list_runs, run_result
from oit_checker.serve import SiteServer
from oit_checker.store import Store
from oit_checker.store_schema import MIGRATIONS, SCHEMA_VERSION

ROOT = Path(__file__).resolve().parent.parent
OLD_DB_SQL = Path(__file__).parent / "data" / "oit-db-v2.sql"
OIT = str(Path(sys.executable).parent / "oit")
MIGRATION_NAMES = [m.name for m in MIGRATIONS.pending(sqlite_utils.Database(memory=True))]
SCHEMA_2_COLUMNS = {
    "runs": ("pid", "host", "resumed"),
    "resources": ("cache", "page_key"),
    "http_cache": ("content_sha256", "rendered"),
}
# Added after the v2 database of tests/data was written: a v2 database gains exactly these.
LATER_COLUMNS = {"runs": ["purpose"]}
LATER_TABLES = {
    "manual_checks": ["run_id", "item_id", "answer", "note", "checked_at", "url"],
    "web_audits": [
        *("id", "kind", "url", "year", "as_of", "created_at", "finished_at", "pid", "host"),
        *("run_id", "state", "exit_code", "error", "sheet", "output", "log"),
    ],
    "fleet_jobs": [
        *("batch", "url", "position", "name", "settings", "state", "attempts", "before_run_id"),
        *("run_id", "worker", "error", "enqueued_at", "sent_at", "started_at", "finished_at"),
        "notified",
    ],
}


def _oit(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([OIT, *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def _old_database(path: Path, schema: int = 2) -> Path:
    with sqlite3.connect(path) as conn:
        conn.executescript(OLD_DB_SQL.read_text(encoding="utf-8"))
        if schema == 1:
            for table, columns in SCHEMA_2_COLUMNS.items():
                for column in columns:
                    conn.execute(f"alter table {table} drop column {column}")
            conn.execute("pragma user_version = 1")
    return path


def _columns(path: Path) -> dict[str, list[str]]:
    with sqlite3.connect(path) as conn:
        tables = [r[0] for r in conn.execute("select name from sqlite_master where type='table'")]
        return {t: [r[1] for r in conn.execute(f"pragma table_info('{t}')")] for t in tables}


def _applied(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return [r[0] for r in conn.execute("select name from _sqlite_migrations order by id")]


def test_a_database_of_the_previous_version_opens_upgraded_with_its_runs_intact(tmp_path):
    db = _old_database(tmp_path / "oit.db")
    before = _columns(db)
    store = Store(db)
    assert _applied(db) == MIGRATION_NAMES  # recorded, so they never run again
    after = _columns(db)
    grown = {t: c + LATER_COLUMNS.get(t, []) for t, c in before.items()} | LATER_TABLES
    assert {t: c for t, c in after.items() if t != "_sqlite_migrations"} == grown
    assert store.db.execute("pragma user_version").fetchone()[0] == SCHEMA_VERSION

    listed = list_runs(store)
    assert [(r["id"], r["status"], r["oit"]) for r in listed] == [
        (2, "complete", 65.48),
        (1, "complete", 69.41),
    ]
    assert (listed[1]["present"], listed[0]["present"]) == (21, 19)
    changes = diff_runs(store, 1, 2)
    assert {r["id"] for r in changes["regressions"]} == {"O3", "O8"}
    assert any(d["status"] == 404 for d in changes["dead_evidence"])
    # The run's rule file was at another path on the machine that made it: the shipped file of
    # the same name still gives the title.
    result = run_result(store, 2)
    assert result["rules"]["path"].startswith("/opt/") and result["rules"]["title"]
    assert len(result["items"]) == 28

    Store(db)  # opening again changes nothing
    assert _applied(db) == MIGRATION_NAMES


def test_stored_run_commands_read_an_upgraded_database(tmp_path):
    db = str(_old_database(tmp_path / "oit.db"))
    proc = _oit("history", "--db", db, cwd=tmp_path)
    assert proc.returncode == 0 and "69.41" in proc.stdout, proc.stderr
    proc = _oit("explain", "O8", "--run", "2", "--db", db, cwd=tmp_path)
    assert proc.returncode == 0 and "404" in proc.stdout, proc.stderr
    proc = _oit("report", "2", "--output", "r.html", "--db", db, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "ถดถอย" in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_a_schema_1_database_gains_the_later_columns_and_takes_new_audits(tmp_path):
    db = _old_database(tmp_path / "oit.db", schema=1)
    assert "pid" not in _columns(db)["runs"]
    with SiteServer(ROOT / "fixtures" / "demo" / "site") as server:
        proc = _oit(
            "check", server.url, "--year", "2568", "--as-of", "2025-10-15", "--db", str(db),
            "--no-progress", cwd=tmp_path,
        )  # fmt: skip
    assert proc.returncode == 1, proc.stderr  # complete; the demo lacks items on purpose
    columns = _columns(db)
    for table, added in SCHEMA_2_COLUMNS.items():
        assert set(added) <= set(columns[table]), table
    runs = list_runs(Store(db))
    assert [r["id"] for r in runs] == [3, 2, 1] and runs[0]["status"] == "complete"
    assert _applied(db) == MIGRATION_NAMES


def _open(path: str, start: multiprocessing.synchronize.Barrier) -> None:
    start.wait()
    Store(path)


def test_processes_opening_one_new_database_at_once_create_it_once(tmp_path):
    """A batch and a second `oit check` may open a database that does not exist yet together."""
    path = str(tmp_path / "new.db")
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(4)
    workers = [context.Process(target=_open, args=(path, start)) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert [w.exitcode for w in workers] == [0, 0, 0, 0]
    assert _applied(Path(path)) == MIGRATION_NAMES


def _hold_a_write(path: str, held: multiprocessing.synchronize.Event, seconds: float) -> None:
    with sqlite3.connect(path) as db:
        db.execute("BEGIN IMMEDIATE")
        db.execute("insert into waiting values (1)")
        held.set()
        time.sleep(seconds)


def test_a_store_opened_while_another_process_writes_the_file_waits_for_it(tmp_path):
    """The file of a batch's first site is still in rollback mode while its writer holds it:
    switching it to WAL answered 'database is locked' at once (busy timeout or not), and the
    second site's audit died before it began."""
    path = str(tmp_path / "shared.db")
    with sqlite3.connect(path) as db:
        db.execute("create table waiting (x)")
    context = multiprocessing.get_context("spawn")
    held = context.Event()
    writer = context.Process(target=_hold_a_write, args=(path, held, 1.0))
    writer.start()
    assert held.wait(30)
    Store(path)  # waits for the writer's commit, then switches and migrates
    writer.join(30)
    assert sqlite3.connect(path).execute("pragma journal_mode").fetchone()[0] == "wal"
    assert _applied(Path(path)) == MIGRATION_NAMES
