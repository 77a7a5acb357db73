"""The ITAS answer sheet: one row per OIT item, as the web officer types it into the NACC system.

ITAS asks, per item, มี/ไม่มี, one URL on the main website and a short explanation of where the
data is. Everything here reads the JSON contract (``RunResult.as_dict()`` or a ``--json`` file),
so a stored run gives the same sheet as a fresh audit. An uncertain item is answered ไม่มี: the
assessors do not count what the checker could not confirm, so the officer must check it first.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from urllib.parse import urlsplit

from oit_checker.output.labels import ANSWER_TH, RuleLabels, rule_labels
from oit_checker.output.prose import shorten, tidy
from oit_checker.output.xlsx_print import fit_for_print, keep_whole, set_row_heights, whole_width
from oit_checker.urls import display_url, normalize_url

CSV_HEADER = ["ข้อ", "รายการ", "มี/ไม่มี", "URL", "คำอธิบาย"]
DOC_NAMES = {
    "pdf": "เอกสาร PDF",
    "docx": "เอกสาร Word",
    "doc": "เอกสาร Word",
    "xlsx": "ไฟล์ Excel",
    "xls": "ไฟล์ Excel",
    "image": "รูปภาพ",
}
# How much of an excerpt to quote: enough to find the spot on the page, short enough for ITAS.
QUOTE_CHARS = 70
QUOTE_SLACK = 30  # Thai runs long without a space: a quote may end a little later, at one
# A document title usually ends with its year ("… ประจำปีงบประมาณ พ.ศ. 2568", "(พ.ศ. 2566 - 2570)").
TITLE_YEAR = re.compile(r"(?:พ\.ศ\.\s*)?25\d\d(?:\s*[-–]\s*25\d\d)?\)?")
# Thai vowels and marks that cannot begin a word: an excerpt starting with one was cut mid-word.
NOT_WORD_START = re.compile(r"^[\u0e30-\u0e3a\u0e45\u0e47-\u0e4e]\S*\s+")
# Hub pages that list the OIT items, recognised in the via URL's path.
HUB_PATH = re.compile(r"(^|[/_\-.])(ita|oit)([/_\-.]|$)", re.I)
EXPLANATION_CHARS = 400  # ITAS explanation boxes are short; longer text gets cut there anyway


def _host(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def best_url(result: dict, item: dict) -> str:
    """The one URL to give ITAS: the first evidence, if it is on the main site and not absent.

    Percent-encoded (its identity, urls.normalize_url), not the Thai people read elsewhere: it
    is pasted into a web form and clicked by an assessor, and an all-ASCII URL opens the same
    page from any browser, e-mail client, spreadsheet hyperlink or form validator, where raw
    Thai or a space may be cut, re-encoded in another code page, or rejected. The explanation
    beside it names the page in Thai."""
    if item["status"] == "absent" or not item["evidence"]:
        return ""
    first = item["evidence"][0]
    if first["kind"] == "external" or _host(first["url"]) != _host(result["site"]):
        return ""
    return normalize_url(first["url"])  # runs stored before one identity may hold raw Thai


def _quote(excerpt: str) -> str:
    """A short quote to find the spot: breadcrumbs dropped, cut at a word boundary."""
    text = NOT_WORD_START.sub("", tidy(" ".join(excerpt.split())))
    if "»" in text[:120]:
        text = text.rsplit("»", 1)[1].strip()
    return shorten(text, QUOTE_CHARS + 1, slack=QUOTE_SLACK)


def doc_title(excerpt: str) -> str:
    """A document's title from the head of its text: up to its year when it names one early."""
    text = NOT_WORD_START.sub("", tidy(" ".join(excerpt.split())))
    m = TITLE_YEAR.search(text, 0, QUOTE_CHARS + 20)
    if m and m.end() > 8:
        return text[: m.end()]
    return _quote(text)


