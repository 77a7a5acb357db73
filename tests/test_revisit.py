"""Quick re-audits (revisit.py), against the demo site on a real loopback server and a real
SQLite file: only what bears on a verdict is asked again, the previous verdicts stand when none
of it changed, and any change that could move a verdict runs the whole incremental audit.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import shutil
import subprocess
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from test_incremental import (
    AS_OF,
    DEMO,
    EXPECTED,
    OIT,
    UNCACHED_PATHS,
    _audit,
    _copy_db,
    _item,
    _rows,
    _verdicts,
)

from oit_checker import revisit
from oit_checker.audit import (
    AuditOptions,
    audit,
    cache_usable,
    checker_modules,
    checker_version,
)
from oit_checker.extract.documents import OcrOptions
from oit_checker.rules import load_year
from oit_checker.serve import SiteServer
from oit_checker.store import Store


@pytest.fixture(scope="module")
def first_audit(tmp_path_factory):
    db = tmp_path_factory.mktemp("first") / "oit.db"
    with SiteServer(DEMO / "site") as server:
        result = _audit(server.url, db)
        yield server, db, result


def _paths(rows: list[tuple]) -> set[str]:
    return {
        urlsplit(url).path + (f"?{urlsplit(url).query}" if urlsplit(url).query else "")
        for (url,) in rows
    }


def test_unchanged_site_asks_only_what_bears_on_a_verdict_and_keeps_the_verdicts(
    first_audit, tmp_path, extractions
):
    server, first_db, first = first_audit
    db = _copy_db(first_db, tmp_path / "oit.db")
    server.log.clear()
    again = _audit(server.url, db)
    asked = {path for _, path, _, _ in server.log.entries} - UNCACHED_PATHS

    resources = _paths(_rows(db, "select url from resources where run_id = ?", first.run_id))
    documents = _paths(
        _rows(db, "select url from resources where run_id = ? and kind = 'pdf'", first.run_id)
    )
    assert documents <= asked, "every document is asked again (officers re-upload fixes)"
    trusted = resources - asked
    assert trusted and len(asked) < len(resources)
    assert extractions == Counter(), "nothing parsed or read again"
    assert _verdicts(again) == _verdicts(first)
    assert again.scores.as_dict() == first.scores.as_dict()
    assert again.run_id != first.run_id
    note = again.stats["revisit"]
    assert note["quick"] is True and note["from_run"] == first.run_id
    assert note["trusted"] == len(trusted) == again.stats["cache"]["trusted"]
    # The new run holds the whole site: asked URLs as revalidated, the rest as trusted.
    rows = _rows(db, "select url, cache from resources where run_id = ?", again.run_id)
    assert _paths([(u,) for u, _ in rows]) == resources
    assert _paths([(u,) for u, c in rows if c == "trusted"]) == trusted
    # History sees an ordinary complete run with the same items.
    assert _rows(db, "select status from runs where id = ?", again.run_id) == [("complete",)]
    assert _rows(
        db, "select item_id, status, reason from items where run_id = ? order by 1", again.run_id
    ) == _rows(
        db, "select item_id, status, reason from items where run_id = ? order by 1", first.run_id
    )


def test_a_document_replaced_at_the_same_address_is_judged_again(tmp_path, extractions):
    """The gift report is overwritten by last year's plan: the quick path must not keep O22."""
    site = shutil.copytree(DEMO / "site", tmp_path / "site")
    db = tmp_path / "oit.db"
    with SiteServer(site) as server:
        first = _audit(server.url, db)
        assert _item(first, "O22").status == "present"
        report = site / "files" / "2568" / "gift-report-2568.pdf"
        report.write_bytes((site / "files" / "2567" / "action-plan-2567.pdf").read_bytes())
        again = _audit(server.url, db)
    note = again.stats["revisit"]
    assert note["quick"] is False and note["changed"] == 1
    assert "gift-report-2568.pdf" in note["why"]
    assert _item(again, "O22").status == "absent", _item(again, "O22").reason
    assert again.stats["cache"]["changed"] == 1


def test_a_page_that_now_fails_is_judged_again(tmp_path):
    site = shutil.copytree(DEMO / "site", tmp_path / "site")
    db = tmp_path / "oit.db"
    with SiteServer(site) as server:
        first = _audit(server.url, db)
        assert _item(first, "O22").status == "present"
        (site / "files" / "2568" / "gift-report-2568.pdf").unlink()
        again = _audit(server.url, db)
    assert again.stats["revisit"]["quick"] is False
    assert _item(again, "O22").status == "absent"


