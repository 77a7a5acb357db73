"""How the XLSX answer sheet prints: A4 landscape, every column on one page width, the header
row on each page, and rows tall enough for their wrapped text.

Row heights are written, not left to the spreadsheet: LibreOffice keeps the default 15 pt for
rows openpyxl wrote without a height, so a wrapped explanation (or a long URL) prints as one
clipped line over the next row. The height is estimated from the text's display width — Thai
vowel and tone marks sit above or below a consonant and take no width — and errs tall.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

# Thai marks drawn above or below the consonant before them (no advance width).
_ZERO_WIDTH_THAI = re.compile("[\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]")
LINE_POINTS = 16.5  # one wrapped line of 11 pt text, Thai fonts' tall ascenders included
PAD_POINTS = 3.0
# Characters of 11 pt text per unit of Excel column width: under 1, since Thai glyphs are wider
# than the "0" the unit is measured in, and a line wraps at a word, not at the last character.
FILL = 0.85


def display_chars(text: str) -> int:
    """How many characters of ``text`` take width on a line."""
    return len(_ZERO_WIDTH_THAI.sub("", text))


def text_lines(text: str, width: float) -> int:
    """Lines ``text`` wraps to in a column ``width`` units wide (a URL breaks anywhere)."""
    per_line = max(1, int(width * FILL))
    return sum(max(1, math.ceil(display_chars(part) / per_line)) for part in text.split("\n"))


def row_height(values: Sequence[Any], widths: Sequence[float], whole: int = -1) -> float:
    """Points for a row whose cells wrap: its tallest cell's lines (column ``whole``, 0-based,
    holds one line: see :func:`keep_whole`)."""
    lines = max(
        (
            1 if n == whole else text_lines(str(v), w)
            for n, (v, w) in enumerate(zip(values, widths, strict=False))
            if v not in (None, "")
        ),
        default=1,
    )
    return lines * LINE_POINTS + PAD_POINTS


def set_row_heights(sheet: Any, widths: Sequence[float], whole: int = -1) -> None:
    """Each row as tall as its wrapped text (see the module docstring for why)."""
    for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
        sheet.row_dimensions[number].height = row_height(cells, widths, whole)


def whole_width(texts: Sequence[str], low: float, high: float) -> float:
    """A column width that shows the longest of ``texts`` on one line, within [low, high]."""
    longest = max((display_chars(t) for t in texts), default=0)
    return min(high, max(low, longest * 1.05 + 2))


def keep_whole(cells: Sequence[Any], width: float) -> None:
    """Cells (URLs) that must not be cut: one line, shrunk to the column when longer than it.

    A spreadsheet wraps only at spaces and hyphens it trusts; a URL has none, so wrapped it
    is clipped at the column's edge, and a clipped URL cannot be typed back."""
    from openpyxl.styles import Alignment

    for cell in cells:
        long = display_chars(str(cell.value or "")) * 1.05 + 2 > width
        cell.alignment = Alignment(vertical="top", wrap_text=False, shrink_to_fit=long)


def fit_for_print(sheet: Any, header_rows: int = 1) -> None:
    """A4 landscape, one page wide and as many pages tall as needed, header on every page."""
    setup = sheet.page_setup
    setup.orientation = "landscape"
    setup.paperSize = sheet.PAPERSIZE_A4
    setup.fitToWidth, setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.gridLines = True  # the rows stay apart on paper
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.5
    if header_rows:
        sheet.print_title_rows = f"1:{header_rows}"
