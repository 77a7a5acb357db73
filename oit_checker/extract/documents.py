"""Text from the files agencies publish as OIT evidence: PDF, DOCX, XLSX/XLS, DOC and images.

Most OIT evidence is a file, not a web page, and much of it is hard to read: scanned PDFs with no
text layer, shaped Thai with private-use glyphs, Word exports with "Microsoft Word - x.docx" as
their title, organisation charts as JPGs. :func:`extract_document` turns any of them into a
:class:`~oit_checker.models.Page` whose ``text`` is normalised like HTML text, so the checker can
treat documents and pages alike. It never raises on bad input: a broken file gives an empty Page
with a note saying why, because one unreadable file must not stop an audit.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import io
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from oit_checker.bounds import flatten_html, office_zip_problem
from oit_checker.models import Link, Page, ResourceKind
from oit_checker.settings import default
from oit_checker.thai import compact, fix_pdf_thai, normalize
from oit_checker.urls import absolute_url

if TYPE_CHECKING:
    import pymupdf


@functools.cache
def _mupdf() -> Any:
    """PyMuPDF, imported on first use: every `oit` command starts 0.1 s sooner without it."""
    import pymupdf

    pymupdf.TOOLS.mupdf_display_errors(False)  # broken PDFs are expected; notes report them
    return pymupdf


# PyMuPDF is not thread-safe; callers may run extract_document in worker threads, so MuPDF work
# is serialised. The lock is let go while tesseract runs, so OCR of several documents overlaps.
_MUPDF_LOCK = threading.Lock()
_mupdf_state = threading.local()


@contextlib.contextmanager
def _mupdf_locked() -> Iterator[None]:
    with _MUPDF_LOCK:
        _mupdf_state.held = True
        try:
            yield
        finally:
            _mupdf_state.held = False
            _mupdf().TOOLS.reset_mupdf_warnings()  # the warning store grows with every bad file


@contextlib.contextmanager
def _mupdf_released() -> Iterator[None]:
    if not getattr(_mupdf_state, "held", False):
        yield
        return
    _mupdf_state.held = False
    _MUPDF_LOCK.release()
    try:
        yield
    finally:
        _MUPDF_LOCK.acquire()
        _mupdf_state.held = True


# --- limits: bound memory and time per document --------------------------------------------
MAX_TEXT_PAGES = 200  # PDFs longer than this have only their first pages' text read
MAX_SHEET_ROWS = 5000  # rows read per workbook (all sheets together)
MAX_SHEET_COLUMNS = 200  # columns read per row; sheets with a bogus huge dimension stay cheap
MAX_OCR_PIXELS = 30_000_000  # a page or image bigger than this is rendered at a lower dpi
MIN_IMAGE_OCR_SIDE = 64  # icons and spacer GIFs are not worth OCR
MIN_IMAGE_OCR_WIDTH = 1200  # small images are upscaled to about this width before OCR
MAX_IMAGE_UPSCALE = 3.0
MIN_OCR_SECONDS_LEFT = 1.0  # below this much budget a page cannot finish; stop instead

# --- text-layer quality: when a PDF page's own text cannot be trusted ------------------------
# A page with fewer meaningful characters than this, and an image on it, is taken as scanned.
SCANNED_MAX_CHARS = 40
# A page mostly covered by an image (>= 60 %) with less text than this is a scan with a typed
# header or stamp: the image holds the content.
SCANNED_WITH_HEADER_MAX_CHARS = 200
# A page whose non-space characters are at least this share of garbage (U+FFFD, private-use,
# control, letters of neither Thai nor basic Latin) is OCR'd instead.
GARBAGE_SHARE = 0.30
GARBAGE_MIN_CHARS = 20  # too little text to judge

# --- titles --------------------------------------------------------------------------------
# Metadata titles that name the tool or file rather than the content (matched case-insensitively
# against the whole title).
MEANINGLESS_TITLE_RE = re.compile(
    r"^(microsoft (word|excel|powerpoint)\s*-.*|untitled.*|document\d*|book\d*|sheet\d*|"
    r"presentation\d*|powerpoint presentation|about:blank|slide \d+|pdf|new document|"
    r"เอกสาร\s*\d*|ไม่มีชื่อ.*|.*\.(docx?|xlsx?|pptx?|pdf|rtf|odt|jpe?g|png|tiff?)|"
    r"[\d\W_]*)$",
    re.IGNORECASE,
)
# Lines at the top of Thai official documents that say nothing about the subject (compacted).
BOILERPLATE_LINES = frozenset(
    {"ด่วน", "ด่วนมาก", "ด่วนที่สุด", "ลับ", "ลับมาก", "ลับที่สุด", "สำเนา", "สำเนาคู่ฉบับ"}
)
PAGE_NUMBER_RE = re.compile(r"^[\s\-–—(]*(หน้า|page)?\s*[\d๐-๙]+\s*(/\s*[\d๐-๙]+)?[\s\-–—)]*$", re.I)
TITLE_MIN_CHARS = 20  # a first line shorter than this is joined with the next one(s)
TITLE_MAX_LINES = 3
TITLE_MAX_CHARS = 200

# The notes OCR leaves on a page it did not finish; the checkers read them back (judging.py):
# a scan cut by a clock may hold what is missing, so its item is uncertain, never absent.
OCR_STOPPED, OCR_SKIPPED, OCR_TIME_LIMIT = "ocr stopped", "ocr skipped", "time limit"


def ocr_cut_by_clock(note: str) -> bool:
    """Whether ``note`` says OCR stopped at its time limit or the audit's deadline."""
    return note.startswith((OCR_STOPPED, OCR_SKIPPED)) and OCR_TIME_LIMIT in note


