"""A site audited for ITA 2568 and then for ITA 2569: `oit diff` and the HTML report compare the
two runs by subject (through the rules' `was` links), never by item number, because 2568 O20
(participation) and 2569 O20 (No Gift) are different things."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest

from oit_checker.audit import AuditOptions, audit
from oit_checker.dates import parse_as_of
from oit_checker.history import diff_runs, previous_run
from oit_checker.rules import load_year
from oit_checker.serve import SiteServer
from oit_checker.store import Store

ROOT = Path(__file__).resolve().parent.parent
OIT = str(Path(sys.executable).parent / "oit")


def _oit(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([OIT, *args], cwd=cwd, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def two_years(tmp_path_factory):
    """The demo site audited as ITA 2568 (after FY2568 closed) then as ITA 2569 (mid FY2569)."""
    work = tmp_path_factory.mktemp("years")
    db = work / "oit.db"
    with SiteServer(ROOT / "fixtures" / "demo" / "site") as server:
        for year, as_of in ((2568, "2025-10-15"), (2569, "2026-06-30")):
            options = AuditOptions(as_of=parse_as_of(as_of))
            asyncio.run(audit(server.url, load_year(year), Store(db), options))
    return work, db


def test_diff_of_a_2568_and_a_2569_run_compares_subjects(two_years):
    _, db = two_years
    store = Store(db)
    assert previous_run(store, 2) is None  # no earlier 2569 run ...
    assert previous_run(store, 2, across_years=True) == 1  # ... so the 2568 one
    changes = diff_runs(store, 1, 2)
    lost = {r["id"]: r for r in changes["regressions"]}
    # No Gift: 2568 O21 + O22 were both present, the 2569 O20 that merges them is absent.
    assert lost["O20"]["title"].endswith("(ปี 2568: O21+O22)")
    assert lost["O20"]["before"] == "present" and lost["O20"]["after"] == "absent"
    assert lost["O19"]["title"].endswith("(ปี 2568: O20)")  # participation, 2568's O20
    # E-Service: 2568 O10 present + O11 statistics uncertain = uncertain, as 2569 O10 is: by
    # number it would have been a present -> uncertain "regression".
    assert "O10" not in lost and "O10" not in {c["id"] for c in changes["other_changes"]}
    # The same subjects kept their verdicts: structure, contacts, manuals, complaint channel.
    assert not {"O1", "O3", "O8", "O9", "O16", "O17"} & set(lost)
    assert changes["a"]["year"] == 2568 and changes["b"]["year"] == 2569
    assert {d["item"] for d in changes["dead_evidence"]} <= {r for r in lost}


def test_oit_diff_and_report_without_run_ids_fall_back_to_the_earlier_year(two_years):
    work, db = two_years
    proc = _oit("diff", "--db", str(db), cwd=work)
    assert proc.returncode == 0, proc.stderr
    assert "run #1 → run #2" in proc.stdout and "O20" in proc.stdout
    assert "(ปี 2568: O21+O22)" in proc.stdout
    proc = _oit("diff", "2", "1", "--db", str(db), cwd=work)  # the later year named first
    assert proc.returncode == 2 and "name the earlier run first" in proc.stderr
    proc = _oit("report", "--db", str(db), "-o", "r.html", cwd=work)
    assert proc.returncode == 0, proc.stderr
    html = (work / "r.html").read_text(encoding="utf-8")
    assert "เทียบกับรอบการตรวจ #1" in html and "เทียบตามเรื่องของข้อ ไม่ใช่ตามเลขข้อ" in html
    assert "O20 = 2568 O21+O22" in html
    changes = html.split('id="changes"')[1]
    assert '<tr class="change"><td>O20</td>' in changes
    assert '<tr class="change"><td>O10</td>' not in changes
