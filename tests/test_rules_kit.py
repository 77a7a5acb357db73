"""The rules kit as a rule writer uses it: `oit rules new`, edit by hand, `oit rules check`,
`oit rules diff`, then an audit with the new file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from oit_checker.rules import load_rules, load_year
from oit_checker.rules_kit import lint, rules_diff
from oit_checker.serve import SiteServer

ROOT = Path(__file__).resolve().parent.parent
OIT = str(Path(sys.executable).parent / "oit")


def _oit(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "250"}
    return subprocess.run(
        [OIT, *args], cwd=cwd, capture_output=True, text=True, timeout=300, env=env
    )


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_new_year_written_edited_checked_and_audited(tmp_path):
    proc = _oit("rules", "new", "2570", "--from", "2569", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    draft = tmp_path / "ita-2570.toml"
    rules = load_rules(draft)  # loads from any folder: extends names the shipped common.toml
    assert rules.year == 2570 and rules.was_year == 2569 and rules.status == "provisional"
    assert [it.was for it in rules.items] == [(it.id,) for it in load_year(2569).items]
    assert "2570" in rules.item("O23").fix and "2569" not in rules.item("O23").fix
    assert _oit("rules", "new", "2570", "--from", "2569", cwd=tmp_path).returncode == 2  # kept
    # By hand, as the manual might say: O25 gone, O20 split off its gift report as a new O27.
    text = draft.read_text(encoding="utf-8")
    start = text.index("# O25 ")
    end = text.index("# " + "-" * 98 + "\n# O26")
    draft.write_text(text[:start] + text[end:], encoding="utf-8")
    _edit(draft, 'id = "O26"\nwas = ["O26"]', 'id = "O25"\nwas = ["O26"]')
    _edit(draft, 'numbers = ["o26"]', 'numbers = ["o25"]')
    draft.write_text(
        draft.read_text(encoding="utf-8")
        + """
[[items]]
id = "O26"
was = ["O20"]
title = "รายงานการรับทรัพย์สินหรือประโยชน์อื่นใดโดยธรรมจรรยา"
subindicator = "10.1"
period = "prev_fy"
aliases = ["รายงานการรับของขวัญ", "รายงานการรับทรัพย์สิน"]
fix = "เผยแพร่รายงานการรับทรัพย์สินหรือประโยชน์อื่นใดโดยธรรมจรรยาของปีงบประมาณ 2569"

[[items.components]]
name = "gift_report"
label = "รายงานการรับทรัพย์สิน"
any = ["รายงานการรับ", "บัญชีการรับ"]
place = "any"
""",
        encoding="utf-8",
    )
    proc = _oit("rules", "check", str(draft), cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "ไม่พบข้อผิดพลาด" in proc.stdout  # no errors
    assert "demo" in proc.stdout and "/about/structure.html" in proc.stdout  # what it matches
    proc = _oit("rules", "diff", "2569", str(draft), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "O25 การนำผลการประเมิน ITA" in proc.stdout.split("ตัดออก (removed)")[1]
    assert "O20" in proc.stdout.split("แยก (split)")[1]
    assert "O26 → O25" in proc.stdout
    with SiteServer(ROOT / "fixtures" / "demo" / "site") as site:
        proc = _oit("check", site.url, "--rules", str(draft), "--as-of", "2027-03-01",
                    "--no-progress", "--json", "out.json", cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    data = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert data["year"] == 2570 and len(data["items"]) == 26
    assert {i["id"]: i["status"] for i in data["items"]}["O1"] == "present"


def test_rules_check_names_each_mistake(tmp_path):
    draft = tmp_path / "ita-2570.toml"
    assert (
        _oit("rules", "new", "2570", "--from", "2569", "-o", str(draft), cwd=tmp_path).returncode
        == 0
    )
    _edit(draft, 'helper = "executives"', 'helper = "executive"')
    _edit(draft, 'id = "O3"\nwas = ["O3"]', 'id = "O3"\nwas = ["O30"]')
    _edit(draft, '"ข้อมูลผู้บริหาร", "ผู้บริหาร",', '"ข้อมูลผู้บริหาร", "ผู้บริหาร", "การ",')
    _edit(draft, "ครอบคลุมการสรรหา", "ปี 2566 ครอบคลุมการสรรหา")
    proc = _oit("rules", "check", str(draft), "--no-demo", cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout
    out = proc.stdout
    assert "unknown helper" in out and "'executive'" in out
    assert "no item O30 in 2569" in out
    assert "'การ'" in out and "too generic" in out
    assert "2566" in out and "names another year" in out
    _edit(draft, 'period = "current"', 'period = "sometimes"')
    proc = _oit("rules", "check", str(draft), "--no-demo", cwd=tmp_path)
    assert proc.returncode == 2 and "'sometimes' is not one of" in proc.stderr


def test_rules_diff_2568_2569_lists_what_changed():
    diff = rules_diff(load_year(2568), load_year(2569))
    assert [it.id for it in diff.removed] == ["O27"]
    assert [it.id for it in diff.added] == ["O25"]
    merged = {new.id: [p.id for p in parts] for new, parts in diff.merged}
    assert merged == {"O10": ["O10", "O11"], "O20": ["O21", "O22"]}
    assert diff.split == []
    renamed = {new.id: old.id for old, new, _ in diff.renamed}
    assert renamed["O11"] == "O12" and renamed["O3"] == "O3" and renamed["O19"] == "O20"
    assert ("O2", "O2") in {(a.id, b.id) for a, b in diff.unchanged}


def test_rules_diff_command_shows_merges_and_the_2567_2568_changes(tmp_path):
    proc = _oit("rules", "diff", "2568", "2569", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "รวมข้อ (merged)" in proc.stdout and "O21+O22 → O20" in proc.stdout
    proc = _oit("rules", "diff", "2567", "2568", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "O26+O27 → O21" in proc.stdout and "O28 รายงานผลตามนโยบาย No Gift Policy" in proc.stdout
    proc = _oit("rules", "diff", "2569", "2568", cwd=tmp_path)
    assert proc.returncode == 2 and "was_year" in proc.stderr


@pytest.mark.parametrize("year", [2567, 2568, 2569])
def test_the_shipped_files_pass_their_own_check(year):
    report = lint(load_year(year))
    assert report.errors == [], report.errors
