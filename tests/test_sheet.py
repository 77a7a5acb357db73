"""The ITAS answer sheet, from the JSON that `oit demo --json` really writes for the demo site.

The officer opens the CSV in Excel and the XLSX in Excel or LibreOffice and copies each row into
the NACC system, so the tests read the files back the way those programs do: the CSV with the
csv module (BOM, Thai header), the XLSX with openpyxl and with LibreOffice itself.
"""

from __future__ import annotations

import copy
import csv
import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from openpyxl import load_workbook

from oit_checker.output.sheet import CSV_HEADER, sheet_rows, write_csv, write_xlsx

ROOT = Path(__file__).resolve().parent.parent
EXPECTED = tomllib.loads((ROOT / "fixtures" / "demo" / "expected.toml").read_text("utf-8"))
OIT = str(Path(sys.executable).parent / "oit")


def _case(name: str) -> str:
    return next(w["id"] for w in EXPECTED["item"] if w.get("case") == name)


@pytest.fixture(scope="module")
def result(tmp_path_factory) -> dict:
    """A real audit of the demo site, as the --json file the CLI writes."""
    tmp = tmp_path_factory.mktemp("demo")
    out = tmp / "audit.json"
    subprocess.run(
        [OIT, "demo", "--no-progress", "--db", str(tmp / "oit.db"), "--json", str(out)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return json.loads(out.read_text("utf-8"))


def _row(rows: list[dict], item_id: str) -> dict:
    return next(r for r in rows if r["id"] == item_id)


def test_csv_round_trips_with_bom_thai_header_and_28_rows(result, tmp_path):
    path = tmp_path / "itas.csv"
    write_csv(result, path)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel needs the BOM for Thai
    with path.open(encoding="utf-8-sig", newline="") as f:
        table = list(csv.reader(f))
    assert table[0] == CSV_HEADER == ["ข้อ", "รายการ", "มี/ไม่มี", "URL", "คำอธิบาย"]
    body = table[1:]
    assert len(body) == 28
    assert [r[0] for r in body] == [i["id"] for i in result["items"]]  # rule order
    assert [r[1] for r in body] == [i["title"] for i in result["items"]]
    assert {r[2] for r in body} == {"มี", "ไม่มี"}
    for line, item in zip(body, result["items"], strict=True):
        assert line[2] == ("มี" if item["status"] == "present" else "ไม่มี")
        if item["status"] == "present":
            assert line[3] == item["evidence"][0]["url"]
        assert line[4], f"{item['id']} has no explanation"


def test_present_document_row_says_which_file_and_where_it_is_linked(result):
    rows = sheet_rows(result)
    plan = next(i for i in result["items"] if i["id"] == "O25")
    assert plan["status"] == "present" and plan["evidence"][0]["kind"] == "pdf"
    row = _row(rows, "O25")
    assert row["answer"] == "มี"
    assert row["url"] == plan["evidence"][0]["url"]
    assert row["url"].endswith(".pdf")  # the document itself, not the hub that links to it
    assert row["explanation"].startswith(
        "เอกสาร PDF 'แผนปฏิบัติการป้องกันการทุจริต ประจำปีงบประมาณ พ.ศ. 2568' ลิงก์จากหน้า ITA"
    )


def test_present_page_row_quotes_the_page_without_its_breadcrumb(result):
    row = _row(sheet_rows(result), "O1")
    assert row["url"].endswith("/about/structure.html")
    assert row["explanation"].startswith("หน้าเว็บ ช่วงข้อความ '")
    assert "»" not in row["explanation"] and "หน้าหลัก" not in row["explanation"]
    assert "แผนผังโครงสร้างหน่วยงาน" in row["explanation"]  # the components it shows, in Thai


def test_offsite_evidence_is_answered_no_without_url_and_says_to_check(result):
    row = _row(sheet_rows(result), _case("offsite"))
    assert row["status"] == "uncertain"
    assert row["answer"] == "ไม่มี"
    assert row["url"] == ""  # never the Google Drive link: assessors do not count it
    assert row["explanation"].startswith("ต้องตรวจสอบด้วยตนเอง")
    assert "drive.google.com" in row["explanation"]


def test_absent_rows_say_what_to_publish_and_give_no_url(result):
    rows = sheet_rows(result)
    wrong_year = _row(rows, _case("wrong-year"))
    assert wrong_year["answer"] == "ไม่มี" and wrong_year["url"] == ""
    assert "2566" in wrong_year["explanation"]  # why: the plan found is for the wrong year
    assert "ควรเผยแพร่" in wrong_year["explanation"] and "2568" in wrong_year["explanation"]
    broken = _row(rows, _case("broken-link"))
    assert "404" in broken["explanation"] and broken["url"] == ""
    for row in rows:
        if row["status"] == "absent":
            assert row["answer"] == "ไม่มี" and row["url"] == ""


def test_url_is_blank_when_first_evidence_is_on_another_host(result):
    other = copy.deepcopy(result)
    item = next(i for i in other["items"] if i["id"] == "O25")
    item["evidence"][0]["url"] = "https://files.example.org/plan-2568.pdf"
    assert _row(sheet_rows(other), "O25")["url"] == ""
    www = copy.deepcopy(result)  # www. and the bare host are the same main site
    site = www["site"].replace("127.0.0.1", "localhost")
    www["site"] = site
    for it in www["items"]:
        for ev in it["evidence"]:
            ev["url"] = ev["url"].replace("127.0.0.1", "www.localhost")
    assert _row(sheet_rows(www), "O25")["url"].startswith("http://www.localhost:")


def test_sheet_works_for_a_run_whose_rule_file_is_gone(result):
    moved = copy.deepcopy(result)
    moved["rules"]["path"] = "/nowhere/ita-9999.toml"
    rows = sheet_rows(moved)
    assert len(rows) == 28
    assert _row(rows, "O25")["explanation"].startswith("เอกสาร PDF")
    assert _row(rows, _case("wrong-year"))["explanation"] == next(
        i["reason"] for i in result["items"] if i["id"] == _case("wrong-year")
    )


def test_xlsx_has_bold_wrapped_answers_and_a_score_sheet(result, tmp_path):
    path = tmp_path / "itas.xlsx"
    write_xlsx(result, path)
    book = load_workbook(path)
    assert book.sheetnames == ["คำตอบ OIT", "สรุปคะแนน"]
    answers = book["คำตอบ OIT"]
    header = [c.value for c in answers[1]]
    assert header == CSV_HEADER
    assert all(c.font.bold for c in answers[1])
    assert answers.max_row == 29
    assert answers["B2"].alignment.wrap_text and answers["E2"].alignment.wrap_text
    assert answers.column_dimensions["E"].width >= 60
    o1 = next(i for i in result["items"] if i["id"] == "O1")
    assert answers["D2"].value == o1["evidence"][0]["url"]
    assert answers["D2"].hyperlink.target == o1["evidence"][0]["url"]
    scores = {r[0]: r[2] for r in book["สรุปคะแนน"].iter_rows(values_only=True) if r and r[0]}
    assert scores["OIT"] == result["scores"]["oit"]
    assert scores["ตัวชี้วัดที่ 9"] == result["scores"]["indicators"]["9"]
    assert scores["ตัวชี้วัดย่อย 10.2"] == result["scores"]["subindicators"]["10.2"]
    assert scores["ค่าเฉลี่ยรายข้อ"] == result["scores"]["item_average"]


def test_xlsx_shows_ita_total_when_other_instruments_were_given(result, tmp_path):
    with_ita = copy.deepcopy(result)
    with_ita["scores"]["ita"] = {"total": 88.5, "rating": "ผ่านดี", "instruments": {}}
    path = tmp_path / "ita.xlsx"
    write_xlsx(with_ita, path)
    rows = list(load_workbook(path)["สรุปคะแนน"].iter_rows(values_only=True))
    assert ("ITA รวม", "ผ่านดี", 88.5) in rows


@pytest.mark.skipif(
    shutil.which("soffice") is None,
    reason="LibreOffice is not installed (Debian package libreoffice-calc-nogui)",
)
def test_xlsx_opens_in_libreoffice_with_thai_intact(result, tmp_path):
    path = tmp_path / "itas.xlsx"
    write_xlsx(result, path)
    out = tmp_path / "lo"
    # 76 = UTF-8; the last token -1 writes every sheet to its own CSV (LibreOffice ≥ 7.2).
    _soffice(
        path, "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1", out
    )
    answers = (out / "itas-คำตอบ OIT.csv").read_text("utf-8")
    table = list(csv.reader(answers.splitlines()))
    assert table[0] == CSV_HEADER
    assert len(table) == 29
    for line, row in zip(table[1:], sheet_rows(result), strict=True):
        assert line == [row["id"], row["title"], row["answer"], row["url"], row["explanation"]]
    summary = (out / "itas-สรุปคะแนน.csv").read_text("utf-8")
    assert f"OIT,คะแนนแบบวัดการเปิดเผยข้อมูลสาธารณะ,{result['scores']['oit']:.2f}" in summary


def _soffice(path: Path, to: str, out: Path) -> None:
    """Convert ``path`` with LibreOffice headless (its own profile, as an officer's copy would)."""
    subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation=file://{out / 'profile'}",
            "--convert-to",
            to,
            "--outdir",
            str(out),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=120,
        env={**os.environ, "HOME": str(out)},
    )


def _printed(xlsx: Path, tmp_path: Path) -> Path:
    """The sheet as LibreOffice prints it."""
    _soffice(xlsx, "pdf", tmp_path)
    return tmp_path / xlsx.with_suffix(".pdf").name


def _pages(pdf: Path) -> list[list[tuple[float, float, float, float, str]]]:
    """Each printed page's words with their boxes (pdftotext -bbox)."""
    from xml.etree import ElementTree

    xml = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    root = ElementTree.fromstring(xml.split("<body>", 1)[1].rsplit("</body>", 1)[0])
    pages = []
    for page in root.iter("page"):
        words = [
            (*(float(w.get(k)) for k in ("xMin", "yMin", "xMax", "yMax")), w.text or "")
            for w in page.iter("word")
        ]
        pages.append(words)
    return pages


def _overlap(a: tuple, b: tuple) -> bool:
    """Two words printed over each other (more than a point each way: not kerning)."""
    dx = min(a[2], b[2]) - max(a[0], b[0])
    dy = min(a[3], b[3]) - max(a[1], b[1])
    return dx > 1 and dy > 1


@pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdftotext") is None,
    reason="LibreOffice (libreoffice-calc-nogui) and poppler-utils are needed to print",
)
def test_xlsx_prints_landscape_one_page_wide_with_whole_urls_and_rows_that_grow(result, tmp_path):
    path = tmp_path / "itas.xlsx"
    write_xlsx(result, path)
    answers = load_workbook(path)["คำตอบ OIT"]
    setup = answers.page_setup
    assert setup.orientation == "landscape"
    assert (setup.fitToWidth, setup.fitToHeight) == (1, 0)
    assert answers.sheet_properties.pageSetUpPr.fitToPage
    assert answers.print_title_rows == "$1:$1"

    pdf = _printed(path, tmp_path)
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True)
    width, height = map(float, info.stdout.split("Page size:")[1].split()[0:3:2])
    assert width > height  # landscape
    answer_pages = [p for p in _pages(pdf) if any(w[4] == "คำอธิบาย" for w in p)]
    assert 1 < len(answer_pages) <= 3  # 28 rows, each page one column set wide
    urls = {r["url"] for r in sheet_rows(result) if r["url"]}
    printed = set()
    for words in answer_pages:
        assert [w[4] for w in words[:2]] == ["ข้อ", "รายการ"]  # header row on every page
        explanation_left = next(w[0] for w in words if w[4] == "คำอธิบาย")
        for w in words:
            if w[4] in urls:  # whole, on one line, inside its own column
                assert w[2] <= explanation_left, f"{w[4]} runs past its column"
                printed.add(w[4])
        clashes = [
            (a[4], b[4]) for i, a in enumerate(words) for b in words[i + 1 :] if _overlap(a, b)
        ]
        assert not clashes, f"wrapped text printed over the next row: {clashes[:3]}"
    assert printed == urls
