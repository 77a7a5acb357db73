"""Check an officer's answer sheet: does each answered URL hold the item, as an assessor sees it?

The officer fills ITAS by hand (or from ``oit check --csv``) and wants to know, before sending,
whether each URL opens, is on the main website, and shows the item's components for the right
year — and if not, which URL would. We audit the site as usual, rebuild the site index from the
stored run, fetch the answered URLs the crawl did not reach, and open each answered URL with the
same ``ItemChecker.judge_candidate`` the audit uses, so a verdict here never contradicts the audit.
"""

from __future__ import annotations

import asyncio
import csv
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from oit_checker.audit import AuditOptions, AuditResult, audit
from oit_checker.check.candidates import Candidate
from oit_checker.check.items import ItemChecker
from oit_checker.check.own_title import another_item, shown_title
from oit_checker.check.site import SiteData
from oit_checker.errors import OitError
from oit_checker.extract.documents import extract_document
from oit_checker.extract.html import parse_html
from oit_checker.fetch import fetch, make_client
from oit_checker.models import DOCUMENT_KINDS, FetchInfo, Page
from oit_checker.rules import Item, RuleSet
from oit_checker.store import Store
from oit_checker.thai import thai_digits_to_arabic
from oit_checker.urls import display_url, normalize_url

# Header spellings accepted per field, whole or followed by a space or sign ("ข้อที่", "URL (ลิงก์)",
# "คำอธิบาย (ถ้ามี)"): the Thai headers sheet.write_csv writes, the ones
# officers type, and English for hand-made files. "title" and "answer" are read past (the verdict
# comes from the URL); any other column (หมายเหตุ, ผู้รับผิดชอบ) is ignored.
HEADERS = {
    "item": ("ข้อ", "ข้อที่", "item", "id", "item_id", "no."),
    "url": ("url", "ลิงก์", "ลิงค์", "ลิ้งค์", "link", "ที่อยู่เว็บ"),
    "explanation": ("คำอธิบาย", "explanation", "หมายเหตุ", "note"),
    "title": ("รายการ", "ชื่อรายการ", "title", "หัวข้อ"),
    "answer": ("มี/ไม่มี", "answer", "ผล"),
}
# An item id as officers write it: O5, o.5, O 05, 5, ๕, ข้อ 5, ข้อที่ ๕, "O5 คู่มือ…".
ITEM_ID = re.compile(r"^(?:ข้อ(?:ที่)?)?\s*[oO]?\s*\.?\s*([0-9๐-๙]{1,2})(?![0-9๐-๙])")
# A cell that is an address: what tells the URL column of a sheet without a header.
URL_CELL = re.compile(r"^(https?://|www\.)", re.I)
# Files linked from an answered page the crawl did not reach: fetched so the page's bundle
# (page + its documents) is judged whole, as an assessor would open them. Capped per page.
MAX_LINKED_DOCS = 20
# File names of documents and of download scripts (dl.php?nid=16, ewt_dl_link.php, download.php).
DOCUMENT_NAME = re.compile(r"\.(pdf|docx?|xlsx?)$|(^|[_\-])(dl|download)", re.I)
# Statuses of a verdict.
OK, WRONG, UNCERTAIN, MISSING_URL = "ok", "wrong", "uncertain", "missing-url"
# An item of the year the sheet does not answer at all: ITAS would count it absent.
NOT_ANSWERED = "not-answered"


class AnswerSheetError(OitError, ValueError):
    """An answer sheet (or its item ids) that cannot be used; the message names the file and row."""


@dataclass
class Answer:
    item_id: str
    url: str
    explanation: str = ""


@dataclass
class Verdict:
    item_id: str
    title: str
    url: str
    status: str  # ok | wrong | uncertain | missing-url | not-answered
    reason: str  # Thai, for the officer
    better_url: str = ""  # where the audit found the item, when the answer is not ok
    found: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


# ---- reading the sheet ------------------------------------------------------------------------


def _item_id(raw: str) -> str:
    """ "O5", "o5", "5", "O 5", "๕", "ข้อที่ 5" and "O5 คู่มือ…" are the same item."""
    text = raw.strip()
    match = ITEM_ID.match(text)
    if match:
        return f"O{int(thai_digits_to_arabic(match.group(1)))}"
    return "".join(text.split()).upper()


