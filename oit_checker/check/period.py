"""Is the evidence for the right year? Fiscal-year logic over the years a bundle shows.

Signals are ranked, and the best rank present decides: a year stated in a title, heading, the
link that leads to the evidence or the head of a document (3) says what the document is for; a
date there (2) says when it was signed or scanned (a 2567 report is signed in FY2568); a year (1)
or a date (0) deeper in the text counts only when nothing better exists (a 2566 plan may mention
2568 in passing). At equal rank a text-layer year beats an OCR'd one (Thai digits OCR badly).

A year read only by OCR is never evidence of a *wrong* year when every digit of it is one the
stock Thai model can output for a Thai digit (it cannot write ๔ ๖ ๗ ๘ ๙: a scanned "๒๕๖๘" comes
out "๒๕๒๕"); such a bundle is "ocr-unsure" and the item is left for a human to read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from oit_checker.dates import FoundYear, find_dates, find_years, fiscal_year
from oit_checker.models import Page
from oit_checker.thai import compact, normalize, thai_digits_to_arabic

HEAD_CHARS = 300  # the head of a text that states what the document is
NEAR_YEAR = (80, 20)  # characters before and after a year in the body that say what it is of


@dataclass(frozen=True)
class YearSignal:
    first: int
    last: int
    rank: int  # 3 stated year up front, 2 date up front, 1 year in the body, 0 date in the body
    ocr: bool
    where: str  # url or "link"
    near: str = ""  # a year in the body: the words around it, to tell what it is the year of


@dataclass
class PeriodVerdict:
    state: str  # ok | not-needed | wrong-year | no-year | ocr-unsure | not-the-item
    targets: list[int]
    seen: list[int] = field(default_factory=list)
    ocr_only: bool = False

    @property
    def ok(self) -> bool:
        return self.state in ("ok", "not-needed")


def signals_from(
    text: str, *, primary: bool, ocr: bool, where: str, bare: bool
) -> list[YearSignal]:
    """Years a text states (and ranges), plus its dates mapped to fiscal years."""
    year_rank, date_rank = (3, 2) if primary else (1, 0)
    flat = normalize(text)
    out = [
        YearSignal(y.first, y.last, year_rank, ocr, where, "" if primary else _near(flat, y))
        for y in find_years(flat, bare=bare)
    ]
    for found in find_dates(text):
        fy = fiscal_year(found.date)
        out.append(YearSignal(fy, fy, date_rank, ocr, where))
    return out


def _near(text: str, year: FoundYear) -> str:
    before, after = NEAR_YEAR
    return text[max(0, year.start - before) : year.end + after]


def about(signal: YearSignal, aliases: tuple[str, ...]) -> bool:
    """A year up front says what the document is for; a year deep in the body counts only when
    the words around it name the item ("แผนพัฒนาบุคลากร ประจำปี 2568"), not when it sits in a
    sentence about something else ("ผลการประเมิน ITA ปี 2568 ระดับผ่านดี")."""
    if not signal.near:
        return True
    flat = compact(signal.near)
    return any(alias and alias in flat for alias in aliases)


def of_items_kind(pages: list[Page], names: Callable[[str], tuple[str, ...]], item_id: str) -> bool:
    """Does any page of the bundle say, up front, that it is this item (a web page by its title
    or first headings, a document also by the head of its text)? A scan's OCR'd head may have
    lost the title: it gets the benefit of the doubt."""
    for page in pages:
        if page.text_source == "ocr":
            return True
        heads = [page.title, *page.headings[:2]]
        if page.kind != "html":
            heads.append(page.text[:HEAD_CHARS])
        if any(item_id in names(h) for h in heads if h):
            return True
    return False


def target_years(period: str, fy: int) -> list[int]:
    return {
        "fy": [fy],
        "prev_fy": [fy - 1],
        "fy_or_prev": [fy, fy - 1],
        "covers_fy": [fy],
        "half_year": [fy],
        "monthly": [fy],
    }.get(period, [])


def judge(period: str, fy: int, signals: list[YearSignal], ocr_digits: str = "") -> PeriodVerdict:
    """``ocr_digits``: the digits OCR can produce when it misreads a Thai-digit year (rules
    ``[thresholds] ocr_thai_digits``); an OCR-only wrong year made only of them proves nothing."""
    targets = target_years(period, fy)
    if not targets:
        return PeriodVerdict("not-needed", [])
    tiers = sorted({(s.rank, not s.ocr) for s in signals}, reverse=True)
    best = tiers[0] if tiers else None
    use = [s for s in signals if (s.rank, not s.ocr) == best]
    ocr_only = bool(use) and use[0].ocr
    seen = sorted({y for s in use for y in (s.first, s.last)})
    hit = any(s.first <= t <= s.last for s in use for t in targets)
    if hit:
        return PeriodVerdict("ok", targets, seen, ocr_only)
    if use and ocr_only and _misread_possible(seen, ocr_digits):
        return PeriodVerdict("ocr-unsure", targets, seen, ocr_only)
    if use:
        return PeriodVerdict("wrong-year", targets, seen, ocr_only)
    return PeriodVerdict("no-year", targets, seen)


def _misread_possible(years: list[int], ocr_digits: str) -> bool:
    readable = set(thai_digits_to_arabic(ocr_digits))
    return bool(readable) and all(set(str(y)) <= readable for y in years)
