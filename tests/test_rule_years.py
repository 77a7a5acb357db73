"""What a user sees of the rule years: the item list of a year (2569 is provisional and says
so), the fixture sites judged under another year's rules, and which year an audit uses."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from oit_checker.errors import OitError
from oit_checker.evaluate import case_name, fixture_cases
from oit_checker.rules import year_for
from oit_checker.serve import SiteServer
from oit_checker.settings import SETTINGS

ROOT = Path(__file__).resolve().parent.parent
OIT = str(Path(sys.executable).parent / "oit")


def _oit(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "250"}  # wide enough that table cells are not cut
    return subprocess.run(
        [OIT, *args], cwd=cwd, capture_output=True, text=True, timeout=300, env=env
    )


def test_rules_2569_lists_o1_to_o26_says_provisional_and_links_2568(tmp_path):
    proc = _oit("rules", "--year", "2569", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "ita-2569.toml" in out and "provisional" in out
    assert all(f"│ O{n} " in out for n in range(1, 27)) and "│ O27 " not in out
    assert "ข้อเดิมปี 2568" in out and "O21+O22" in out and "ใหม่ (new)" in out
    assert "ชั่วคราว" in out and "not yet checked against the NACC 2569 manual" in out


def test_the_demo_site_has_a_2569_case_that_eval_runs(tmp_path):
    cases = [case_name(c) for c in fixture_cases(ROOT / "fixtures" / "demo")]
    assert cases == ["demo", "demo 2569"]
    proc = _oit("eval", str(ROOT / "fixtures" / "demo"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "demo 2569" in proc.stdout and "│    26 │    26 │" in proc.stdout


# ---- which year an audit uses -------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "year"), [("2569", 2569), ("๒๕๖๙", 2569), ("69", 2569),
                                             ("พ.ศ. 2569", 2569), (2568, 2568), (68, 2568)])  # fmt: skip
def test_a_year_is_read_as_people_type_it(typed, year):
    assert SETTINGS["year"].check(typed, "--year") == year


def test_a_ce_year_is_refused_with_the_be_year_it_may_mean():
    with pytest.raises(OitError, match=r"--year: 2026 เป็นปี ค\.ศ\..*did you mean 2569\?"):
        SETTINGS["year"].check("2026", "--year")
    with pytest.raises(OitError, match="did you mean 2568"):
        SETTINGS["year"].check(2025, "year")  # config.toml: year = 2025


def test_the_default_year_is_the_fiscal_year_of_the_audit_date_when_rules_exist():
    choice = year_for(dt.date(2026, 3, 1))
    assert (choice.year, choice.fallback) == (2569, False)
    assert choice.why.startswith("ใช้กฎ ITA 2569") and "FY2569" in choice.why
    assert (
        year_for(dt.date(2025, 9, 30)).year == 2568 and year_for(dt.date(2024, 10, 1)).year == 2568
    )
    later = year_for(dt.date(2026, 12, 5))
    assert later.year == 2569 and later.fallback
    thai, english = later.why.split(" (no rule set", 1)
    assert "ยังไม่มีชุดกฎของปีงบประมาณ 2570" in thai and "`oit rules new 2570 --from 2569`" in thai
    assert english.startswith(" for FY2570 yet: auditing with 2569 rules;")


@pytest.fixture(scope="module")
def demo_site():
    with SiteServer(ROOT / "fixtures" / "demo" / "site") as server:
        yield server


def test_check_without_year_uses_the_fiscal_year_of_as_of_and_says_why(demo_site, tmp_path):
    proc = _oit("check", demo_site.url, "--as-of", "2026-03-01", "--no-progress",
                "--json", "a.json", cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    assert json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))["year"] == 2569
    assert "ใช้กฎ ITA 2569" in proc.stderr and "the fiscal year of the audit date" in proc.stderr
    proc = _oit("check", demo_site.url, "--as-of", "2026-12-05", "--no-progress",
                "--json", "b.json", cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    assert json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))["year"] == 2569
    assert "no rule set for FY2570 yet: auditing with 2569 rules" in proc.stderr
    assert proc.stderr.index("ยังไม่มีชุดกฎ") < proc.stderr.index("no rule set")  # Thai first


def test_check_refuses_a_ce_year_before_fetching_anything(tmp_path):
    proc = _oit("check", "http://127.0.0.1:9/", "--year", "2026", cwd=tmp_path)
    assert proc.returncode == 2 and "did you mean 2569?" in proc.stderr
    assert "Traceback" not in proc.stderr
    for typed in ("๒๕๖๙", "69"):
        proc = _oit("rules", "--year", typed, cwd=tmp_path)
        assert proc.returncode == 0 and "ita-2569.toml" in proc.stdout, proc.stderr
