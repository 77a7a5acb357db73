"""The records that flow along the data path: fetch → extract → check → score → store → report.

Every stage takes and returns these plain dataclasses, so each module can be read and tested
alone and the SQLite store can persist them without knowing who made them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal, get_args

# What a fetched URL holds, decided from Content-Type, magic bytes and the URL's extension.
ResourceKind = Literal["html", "pdf", "docx", "doc", "xlsx", "xls", "image", "other"]
DOCUMENT_KINDS: frozenset[str] = frozenset({"pdf", "docx", "doc", "xlsx", "xls", "image"})

Status = Literal["present", "absent", "uncertain"]
STATUSES: tuple[str, ...] = get_args(Status)  # the verdicts, in the order reports count them


def count_statuses(statuses: Iterable[str]) -> dict[str, int]:
    """How many items have each verdict, every verdict named (0 when none)."""
    counts = dict.fromkeys(STATUSES, 0)
    for status in statuses:
        if status in counts:
            counts[status] += 1
    return counts


@dataclass
class Fetched:
    """One HTTP exchange as the crawler saw it (after redirects)."""

    url: str  # the URL as requested (the link target), normalised
    final_url: str  # after redirects
    status: int  # HTTP status; 0 when no response (timeout, DNS, TLS, refused)
    kind: ResourceKind
    content_type: str = ""
    body: bytes = b""
    text: str = ""  # decoded text for HTML (cp874-aware); empty for binary documents
    error: str = ""  # why it failed or was cut short, in English for the log ("timeout after 20s")
    redirects: list[str] = field(default_factory=list)
    depth: int = 0
    elapsed: float = 0.0
    etag: str = ""
    last_modified: str = ""
    truncated: bool = False  # body cut at the size cap or by a time limit
    notes: list[str] = field(default_factory=list)  # what was done to the text (flattened)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300 and not self.error


@dataclass
class FetchInfo:
    """The outcome of fetching one URL, kept even when it failed (a broken link is a finding)."""

    url: str
    final_url: str
    status: int
    kind: str
    error: str = ""

    @classmethod
    def from_row(cls, row: dict) -> FetchInfo:
        """From a stored ``resources`` row."""
        final = row["final_url"] or row["url"]
        return cls(row["url"], final, row["status"] or 0, row["kind"], row["error"] or "")

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300 and not self.error

    @property
    def transient(self) -> bool:
        """Failures an assessor could not hold against the agency: retry later."""
        return self.status in (0, 408, 425, 429) or self.status >= 500


@dataclass
class Link:
    """A link as a reader meets it: where it goes, what it says, and what surrounds it."""

    url: str  # absolute, fragment removed; "" for dead anchors (#, #!, javascript:, empty)
    text: str  # anchor text + title + alt of images inside, normalised
    context: str = ""  # text of the enclosing table row / list item / paragraph
    label: str = ""  # nearest preceding heading-like text (h1-h6, strong, th, summary...)
    raw_href: str = ""  # the href as written, for dead-link reporting
    tag: str = "a"  # a | iframe | frame | embed | object | area | img
    chrome: bool = False  # inside site navigation (menus, header, footer) repeated on every page


@dataclass
class Image:
    src: str  # absolute URL
    alt: str = ""
    context: str = ""  # caption / surrounding text
    label: str = ""  # nearest heading(s) above it, as Link.label: "row heading | section"
    chrome: bool = False  # inside site navigation, header or footer (a logo, a banner)


@dataclass
class Page:
    """Text and structure extracted from one resource (HTML page or document)."""

    url: str
    kind: ResourceKind
    title: str = ""
    headings: list[str] = field(default_factory=list)
    text: str = ""  # main visible text, normalised (see thai.normalize)
    links: list[Link] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    text_source: str = "html"  # html | pdf-text | ocr | docx | xlsx | none
    needs_js: bool = False  # static HTML looks like an empty app shell
    login_required: bool = False  # a password form is the main content
    notes: list[str] = field(default_factory=list)  # extraction notes (OCR used, broken PDF...)


@dataclass
class Evidence:
    url: str
    kind: str  # page | pdf | docx | xlsx | image | external | link
    excerpt: str = ""
    via: str = ""  # the page whose link led here (hub row, menu), if any

    def as_dict(self) -> dict:
        return {"url": self.url, "kind": self.kind, "excerpt": self.excerpt, "via": self.via}


@dataclass
class ItemResult:
    id: str
    title: str
    subindicator: str
    indicator: str
    status: Status
    reason: str  # Thai, for the web officer
    evidence: list[Evidence] = field(default_factory=list)
    found: list[str] = field(default_factory=list)  # component names found
    missing: list[str] = field(default_factory=list)  # component names missing
    candidates: list[dict] = field(default_factory=list)  # for `oit explain`: url, verdict, why

    @property
    def score(self) -> float:
        return 100.0 if self.status == "present" else 0.0

    def as_dict(self) -> dict:
        """The item in the JSON contract (its candidates are for `oit explain`, not the JSON)."""
        return {
            "id": self.id,
            "title": self.title,
            "subindicator": self.subindicator,
            "indicator": self.indicator,
            "status": self.status,
            "evidence": [e.as_dict() for e in self.evidence],
            "found": self.found,
            "missing": self.missing,
            "reason": self.reason,
        }


@dataclass
class RunResult:
    """One run's outcome, whether an audit just made it or the store gives it back months later.

    ``as_dict()`` is the one serializer: the README's JSON contract, which `--json`, the
    terminal report, the HTML report, the answer sheet and the notifications all take."""

    site: str
    year: int
    rules: dict[str, str]  # path, title, status of the rule file
    as_of: str  # ISO date
    run_id: int
    items: list[ItemResult]
    scores: dict  # subindicators, indicators, oit, item_average[, ita]
    stats: dict

    def as_dict(self) -> dict:
        return {
            "site": self.site,
            "year": self.year,
            "rules": dict(self.rules),
            "as_of": self.as_of,
            "run_id": self.run_id,
            "items": [r.as_dict() for r in self.items],
            "scores": self.scores,
            "stats": self.stats,
        }
