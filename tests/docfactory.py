"""Build real Thai documents (PDF, DOCX, XLSX) for tests and fixture builders.

Real agency files are shaped Thai PDFs from Word/LibreOffice (PUA glyphs wrapped in ActualText),
scans with no text layer, and Office files. Each helper writes one such file so tests exercise
the extractor on the bytes a crawler would meet, not on mocks.
"""

from __future__ import annotations

import contextlib
import html as html_lib
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pymupdf

from oit_checker.render import CHROMIUM, CHROMIUM_ARGS

THAI_FONT_DIR = Path("/usr/share/fonts/truetype/tlwg")
GARUDA_TTF = THAI_FONT_DIR / "Garuda.ttf"


@contextlib.contextmanager
def _hermetic_home() -> Iterator[Path]:
    """Point HOME and XDG dirs at a temp folder: Chromium and the Playwright driver write there."""
    keys = ("HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME")
    saved = {key: os.environ.get(key) for key in keys}
    with tempfile.TemporaryDirectory(prefix="docfactory-home-") as home:
        os.environ["HOME"] = home
        os.environ["XDG_CONFIG_HOME"] = str(Path(home) / ".config")
        os.environ["XDG_CACHE_HOME"] = str(Path(home) / ".cache")
        try:
            yield Path(home)
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


def _print_pdf(html: str, path: Path) -> None:
    from playwright.sync_api import sync_playwright

    with _hermetic_home() as home, sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, env={**os.environ, "HOME": str(home)}
        )
        try:
            page = browser.new_page()
            page.set_content(html, wait_until="load")
            page.pdf(path=str(path), format="A4", print_background=True)
        finally:
            browser.close()


def pdf_from_html(html: str, path: Path) -> Path:
    """Print HTML to PDF with Chromium: HarfBuzz-shaped Thai with PUA glyphs and ActualText.

    Use CSS ``font-family: Garuda`` or ``Laksaman`` (fonts-thai-tlwg). Runs the sync Playwright
    API in a worker thread so it also works when called under a running asyncio loop.
    """
    path = Path(path)
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(_print_pdf, html, path).result()
    return path


def thai_html(lines: Iterable[str], font: str = "Laksaman", size_pt: int = 16) -> str:
    """A plain A4 HTML document, one paragraph per line, in a TLWG Thai font."""
    body = "\n".join(f"<p>{html_lib.escape(line)}</p>" for line in lines)
    return (
        '<!doctype html><html lang="th"><head><meta charset="utf-8"><style>'
        f"body {{ font-family: '{font}'; font-size: {size_pt}pt; margin: 2cm; }}"
        "p { margin: 0 0 0.35em 0; } .page { page-break-after: always; }"
        f"</style></head><body>{body}</body></html>"
    )


def pdf_reportlab(
    lines: Sequence[str], path: Path, lines_per_page: int = 40, title: str = ""
) -> Path:
    """A plain text-layer PDF (reportlab, no shaping) in Garuda: the simplest Thai PDF."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    if "Garuda" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("Garuda", str(GARUDA_TTF)))
    path = Path(path)
    pdf = canvas.Canvas(str(path), pagesize=A4)
    if title:
        pdf.setTitle(title)
    width, height = A4
    for start in range(0, max(len(lines), 1), lines_per_page):
        pdf.setFont("Garuda", 14)
        y = height - 60
        for line in lines[start : start + lines_per_page]:
            pdf.drawString(50, y, line)
            y -= 19
        pdf.showPage()
    pdf.save()
    return path


def scanned_pdf(src_pdf: Path, path: Path, dpi: int = 150) -> Path:
    """Re-make a PDF as a scanner would: each page rendered to a grey image, no text layer."""
    path = Path(path)
    with pymupdf.open(src_pdf) as src, pymupdf.open() as out:
        for page in src:
            pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY)
            new_page = out.new_page(width=page.rect.width, height=page.rect.height)
            new_page.insert_image(new_page.rect, stream=pix.tobytes("png"))
        out.save(path, garbage=3, deflate=True)
    return path


def docx_file(
    paragraphs: Sequence[str],
    path: Path,
    title: str = "",
    heading: str = "",
    table: Sequence[Sequence[str]] = (),
    textboxes: Sequence[str] = (),
) -> Path:
    """A Word document: optional Heading 1, paragraphs, optional table (rows of cells), and
    text boxes the way Word saves them (DrawingML with a VML fallback copy), as in org charts."""
    import docx
    from docx.oxml import parse_xml

    document = docx.Document()
    if title:
        document.core_properties.title = title
    if heading:
        document.add_heading(heading, level=1)
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=max(len(row) for row in table))
        for row_cells, row in zip(grid.rows, table, strict=True):
            for cell, value in zip(row_cells.cells, row, strict=False):
                cell.text = value
    for text in textboxes:
        document.add_paragraph()._p.append(
            parse_xml(_TEXTBOX_XML.format(text=html_lib.escape(text)))
        )
    path = Path(path)
    document.save(str(path))
    return path


_TEXTBOX_XML = (
    '<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    ' xmlns:v="urn:schemas-microsoft-com:vml"'
    ' xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
    '<mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><w:txbxContent>'
    "<w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:txbxContent></w:drawing></mc:Choice>"
    "<mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent>"
    "<w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:txbxContent></v:textbox></v:shape></w:pict>"
    "</mc:Fallback></mc:AlternateContent></w:r>"
)


def xlsx_file(rows: Sequence[Sequence[Any]], path: Path, sheet: str = "Sheet1") -> Path:
    """An Excel workbook with one sheet holding ``rows``."""
    import openpyxl

    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    for row in rows:
        worksheet.append(list(row))
    path = Path(path)
    workbook.save(str(path))
    return path
