"""End to end into PostgreSQL: the demo site audited into the fleet's shared store gives the
verdicts it gives into SQLite, and its run reads back (history, diff) the same."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

from oit_checker.audit import AuditOptions, audit
from oit_checker.dates import parse_as_of
from oit_checker.evaluate import load_expected
from oit_checker.history import list_runs, stored_result
from oit_checker.rules import load_year
from oit_checker.serve import SiteServer
from oit_checker.store import open_store

DEMO = Path(__file__).resolve().parent.parent / "fixtures" / "demo"
EXPECTED = load_expected(DEMO / "expected.toml")
OIT = str(Path(sys.executable).parent / "oit")


def _verdicts(items) -> dict[str, tuple[str, list[str]]]:
    return {r.id: (r.status, [e.url for e in r.evidence]) for r in items}


def _differences(a, b) -> list[str]:
    """Items whose verdict or evidence differ, with both reasons: a failure says why."""
    other = {r.id: r for r in b}
    return [
        f"{r.id}: {r.status} ({r.reason}) vs {o.status} ({o.reason})"
        for r in a
        if (o := other.get(r.id)) is not None and _verdicts([r]) != _verdicts([o])
    ]


def test_the_demo_site_audited_into_postgres_gives_the_sqlite_verdicts(pg_url, tmp_path):
    rules = load_year(EXPECTED["year"])
    options = AuditOptions(as_of=parse_as_of(EXPECTED["as_of"]))
    # Compared verdicts: no clock may cut either audit (a cut is a different verdict, rightly).
    options.crawl.max_seconds = 3600
    options.ocr = dataclasses.replace(options.ocr, max_seconds=3600)
    results = {}
    with SiteServer(DEMO / "site") as server:
        for name, target in (("sqlite", str(tmp_path / "oit.db")), ("postgres", pg_url)):
            results[name] = asyncio.run(audit(server.url, rules, open_store(target), options))
    on_pg, on_sqlite = results["postgres"], results["sqlite"]
    assert _differences(on_pg.items, on_sqlite.items) == [], on_pg.stats["errors"]
    assert _verdicts(on_pg.items) == _verdicts(on_sqlite.items)
    assert on_pg.scores == on_sqlite.scores
    store = open_store(pg_url, create=False)
    run_id = results["postgres"].run_id
    assert [r["id"] for r in list_runs(store)] == [run_id]
    assert _verdicts(stored_result(store, run_id).items) == _verdicts(results["sqlite"].items)
    texts = store.db.execute("select count(*) from texts").fetchone()[0]
    assert texts >= 1  # the scanned PDF's OCR text, now shared by every worker


def _oit(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [OIT, *args], cwd=cwd, capture_output=True, text=True, timeout=300,
        env={**os.environ, **env},
    )  # fmt: skip


def test_oit_check_and_the_reading_commands_take_a_postgres_url(pg_url, tmp_path):
    with SiteServer(DEMO / "site") as server:
        args = ("--as-of", EXPECTED["as_of"], "--year", str(EXPECTED["year"]), "--no-progress")
        proc = _oit("check", server.url, *args, "--json", "run.json", cwd=tmp_path, OIT_DB=pg_url)
    assert proc.returncode == 1, proc.stderr  # the demo lacks items on purpose
    assert not (tmp_path / "oit.db").exists()  # $OIT_DB, not ./oit.db
    statuses = {
        i["id"]: i["status"] for i in json.loads((tmp_path / "run.json").read_text())["items"]
    }
    assert statuses == {w["id"]: w["status"] for w in EXPECTED["item"]}
    proc = _oit("history", "--db", pg_url, cwd=tmp_path)
    assert proc.returncode == 0 and "complete" in proc.stdout, proc.stderr
    for command in (["report", "-o", "r.html"], ["sheet", "-o", "s.xlsx"], ["explain", "O1"]):
        proc = _oit(*command, "--db", pg_url, cwd=tmp_path)
        assert proc.returncode == 0, (command, proc.stderr)
    assert (tmp_path / "r.html").stat().st_size > 10_000 and (tmp_path / "s.xlsx").exists()


def test_a_database_that_cannot_be_reached_or_named_is_said_plainly(postgres, tmp_path):
    from services import free_port

    cases = [
        (f"postgresql://oit@127.0.0.1:{free_port()}/oit", 3, "cannot connect to database"),
        (f"postgresql://oit@127.0.0.1:{postgres.port}/missing_db", 2, "missing_db"),
        ("mysql://u@localhost/oit", 2, "unsupported database"),
    ]
    for db, code, words in cases:
        proc = _oit("history", "--db", db, cwd=tmp_path)
        assert proc.returncode == code and words in proc.stderr, (db, proc.stderr)
        assert "Traceback" not in proc.stderr