def test_a_trusted_page_is_asked_again_once_its_revisit_interval_passed(first_audit):
    server, db, first = first_audit
    store = Store(db)
    run_options = json.loads(_rows(db, "select options from runs where id = ?", first.run_id)[0][0])
    site_id = store.site_id(server.url)
    cache = store.http_cache(site_id)
    rows = store.resources(first.run_id)
    options = AuditOptions(as_of=AS_OF)
    previous = store.run(first.run_id)

    def plan(now: dt.datetime, days: float = 7) -> revisit.Plan:
        return revisit.plan(
            store,
            previous,
            start_url=server.url,
            rules_sha=previous["rules_sha256"],
            checker=checker_version(),
            profile=run_options["profile"],
            as_of=AS_OF,
            fiscal_year=first.year,
            resources=rows,
            cache=cache,
            usable=lambda c: cache_usable(c, options.crawl.render, OcrOptions()),
            days=days,
            now=now,
        )

    now = dt.datetime.now(dt.UTC)
    soon, later = plan(now + dt.timedelta(hours=1)), plan(now + dt.timedelta(days=7, hours=1))
    assert soon.trusted and not soon.why_not
    assert later.trusted == [] and set(later.due) == {r["url"] for r in rows}
    assert {later.due[u] for u in soon.trusted} == {"revisit"}
    # Spread: some URLs are due after half the interval, not all at once.
    middle = plan(now + dt.timedelta(days=5, hours=6))
    assert 0 < len(middle.trusted) < len(soon.trusted)
    assert plan(now, days=0).why_not.startswith("every URL is due")
    # A crawl stopped by its time budget reached an arbitrary part of the site: crawl again.
    stats = json.loads(previous["stats"])
    previous = {**previous, "stats": json.dumps({**stats, "stopped_by": "max_seconds"})}
    assert plan(now).why_not == "the last crawl was cut short (max_seconds)"


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"as_of": AS_OF - dt.timedelta(days=40)}, "another month of the audit date"),
        ({"revisit_days": 0.0}, "every URL is due"),
    ],
)
def test_no_quick_reaudit_when_the_verdicts_could_differ(first_audit, tmp_path, change, why):
    server, first_db, first = first_audit
    db = _copy_db(first_db, tmp_path / "oit.db")
    server.log.clear()
    again = _run(server.url, db, **change)
    assert again.stats["revisit"]["quick"] is False
    assert again.stats["revisit"]["why"].startswith(why)
    asked = {path for _, path, _, _ in server.log.entries}
    resources = _paths(_rows(db, "select url from resources where run_id = ?", first.run_id))
    assert resources <= asked, "the whole incremental audit asks for every URL"


def _run(url: str, db: Path, as_of: dt.date = AS_OF, **options: object):
    rules = load_year(EXPECTED["year"])
    return asyncio.run(audit(url, rules, Store(db), AuditOptions(as_of=as_of, **options)))


def test_cli_says_the_verdicts_were_kept_and_refuses_a_negative_interval(first_audit, tmp_path):
    server, first_db, first = first_audit
    db = _copy_db(first_db, tmp_path / "oit.db")
    as_of = AS_OF.isoformat()
    args = [OIT, "check", server.url, "--db", str(db), "--no-progress", "--as-of", as_of]
    args += ["--year", str(EXPECTED["year"])]  # the first audit's year (2025-10-15 is FY2569)
    done = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stderr
    assert f"ใช้ผลของรอบ #{first.run_id}" in done.stdout
    bad = subprocess.run([*args, "--revisit-days", "-1"], capture_output=True, text=True)
    assert bad.returncode == 2
    assert "--revisit-days: ต้องไม่น้อยกว่า 0 (must be at least 0)" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_every_checker_module_is_in_the_checker_version():
    """A quick re-audit keeps verdicts only while the checker's code is unchanged: every
    module of oit_checker/check/ must be hashed (oit_page, own_words, tokens, images and
    people were once left out, so a change to them kept the old verdicts)."""
    folder = Path(__file__).resolve().parent.parent / "oit_checker" / "check"
    on_disk = {f"oit_checker.check.{p.stem}" for p in folder.glob("*.py") if p.stem != "__init__"}
    assert on_disk <= set(checker_modules())