@dataclass
class OcrOptions:
    """How scanned pages and images are read. Defaults are what toolchain.md found best."""

    enabled: bool = default("ocr")
    languages: str = "tha+eng"
    dpi: int = 200
    max_pages: int = 5  # OCR at most this many pages per document
    max_seconds: float = default("ocr_seconds")  # per document (a clock: see check/judging)
    psm: int = 6
    # The audit's wall-clock deadline (time.monotonic()): OCR stops there whatever time the
    # document has left. Not part of method(): it does not change what OCR reads.
    deadline: float | None = None

    def method(self) -> str:
        """Cache method key: results depend on these settings and nothing else."""
        return f"ocr:{self.languages}:{self.dpi}:{self.psm}"


class TextCache(Protocol):
    """Where OCR results are kept between runs, keyed by the document's content hash."""

    def get_text(self, sha256: str, method: str) -> str | None: ...
    def put_text(self, sha256: str, method: str, text: str) -> None: ...


@functools.lru_cache(maxsize=8)
def _tesseract_languages(binary: str) -> frozenset[str]:
    try:
        out = subprocess.run(
            [binary, "--list-langs"], capture_output=True, timeout=20, check=False
        ).stdout.decode("utf-8", "replace")
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    return frozenset(line.strip() for line in out.splitlines()[1:] if line.strip())


def _tesseract_missing(languages: str) -> str:
    """Why OCR cannot run here, or "" when it can."""
    binary = shutil.which("tesseract")
    if not binary:
        return "tesseract not installed"
    missing = set(languages.split("+")) - _tesseract_languages(binary)
    return f"tesseract language data missing: {'+'.join(sorted(missing))}" if missing else ""


def ocr_available() -> bool:
    """True when the tesseract binary and its Thai data are installed."""
    return not _tesseract_missing("tha")


class _OcrTimeout(Exception):
    pass


