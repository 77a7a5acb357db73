"""Checking an officer's answer sheet against the demo site, as an assessor would open each URL.

Real loopback server on fixtures/demo/site, real PDFs, real SQLite. The officer must learn which
answered URL is fine, which one is wrong and why (wrong year, 404, off the main site, the wrong
page), and where the checker found the item instead.
"""

from __future__ import annotations

import asyncio
import csv
from pathlib import Path

import pytest

from oit_checker.audit import AuditOptions, audit
from oit_checker.dates import parse_as_of
from oit_checker.evaluate import load_expected
from oit_checker.output.sheet import write_csv, write_xlsx
from oit_checker.rules import load_year
from oit_checker.serve import SiteServer
from oit_checker.store import Store
from oit_checker.verify import Answer, Verdict, read_answers, verify

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "fixtures" / "demo"
EXPECTED = load_expected(DEMO / "expected.toml")
STATUS = {w["id"]: w["status"] for w in EXPECTED["item"]}


def _options() -> AuditOptions:
    return AuditOptions(as_of=parse_as_of(EXPECTED["as_of"]))


def _case(name: str) -> str:
    return next(w["id"] for w in EXPECTED["item"] if w.get("case") == name)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo site served, its audit, and the store that holds it."""
    db = tmp_path_factory.mktemp("db") / "oit.db"
    with SiteServer(DEMO / "site") as server:
        rules = load_year(EXPECTED["year"])
        result = asyncio.run(audit(server.url, rules, Store(db), _options()))
        yield server, rules, db, result


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture(scope="module")
def verdicts(demo, tmp_path_factory) -> dict[str, Verdict]:
    server, rules, db, _ = demo
    url = server.url.rstrip("/")
    sheet = _write(
        tmp_path_factory.mktemp("answers") / "answers.csv",
        ["item", "url", "explanation"],
        [
            ["O3", f"{url}/contact.html", "หน้าติดต่อเรา"],  # right
            [_case("wrong-year"), f"{url}/files/2566/hr-plan-2566.pdf", ""],  # last year's plan
            ["O8", f"{url}/files/2568/no-such-manual.pdf", ""],  # never uploaded: 404
            ["O10", "https://drive.google.com/drive/folders/abc", ""],  # off the main site
            ["O13", "", ""],  # left empty although the site has it
            ["O17", f"{url}/contact.html", ""],  # a real page, but not this item
            ["O23", "", ""],  # empty, and the site does not have it either
        ],
    )
    answers = read_answers(sheet)
    result = asyncio.run(verify(answers, server.url, rules, Store(db), _options()))
    assert [v.item_id for v in result] == [item.id for item in rules.items]
    return {v.item_id: v for v in result}


def test_correct_url_is_ok(verdicts):
    got = verdicts["O3"]
    assert got.status == "ok", got.reason
    assert got.better_url == "" and got.missing == []
    assert got.found


def test_wrong_year_document_is_wrong_and_names_both_years(verdicts):
    got = verdicts[_case("wrong-year")]
    assert got.status == "wrong"
    assert "2566" in got.reason and "2568" in got.reason
    assert "period" in got.missing
    assert got.better_url == ""  # the site has no plan of the right year to offer


def test_404_url_is_wrong_and_the_found_evidence_is_offered(verdicts, demo):
    got = verdicts["O8"]
    assert got.status == "wrong"
    assert "404" in got.reason
    assert got.better_url == demo[0].url + "files/2568/manual-revenue.pdf"


def test_offsite_url_is_uncertain_with_the_host_and_the_onsite_page(verdicts, demo):
    got = verdicts["O10"]
    assert got.status == "uncertain"
    assert "นอกเว็บไซต์หลัก" in got.reason and "drive.google.com" in got.reason
    assert got.better_url == demo[0].url + "eservice/index.html"


def test_empty_url_is_missing_with_a_suggestion_when_the_site_has_it(verdicts, demo):
    got = verdicts["O13"]
    assert got.status == "missing-url"
    assert got.better_url.startswith(demo[0].url)
    assert got.better_url.endswith(("procurement-annual-2567.pdf", "procurement/index.html"))
    assert got.better_url in got.reason
    nothing = verdicts["O23"]
    assert nothing.status == "missing-url" and nothing.better_url == ""
    assert "ผลการตรวจเว็บไซต์" in nothing.reason and "ลิงก์ว่าง" in nothing.reason


def test_page_of_another_item_is_wrong_and_names_what_it_lacks(verdicts, demo):
    got = verdicts["O17"]
    assert got.status == "wrong"
    assert got.missing and "ขาด" in got.reason
    assert got.better_url == demo[0].url + "files/2568/complaint-guideline.pdf"


def test_the_checkers_own_sheet_verifies_every_present_item_ok(demo, tmp_path):
    server, rules, db, result = demo
    sheet = tmp_path / "sheet.csv"
    write_csv(result.as_dict(), sheet)
    answers = read_answers(sheet)
    assert len(answers) == 28
    got = {v.item_id: v for v in asyncio.run(verify(answers, server.url, rules, Store(db)))}
    for item_id, status in STATUS.items():
        if status == "present":
            assert got[item_id].status == "ok", (item_id, got[item_id].url, got[item_id].reason)
        else:  # the sheet leaves absent and uncertain items without a URL
            assert got[item_id].status == "missing-url", item_id


def test_xlsx_sheet_reads_back_the_same_answers(demo, tmp_path):
    result = demo[3].as_dict()
    write_csv(result, tmp_path / "s.csv")
    write_xlsx(result, tmp_path / "s.xlsx")
    assert read_answers(tmp_path / "s.xlsx") == read_answers(tmp_path / "s.csv")


def test_hand_made_sheets_accept_loose_item_ids_and_thai_windows_encoding(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes("ข้อ,URL\no5,http://x.go.th/a.pdf\n 6 ,\n".encode("cp874"))
    assert read_answers(path) == [Answer("O5", "http://x.go.th/a.pdf"), Answer("O6", "")]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "empty file"),
        ("comment,note\nhello,x\n", "no ข้อ (item) column"),
        ("item,explanation\nO1,x\n", "no URL column"),
        ("item,url\nO1,http://x/\n,http://y/\n", "row 3: no item"),
        ("item,url\nO1,http://x/\no1,http://y/\n", "row 3: item O1 answered again"),
    ],
)
def test_bad_sheets_say_which_file_and_row(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match="bad.csv") as err:
        read_answers(path)
    assert message in str(err.value)


def test_unreadable_xlsx_and_unknown_items_are_refused(tmp_path, demo):
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="broken.xlsx.*not a readable XLSX"):
        read_answers(broken)
    server, rules, db, _ = demo
    with pytest.raises(ValueError, match="O99"):
        asyncio.run(verify([Answer("O99", "")], server.url, rules, Store(db), _options()))


def test_cli_verify_reports_each_answer_and_a_better_url(demo, tmp_path):
    import subprocess
    import sys

    url = demo[0].url
    answers = _write(
        tmp_path / "answers.csv",
        ["item", "url"],
        [["O3", url + "contact.html"], ["O8", url + "files/nope.pdf"]],
    )
    oit = str(Path(sys.executable).parent / "oit")
    proc = subprocess.run(
        [oit, "verify", str(answers), "--site", url, "--as-of", str(EXPECTED["as_of"]),
         "--year", str(EXPECTED["year"]), "--db", str(tmp_path / "v.db"), "--no-progress"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    assert "O3" in proc.stdout and "ok" in proc.stdout
    assert "404" in proc.stdout and "URL ที่ดีกว่า" in proc.stdout
    rules = demo[1]
    assert f"1 of {len(rules.items)} items hold up: 2 answered, {len(rules.items) - 2} not answered" in proc.stdout
    assert f"ยังไม่ได้ตอบ {len(rules.items) - 2} ข้อ" in proc.stdout


def test_items_the_sheet_leaves_out_are_not_answered_and_say_where_the_site_has_them(verdicts, demo):
    """A 7-row sheet does not "hold up" for a year of 28 items: the 21 others count absent."""
    server, rules, _, result = demo
    left_out = [v for v in verdicts.values() if v.status == "not-answered"]
    assert len(left_out) == len(rules.items) - 7
    found = {r.id for r in result.items if r.status == "present"}
    one_found = next(v for v in left_out if v.item_id in found)
    assert one_found.better_url.startswith(server.url)
    assert "ไม่ได้ตอบข้อนี้ในแบบฟอร์ม แต่พบ" in one_found.reason
    one_missing = next(v for v in left_out if v.item_id not in found)
    assert one_missing.better_url == "" and "ผลการตรวจเว็บไซต์" in one_missing.reason


def test_verify_runs_are_listed_but_report_and_sheet_keep_the_audit(verdicts, demo, tmp_path):
    """The audit behind `oit verify` must not become the run `oit sheet` hands in by default."""
    import subprocess
    import sys

    from oit_checker.history import latest_complete_run, list_runs

    _, _, db, result = demo
    store = Store(db)
    listed = list_runs(store)
    assert [r["verify"] for r in listed if r["id"] != result.run_id] == [True] * (len(listed) - 1)
    assert latest_complete_run(store) == result.run_id
    oit = str(Path(sys.executable).parent / "oit")
    proc = subprocess.run(
        [oit, "sheet", "--db", str(db), "-o", str(tmp_path / "s.csv")],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0 and f"run #{result.run_id}" in proc.stderr
    proc = subprocess.run(
        [oit, "history", "--db", str(db)], capture_output=True, text=True, timeout=120
    )
    assert "(verify)" in proc.stdout


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        # The headers officers type, and columns a sheet carries besides (ลำดับ, หมายเหตุ).
        (
            "ลำดับ,ข้อที่,รายการ,URL (ลิงก์),หมายเหตุ\n1,O1,โครงสร้าง,http://x.go.th/a,ดูแผนผัง\n",
            [Answer("O1", "http://x.go.th/a", "ดูแผนผัง")],
        ),
        ("ข้อ,ลิงก์\nข้อ ๕,http://x.go.th/b\n", [Answer("O5", "http://x.go.th/b")]),
        # รายการ holding the id and the title, as ITAS lists them.
        ("รายการ,URL\nO12 รายงานผล,http://x.go.th/c\n", [Answer("O12", "http://x.go.th/c")]),
        # No header at all: the columns are told by what they hold.
        (
            "O1,http://x.go.th/a\no.2,www.x.go.th/b\n3,\n",
            [Answer("O1", "http://x.go.th/a"), Answer("O2", "www.x.go.th/b"), Answer("O3", "")],
        ),
        ("โครงสร้าง,O3,http://x.go.th/c\n", [Answer("O3", "http://x.go.th/c")]),
    ],
)
def test_sheets_as_officers_write_them(tmp_path, content, expected):
    path = tmp_path / "answers.csv"
    path.write_text(content, encoding="utf-8")
    assert read_answers(path) == expected


def test_a_data_column_is_not_the_item_column(tmp_path):
    """"ข้อมูล" (data) starts like "ข้อ" (item) but is not it."""
    path = tmp_path / "answers.csv"
    path.write_text("ข้อมูล,URL\nโครงสร้าง,http://x.go.th/a\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no ข้อ"):
        read_answers(path)


def test_a_url_is_judged_for_the_items_own_components_and_kind(demo):
    """The contact page (with its Google map) answered for the structure item is wrong, not
    uncertain; the staff manual answered for the citizen-service manual is wrong by its title."""
    server, rules, db, _ = demo
    answers = [
        Answer("O1", server.url + "contact.html"),
        Answer("O9", server.url + "files/2568/manual-revenue.pdf"),
    ]
    got = asyncio.run(verify(answers, server.url, rules, Store(db), _options()))
    by_id = {v.item_id: v for v in got}
    assert by_id["O1"].status == "wrong" and "แผนผังโครงสร้าง" in by_id["O1"].reason
    assert by_id["O9"].status == "wrong"
    assert "คู่มือการปฏิบัติงาน" in by_id["O9"].reason and "ไม่ใช่คู่มือ" in by_id["O9"].reason
