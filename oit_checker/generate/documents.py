"""Evidence files as agencies post them: PDFs (Word-style, scanned, legacy text layer), DOCX,
XLSX and PNG pictures, rendered from blocks with fixed metadata so a seed gives the same bytes.

PDFs are laid out by PyMuPDF's HTML engine with a TLWG Thai font: shaped Thai whose shifted marks
are Private Use Area glyphs without ActualText, as Word exports are. A *scanned* PDF is that page
as a grey image with no text layer (Thai digits in it: OCR reads them badly, on purpose). A
*legacy* PDF shows the right glyphs as an image but carries an invisible text layer with the
damage old fonts leave (SARA AM split to " า", tone marks dropped).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import replace
from datetime import datetime

import openpyxl
import pymupdf

from oit_checker.generate.blocks import Block, to_html, to_lines, to_rows

FONT_DIR = "/usr/share/fonts/truetype/tlwg"
PDF_DATE = "D:20250101090000+07'00'"
FIXED_TIME = datetime(2025, 1, 1, 9, 0, 0)
SCAN_DPI = 110
CSS = (
    "@font-face {font-family: thai; src: url(%s.ttf);} "
    "body {font-family: thai; font-size: 13pt;} h2 {font-size: 16pt; text-align: center;} "
    "table {border-collapse: collapse;} td, th {border: 1px solid black; padding: 2px; font-size: 10pt;}"
)
TONE_MARKS = re.compile("[\u0e48-\u0e4b]")
CORE_TIME = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def _layout(blocks: list[Block], title: str, font: str) -> pymupdf.Document:
    story = pymupdf.Story(html=to_html(blocks), user_css=CSS % font, archive=FONT_DIR)
    buffer = io.BytesIO()
    writer = pymupdf.DocumentWriter(buffer)
    more, pages = True, 0
    while more and pages < 4:
        device = writer.begin_page(pymupdf.paper_rect("a4"))
        more, _ = story.place(pymupdf.paper_rect("a4") + (56, 56, -56, -56))
        story.draw(device)
        writer.end_page()
        pages += 1
    writer.close()
    document = pymupdf.open(stream=buffer.getvalue(), filetype="pdf")
    document.set_metadata(
        {"title": title, "author": "", "creationDate": PDF_DATE, "modDate": PDF_DATE}
    )
    return document


def _bytes(document: pymupdf.Document) -> bytes:
    return document.tobytes(garbage=3, deflate=True, no_new_id=True)


def pdf_text(blocks: list[Block], title: str, font: str = "Garuda") -> bytes:
    """A Word-like PDF: shaped Thai text layer (PUA marks, no ActualText)."""
    return _bytes(_layout(blocks, title, font))


def _images_only(source: pymupdf.Document, title: str, creator: str) -> pymupdf.Document:
    scanned = pymupdf.open()
    for page in source:
        pixmap = page.get_pixmap(dpi=SCAN_DPI, colorspace=pymupdf.csGRAY)
        new_page = scanned.new_page(width=page.rect.width, height=page.rect.height)
        new_page.insert_image(new_page.rect, stream=pixmap.tobytes("jpeg", jpg_quality=70))
    scanned.set_metadata(
        {"title": title, "creator": creator, "creationDate": PDF_DATE, "modDate": PDF_DATE}
    )
    return scanned


def thai_numerals(blocks: list[Block]) -> list[Block]:
    """The same blocks with Thai digits, as typed official letters print them."""
    digits = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
    return [
        replace(
            b,
            text=b.text.translate(digits),
            rows=tuple(tuple(c.translate(digits) for c in r) for r in b.rows),
        )
        for b in blocks
    ]


def pdf_scanned(blocks: list[Block], title: str) -> bytes:
    """An office scan of a letter typed with Thai digits: page images only, no text layer."""
    layout = _layout(thai_numerals(blocks), title, "Laksaman")
    return _bytes(_images_only(layout, "", "Scan to PDF"))


def legacy_damage(text: str) -> str:
    """What an old Thai font's text layer gives back: ำ split off, tone marks lost."""
    return TONE_MARKS.sub("", text.replace("ำ", " า"))


def pdf_legacy(blocks: list[Block], title: str) -> bytes:
    """Right glyphs on the page, a damaged invisible text layer under them."""
    document = _images_only(_layout(blocks, title, "Norasi"), title, "PDFMaker 5.0")
    page = document[0]
    y = 60.0
    for line in to_lines(blocks)[:40]:
        page.insert_text(
            (56, y), legacy_damage(line), fontname="thai", fontfile=f"{FONT_DIR}/Garuda.ttf",
            fontsize=10, render_mode=3,
        )  # fmt: skip
        y += 16
    return _bytes(document)


def png_image(blocks: list[Block]) -> bytes:
    """An infographic: the first page of the evidence as a picture."""
    document = _layout(blocks, "", "Garuda")
    return document[0].get_pixmap(dpi=90).tobytes("png")


def portrait_png(shade: int) -> bytes:
    """A flat-coloured stand-in photo of an executive (clearly not a real person)."""
    pixmap = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 90, 120), False)
    pixmap.set_rect(pixmap.irect, (120 + shade % 100, 140, 170))
    pixmap.set_rect(pymupdf.IRect(30, 20, 60, 55), (200, 160, 120))
    return pixmap.tobytes("png")


def stable_zip(data: bytes, when: datetime = FIXED_TIME) -> bytes:
    """Rewrite an Office zip with fixed entry times and core.xml dates, so rebuilds give the
    same bytes (python-docx and openpyxl stamp the time of saving). The fixture builders use
    it too."""
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = CORE_TIME.sub(rb"\g<1>" + stamp + rb"\g<2>", content)
            target.writestr(fixed, content)
    return out.getvalue()


def docx_bytes(blocks: list[Block], title: str) -> bytes:
    import docx

    document = docx.Document()
    document.core_properties.title = title
    for block in blocks:
        if block.kind == "table":
            grid = document.add_table(rows=len(block.rows), cols=len(block.rows[0]))
            for cells, row in zip(grid.rows, block.rows, strict=True):
                for cell, value in zip(cells.cells, row, strict=False):
                    cell.text = value
        elif block.kind == "h":
            document.add_heading(block.text, level=1)
        else:
            for line in to_lines([block]):
                document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return stable_zip(buffer.getvalue())


def xlsx_bytes(blocks: list[Block], sheet: str = "Sheet1") -> bytes:
    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    for row in to_rows(blocks):
        worksheet.append(row)
    workbook.properties.created = FIXED_TIME
    workbook.properties.modified = FIXED_TIME
    buffer = io.BytesIO()
    workbook.save(buffer)
    return stable_zip(buffer.getvalue())


RENDERERS = {
    "pdf": lambda blocks, title: pdf_text(blocks, title),
    "pdf_scanned": pdf_scanned,
    "pdf_legacy": pdf_legacy,
    "docx": docx_bytes,
    "xlsx": lambda blocks, title: xlsx_bytes(blocks),
    "png": lambda blocks, title: png_image(blocks),
}
EXTENSIONS = {
    "pdf": "pdf", "pdf_scanned": "pdf", "pdf_legacy": "pdf", "docx": "docx", "xlsx": "xlsx",
    "png": "png",
}  # fmt: skip


def render(kind: str, blocks: list[Block], title: str) -> bytes:
    return RENDERERS[kind](blocks, title)