def _run_tesseract(png: bytes, options: OcrOptions, timeout: float) -> str:
    """One image through tesseract; OMP_THREAD_LIMIT=1 makes it about 4x faster (toolchain §4)."""
    command = ["tesseract", "stdin", "stdout", "-l", options.languages, "--psm", str(options.psm)]
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    try:
        done = subprocess.run(
            command, input=png, capture_output=True, timeout=timeout, env=env, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise _OcrTimeout from exc
    if done.returncode != 0:
        error = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RuntimeError(f"tesseract exit {done.returncode}: {error[-1] if error else ''}")
    return done.stdout.decode("utf-8", "replace")


class _Ocr:
    """OCR for one document: the cache, the page and time budget, and the notes to report."""

    def __init__(self, body: bytes, options: OcrOptions, cache: TextCache | None) -> None:
        self.options = options
        self.cache = cache
        self.sha256 = hashlib.sha256(body).hexdigest()
        self.started = time.monotonic()
        self.pages_run = 0  # tesseract runs
        self.pages_cached = 0
        self.seconds = 0.0
        self.problem = ""  # first reason OCR stopped or could not start
        self._missing: str | None = None

    def read(self, method_suffix: str, render: Any) -> str | None:
        """Cached OCR text for one image, or run tesseract on ``render()`` (PNG bytes).

        None when OCR did not run (disabled, unavailable, budget spent, failure); the reason is
        kept in ``problem``.
        """
        method = self.options.method() + method_suffix
        if self.cache is not None:
            cached = self.cache.get_text(self.sha256, method)
            if cached is not None:
                self.pages_cached += 1
                return cached
        if self.problem:
            return None
        if self._missing is None:
            self._missing = _tesseract_missing(self.options.languages)
        if self._missing:
            self.problem = self._missing
            return None
        remaining = self.options.max_seconds - (time.monotonic() - self.started)
        if self.options.deadline is not None:
            remaining = min(remaining, self.options.deadline - time.monotonic())
        if remaining < MIN_OCR_SECONDS_LEFT:
            self.problem = f"{OCR_TIME_LIMIT} {self.options.max_seconds:g} s reached"
            return None
        began = time.monotonic()
        try:
            png = render()
            with _mupdf_released():
                text = _run_tesseract(png, self.options, remaining)
        except _OcrTimeout:
            self.problem = f"{OCR_TIME_LIMIT} {self.options.max_seconds:g} s reached"
            return None
        except (OSError, RuntimeError, ValueError, _mupdf().FileDataError) as exc:
            self.problem = f"failed: {exc}"
            return None
        finally:
            self.seconds += time.monotonic() - began
        self.pages_run += 1
        if self.cache is not None:
            self.cache.put_text(self.sha256, method, text)
        return text

    def summary(self) -> str:
        parts = []
        if self.pages_run:
            parts.append(f"ocr: {_count(self.pages_run, 'page')}, {self.seconds:.1f} s")
        if self.pages_cached:
            parts.append(f"ocr: {_count(self.pages_cached, 'page')} from cache")
        return "; ".join(parts)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


# --- entry point -----------------------------------------------------------------------------


def extract_document(
    url: str,
    kind: ResourceKind,
    body: bytes,
    ocr: OcrOptions | None = None,
    cache: TextCache | None = None,
) -> Page:
    """Read one document into a Page; never raises on bad input.

    ``kind`` is what the fetcher decided; when the bytes plainly say otherwise (a ".xls" that is
    an HTML table, a ".pdf" link that serves a DOCX) the bytes win and a note says so.
    """
    options = ocr if ocr is not None else OcrOptions()
    page = Page(url=url, kind=kind, text_source="none")
    if not body:
        page.notes.append("empty body: nothing to extract")
        return page
    actual = _sniff(body) or kind
    if actual != kind:
        page.notes.append(f"declared {kind} but content is {actual}")
    reader = _READERS.get(actual)
    if reader is None:
        page.notes.append(f"{actual} format not supported")
        return page
    too_large = office_zip_problem(body) if actual in ("docx", "xlsx") else ""
    if too_large:  # a zip bomb, or a workbook too big to read in memory
        page.notes.append(too_large)
        return page
    try:
        if actual in ("pdf", "image"):
            with _mupdf_locked():
                reader(page, body, options, cache)
        else:
            reader(page, body, options, cache)
    except Exception as exc:  # one odd file must not stop an audit
        page.text, page.text_source = "", "none"
        page.notes.append(f"{actual} unreadable: {type(exc).__name__}: {exc}"[:300])
    return page


def _sniff(body: bytes) -> str | None:
    """The kind the magic bytes say, or None when they say nothing clear."""
    head = body[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        if b"word/" in body[:200_000]:
            return "docx"
        if b"xl/" in body[:200_000]:
            return "xlsx"
        return None
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # OLE2: old Word or Excel
        if "WordDocument".encode("utf-16-le") in body:
            return "doc"
        if "Workbook".encode("utf-16-le") in body or "Book".encode("utf-16-le") in body:
            return "xls"
        return None
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"BM", b"II*\x00", b"MM\x00*")):
        return "image"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if stripped.startswith((b"<!doctype html", b"<html", b"<table", b"<meta", b"<?xml")):
        return "html" if b"<html" in head.lower() or b"<table" in head.lower() else None
    return None


