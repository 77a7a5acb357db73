"""Links a browser follows but an ``href`` does not hold: script handlers, data attributes, viewers.

Real Thai agency templates open evidence with ``onclick="window.open('/files/x.pdf')"``,
``href="javascript:openDoc('/files/x.pdf')"``, clickable table rows, ``data-href`` buttons, and
embed PDFs through a viewer (``viewer.html?file=…``, ``docs.google.com/viewer?url=…``). An
assessor clicks them and reads the document, so the checker must see them as links.

Nothing is executed: a target is recovered only from a string literal that is itself a URL or a
path (not one glued to a variable with ``+``), and the code read per element is bounded.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, unquote, urlsplit

from oit_checker.urls import absolute_url

# Attributes that hold script a click runs, and attributes that hold the target itself.
SCRIPT_ATTRS = ("onclick", "ondblclick", "onmousedown", "onmouseup")
DATA_ATTRS = ("data-href", "data-url", "data-file", "data-link", "data-pdf-src", "data-pdf")
MAX_SCRIPT_CHARS = 2_000  # a handler longer than this is an application, not a link
MAX_TARGETS_PER_ELEMENT = 4
# A JavaScript string literal: '…', "…" or `…` with backslash escapes.
STRING_RE = re.compile(r"""(['"`])((?:\\.|(?!\1)[^\\\n])*)\1""")
JS_ESCAPE_RE = re.compile(r"\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)")
# What a relative target without a slash must look like to be a file or page: "report.pdf",
# "index.php?id=3". A sentence ("ดาวน์โหลด report.pdf") has spaces and is not a target.
FILE_RE = re.compile(
    r"^[^\s:<>{}\"'`]+\.(?:pdf|docx?|xlsx?|pptx?|od[tsp]|rtf|csv|txt|zip|rar|7z|jpe?g|png|gif|"
    r"html?|php\d?|aspx?|jsp|cfm)(?:[?#]\S*)?$",
    re.I,
)
PATH_PREFIXES = ("http://", "https://", "//", "/", "./", "../", "?")
NOT_TARGET_PREFIXES = ("javascript:", "#", "mailto:", "tel:", "data:", "about:", "blob:")
# Query parameters through which a viewer or download page names the document it shows.
VIEWER_PARAMS = ("file", "url", "src", "pdf", "doc", "document", "path", "filename", "fileurl")
VIEWER_PATH_RE = re.compile(r"view|reader|flipbook|pdfjs|gview|preview|embed", re.I)


def looks_like_target(text: str) -> bool:
    """Is this string literal a URL or a path (not a CSS selector, a word or a sentence)?"""
    text = text.strip()
    if not text or len(text) > MAX_SCRIPT_CHARS or any(c in text for c in "\n\r<>{}\"'`"):
        return False
    lower = text.lower()
    if lower.startswith(NOT_TARGET_PREFIXES):
        return False
    if lower.startswith(PATH_PREFIXES):
        if lower.startswith("?"):
            return "=" in text and " " not in text
        if lower.startswith("//"):
            return "." in lower[2:].split("/", 1)[0]  # "//cdn.example.go.th/x.pdf"
        return len(text) > 1  # "/" alone is a date separator as often as the home page
    # A relative path: a file or page name ("report.pdf", "uploads/แผน 2568.pdf"), or a folder
    # ("ita2568/"); never "text/html" or a sentence.
    if "/" in text and FILE_RE.match(text.replace(" ", "_")):
        return True
    return bool(FILE_RE.match(text)) or (text.endswith("/") and not any(c.isspace() for c in text))


def script_targets(code: str) -> list[str]:
    """The URLs or paths a piece of inline script would open, as written, in order."""
    if not code or len(code) > MAX_SCRIPT_CHARS:
        return []
    if code[:11].lower() == "javascript:":
        code = unquote(code[11:])  # a browser percent-decodes a javascript: URL before running it
    out: list[str] = []
    for m in STRING_RE.finditer(code):
        quote, body = m.group(1), m.group(2)
        if quote == "`" and "${" in body:
            continue
        if _glued(code, m.start(), m.end()):
            continue  # '/view.php?id=' + id: the target is only known by running the code
        target = _unescape(body)
        if looks_like_target(target) and target not in out:
            out.append(target)
            if len(out) >= MAX_TARGETS_PER_ELEMENT:
                break
    return out


def element_targets(attributes: dict[str, str | None]) -> list[str]:
    """Targets an element opens on click: its data attributes, then its script handlers."""
    out: list[str] = []
    for name in DATA_ATTRS:
        value = (attributes.get(name) or "").strip()
        if value and looks_like_target(value) and value not in out:
            out.append(value)
    for name in SCRIPT_ATTRS:
        for target in script_targets(attributes.get(name) or ""):
            if target not in out:
                out.append(target)
    return out[:MAX_TARGETS_PER_ELEMENT]


def wrapped_document(url: str) -> str:
    """The document a viewer URL shows (PDF.js ``viewer.html?file=``, Google Docs
    ``viewer?url=``, Office ``embed.aspx?src=``, FlowPaper ``?pdf=``, ``/viewer?doc=``), as an
    absolute URL with its identity; "" when the URL is no viewer or wraps nothing. A download
    page (``download.php?file=x.pdf``) is not unwrapped: where it reads the file from is the
    server's business, and the link an assessor clicks is the download page."""
    try:
        parts = urlsplit(url)
        params = parse_qsl(parts.query, keep_blank_values=False)
    except ValueError:
        return ""
    if not VIEWER_PATH_RE.search(parts.path):
        return ""
    for name, value in params:
        if name.lower() in VIEWER_PARAMS and looks_like_target(value):
            target = absolute_url(url, value)
            if target and target != url:
                return target
    return ""


def _glued(code: str, start: int, end: int) -> bool:
    """Is the literal at code[start:end] concatenated with something (``'…' + x``)?"""
    before = code[:start].rstrip()
    after = code[end:].lstrip()
    return before.endswith("+") or after.startswith("+")


def _unescape(body: str) -> str:
    """JavaScript escapes in a literal: ``\\/``, ``\\'``, ``\\x2F``, ``\\u0e41``."""
    if "\\" not in body:
        return body

    def one(m: re.Match[str]) -> str:
        esc = m.group(1)
        if esc[0] == "u" and len(esc) > 1:
            digits = esc[2:-1] if esc[1] == "{" else esc[1:]
            return chr(int(digits, 16)) if int(digits, 16) < 0x110000 else ""
        if esc[0] == "x" and len(esc) == 3:
            return chr(int(esc[1:], 16))
        return {"n": "\n", "t": "\t", "r": "\r"}.get(esc, esc)

    return JS_ESCAPE_RE.sub(one, body)
