"""What a user sees of the rule years: the item list of a year (2569 is provisional and says
so), the fixture sites judged under another year's rules, and which year an audit uses."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from oit_checker.evaluate import case_name, fixture_cases

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