# --- PDF -------------------------------------------------------------------------------------


def _read_pdf(page: Page, body: bytes, options: OcrOptions, cache: TextCache | None) -> None:
    try:
        document = _mupdf().open(stream=body, filetype="pdf")
    except Exception as exc:  # MuPDF raises several types for bad files
        page.notes.append(f"pdf unreadable: {exc}"[:300])
        return
    with document:
        if document.needs_pass and not document.authenticate(""):
            page.notes.append("pdf encrypted: a password is needed to open it")
            return
        try:
            page_count = document.page_count
        except Exception as exc:
            page.notes.append(f"pdf unreadable: {exc}"[:300])
            return
        if page_count == 0:
            page.notes.append("pdf unreadable: no pages found (truncated or damaged file)")
            return
        if page_count > MAX_TEXT_PAGES:
            page.notes.append(f"text limited to {MAX_TEXT_PAGES} of {page_count} pages")
        _read_pdf_pages(page, document, min(page_count, MAX_TEXT_PAGES), body, options, cache)
        try:
            metadata_title = _meaningful_title((document.metadata or {}).get("title") or "")
        except Exception:  # a damaged info dictionary is no reason to fail
            metadata_title = ""
        page.title = metadata_title or page.title


def _read_pdf_pages(
    page: Page,
    document: pymupdf.Document,
    page_count: int,
    body: bytes,
    options: OcrOptions,
    cache: TextCache | None,
) -> None:
    texts: list[str] = []
    wanting_ocr: list[int] = []  # page numbers whose text layer is missing or garbage
    broken_pages = 0
    for number in range(page_count):
        try:
            pdf_page = document.load_page(number)
            raw = pdf_page.get_text()
            text = _repair_text_layer(fix_pdf_thai(raw))
            if _needs_ocr(pdf_page, text):
                wanting_ocr.append(number)
            page.links.extend(_pdf_links(pdf_page, page.url))
        except Exception:  # a damaged page must not lose the others
            broken_pages += 1
            text = ""
        texts.append(text)
    if broken_pages:
        page.notes.append(f"pdf damaged: {broken_pages} of {page_count} pages unreadable")

    used_ocr = False
    if wanting_ocr:
        used_ocr = _ocr_pdf_pages(page, document, wanting_ocr, texts, body, options, cache)
    full_text = "\n".join(texts)
    page.text = normalize(full_text)
    page.text_source = ("ocr" if used_ocr else "pdf-text") if page.text else "none"
    page.title = _title_from_lines(texts[0].splitlines() if texts else [])
    if not page.text and not wanting_ocr and not broken_pages:
        page.notes.append("pdf has no text and no images")


def _ocr_pdf_pages(
    page: Page,
    document: pymupdf.Document,
    numbers: list[int],
    texts: list[str],
    body: bytes,
    options: OcrOptions,
    cache: TextCache | None,
) -> bool:
    """OCR the given pages in place in ``texts``; returns whether any OCR text was used."""
    if not options.enabled:
        page.notes.append(f"ocr disabled: {_count(len(numbers), 'page')} without usable text")
        return False
    reader = _Ocr(body, options, cache)
    selected = numbers[: options.max_pages]
    if len(numbers) > options.max_pages:
        page.notes.append(f"ocr limited to {options.max_pages} of {len(numbers)} pages")
    used = False
    done = 0
    for number in selected:
        pdf_page = document.load_page(number)
        text = reader.read(f":p{number}", lambda p=pdf_page: _render_page(p, options.dpi))
        if text is None:
            break
        done += 1
        text = fix_pdf_thai(text)
        if compact(text):
            texts[number] = _with_text_layer(texts[number], text)
            used = True
    if reader.summary():
        page.notes.append(reader.summary())
    if reader.problem and done:
        page.notes.append(f"{OCR_STOPPED} after {done} of {len(selected)} pages: {reader.problem}")
    elif reader.problem:
        page.notes.append(f"{OCR_SKIPPED}: {reader.problem}")
    return used


