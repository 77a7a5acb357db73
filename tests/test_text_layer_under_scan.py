"""A PDF page that is a full-page picture over its own text layer (a copier's searchable scan, a
legacy-font export) is OCR'd for its picture, and keeps the text layer it had: the picture's OCR
may read the heading and lose a small table that the layer holds whole."""

from __future__ import annotations

from pathlib import Path

import pymupdf
from sitekit import audit_site, hub, page

from oit_checker.extract.documents import extract_document

FONT = "/usr/share/fonts/truetype/tlwg/Garuda.ttf"
TITLE = "ข้อมูลสถิติการให้บริการ ประจำปีงบประมาณ พ.ศ. 2567"
TABLE = [
    "เดือน จำนวนผู้รับบริการ (ราย)",
    "ตุลาคม 2566 67",
    "พฤศจิกายน 2566 63",
    "ธันวาคม 2566 112",
    "มกราคม 2567 117",
]


def searchable_scan() -> bytes:
    """Page picture: the heading only, in large type. Invisible text layer: heading and table."""
    typed = pymupdf.open()
    typed.new_page().insert_htmlbox(
        pymupdf.Rect(56, 56, 540, 200),
        f"<h2>{TITLE}</h2>",
        css=f"@font-face {{font-family: thai; src: url({FONT});}} h2 {{font-family: thai; font-size: 20pt;}}",
    )
    picture = typed[0].get_pixmap(dpi=150, colorspace=pymupdf.csGRAY).tobytes("png")
    scan = pymupdf.open()
    sheet = scan.new_page()
    sheet.insert_image(sheet.rect, stream=picture)
    for n, line in enumerate([TITLE, *TABLE]):
        sheet.insert_text(
            (56, 60 + 16 * n), line, fontname="thai", fontfile=FONT, fontsize=10, render_mode=3
        )
    return scan.tobytes()


def test_ocr_of_the_picture_keeps_the_text_layer() -> None:
    read = extract_document("http://127.0.0.1/files/stats.pdf", "pdf", searchable_scan())

    assert read.text_source == "ocr"  # the page is mostly picture: it was OCR'd
    assert "ตุลาคม 2566 67" in read.text and "มกราคม 2567 117" in read.text


def test_counts_in_the_text_layer_make_the_statistics_present(tmp_path: Path) -> None:
    rows = [("O11", "ข้อมูลสถิติการให้บริการ", "/files/stats.pdf")]
    got = audit_site(
        tmp_path,
        {
            "/index.html": page('<a href="/ita.html">ITA 2568</a>'),
            "/ita.html": hub(rows),
            "/files/stats.pdf": searchable_scan(),
        },
    )

    assert got["O11"].status == "present", got["O11"].reason
