"""Limits before parsing: deep HTML is flattened without losing what a reader sees, zip bombs
are refused from their directory, and a page's links keep their rows and labels."""

from __future__ import annotations

import io
import zipfile

from oit_checker.bounds import TOO_LARGE, cut_reason, flatten_html, office_zip_problem
from oit_checker.extract.documents import extract_document
from oit_checker.extract.html import parse_html
from oit_checker.fetch import credentials_of


def test_flattening_keeps_text_and_links_and_what_follows() -> None:
    row = (
        "<table><tr><td>แผนปฏิบัติการป้องกันการทุจริต</td>"
        '<td><a href="/plan.pdf">ดาวน์โหลด</a></td></tr></table>'
    )
    deep = (
        "<html><body>"
        + "<div><span>ระดับ " * 500
        + row.replace("plan.pdf", "deep.pdf")
        + "<ul><li>หนึ่ง<li>สอง</ul>"
        + "</span></div>" * 500
        + row
        + "</body></html>"
    )
    flat = flatten_html(deep, max_depth=64)
    assert flat.dropped > 800 and "nesting flattened" in flat.note
    page = parse_html(flat.html, "http://127.0.0.1/")
    assert page.text.count("ระดับ") == 500
    assert "หนึ่ง" in page.text and "สอง" in page.text
    urls = {link.url.rsplit("/", 1)[-1]: link for link in page.links}
    assert "deep.pdf" in urls  # deep down, the link stays (its table may not)
    assert "แผนปฏิบัติการป้องกันการทุจริต" in urls["plan.pdf"].context  # after it, rows are rows


def test_ordinary_pages_are_left_as_they_are() -> None:
    html = "<html><body>" + "<div class=row><p>ข้อความ <b>หนา</b></p></div>" * 2000
    html += "<table>" + "<tr><td><font size=2>ช่อง<td><font>ช่อง" * 300 + "</table></body></html>"
    flat = flatten_html(html)
    assert flat.html == html and not flat.dropped and not flat.note


def test_script_text_and_comments_are_not_tags() -> None:
    html = "<html><body><script>" + "document.write('<div>');" * 200 + "</script>"
    html += "<!--" + "<div>" * 200 + "--><p>ปกติ</p></body></html>"
    assert flatten_html(html, max_depth=16).dropped == 0


def _zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_zip_bomb_is_refused_from_its_directory() -> None:
    bomb = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b" " * (120 * 2**20)})
    assert len(bomb) < 2**20
    problem = office_zip_problem(bomb)
    assert problem.startswith(TOO_LARGE) and "word/document.xml" in problem
    page = extract_document("http://127.0.0.1/plan.docx", "docx", bomb)
    assert page.text == "" and page.notes == [problem]
    assert cut_reason(problem) == "ไฟล์ใหญ่เกินกว่าจะอ่านได้ (120 MB)"


def test_credentials_keep_their_case_and_are_percent_decoded() -> None:
    found = credentials_of("https://Officer:P%40ss-WORD@WWW.Example.go.th/ita/")
    assert found is not None
    assert (found.host, found.user, found.password) == ("www.example.go.th", "Officer", "P@ss-WORD")
    assert credentials_of("https://www.example.go.th/") is None