def _page_name(url: str, site: str) -> str:
    """How the officer knows a page: หน้าแรก, หน้า ITA, or its address."""
    path = urlsplit(url).path
    if _host(url) == _host(site) and re.fullmatch(r"/?(index\.\w+)?", path):
        return "หน้าแรก"
    if HUB_PATH.search(path):
        return "หน้า ITA"
    parts = urlsplit(display_url(url))
    return f"หน้า {parts.path}" + (f"?{parts.query}" if parts.query else "")


def short_label(label: str) -> str:
    """A component label without its examples: "ช่องทางออนไลน์ (แบบฟอร์ม …)" → "ช่องทางออนไลน์"."""
    return re.split(r"\s*[:(]", label, maxsplit=1)[0] or label


def _where(result: dict, item: dict) -> str:
    """Where on the evidence the data is, from its kind, excerpt and the page that links to it."""
    first = item["evidence"][0]
    kind, site = first["kind"], result["site"]
    via = f" ลิงก์จาก{_page_name(first['via'], site)}" if first.get("via") else ""
    if kind in DOC_NAMES:
        title = doc_title(first.get("excerpt", ""))
        named = f" '{title}'" if title else ""
        return f"{DOC_NAMES[kind]}{named}{via}"
    quote = _quote(first.get("excerpt", ""))
    text = "หน้าเว็บ" + (f" ช่วงข้อความ '{quote}'" if quote else "")
    docs = [e for e in item["evidence"][1:] if e["kind"] in DOC_NAMES]
    if docs:
        text += f" และเอกสารที่ลิงก์จากหน้านี้ {len(docs)} ไฟล์"
    return text


def explanation(result: dict, item: dict, labels: RuleLabels | None = None) -> str:
    """Short Thai: where the data is (present), why to check (uncertain), what to publish."""
    labels = labels or RuleLabels()
    status = item["status"]
    if status == "present" and item["evidence"]:
        text = _where(result, item)
        shown = [short_label(labels.component(item["id"], n)) for n in item.get("found", [])]
        if shown and labels.components.get(item["id"]):
            text += " แสดง: " + ", ".join(shown)
    elif status == "uncertain":
        text = f"ต้องตรวจสอบด้วยตนเองก่อนตอบ: {item['reason']}"
    else:
        fix = labels.fixes.get(item["id"])
        text = f"{item['reason']} — ควร{fix}" if fix else item["reason"]
    return shorten(tidy(text), EXPLANATION_CHARS)


def sheet_rows(result: dict) -> list[dict]:
    """One row per item in rule order: id, title, answer, url, explanation, status."""
    labels = rule_labels(result)
    return [_row(result, item, labels) for item in result["items"]]


def _row(result: dict, item: dict, labels: RuleLabels) -> dict:
    """An item's row; an item the officer checked by hand (``item["manual"]``, `oit serve`) is
    answered as they found it, their note first in the explanation."""
    row = {
        "id": item["id"],
        "title": item["title"],
        "answer": ANSWER_TH[item["status"]],
        "url": best_url(result, item),
        "explanation": explanation(result, item, labels),
        "status": item["status"],
    }
    manual = item.get("manual")
    if manual and manual.get("answer") in ANSWER_TH:
        row["answer"], row["status"] = ANSWER_TH[manual["answer"]], manual["answer"]
        if manual.get("url"):  # where the officer found it: what ITAS is given
            row["url"] = normalize_url(manual["url"])
        note = f"ตรวจด้วยตนเอง: {manual.get('note') or '-'}"
        row["explanation"] = shorten(tidy(f"{note} / {row['explanation']}"), EXPLANATION_CHARS)
    return row


def write_csv(result: dict, path: Path) -> None:
    """UTF-8 with a BOM, because Excel opens BOM-less UTF-8 CSV as ANSI and garbles the Thai."""
    with Path(path).open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(CSV_HEADER)
        for row in sheet_rows(result):
            writer.writerow(
                [row["id"], row["title"], row["answer"], row["url"], row["explanation"]]
            )


