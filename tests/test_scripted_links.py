"""Evidence behind links a browser follows but an href does not hold (scripted_links).

Real agency templates open a document from ``onclick`` handlers, ``javascript:`` hrefs, clickable
table rows and cells, ``data-href`` buttons, images, and PDF viewers (pdf.js ``viewer.html?file=``,
Google Docs ``viewer?url=``). Each shape is served on loopback as an agency's OIT page with a real
PDF behind it; the item must be present with that PDF as its evidence. Script that opens nothing
(a menu toggle, ``return false``) must yield no link at all.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import docfactory
import pytest
from sitekit import AS_OF, audit_site, page, write_site

from oit_checker.audit import AuditOptions, audit
from oit_checker.check.naming import ItemNamer
from oit_checker.extract.html import parse_html
from oit_checker.extract.scripted_links import script_targets, wrapped_document
from oit_checker.rules import load_year
from oit_checker.serve import SiteServer
from oit_checker.store import Store

TITLE = "แผนการบริหารและพัฒนาทรัพยากรบุคคล ประจำปีงบประมาณ พ.ศ. 2568"
PDF = "/files/แผน HR 2568.pdf"  # raw Thai and a space, as agencies name files
PDF_URL = "files/%E0%B9%81%E0%B8%9C%E0%B8%99%20HR%202568.pdf"
ROW = "<tr><td>O14</td><td>{title}</td><td>{link}</td></tr>"

SHAPES = {
    "a_onclick_window_open": f'<a href="#" onclick="window.open(\'{PDF}\');return false;">เปิด</a>',
    "a_javascript_href": f"<a href=\"javascript:window.open('{PDF}')\">ดาวน์โหลด</a>",
    "a_javascript_function": f"<a href=\"javascript:openDoc('{PDF}', 'pdf')\">ดาวน์โหลด</a>",
    "button_location_href": f'<button type="button" onclick="location.href=\'{PDF}\'">เปิด</button>',
    "span_document_location": f'<span class="link" onclick="document.location=&quot;{PDF}&quot;">คลิก</span>',
    "div_data_href": f'<div class="btn" data-href="{PDF}">เปิดเอกสาร</div>',
    "img_onclick": f'<img src="/img/pdf.png" alt="เอกสาร" onclick="window.location=\'{PDF}\'">',
    "a_pdfjs_viewer": '<a href="/pdfjs/web/viewer.html?file=%2Ffiles%2F%E0%B9%81%E0%B8%9C%E0%B8%99%20HR%202568.pdf">ดู</a>',
}


def hr_plan(tmp_path: Path) -> bytes:
    lines = [
        TITLE,
        "องค์การบริหารส่วนตำบลทดสอบ",
        "1. การสรรหาและคัดเลือกบุคลากร ให้ได้คนดีและคนเก่ง",
        "2. การฝึกอบรมพัฒนาบุคลากร ตามหลักสูตรที่กำหนด",
        "3. การประเมินผลการปฏิบัติงาน ปีละ 2 ครั้ง",
        "4. สวัสดิการและคุณภาพชีวิตของบุคลากร",
    ]
    return docfactory.pdf_reportlab(lines, tmp_path / "hr.pdf").read_bytes()


def ita_site(tmp_path: Path, table: str, extra: dict[str, str | bytes] | None = None) -> dict:
    return {
        "index.html": page('<h1>อบต.ทดสอบ</h1><p><a href="/ita.html">ITA 2568</a></p>'),
        "ita.html": page(
            f"<h1>ITA 2568 การเปิดเผยข้อมูลสาธารณะ</h1><table>{table}</table>", title="ITA 2568"
        ),
        PDF: hr_plan(tmp_path),
        **(extra or {}),
    }


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_evidence_behind_a_scripted_link_in_a_hub_row_is_found(tmp_path, shape):
    table = ROW.format(title=TITLE, link=SHAPES[shape])
    got = audit_site(tmp_path, ita_site(tmp_path, table))["O14"]
    assert got.status == "present", got.reason
    assert got.evidence[0].url.endswith(PDF_URL), got.evidence


@pytest.mark.parametrize(
    "row",
    [
        # the whole row is clickable; the name is in its cells
        f"<tr onclick=\"window.open('{PDF}','_blank','width=800')\"><td>O14</td><td>{TITLE}</td></tr>",
        # one cell is clickable
        f"<tr><td>O14</td><td onclick=\"location='{PDF}'\">{TITLE}</td></tr>",
    ],
    ids=["tr_onclick", "td_onclick"],
)
def test_a_clickable_table_row_or_cell_is_a_link_named_by_its_row(tmp_path, row):
    got = audit_site(tmp_path, ita_site(tmp_path, row))["O14"]
    assert got.status == "present", got.reason
    assert got.evidence[0].url.endswith(PDF_URL), got.evidence


@pytest.mark.parametrize(
    "embed",
    [
        '<iframe src="/pdfjs/web/viewer.html?file=/files/%E0%B9%81%E0%B8%9C%E0%B8%99%20HR%202568.pdf" width="100%" height="600"></iframe>',
        '<iframe src="https://docs.google.com/viewer?url={root}files/%E0%B9%81%E0%B8%9C%E0%B8%99%20HR%202568.pdf&amp;embedded=true"></iframe>',
        '<div class="ead-document"><iframe src="about:blank" style="visibility:hidden" data-pdf-src="/files/แผน HR 2568.pdf"></iframe></div>',
        '<object data="/files/%E0%B9%81%E0%B8%9C%E0%B8%99%20HR%202568.pdf" type="application/pdf"></object>',
    ],
    ids=["pdfjs_iframe", "google_viewer_iframe", "data_pdf_src", "object"],
)
def test_a_document_shown_in_a_viewer_is_read_as_the_pages_evidence(tmp_path, embed):
    # The item's own page holds only the viewer; the hub links to that page.
    row = ROW.format(title=TITLE, link='<a href="/hr-plan.html">คลิกลิงค์ข้อมูล</a>')
    site = write_site(tmp_path, ita_site(tmp_path, row))
    with SiteServer(site) as server:  # the Google viewer wraps the site's own absolute URL
        body = f"<h1>{TITLE}</h1>{embed.replace('{root}', server.url)}<p>{TITLE}</p>"
        (site / "hr-plan.html").write_text(page(body, title=TITLE), encoding="utf-8")
        result = asyncio.run(
            audit(server.url + "index.html", load_year(2568), Store(tmp_path / "oit.db"),
                  AuditOptions(as_of=AS_OF))
        )  # fmt: skip
    got = next(item for item in result.items if item.id == "O14")
    assert got.status == "present", got.reason
    urls = [e.url for e in got.evidence]
    assert any(u.endswith(PDF_URL) for u in urls), urls


@pytest.mark.parametrize(
    "code",
    [
        "toggle('menu')",
        "return false",
        "toggle('menu');return false;",
        "$('#collapse1').collapse('toggle')",
        "changeContent('จัดซื้อจัดจ้าง')",
        "alert('ดาวน์โหลด report.pdf')",
        "window.open('/view.php?id=' + id)",
        "setType('text/html')",
        "this.classList.toggle('open')",
    ],
)
def test_script_that_opens_no_url_yields_no_link(code):
    assert script_targets(code) == []
    html = f"""<html><body><table><tr onclick="{code.replace('"', "&quot;")}"><td>O14</td>
    <td><a href="#" onclick="{code.replace('"', "&quot;")}">{TITLE}</a></td>
    <td><button onclick="{code.replace('"', "&quot;")}">เปิด</button></td></tr></table>
    <a href="javascript:{code.replace('"', "&quot;")}">เมนู</a></body></html>"""
    links = parse_html(html, "http://x.go.th/ita.html").links
    assert [link.url for link in links if link.url] == []