def _with_text_layer(layer: str, ocr_text: str) -> str:
    """A page OCR'd for its picture keeps the text layer it had, unless that layer is garbage:
    a searchable scan or a legacy-font PDF carries its whole text under a full-page image, and
    the OCR of that image can lose what the layer holds (a small table's figures)."""
    if not compact(layer) or _garbage_share(layer) >= GARBAGE_SHARE:
        return ocr_text
    return f"{layer}\n{ocr_text}"


def _render_page(pdf_page: pymupdf.Page, dpi: int) -> bytes:
    """Grey PNG of a page; huge pages (posters, A0 plans) drop dpi to stay under the pixel cap."""
    width_in, height_in = pdf_page.rect.width / 72, pdf_page.rect.height / 72
    pixels = width_in * height_in * dpi * dpi
    if pixels > MAX_OCR_PIXELS:
        dpi = max(int(dpi * (MAX_OCR_PIXELS / pixels) ** 0.5), 30)
    return pdf_page.get_pixmap(dpi=dpi, colorspace=_mupdf().csGRAY).tobytes("png")


def _needs_ocr(pdf_page: pymupdf.Page, text: str) -> bool:
    """Scanned (near-empty text layer with an image) or a text layer that is mostly garbage."""
    meaningful = compact(text)
    if len(meaningful) < SCANNED_MAX_CHARS:
        return bool(pdf_page.get_images())
    if len(meaningful) < SCANNED_WITH_HEADER_MAX_CHARS and _image_coverage(pdf_page) >= 0.6:
        return True
    return _garbage_share(text) >= GARBAGE_SHARE


def _image_coverage(pdf_page: pymupdf.Page) -> float:
    """Share of the page area covered by images (overlaps counted twice, capped at 1)."""
    page_area = abs(pdf_page.rect) or 1.0
    covered = sum(
        abs(_mupdf().Rect(info["bbox"]) & pdf_page.rect) for info in pdf_page.get_image_info()
    )
    return min(covered / page_area, 1.0)


def _is_garbage_char(char: str) -> bool:
    code = ord(char)
    if 0x0E00 <= code <= 0x0E7F or code < 0x80:
        return code < 0x20 and char not in "\t\n\r"
    if char == "\ufffd" or 0xE000 <= code <= 0xF8FF:
        return True
    category = unicodedata.category(char)
    return category[0] == "L" or category in ("Cc", "Co", "Cn", "Cs")


def _garbage_share(text: str, min_chars: int = GARBAGE_MIN_CHARS) -> float:
    chars = [char for char in text if not char.isspace()]
    if not chars or len(chars) < min_chars:
        return 0.0
    return sum(map(_is_garbage_char, chars)) / len(chars)


def _repair_text_layer(text: str) -> str:
    """Undo a common broken Thai text layer: TIS-620 bytes shown as Latin-1 ("¡ÒÃ" for "การ").

    Old Thai fonts without a ToUnicode map make PDF text come out as Latin-1 letters; decoding
    those code points as cp874 gives the Thai back. Only applied when the result is mostly Thai.
    """
    chars = [char for char in text if not char.isspace()]
    if len(chars) < GARBAGE_MIN_CHARS:
        return text
    high_latin = sum(1 for char in chars if 0xA1 <= ord(char) <= 0xFB)
    if high_latin / len(chars) < GARBAGE_SHARE or any(
        "\u0e00" <= char <= "\u0e7f" for char in chars
    ):
        return text
    try:
        decoded = text.encode("latin-1").decode("cp874")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text
    thai = sum(1 for char in decoded if "\u0e00" <= char <= "\u0e7f")
    return decoded if thai / len(chars) >= 0.5 else text


