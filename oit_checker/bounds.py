"""Limits that keep hostile input bounded before a parser sees it.

Two shapes of input make a parser's time or memory explode while the bytes stay small:

- **Deep nesting.** An HTML tree builder checks the stack of open elements on many start tags,
  and our extractor walks a link's ancestors; 512 KB of unclosed ``<div>`` (70,000 levels) took
  a minute. ``flatten_html`` drops the start tags (and their end tags) that would open an element
  deeper than ``MAX_HTML_DEPTH``, in one linear pass, keeping every piece of text and every
  link. Real pages nest a few dozen levels.
- **Zip bombs.** DOCX and XLSX are zip files whose XML parts are parsed whole; a 2 MB file can
  unpack to gigabytes. ``office_zip_problem`` reads the sizes in the zip's central directory
  first. ``zipfile`` never inflates a member past the size its directory entry declares (a
  member that lies fails its CRC check), so checking the directory bounds the unpacking.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

MAX_HTML_DEPTH = 64  # open elements deeper than this are flattened into their parent
MAX_HTML_CHARS = 5_000_000  # characters parsed per page (about 9 s at worst); the rest is cut
# Office files: most unpacked bytes in all members together, and in the largest single member.
MAX_UNPACKED_BYTES = 200 * 2**20
MAX_MEMBER_BYTES = 100 * 2**20
MAX_ZIP_MEMBERS = 10_000
# How the error or note of something cut short begins (cut_reason turns it into Thai).
TOO_LARGE, TOO_SLOW = "too large:", "too slow:"

# Elements without content: they never deepen the tree.
VOID_TAGS = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "keygen",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    ]
)
# Elements the HTML parser ends when another of their kind starts (a new <li> ends the last
# one, a new <td> the open cell with whatever was left unclosed in it), unless an element
# named here for them comes first (a <ul> inside an <li> starts a nested list). They are never
# dropped: links, headings, rows and cells survive flattening.
SIBLING_CLOSED_TAGS: dict[str, frozenset[str]] = {
    **dict.fromkeys(("li",), frozenset({"ul", "ol", "table"})),
    **dict.fromkeys(("dt", "dd"), frozenset({"dl", "table"})),
    **dict.fromkeys(("td", "th", "tr", "thead", "tbody", "tfoot"), frozenset({"table"})),
    **dict.fromkeys(("option", "optgroup"), frozenset({"select"})),
    **dict.fromkeys(
        ("p", "a", "button", "nobr", "form", "h1", "h2", "h3", "h4", "h5", "h6"),
        frozenset({"table", "td", "th", "button"}),
    ),
}
SIBLING_SEARCH = 16  # open elements looked through for the sibling a start tag ends
# Elements whose content is raw text: a "<div>" inside a script is not a tag.
RAW_TEXT_TAGS = frozenset({"script", "style", "textarea", "title", "xmp", "plaintext"})
# A tag: "<name ...>" or "</name>", or the start of a comment. Attributes are bounded so a "<"
# without its ">" never makes the scan quadratic.
TAG_RE = re.compile(r"<(?:(!--)|(/?)([A-Za-z][A-Za-z0-9:_-]*)([^<>]{0,8192}?)(/?)>)")


@dataclass
class Flattened:
    html: str
    dropped: int = 0  # start tags removed because they were nested too deep
    cut: bool = False  # the text was longer than MAX_HTML_CHARS

    @property
    def note(self) -> str:
        """English note for the Page (empty when the page was left as it was)."""
        notes = []
        if self.dropped:
            notes.append(
                f"nesting flattened: {self.dropped:,} elements deeper than {MAX_HTML_DEPTH}"
            )
        if self.cut:
            notes.append(f"page cut at {MAX_HTML_CHARS:,} characters")
        return "; ".join(notes)


def flatten_html(
    html: str, max_depth: int = MAX_HTML_DEPTH, max_chars: int = MAX_HTML_CHARS
) -> Flattened:
    """``html`` with no element nested deeper than ``max_depth``, in time linear in its length."""
    cut = len(html) > max_chars
    if cut:
        html = html[:max_chars]
    if html.count("<") <= max_depth:  # cannot nest deeper than it has tags
        return Flattened(html, 0, cut)
    flattener = _Flattener(html, max_depth)
    flattener.run()
    return Flattened(flattener.result(), flattener.dropped, cut)


class _Flattener:
    """One pass over the tags, with a model of HTML's stack of open elements: an element
    opened at ``max_depth`` has its start tag dropped, and the end tag that closes it too."""

    def __init__(self, html: str, max_depth: int) -> None:
        self.html, self.max_depth = html, max_depth
        self.stack: list[str] = []  # names of the open elements kept
        self.open_count: dict[str, int] = {}
        self.dropped_open: dict[str, int] = {}  # dropped and not yet closed, by name
        self.cuts: list[tuple[int, int]] = []  # spans of the tags removed
        self.dropped = 0

    def run(self) -> None:
        html, pos = self.html, 0
        while (match := TAG_RE.search(html, pos)) is not None:
            pos = match.end()
            if match.group(1):  # a comment: skip to its end
                end = html.find("-->", pos)
                pos = len(html) if end < 0 else end + 3
                continue
            name = match.group(3).lower()
            if match.group(2):
                drop = self._end_tag(name)
            elif name in RAW_TEXT_TAGS:
                pos = _raw_text_end(html, pos, name)
                continue
            elif name in VOID_TAGS or match.group(5):
                continue
            else:
                drop = self._start_tag(name)
            if drop:
                self.cuts.append(match.span())

    def _start_tag(self, name: str) -> bool:
        """Track a start tag; True when it is to be dropped."""
        boundaries = SIBLING_CLOSED_TAGS.get(name)
        if boundaries is not None:
            self._end_sibling(name, boundaries)
            if len(self.stack) < self.max_depth:
                self._push(name)
            return False
        if len(self.stack) < self.max_depth:
            self._push(name)
            return False
        self.dropped_open[name] = self.dropped_open.get(name, 0) + 1
        self.dropped += 1
        return True

    def _end_tag(self, name: str) -> bool:
        if self.dropped_open.get(name):  # it closes the innermost: one of the dropped ones
            self.dropped_open[name] -= 1
            return True
        if self.open_count.get(name):  # pop to the element it closes (HTML's end-tag rule)
            self._pop_through(name)
        return False

    def _end_sibling(self, name: str, boundaries: frozenset[str]) -> None:
        for top in reversed(self.stack[-SIBLING_SEARCH:]):
            if top in boundaries:
                return
            if top == name:
                self._pop_through(name)
                return

    def _push(self, name: str) -> None:
        self.stack.append(name)
        self.open_count[name] = self.open_count.get(name, 0) + 1

    def _pop_through(self, name: str) -> None:
        while self.stack:
            top = self.stack.pop()
            self.open_count[top] -= 1
            if top == name:
                return

    def result(self) -> str:
        if not self.cuts:
            return self.html
        pieces, kept_from = [], 0
        for start, end in self.cuts:
            pieces.append(self.html[kept_from:start])
            kept_from = end
        pieces.append(self.html[kept_from:])
        return "".join(pieces)


def _raw_text_end(html: str, pos: int, name: str) -> int:
    """Where the raw text of a <script>/<style>... opened at ``pos`` ends (its end tag)."""
    match = re.compile(rf"</{name}\s*>", re.I).search(html, pos)
    return len(html) if match is None else match.end()


def office_zip_problem(body: bytes) -> str:
    """Why a DOCX/XLSX must not be unpacked (too large once unpacked, too many parts), or ""
    when its zip directory is within the caps. A body that is not a zip is left to its reader."""
    try:
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        return ""
    if len(members) > MAX_ZIP_MEMBERS:
        return f"{TOO_LARGE} {len(members):,} parts in the zip (cap {MAX_ZIP_MEMBERS:,})"
    total = sum(m.file_size for m in members)
    largest = max(members, key=lambda m: m.file_size, default=None)
    if largest is not None and largest.file_size > MAX_MEMBER_BYTES:
        return (
            f"{TOO_LARGE} {largest.filename} unpacks to {megabytes(largest.file_size)} "
            f"(cap {megabytes(MAX_MEMBER_BYTES)})"
        )
    if total > MAX_UNPACKED_BYTES:
        return f"{TOO_LARGE} unpacks to {megabytes(total)} (cap {megabytes(MAX_UNPACKED_BYTES)})"
    return ""


def megabytes(size: int) -> str:
    return f"{size / 2**20:.1f} MB" if size < 10 * 2**20 else f"{size / 2**20:,.0f} MB"


def cut_reason(message: str) -> str:
    """Thai words for a download or file cut short by a limit ("" when ``message``, an error or
    a note, is not one): the file is not missing, it could not be read; check it by hand."""
    size = re.search(r"(\d[\d.,]*) MB", message)
    amount = f" ({size.group(1)} MB)" if size else ""
    if message.startswith(TOO_LARGE):
        return f"ไฟล์ใหญ่เกินกว่าจะอ่านได้{amount}"
    if message.startswith(TOO_SLOW):
        return (
            f"ไฟล์ดาวน์โหลดช้าเกินกว่าจะอ่านได้ทันเวลา (ได้มา {size.group(1) + ' MB' if size else 'บางส่วน'})"
        )
    return ""
