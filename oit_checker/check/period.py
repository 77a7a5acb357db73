"""Is the evidence for the right year? Fiscal-year logic over the years a bundle shows.

Years in titles, headings, the link that leads to the evidence and the head of each document are
*primary*: they say what the document is for. Years deeper in the text (a 2566 plan may mention
2568 in passing) count only when no primary year exists. An OCR'd year is weaker than a
text-layer year: it counts only when no text-layer year exists (Thai digits OCR badly).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from oit_checker.dates import find_dates, find_years, fiscal_year

HEAD_CHARS = 300  # the head of a text that states what the document is


@dataclass(frozen=True)
class YearSignal:
    first: int
    last: int
    primary: bool
    ocr: bool
    where: str  # url or "link"


@dataclass
class PeriodVerdict:
    state: str  # ok | not-needed | wrong-year | no-year
    targets: list[int]
    seen: list[int] = field(default_factory=list)
    ocr_only: bool = False

    @property
    def ok(self) -> bool:
        return self.state in ("ok", "not-needed")


def signals_from(
    text: str, *, primary: bool, ocr: bool, where: str, bare: bool
) -> list[YearSignal]:
    """Years a text states: explicit years (and ranges) plus dates mapped to fiscal years."""
    out = [YearSignal(y.first, y.last, primary, ocr, where) for y in find_years(text, bare=bare)]
    for found in find_dates(text):
        fy = fiscal_year(found.date)
        out.append(YearSignal(fy, fy, primary, ocr, where))
    return out


def target_years(period: str, fy: int) -> list[int]:
    return {
        "fy": [fy],
        "prev_fy": [fy - 1],
        "fy_or_prev": [fy, fy - 1],
        "covers_fy": [fy],
        "half_year": [fy],
        "monthly": [fy],
    }.get(period, [])


def judge(period: str, fy: int, signals: list[YearSignal]) -> PeriodVerdict:
    targets = target_years(period, fy)
    if not targets:
        return PeriodVerdict("not-needed", [])
    use = [s for s in signals if s.primary] or signals
    text_layer = [s for s in use if not s.ocr]
    ocr_only = not text_layer and bool(use)
    use = text_layer or use
    seen = sorted({y for s in use for y in (s.first, s.last)})
    hit = any(s.first <= t <= s.last for s in use for t in targets)
    if hit:
        return PeriodVerdict("ok", targets, seen, ocr_only)
    if use:
        return PeriodVerdict("wrong-year", targets, seen, ocr_only)
    return PeriodVerdict("no-year", targets, seen)