def _pdf_links(pdf_page: pymupdf.Page, base_url: str) -> Iterator[Link]:
    """Web links in the PDF: OIT hub documents often list evidence as clickable URLs."""
    for link in pdf_page.get_links():
        uri = link.get("uri") or ""
        if not uri:
            continue
        absolute = absolute_url(base_url, uri)
        if not absolute:
            continue
        label = pdf_page.get_textbox(link["from"]) if link.get("from") else ""
        yield Link(url=absolute, text=normalize(label), raw_href=uri, tag="a")


# --- Office ------------------------------------------------------------------------------------


def _read_docx(page: Page, body: bytes, options: OcrOptions, cache: TextCache | None) -> None:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = docx.Document(io.BytesIO(body))
    lines: list[str] = []
    headings: list[str] = []

    def walk(blocks: Iterable[Paragraph | Table]) -> None:
        for block in blocks:
            if isinstance(block, Paragraph):
                text = block.text.strip()
                if not text:
                    continue
                lines.append(text)
                style = (block.style.name if block.style is not None else "") or ""
                if style.lower().startswith(("heading", "title", "หัวเรื่อง", "ชื่อเรื่อง")):
                    headings.append(text)
                for hyperlink in block.hyperlinks:
                    address = hyperlink.address or ""
                    absolute = absolute_url(page.url, address) if address else ""
                    if absolute:
                        page.links.append(
                            Link(url=absolute, text=normalize(hyperlink.text), raw_href=address)
                        )
            else:
                for row in block.rows:
                    cells: list[str] = []
                    seen: set[int] = set()
                    for cell in row.cells:  # a merged cell repeats: read each one once
                        if id(cell._tc) in seen:
                            continue
                        seen.add(id(cell._tc))
                        text = " ".join(p.text.strip() for p in cell.paragraphs if p.text.strip())
                        if text:
                            cells.append(text)
                        walk(cell.tables)
                    if cells:
                        lines.append(" | ".join(cells))

    walk(document.iter_inner_content())
    lines.extend(_docx_textboxes(document))
    page.text = normalize("\n".join(lines))
    page.text_source = "docx" if page.text else "none"
    page.headings = [normalize(heading) for heading in headings]
    page.title = (
        _meaningful_title(document.core_properties.title or "")
        or (page.headings[0] if page.headings else "")
        or _title_from_lines(lines)
    )
    if not page.text:
        page.notes.append("docx has no text")


_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _docx_textboxes(document: Any) -> list[str]:
    """Text boxes and shapes (organisation charts are often drawn this way in Word).

    Each box appears twice (DrawingML and a VML fallback); the fallback copy is skipped.
    """
    lines = []
    body = document.element.body
    for box in body.iter(f"{{{_W_NS}}}txbxContent"):
        if any(ancestor.tag.endswith("}Fallback") for ancestor in box.iterancestors()):
            continue
        for paragraph in box.iter(f"{{{_W_NS}}}p"):
            text = "".join(node.text or "" for node in paragraph.iter(f"{{{_W_NS}}}t")).strip()
            if text:
                lines.append(text)
    return lines


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date().isoformat()
    return str(value).strip()


def _rows_to_lines(rows: Iterable[Iterable[Any]]) -> list[str]:
    lines = []
    for row in rows:
        cells = [text for text in map(_cell_text, row) if text]
        if cells:
            lines.append(" | ".join(cells))
    return lines


def _finish_sheets(
    page: Page, kind: str, sheets: list[tuple[str, list[str]]], capped: bool
) -> None:
    lines = [line for _, sheet_lines in sheets for line in sheet_lines]
    page.text = normalize("\n".join(lines))
    page.text_source = "xlsx" if page.text else "none"
    page.headings = [normalize(name) for name, _ in sheets if name]
    if page.title == "":
        page.title = _title_from_lines(lines)
    if capped:
        page.notes.append(f"{kind} limited to {MAX_SHEET_ROWS} rows")
    if not page.text:
        page.notes.append(f"{kind} has no cell values")