def test_a_row_whose_script_opens_nothing_leaves_the_item_without_evidence(tmp_path):
    link = '<a href="#" onclick="toggle(\'menu\');return false;">เปิด</a>'
    got = audit_site(tmp_path, ita_site(tmp_path, ROW.format(title=TITLE, link=link)))["O14"]
    assert got.status != "present", got.reason


def test_a_handler_on_a_whole_block_is_not_a_link_for_everything_inside():
    rows = "".join(
        f"<tr><td>O{n}</td><td>{TITLE} ข้อมูลลำดับที่ {n} ของหน่วยงานประจำปี</td></tr>"
        for n in range(1, 30)
    )
    html = f"""<html><body><div id="wrap" onclick="track('/stats/click.php')">
    <table>{rows}</table></div></body></html>"""
    links = parse_html(html, "http://x.go.th/ita.html").links
    assert links == []


def test_a_viewer_url_yields_the_document_it_wraps():
    site = "https://www.abc.go.th"
    assert (
        wrapped_document(f"{site}/pdfjs/web/viewer.html?file=..%2F..%2Ffiles%2Fa.pdf")
        == f"{site}/files/a.pdf"
    )
    google = "https://docs.google.com/viewer?url=https%3A%2F%2Fwww.abc.go.th%2Fita%2Fo14.pdf&embedded=true"
    assert wrapped_document(google) == f"{site}/ita/o14.pdf"
    assert wrapped_document(f"{site}/viewer?doc=/uploads/o1.pdf") == f"{site}/uploads/o1.pdf"
    office = (
        "https://view.officeapps.live.com/op/embed.aspx?src=https%3A%2F%2Fwww.abc.go.th%2Fa.xlsx"
    )
    assert wrapped_document(office) == f"{site}/a.xlsx"
    assert wrapped_document(f"{site}/login.php?url=/admin/") == ""  # a redirect, no viewer
    # a download page reads its file wherever the server keeps it: the link is the page
    assert wrapped_document(f"{site}/download.php?file=uploads/o14.pdf") == ""
    assert wrapped_document(f"{site}/viewer?doc=123") == ""  # an id, not a URL


