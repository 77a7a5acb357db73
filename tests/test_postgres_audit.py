"""End to end into PostgreSQL: the demo site audited into the fleet's shared store gives the
verdicts it gives into SQLite, and its run reads back (history, diff) the same."""

from __future__ import annotations

import asyncio
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


def _verdicts(items) -> dict[str, tuple[str, list[str]]]:
    return {r.id: (r.status, [e.url for e in r.evidence]) for r in items}


def test_the_demo_site_audited_into_postgres_gives_the_sqlite_verdicts(pg_url, tmp_path):
    rules = load_year(EXPECTED["year"])
    options = AuditOptions(as_of=parse_as_of(EXPECTED["as_of"]))
    results = {}
    with SiteServer(DEMO / "site") as server:
        for name, target in (("sqlite", str(tmp_path / "oit.db")), ("postgres", pg_url)):
            results[name] = asyncio.run(audit(server.url, rules, open_store(target), options))
    assert _verdicts(results["postgres"].items) == _verdicts(results["sqlite"].items)
    assert results["postgres"].scores == results["sqlite"].scores
    store = open_store(pg_url, create=False)
    run_id = results["postgres"].run_id
    assert [r["id"] for r in list_runs(store)] == [run_id]
    assert _verdicts(stored_result(store, run_id).items) == _verdicts(results["sqlite"].items)
    texts = store.db.execute("select count(*) from texts").fetchone()[0]
    assert texts >= 1  # the scanned PDF's OCR text, now shared by every worker
