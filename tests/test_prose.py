"""Explanations read as clean Thai wherever an officer meets them (answer sheet, HTML report,
terminal): a Latin word stands apart ("ไม่พบ E–Service บนเว็บไซต์"), a space PDF extraction put
inside a syllable is gone, and shortened text ends at a word, never inside one or a URL."""

from __future__ import annotations

import asyncio
import copy
import re

import pytest
from rich.console import Console
from sitekit import AS_OF, page, write_site

from oit_checker.audit import AuditOptions, audit
from oit_checker.output.html import render_html
from oit_checker.output.prose import ELLIPSIS, shorten, tidy
from oit_checker.output.sheet import EXPLANATION_CHARS, sheet_rows
from oit_checker.output.terminal import print_report
from oit_checker.rules import load_year
from oit_checker.serve import SiteServer
from oit_checker.store import Store

GLUED = re.compile(r"[\u0e01-\u0e4e][A-Za-z]|[A-Za-z][\u0e01-\u0e4e]")


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("ไม่พบE-Serviceที่หน้าแรก", "ไม่พบ E-Service ที่หน้าแรก"),
        ("เอกสารแผนปฏิบั ติการ ประจำปี2568", "เอกสารแผนปฏิบัติการ ประจำปี 2568"),  # after ั
        ("เ ผยแพร่ข้อมูลข่าวสาร", "เผยแพร่ข้อมูลข่าวสาร"),  # after a leading vowel
        ("การบริหารทรัพยากรบุคค ล ประจํ าปี", "การบริหารทรัพยากรบุคค ล ประจําปี"),  # before ำ
        ("ข้อมูลผู้บริหาร ชื่อ ตำแหน่ง", "ข้อมูลผู้บริหาร ชื่อ ตำแหน่ง"),  # phrase spaces stay
        ("ดู http://x.go.th/หน้า/E-Serviceที่ ok", "ดู http://x.go.th/หน้า/E-Serviceที่ ok"),
        ("ลิงก์จากหน้า /plan/ita2568.html", "ลิงก์จากหน้า /plan/ita2568.html"),
    ],
)
def test_tidy_joins_split_syllables_and_spaces_latin_words(raw, clean):
    assert tidy(raw) == clean


SENTENCES = [
    "ประกาศเจตนารมณ์ในการป้องกันการทุจริตและประพฤติมิชอบของผู้บริหารองค์การบริหารส่วนตำบล",
    "ต้องตรวจสอบด้วยตนเองก่อนตอบ: ข้อมูลอยู่นอกเว็บไซต์หลัก ที่ "
    "https://drive.google.com/drive/folders/1qW3eRStY7ul9oPaSdFgHjKIZxCvBnM27 ผู้ประเมินมักไม่นับ",
    "รายงานผลการดำเนินการเพื่อจัดการความเสี่ยงการทุจริตและประพฤติมิชอบ ประจำปีงบประมาณ พ.ศ. 2568",
]


@pytest.mark.parametrize("text", SENTENCES)
@pytest.mark.parametrize("limit", [12, 20, 33, 50, 64, 80])
def test_shortened_text_ends_at_a_word_and_keeps_urls_whole(text, limit):
    short = shorten(text, limit)
    assert len(short) <= limit and short.endswith(ELLIPSIS)
    kept = short.removesuffix(ELLIPSIS)
    assert text.startswith(kept)
    rest = text[len(kept) :]
    if " " in text[:limit]:  # at a space or punctuation: a sure word boundary
        assert rest[:1] in (" ", ":"), (kept, rest)
    else:  # a run of Thai with no space: between syllables, not before a mark
        assert kept
    assert not re.match("[\u0e30-\u0e3a\u0e45\u0e47-\u0e4e]", rest)  # never before a mark
    for url in re.findall(r"https?://\S+", text):  # a URL begun is a URL whole
        assert text.find(url) >= len(kept) or url in kept


@pytest.fixture(scope="module")
def result(tmp_path_factory) -> dict:
    """A real audit of a small site on loopback: no E-Service, an annual report as a PDF."""
    root = tmp_path_factory.mktemp("prose")
    site = write_site(
        root,
        {
            "index.html": page(
                '<h1>องค์การบริหารส่วนตำบลทดสอบ</h1><a href="/about.html">เกี่ยวกับเรา</a>'
            ),
            "about.html": page("<h2>ข้อมูลผู้บริหาร</h2><p>นายก อบต. ทดสอบ</p>"),
        },
    )
    with SiteServer(site) as server:
        out = asyncio.run(
            audit(
                server.url + "index.html",
                load_year(2568),
                Store(root / "oit.db"),
                AuditOptions(as_of=AS_OF),
            )
        )
    return out.as_dict()


def test_a_latin_item_name_stands_apart_in_sheet_report_and_terminal(result):
    e_service = next(i for i in result["items"] if i["id"] == "O10")
    assert e_service["status"] == "absent"
    assert GLUED.search(e_service["reason"])  # the checker's sentence glues the name in
    row = next(r for r in sheet_rows(result) if r["id"] == "O10")
    assert "ไม่พบ E–Service บนเว็บไซต์" in row["explanation"]
    assert "ไม่พบ E–Service บนเว็บไซต์" in render_html(result)
    console = Console(width=200, record=True)
    print_report(result, console)
    assert "ไม่พบ E–Service บนเว็บไซต์" in console.export_text()
    for r in sheet_rows(result):
        assert not GLUED.search(r["explanation"].split("http")[0]), r["explanation"]


def test_a_long_explanation_is_shortened_at_a_word_for_the_itas_box(result):
    long = copy.deepcopy(result)
    item = next(i for i in long["items"] if i["id"] == "O10")
    phrase = "พบเอกสารประกาศเจตนารมณ์ ไม่ระบุปีงบประมาณ ต้องเป็นของปีงบประมาณ 2568 "
    item["reason"] = phrase * 12
    row = next(r for r in sheet_rows(long) if r["id"] == "O10")
    text = row["explanation"]
    assert len(text) <= EXPLANATION_CHARS and text.endswith(ELLIPSIS)
    kept = text.removesuffix(ELLIPSIS)
    assert kept.endswith(("ประกาศเจตนารมณ์", "ปีงบประมาณ", "2568")), kept[-30:]


def test_an_officers_long_hand_check_note_is_shortened_at_a_word(result):
    checked = copy.deepcopy(result)
    item = next(i for i in checked["items"] if i["id"] == "O10")
    note = "ตรวจแล้วพบระบบE-Serviceที่หน้าบริการออนไลน์ ยื่นคำร้องได้ครบทุกบริการ "
    item["manual"] = {"answer": "present", "note": note * 10}
    text = next(r for r in sheet_rows(checked) if r["id"] == "O10")["explanation"]
    assert len(text) <= EXPLANATION_CHARS and text.endswith(ELLIPSIS)
    assert "ระบบ E-Service ที่" in text
    assert text.removesuffix(ELLIPSIS).endswith(("ออนไลน์", "บริการ", "ระบบ", "E-Service", "ที่"))