def _field(label: str) -> str | None:
    """The field a header cell names, or None for a column we read past. An alias must be the
    whole header or be followed by a space or a sign ("URL (ลิงก์)"), so "ข้อมูล" is not "ข้อ"."""
    key = label.strip().casefold()
    matches = [
        (len(alias), name)
        for name, aliases in HEADERS.items()
        for alias in aliases
        if key == alias.casefold()
        or (key.startswith(alias.casefold()) and not key[len(alias)].isalpha())
    ]
    return max(matches)[1] if matches else None


def _header_columns(header: list[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = _field(cell or "")
        if name is not None:
            columns.setdefault(name, index)
    return columns


def _guessed_columns(rows: list[list[str]]) -> dict[str, int]:
    """Columns of a sheet without a header: the one that mostly holds item ids, and the one that
    mostly holds addresses."""
    width = max(len(r) for r in rows)

    def hits(test: Callable[[str], bool]) -> list[int]:
        return [sum(1 for r in rows if i < len(r) and test((r[i] or "").strip())) for i in range(width)]

    ids = hits(lambda cell: bool(ITEM_ID.match(cell)) and not URL_CELL.match(cell))
    urls = hits(lambda cell: bool(URL_CELL.match(cell)))
    columns: dict[str, int] = {}
    if max(ids) and max(urls):
        columns["item"] = ids.index(max(ids))
        columns["url"] = urls.index(max(urls))
    return columns


def _columns(rows: list[list[str]], path: Path) -> tuple[dict[str, int], int]:
    """Where the item and URL columns are, and the first row of answers (0 when no header)."""
    columns = _header_columns(rows[0])
    if "item" not in columns and "title" in columns:  # รายการ holding "O1 โครงสร้าง…"
        columns["item"] = columns["title"]
    if "item" in columns and "url" in columns:
        return columns, 1
    if not columns:  # no header at all: the first row is an answer
        guessed = _guessed_columns(rows)
        if guessed:
            return guessed, 0
    missing = "ข้อ (item)" if "item" not in columns else "URL"
    raise AnswerSheetError(
        f"{path}: แถว 1: ไม่พบคอลัมน์ {missing} (row 1: no {missing} column; header "
        f"{[c for c in rows[0] if c]!r}; expected ข้อ,URL[,คำอธิบาย] or item,url[,explanation])"
    )


def _csv_rows(path: Path) -> list[list[str]]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise AnswerSheetError(f"{path}: อ่านไม่ได้ (cannot read): {exc.strerror or exc}") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp874", errors="replace")  # Excel "CSV" on Thai Windows
    reader = csv.reader(text.splitlines())
    try:
        return list(reader)
    except csv.Error as exc:  # a cell over csv's 128 KiB limit, a NUL byte
        raise AnswerSheetError(
            f"{path}: แถว {reader.line_num} อ่านไม่ได้ (row {reader.line_num} unreadable: {exc})"
        ) from None


def _xlsx_rows(path: Path) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a bad file
        raise AnswerSheetError(f"{path}: not a readable XLSX file ({exc})") from exc
    try:
        sheet = book["คำตอบ OIT"] if "คำตอบ OIT" in book.sheetnames else book.worksheets[0]
        return [
            ["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)
        ]
    finally:
        book.close()


def read_answers(path: Path) -> list[Answer]:
    """Answers from a CSV or XLSX sheet; an AnswerSheetError names the file and row of bad input."""
    path = Path(path)
    if not path.is_file():
        raise AnswerSheetError(f"{path}: no such file")
    rows = _xlsx_rows(path) if path.suffix.lower() in (".xlsx", ".xlsm") else _csv_rows(path)
    rows = [r for r in rows if any((c or "").strip() for c in r)]
    if not rows:
        raise AnswerSheetError(f"{path}: empty file (expected a header ข้อ,URL or item,url)")
    columns, first = _columns(rows, path)
    answers: list[Answer] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows[first:], start=first + 1):

        def cell(name: str, row: list[str] = row) -> str:
            index = columns.get(name)
            return (row[index] or "").strip() if index is not None and index < len(row) else ""

        item_id = _item_id(cell("item"))
        if not item_id:
            raise AnswerSheetError(f"{path}: row {number}: no item (ข้อ) given")
        if item_id in seen:
            raise AnswerSheetError(
                f"{path}: row {number}: item {item_id} answered again (first in row "
                f"{seen[item_id]})"
            )
        seen[item_id] = number
        answers.append(Answer(item_id, cell("url"), cell("explanation")))
    if not answers:
        raise AnswerSheetError(f"{path}: no answers below the header")
    return answers


# ---- the site index ---------------------------------------------------------------------------


def site_from_run(store: Store, run_id: int, start_url: str) -> SiteData:
    """The site index of a stored run, as the audit built it while crawling."""
    site = SiteData(start_url, {urlsplit(start_url).hostname or ""}, load=store.page)
    for row in store.resources(run_id):
        info = FetchInfo.from_row(row)
        page = None
        if info.ok and (info.kind == "html" or info.kind in DOCUMENT_KINDS):
            page = store.page(row["page_key"] or "", row["url"])
            if page is None:  # stored without its Page (OCR cut short): fetched again if asked
                continue
        site.add(info, page, row["page_key"] or "")
        if row["url"] == start_url:
            site.hosts.add(urlsplit(info.final_url).hostname or "")
    return site


async def _fetch_into(site: SiteData, urls: list[str], options: AuditOptions) -> None:
    """Fetch and extract URLs the crawl did not reach, and the files their pages link to."""
    fetch_options = options.crawl.fetch
    async with make_client(fetch_options) as client:

        async def one(url: str) -> Page | None:
            fetched = await fetch(client, url, fetch_options)
            page: Page | None = None
            final = fetched.final_url or fetched.url
            if fetched.ok and fetched.kind == "html":
                page = parse_html(fetched.text, final)
            elif fetched.ok and fetched.kind in DOCUMENT_KINDS:
                page = await asyncio.to_thread(
                    extract_document, final, fetched.kind, fetched.body, options.ocr
                )
            if page is not None:
                page.url = url
            site.add(FetchInfo(url, final, fetched.status, fetched.kind, fetched.error), page)
            return page

        pages = await asyncio.gather(*(one(u) for u in urls))
        linked: list[str] = []
        for page in pages:
            if page is None or page.kind != "html":
                continue
            for link in page.links:
                target = normalize_url(link.url) if link.url else ""
                if (
                    target
                    and not link.chrome
                    and site.is_onsite(target)
                    and target not in site.fetched
                    and target not in linked
                    and _looks_like_document(target)
                ):
                    linked.append(target)
                    if len(linked) >= MAX_LINKED_DOCS * len(urls):
                        break
        if linked:
            await asyncio.gather(*(one(u) for u in linked))


def _looks_like_document(url: str) -> bool:
    name = urlsplit(url).path.rsplit("/", 1)[-1]
    return bool(DOCUMENT_NAME.search(name))


# ---- judging ----------------------------------------------------------------------------------


def _web_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _candidate(checker: ItemChecker, item: Item, url: str) -> Candidate:
    """The answered URL as the audit would have met it: through the link that names the item,
    when the site has one (its text may hold the year), else on its own."""
    for cand in checker.candidates(item):
        if cand.url and normalize_url(cand.url) == url:
            return cand
    return Candidate(url=url, naming="text")


def _audit_url(result: AuditResult, item_id: str) -> tuple[str, list[str]]:
    """The audit's evidence URL for an item it found present, and all its evidence URLs."""
    found = next((r for r in result.items if r.id == item_id), None)
    if found is None or found.status != "present" or not found.evidence:
        return "", []
    urls = [normalize_url(e.url) for e in found.evidence if e.kind != "external"]
    return (urls[0] if urls else ""), urls


def _judge(checker: ItemChecker, item: Item, answer: Answer, result: AuditResult) -> Verdict:
    better, audit_urls = _audit_url(result, item.id)
    verdict = Verdict(item.id, item.title, answer.url, UNCERTAIN, "")
    if not answer.url:
        verdict.status = MISSING_URL
        audited = next(r for r in result.items if r.id == item.id)
        if better:
            verdict.reason = f"ไม่ได้ระบุ URL แต่พบ{item.title}ที่ {display_url(better)}"
            verdict.better_url = better
        else:
            verdict.reason = f"ไม่ได้ระบุ URL; ผลการตรวจเว็บไซต์: {audited.reason}"
        return verdict
    if not _web_url(answer.url):
        verdict.status = WRONG
        verdict.reason = f"URL {answer.url!r} ไม่ใช่ที่อยู่เว็บ (ต้องขึ้นต้นด้วย http:// หรือ https://)"
        verdict.better_url = better
        return verdict
    url = normalize_url(answer.url)
    cand = checker.judge_candidate(item, _candidate(checker, item, url))
    verdict.found, verdict.missing = list(cand.found), list(cand.missing)
    verdict.reason = cand.reason
    page = checker.site.page(url)
    other = (
        None
        if page is None
        else another_item(checker.namer, checker.rules.items, item, page, documents=True)
    )
    if cand.outcome == "pass" and page is not None and other is not None:
        verdict.status = WRONG
        verdict.reason = (
            f'{display_url(url)} คือ{other.title} (หัวเรื่อง "{shown_title(page)}") ไม่ใช่{item.title}'
        )
    elif cand.outcome == "pass":
        verdict.status = OK
    elif cand.outcome == "fail" and url in audit_urls[:1] and len(audit_urls) > 1:
        # The audit found the item across several pages (structure + duties) and cites this
        # URL first: the answered page leads the assessor to the rest.
        audited = next(r for r in result.items if r.id == item.id)
        verdict.status, verdict.reason = OK, audited.reason
        verdict.found, verdict.missing = list(audited.found), []
    else:
        verdict.status = UNCERTAIN if cand.outcome == "uncertain" else WRONG
    if verdict.status != OK and better and better != url:
        verdict.better_url = better
    return verdict


async def verify(
    answers: list[Answer],
    site_url: str,
    rules: RuleSet,
    store: Store,
    options: AuditOptions | None = None,
) -> list[Verdict]:
    """Audit ``site_url`` (a stored run), then judge each answered URL as an assessor would.
    One verdict per item of the year, in the rule set's order: an item the sheet leaves out is
    ``not-answered``, since ITAS would count it absent."""
    options = options or AuditOptions()
    items = {item.id: item for item in rules.items}
    unknown = [a.item_id for a in answers if a.item_id not in items]
    if unknown:
        raise AnswerSheetError(
            f"items not in {Path(rules.path).name}: {', '.join(unknown)} "
            f"(the rule set has {rules.items[0].id}–{rules.items[-1].id})"
        )
    result = await audit(site_url, rules, store, options)
    store.mark_verify_run(result.run_id)
    site = site_from_run(store, result.run_id, result.site)
    extra: list[str] = []
    for answer in answers:
        if not _web_url(answer.url):
            continue
        url = normalize_url(answer.url)
        if url not in site.fetched and site.is_onsite(url) and url not in extra:
            extra.append(url)
    if extra:
        await _fetch_into(site, extra, options)
    checker = ItemChecker(rules, site, rules.year, result.as_of)
    given = {a.item_id: a for a in answers}
    return [
        _judge(checker, item, given[item.id], result)
        if item.id in given
        else _not_answered(item, result)
        for item in rules.items
    ]


def _not_answered(item: Item, result: AuditResult) -> Verdict:
    """An item of the year the sheet leaves out: ITAS counts it absent, whatever the site has."""
    better, _ = _audit_url(result, item.id)
    verdict = Verdict(item.id, item.title, "", NOT_ANSWERED, "")
    if better:
        verdict.reason = f"ไม่ได้ตอบข้อนี้ในแบบฟอร์ม แต่พบ{item.title}ที่ {display_url(better)}"
        verdict.better_url = better
    else:
        audited = next(r for r in result.items if r.id == item.id)
        verdict.reason = f"ไม่ได้ตอบข้อนี้ในแบบฟอร์ม; ผลการตรวจเว็บไซต์: {audited.reason}"
    return verdict