# ---- XLSX -----------------------------------------------------------------------------------
ANSWER_FILL = {"present": "C6EFCE", "absent": "FFC7CE", "uncertain": "FFEB9C"}  # Excel's own
ANSWER_WIDTHS = [6, 40, 9, 45, 70]  # fits A4 landscape at about 75 %
URL_COLUMN, URL_WIDTH_MAX = 3, 80  # 0-based; wider URLs are shrunk to fit, never cut
SUMMARY_WIDTHS = [18, 45, 12]


def _score_rows(result: dict, labels: RuleLabels) -> list[tuple[str, str, float | str]]:
    scores = result["scores"]
    rows: list[tuple[str, str, float | str]] = []
    for sid, value in scores["subindicators"].items():
        rows.append((f"ตัวชี้วัดย่อย {sid}", labels.subindicators.get(sid, ""), value))
    for iid, value in scores["indicators"].items():
        rows.append((f"ตัวชี้วัดที่ {iid}", labels.indicators.get(iid, ""), value))
    rows.append(("OIT", "คะแนนแบบวัดการเปิดเผยข้อมูลสาธารณะ", scores["oit"]))
    average = scores["item_average"]
    rows.append(("ค่าเฉลี่ยรายข้อ", "ค่าเฉลี่ยของทุกข้อ (ข้อละ 100 หรือ 0)", average))
    ita = scores.get("ita")
    if ita:
        rows.append(("ITA รวม", ita.get("rating", ""), ita["total"]))
    return rows


def write_xlsx(result: dict, path: Path) -> None:
    """The answer sheet plus a "สรุปคะแนน" sheet; printed, it is A4 landscape, one page wide,
    with rows that grow to their text and the header on every page (xlsx_print)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    labels = rule_labels(result)
    book = Workbook()
    answers = book.active
    answers.title = "คำตอบ OIT"
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    answers.append(CSV_HEADER)
    for row in sheet_rows(result):
        answers.append([row["id"], row["title"], row["answer"], row["url"], row["explanation"]])
        line = answers.max_row
        answers.cell(line, 3).fill = PatternFill("solid", fgColor=ANSWER_FILL[row["status"]])
        if row["url"]:
            answers.cell(line, 4).hyperlink = row["url"]
            answers.cell(line, 4).style = "Hyperlink"
    widths = list(ANSWER_WIDTHS)
    widths[URL_COLUMN] = whole_width([str(c.value or "") for c in answers["D"]], 30, URL_WIDTH_MAX)
    for col, width in enumerate(widths, start=1):
        answers.column_dimensions[chr(64 + col)].width = width
    answers.freeze_panes = "A2"

    summary = book.create_sheet("สรุปคะแนน")
    summary.append(["ระดับ", "ชื่อ", "คะแนน"])
    for row in _score_rows(result, labels):
        summary.append(list(row))
        summary.cell(summary.max_row, 3).number_format = "0.00"
    summary.append([])
    for key, value in (
        ("เว็บไซต์", result["site"]),
        ("ปีงบประมาณ", result["year"]),
        ("วันที่ตรวจ", result["as_of"]),
        ("เกณฑ์", f"{result['rules']['title']} ({result['rules']['status']})"),
        ("รอบการตรวจ", result["run_id"]),
    ):
        summary.append([key, value])
    for col, width in zip("ABC", SUMMARY_WIDTHS, strict=True):
        summary.column_dimensions[col].width = width

    for sheet in (answers, summary):
        for cells in sheet.iter_rows():
            for cell in cells:
                cell.alignment = wrap
        for cell in sheet[1]:
            cell.font = bold
    keep_whole(answers["D"][1:], widths[URL_COLUMN])
    set_row_heights(answers, widths, whole=URL_COLUMN)
    set_row_heights(summary, SUMMARY_WIDTHS)
    fit_for_print(answers)
    fit_for_print(summary, header_rows=0)
    book.save(path)