def test_an_ita_substring_inside_another_word_is_not_the_ita_hub():
    namer = ItemNamer(load_year(2568))
    for text in ("/capital/", "/digital-services/", "hospital news", "/italy/"):
        assert not namer.is_hub_text(text), text
    for text in (
        "/ita/",
        "/ita2568/",
        "ITA 2568",
        "oit2023-ita2023",
        "การเปิดเผยข้อมูลสาธารณะ",
        "MOIT 1",
    ):
        assert namer.is_hub_text(text), text


def test_what_a_click_opens_is_read_as_an_ordinary_link_in_its_row():
    # The OIT page's rows take <a> links (a map or video iframe is no row evidence); a row's
    # clickable button, cell or viewer-shown document is a link of that row all the same.
    html = f"""<html><body><table><tr><td>O12</td><td>{TITLE}</td><td>
    <button onclick="location.href='/files/m1.pdf'">ต.ค.</button>
    <span data-href="/files/m2.pdf">พ.ย.</span>
    <iframe src="/pdfjs/web/viewer.html?file=/files/m3.pdf"></iframe> ธ.ค.
    <iframe src="https://www.google.com/maps/embed?pb=1"></iframe></td></tr></table></body></html>"""
    links = parse_html(html, "http://x.go.th/ita.html").links
    tags = {link.url.split("/", 3)[-1]: link.tag for link in links if link.url}
    assert tags["files/m1.pdf"] == tags["files/m2.pdf"] == tags["files/m3.pdf"] == "a", tags
    assert tags["pdfjs/web/viewer.html?file=/files/m3.pdf"] == "iframe"  # crawled, names nothing
    assert tags["maps/embed?pb=1"] == "iframe"
    rows = [link for link in links if link.url.endswith("m3.pdf")]
    assert rows[0].context.startswith("o12"), rows
