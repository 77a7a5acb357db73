"""The HTML report in a real headless Chromium, from the JSON `oit demo --json` really writes.

What the officer sees: 28 item rows with readable badges, the OIT score, evidence links that go
where the JSON says, no table cut off on screen or on A4, Thai drawn with the TLWG fonts, a
regression flagged in red, and nothing from a hostile website ever executed.
"""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from pathlib import Path

import pymupdf
import pytest
from playwright.sync_api import Page

from oit_checker.output.html import render_html

ROOT = Path(__file__).resolve().parent.parent
OIT = str(Path(sys.executable).parent / "oit")
A4_WIDTH_PX = 794  # 210 mm at 96 dpi
TLWG_FONTS = ("Loma", "Garuda", "Laksaman", "Kinnari", "Norasi", "Sawasdee", "Umpush", "Waree")


@pytest.fixture(scope="module")
def result(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("demo")
    out = tmp / "audit.json"
    subprocess.run(
        [OIT, "demo", "--no-progress", "--db", str(tmp / "oit.db"), "--json", str(out)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return json.loads(out.read_text("utf-8"))


@pytest.fixture
def open_report(browser, tmp_path):
    """Write the report to a file and load it via file://, as when opened from a mail."""
    pages: list[Page] = []

    def _open(html: str, width: int = 1280) -> Page:
        path = tmp_path / f"report{len(pages)}.html"
        path.write_text(html, encoding="utf-8")
        page = browser.new_page(viewport={"width": width, "height": 900})
        requested: list[str] = []
        page.on("request", lambda r: requested.append(r.url))
        page.goto(path.as_uri(), wait_until="load")
        pages.append(page)
        # Self-contained: no font, script, style or image is fetched from anywhere.
        assert requested == [path.as_uri()]
        return page

    yield _open
    for page in pages:
        page.close()


def test_page_has_28_item_rows_and_the_oit_score(result, open_report):
    page = open_report(render_html(result))
    assert page.locator("tr.item").count() == 28
    ids = page.locator("tr.item").evaluate_all("rows => rows.map(r => r.dataset.id)")
    assert ids == [i["id"] for i in result["items"]]
    assert page.locator(".card.main .value").inner_text() == f"{result['scores']['oit']:.2f}"
    assert "คะแนน OIT" in page.locator(".card.main").inner_text()
    body = page.locator("body").inner_text()
    assert f"ตัวชี้วัดที่ 9 การเปิดเผยข้อมูล — {result['scores']['indicators']['9']:.2f}" in body
    assert result["site"] in body and str(result["year"]) in body
    assert page.locator("#changes").count() == 0  # no previous run given


def test_badges_carry_text_and_colour(result, open_report):
    page = open_report(render_html(result))
    for item in result["items"]:
        badge = page.locator(f'tr.item[data-id="{item["id"]}"] .badge')
        want = {"present": "มี", "absent": "ไม่มี", "uncertain": "ไม่แน่ใจ"}[item["status"]]
        assert badge.inner_text() == want
    colours = {
        status: page.locator(f"tr.item[data-status={status}] .badge").first.evaluate(
            "b => getComputedStyle(b).color + getComputedStyle(b).backgroundColor"
        )
        for status in ("present", "absent", "uncertain")
    }
    assert len(set(colours.values())) == 3


def test_every_evidence_link_goes_where_the_json_says(result, open_report):
    page = open_report(render_html(result))
    for item in result["items"]:
        links = page.locator(f'tr.item[data-id="{item["id"]}"] a.evidence')
        hrefs = links.evaluate_all("as => as.map(a => a.getAttribute('href'))")
        assert hrefs == [e["url"] for e in item["evidence"]], item["id"]
        for a in links.all():
            assert a.get_attribute("target") == "_blank"
            assert a.get_attribute("rel") == "noopener"


def test_absent_item_row_shows_missing_components_and_what_to_fix(result, open_report):
    page = open_report(render_html(result))
    wrong_year = next(i for i in result["items"] if i["id"] == "O14")
    assert wrong_year["status"] == "absent" and "period" in wrong_year["missing"]
    cells = page.locator('tr.item[data-id="O14"] td').all_inner_texts()
    assert "องค์ประกอบที่ขาด" in cells[4] and "ปีหรือช่วงเวลาที่ถูกต้อง" in cells[4]
    assert cells[5].startswith("เผยแพร่แผนการบริหารและพัฒนาทรัพยากรบุคคล")
    present = page.locator('tr.item[data-status="present"] td:nth-child(6)').first
    assert present.inner_text() == "-"


def _overflowing(page: Page) -> list[str]:
    return page.evaluate(
        """() => [...document.querySelectorAll('table')]
            .filter(t => t.scrollWidth > t.clientWidth + 1
                      || t.getBoundingClientRect().right > window.innerWidth + 1)
            .map(t => t.outerHTML.slice(0, 120))
            .concat(document.documentElement.scrollWidth > window.innerWidth
                    ? ['page wider than the window'] : [])"""
    )


def test_nothing_overflows_on_screen_or_at_a4_print_width(result, open_report, tmp_path):
    previous = copy.deepcopy(result)
    stressed = copy.deepcopy(result)  # real sites have very long unbroken URLs and texts
    long_item = stressed["items"][0]
    long_item["evidence"][0]["url"] = result["site"] + "files/" + "ก" * 40 + "x" * 200 + ".pdf"
    long_item["title"] = "ข้อมูล" * 60
    page = open_report(render_html(stressed, previous))
    assert page.locator("table").count() >= 8
    assert _overflowing(page) == []
    page.set_viewport_size({"width": A4_WIDTH_PX, "height": 1123})
    page.emulate_media(media="print")
    assert _overflowing(page) == []
    shot = tmp_path / "report-a4.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 50_000


def test_screenshot_and_pdf_draw_thai_with_tlwg_fonts(result, open_report, tmp_path):
    page = open_report(render_html(result))
    shot = tmp_path / "report.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    pdf = tmp_path / "report.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    with pymupdf.open(pdf) as doc:
        assert doc.page_count >= 1
        text = "".join(p.get_text() for p in doc)
        fonts = {f[3] for p in doc for f in p.get_fonts()}
        # Nothing printed into the right margin (12 mm ≈ 34 pt): tables are not cut off on A4.
        right = max(b[2] for p in doc for b in p.get_text("blocks"))
        assert right <= doc[0].rect.width - 30
    assert "รายงานผลการตรวจแบบวัดการเปิดเผยข้อมูลสาธารณะ" in text
    assert "ตัวชี้วัดย่อย" in text
    assert any(name in font for font in fonts for name in TLWG_FONTS), fonts


def test_changes_since_previous_run_flag_regressions_in_red(result, open_report):
    previous = copy.deepcopy(result)
    current = copy.deepcopy(result)
    o1 = next(i for i in current["items"] if i["id"] == "O1")
    gone = o1["evidence"][0]["url"]
    o1.update(status="absent", evidence=[], reason="ไม่พบโครงสร้างและอำนาจหน้าที่บนเว็บไซต์")
    o11 = next(i for i in previous["items"] if i["id"] == "O11")
    assert o11["status"] == "uncertain"
    o11["status"] = "absent"  # absent → uncertain: a change, but not a regression
    previous["scores"]["oit"] = 80.0
    page = open_report(render_html(current, previous))
    section = page.locator("#changes")
    assert section.locator("h2").inner_text() == "เปลี่ยนแปลงจากครั้งก่อน"
    changed = section.locator("tr.change")
    assert changed.count() == 2
    row = section.locator('tr.change:has(td:text-is("O1"))')
    assert "ถดถอย" in row.inner_text()
    other = section.locator('tr.change:has(td:text-is("O11"))')
    assert other.locator(".regression").count() == 0
    red = row.locator(".regression").evaluate("e => getComputedStyle(e).color")
    assert red == "rgb(183, 28, 28)"
    assert row.locator(".badge").all_inner_texts() == ["มี", "ไม่มี"]
    gone_links = section.locator("tr.gone a").evaluate_all("as => as.map(a => a.href)")
    assert gone in gone_links
    assert f"80.00 → {result['scores']['oit']:.2f}" in section.inner_text()
    assert "(-" in section.locator("tr", has_text="OIT").first.inner_text()


def test_no_regression_section_says_nothing_changed(result, open_report):
    page = open_report(render_html(result, copy.deepcopy(result)))
    text = page.locator("#changes").inner_text()
    assert "ไม่มีข้อที่ผลเปลี่ยน" in text and "หลักฐานเดิมยังพบครบ" in text


def test_text_from_a_hostile_website_is_shown_not_run(result, open_report):
    hostile = copy.deepcopy(result)
    item = hostile["items"][0]
    item["title"] = '<script>window.pwned = 1</script><img src=x onerror="window.pwned=2">'
    item["reason"] = "</td></tr></table><h1>ปลอม</h1>"
    item["evidence"] = [
        {"url": "javascript:window.pwned=3", "kind": "page", "excerpt": "", "via": ""},
        {"url": 'http://127.0.0.1/"onmouseover="x', "kind": "pdf", "excerpt": "", "via": ""},
    ]
    page = open_report(render_html(hostile))
    assert page.evaluate("() => window.pwned") is None
    assert page.locator("script").count() == 0 and page.locator("img").count() == 0
    row = page.locator("tr.item").first
    assert "<script>window.pwned = 1</script>" in row.inner_text()
    assert "</td></tr></table><h1>ปลอม</h1>" in row.inner_text()
    assert page.locator("tr.item").count() == 28  # the fake closing tags broke nothing
    hrefs = row.locator("a").evaluate_all("as => as.map(a => a.getAttribute('href'))")
    assert hrefs == ['http://127.0.0.1/"onmouseover="x']  # javascript: is not a link
    assert page.locator("[onmouseover]").count() == 0


PHONE = 390  # px: a common phone's CSS width


def test_on_a_phone_nothing_scrolls_sideways_and_the_fix_is_visible(result, open_report, tmp_path):
    page = open_report(render_html(result), width=PHONE)
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE
    absent = page.locator('tr.item[data-status="absent"]').first
    fix = absent.locator('td[data-label="สิ่งที่ต้องแก้"]')
    fix.scroll_into_view_if_needed()
    box = fix.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE
    assert box["width"] > PHONE / 2  # a readable column, not a sliver at the right edge
    assert fix.is_visible() and "เผยแพร่" in fix.inner_text()
    page.screenshot(path=str(tmp_path / "phone.png"), full_page=True)


def test_report_opens_with_the_agency_and_what_to_fix_first(result, open_report):
    from oit_checker.rules import run_rules

    rules = run_rules(result["rules"]["path"])
    assert rules is not None
    page = open_report(render_html(result))
    assert page.locator("h1").inner_text() == "องค์การบริหารส่วนตำบลหนองบัวทอง"  # home page title
    order = page.evaluate("[...document.body.children].map(e => e.id || e.tagName)")
    assert order.index("fix-first") < order.index("legend") < order.index("scores")
    fixes = page.locator("#fix-first li")
    absent = [i for i in result["items"] if i["status"] == "absent"]
    assert 0 < fixes.count() <= min(5, len(absent))
    efforts = rules.thresholds["fix_first_effort"]
    shown = [fixes.nth(n).get_attribute("data-id") for n in range(fixes.count())]
    cost = [efforts[rules.item(i).period] for i in shown]
    assert cost == sorted(cost)  # least work first
    assert min(efforts[rules.item(i["id"]).period] for i in absent) == cost[0]
    for n, item_id in enumerate(shown):  # each says what to publish, from the rules' fix text
        assert rules.item(item_id).fix in fixes.nth(n).inner_text()


def test_no_server_path_appears_in_the_report(result):
    html = render_html(result)
    assert result["rules"]["path"].startswith("/")  # the run stores where its rules were
    assert result["rules"]["path"] not in html
    assert not re.search(r"(?<![\w.:/])/(?:work|usr|home|root|tmp|opt|var|srv)/", html)
    assert "ITA 2568" in html  # the rule set is named by its title and year instead