def _read_xlsx(page: Page, body: bytes, options: OcrOptions, cache: TextCache | None) -> None:
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(body), read_only=True, data_only=True)
    try:
        page.title = _meaningful_title(workbook.properties.title or "")
        budget = MAX_SHEET_ROWS
        sheets: list[tuple[str, list[str]]] = []
        capped = False
        for worksheet in workbook.worksheets:
            if budget <= 0:
                capped = True
                break
            rows = worksheet.iter_rows(values_only=True, max_col=MAX_SHEET_COLUMNS)
            taken = []
            for row in rows:
                if len(taken) >= budget:
                    capped = True
                    break
                taken.append(row)
            budget -= len(taken)
            sheets.append((worksheet.title, _rows_to_lines(taken)))
    finally:
        workbook.close()
    _finish_sheets(page, "xlsx", sheets, capped)


def _read_xls(page: Page, body: bytes, options: OcrOptions, cache: TextCache | None) -> None:
    import xlrd

    workbook = xlrd.open_workbook(file_contents=body, on_demand=True)
    try:
        budget = MAX_SHEET_ROWS
        sheets: list[tuple[str, list[str]]] = []
        capped = False
        for index in range(workbook.nsheets):
            if budget <= 0:
                capped = True
                break
            sheet = workbook.sheet_by_index(index)
            nrows = min(sheet.nrows, budget)
            capped = capped or sheet.nrows > budget
            rows = []
            for number in range(nrows):
                row = []
                for cell in sheet.row_slice(number, 0, min(sheet.ncols, MAX_SHEET_COLUMNS)):
                    value = cell.value
                    if cell.ctype == xlrd.XL_CELL_DATE:
                        with contextlib.suppress(ValueError, OverflowError, xlrd.XLDateError):
                            value = xlrd.xldate_as_datetime(value, workbook.datemode)
                    row.append(value)
                rows.append(row)
            budget -= nrows
            sheets.append((sheet.name, _rows_to_lines(rows)))
            workbook.unload_sheet(index)
    finally:
        workbook.release_resources()
    _finish_sheets(page, "xls", sheets, capped)


def _read_doc(page: Page, body: bytes, options: OcrOptions, cache: TextCache | None) -> None:
    """Old binary Word: antiword when installed (no Python reader exists without new deps)."""
    binary = shutil.which("antiword")
    if not binary:
        page.notes.append("doc format not supported: antiword not installed")
        return
    with tempfile.NamedTemporaryFile(suffix=".doc") as handle:
        handle.write(body)
        handle.flush()
        try:
            done = subprocess.run(
                [binary, "-m", "UTF-8.txt", "-w", "0", handle.name],
                capture_output=True,
                timeout=30,
                check=False,
            )
        except subprocess.TimeoutExpired:
            page.notes.append("doc unreadable: antiword timed out")
            return
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()[:200]
        page.notes.append(f"doc unreadable: antiword exit {done.returncode}: {message}")
        return
    raw = done.stdout.decode("utf-8", "replace")
    page.text = normalize(raw)
    page.text_source = "doc" if page.text else "none"
    page.title = _title_from_lines(raw.splitlines())


def _read_html(page: Page, body: bytes, options: OcrOptions, cache: TextCache | None) -> None:
    """A "document" link that serves HTML (".xls" exports are often HTML tables)."""
    from selectolax.lexbor import LexborHTMLParser

    try:
        decoded = body.decode("utf-8")
    except UnicodeDecodeError:
        decoded = body.decode("cp874", errors="replace")
    flat = flatten_html(decoded)
    if flat.note:
        page.notes.append(flat.note)
    tree = LexborHTMLParser(flat.html)
    for node in tree.css("script, style, noscript"):
        node.decompose()
    lines = []
    for row in tree.css("tr"):
        cells = [cell.text(separator=" ").strip() for cell in row.css("td, th")]
        if any(cells):
            lines.append(" | ".join(cell for cell in cells if cell))
    if not lines and tree.body is not None:
        lines = tree.body.text(separator="\n").splitlines()
    title_node = tree.css_first("title")
    page.text = normalize("\n".join(lines))
    page.text_source = "html" if page.text else "none"
    page.title = _meaningful_title(title_node.text() if title_node else "") or _title_from_lines(
        lines
    )


# --- images ----------------------------------------------------------------------------------


def _read_image(page: Page, body: bytes, options: OcrOptions, cache: TextCache | None) -> None:
    if not options.enabled:
        page.notes.append("ocr disabled: image text not read")
        return
    try:
        picture = _mupdf().Pixmap(body)
    except Exception as exc:
        # MuPDF cannot decode WebP; tesseract's own reader (leptonica) can, so hand it the bytes.
        picture, decode_error = None, str(exc)
    if picture is not None and min(picture.width, picture.height) < MIN_IMAGE_OCR_SIDE:
        page.notes.append(f"image too small for ocr: {picture.width}x{picture.height}")
        return
    reader = _Ocr(body, options, cache)
    text = reader.read(":image", lambda: body if picture is None else _image_png(body, picture))
    if reader.summary():
        page.notes.append(reader.summary())
    if text is None:
        if picture is None and reader.problem.startswith("failed"):
            page.notes.append(f"image unreadable: {decode_error}"[:300])
        else:
            page.notes.append(f"{OCR_SKIPPED}: {reader.problem}")
        return
    text = fix_pdf_thai(text)
    page.text = normalize(text)
    page.text_source = "ocr" if page.text else "none"
    page.title = _title_from_lines(text.splitlines())


def _image_png(body: bytes, picture: pymupdf.Pixmap) -> bytes:
    """Grey PNG on a white background (transparent org charts would otherwise turn black)."""
    scale = min(max(MIN_IMAGE_OCR_WIDTH / picture.width, 1.0), MAX_IMAGE_UPSCALE)
    pixels = picture.width * picture.height * scale * scale
    if pixels > MAX_OCR_PIXELS:
        scale *= (MAX_OCR_PIXELS / pixels) ** 0.5
    with _mupdf().open() as canvas:
        width, height = picture.width * scale, picture.height * scale
        sheet = canvas.new_page(width=width, height=height)
        sheet.insert_image(sheet.rect, stream=body)
        return sheet.get_pixmap(dpi=72, colorspace=_mupdf().csGRAY).tobytes("png")


# --- titles --------------------------------------------------------------------------------


def _meaningful_title(title: str) -> str:
    """A metadata title if it names the content, else "" ("Microsoft Word - x.docx" does not)."""
    title = " ".join(fix_pdf_thai(title).split())
    if len(compact(title)) < 4 or MEANINGLESS_TITLE_RE.match(title):
        return ""
    if _garbage_share(title, min_chars=1) >= GARBAGE_SHARE:
        return ""
    return normalize(title)


def _is_trivial_line(line: str) -> bool:
    squeezed = compact(line)
    if len(squeezed) < 3 or squeezed in BOILERPLATE_LINES:
        return True
    if PAGE_NUMBER_RE.match(line):
        return True
    return not any(char.isalpha() for char in squeezed)


def _title_from_lines(lines: Iterable[str]) -> str:
    """The first non-trivial line(s): short first lines are joined with the next ones, so
    "ประกาศองค์การบริหารส่วนตำบลน้ำใส" + "เรื่อง ..." make one title."""
    picked: list[str] = []
    for line in lines:
        line = line.strip()
        if not line:
            continue
        if _is_trivial_line(line):
            if picked:
                break
            continue
        starts_subject = compact(line).startswith("เรื่อง")
        if picked and len(compact(" ".join(picked))) >= TITLE_MIN_CHARS and not starts_subject:
            break
        picked.append(line)
        if len(picked) >= TITLE_MAX_LINES or starts_subject:
            break
    return normalize(" ".join(picked))[:TITLE_MAX_CHARS]


_READERS = {
    "pdf": _read_pdf,
    "docx": _read_docx,
    "xlsx": _read_xlsx,
    "xls": _read_xls,
    "doc": _read_doc,
    "image": _read_image,
    "html": _read_html,
}
