"""Thai dates, Buddhist-era years and fiscal years found inside free text.

OIT evidence is judged by *when* it was published and *which fiscal year* it covers, and agency
sites write both every possible way: ``๒๖ ธันวาคม พ.ศ. ๒๕๖๕``, ``1 มี.ค. 64``, ``8/12/2565 19:08น.``,
``ธค66`` in a file name, ``ปีงบ 68``, ``oit2023`` (CE in a slug). A parsing library wants the whole
string to be a date; here dates are *found* in running text, with spans, by plain regexes.

Conventions: พ.ศ. (BE) = ค.ศ. (CE) + 543; a two-digit year is BE 25xx; a four-digit year of 2400 or
more is BE, 1900-2100 is CE. Fiscal year N (BE) runs 1 Oct N-1 to 30 Sep N.
Every finder normalises its input with :func:`oit_checker.thai.normalize` (idempotent), and the
spans it reports index into that normalised text.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from oit_checker.thai import normalize

BE_OFFSET = 543

# Plausible years. BE outside 2400-2700 or CE outside 1900-2100 is some other number.
BE_MIN, BE_MAX = 2400, 2700
CE_MIN, CE_MAX = 1900, 2100
# A bare four-digit number counts as a BE year only inside this window (find_years(bare=True)).
BARE_BE_MIN, BARE_BE_MAX = 2500, 2600
# "ปี 25" in "3 ปี 25 วัน" is a duration, "ตุลาคม 31 วัน" a count: a two-digit year after a
# context word or a lone month name must be at least this (dates with a day are not limited).
TWO_DIGIT_YEAR_MIN = 40
# A year range longer than this is not a plan period (the national strategy is 20 years).
MAX_RANGE_SPAN = 20

# Thai month names as written on real sites, including the common ฏ misspelling of กรกฎาคม.
THAI_MONTH_NAMES: dict[int, tuple[str, ...]] = {
    1: ("มกราคม",),
    2: ("กุมภาพันธ์", "กุมภาพันธ"),
    3: ("มีนาคม",),
    4: ("เมษายน",),
    5: ("พฤษภาคม",),
    6: ("มิถุนายน",),
    7: ("กรกฎาคม", "กรกฏาคม"),
    8: ("สิงหาคม",),
    9: ("กันยายน",),
    10: ("ตุลาคม",),
    11: ("พฤศจิกายน",),
    12: ("ธันวาคม",),
}
# Standard abbreviations; sites also drop the final dot ("มี.ค", EWT) or all dots ("ธค66").
THAI_MONTH_ABBRS: dict[int, str] = {
    1: "ม.ค.", 2: "ก.พ.", 3: "มี.ค.", 4: "เม.ย.", 5: "พ.ค.", 6: "มิ.ย.",
    7: "ก.ค.", 8: "ส.ค.", 9: "ก.ย.", 10: "ต.ค.", 11: "พ.ย.", 12: "ธ.ค.",
}  # fmt: skip
ENGLISH_MONTHS: dict[str, int] = {
    name: number
    for number, full in enumerate(
        (
            "january", "february", "march", "april", "may", "june",
            "july", "august", "september", "october", "november", "december",
        ),
        start=1,
    )
    for name in (full, full[:3])
} | {"sept": 9}  # fmt: skip

# Words that make "10/2567" a document number ("คำสั่งที่ 10/2567", "ครั้งที่ 1/2568"), not a month.
NUMBER_PREFIXES: tuple[str, ...] = ("ที่", "ครั้ง", "เลข", "no", "no.")
# "26 เดือน กันยายน" is a date only after "ที่"/"วัน" ("อาทิตย์ ที่ 26 เดือน กันยายน");
# "รอบ 6 เดือน ตุลาคม 2566" is a six-month round.
DAY_WITH_MONTH_WORD_PREFIXES: tuple[str, ...] = ("ที่", "วัน")

# Context words before a year: fiscal ones first (longest first, the regex takes the first).
FISCAL_WORDS: tuple[str, ...] = ("ประจำปีงบประมาณ", "ปีงบประมาณ", "ปีงบ")
YEAR_WORDS: tuple[str, ...] = ("ประจำปีการศึกษา", "ปีการศึกษา", "ประจำปี", "ปี")
LATIN_YEAR_WORDS: tuple[str, ...] = ("ita", "oit")


@dataclass(frozen=True)
class FoundDate:
    """A calendar date found in text; span indexes the normalised text."""

    date: datetime.date
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class FoundYear:
    """A BE year or year range found in text; kind says what introduced it.

    kind: "fiscal" (after ปีงบประมาณ/ปีงบ), "year" (after พ.ศ./ปี/ITA/OIT, or bare),
    "range" (first != last, whatever the context), "date" (reserved for callers that merge
    years taken from find_dates; find_years itself never emits it).
    """

    first: int
    last: int
    kind: str
    text: str
    start: int
    end: int


# ---------------------------------------------------------------- regex building blocks

_THAI_CHAR = "\u0e00-\u0e7f"
_SEP = r"[\s\-_]*"  # between day, month and year: spaces, and dashes/underscores of file names
_ERA = r"(?P<era>พ\.?\s?ศ\.?|ค\.?\s?ศ\.?|ปี)"


def _abbr_pattern(abbr: str) -> str:
    first, second = abbr.strip(".").split(".")
    # Dotted ("ม.ค.", "มี.ค", "ม. ค."), not the tail of a longer abbreviation ("อ.ก.พ.").
    dotted = rf"(?<![\s.(][ก-ฮ]\.)(?<!^[ก-ฮ]\.){first}\.\s?{second}\.?"
    # Dotless ("ธค66") only where it cannot be part of a Thai word ("พยาบาล").
    dotless = rf"(?:(?<=เดือน)|(?<![{_THAI_CHAR}])){first}{second}(?![{_THAI_CHAR}])"
    return f"{dotted}|{dotless}"


_MONTH_KEYS: dict[str, int] = {}
for _number, _names in THAI_MONTH_NAMES.items():
    for _name in _names:
        _MONTH_KEYS[_name] = _number
for _number, _abbr in THAI_MONTH_ABBRS.items():
    _MONTH_KEYS[_abbr.replace(".", "")] = _number

_THAI_MONTH = "(?P<month>{})".format(
    "|".join(
        [name for names in THAI_MONTH_NAMES.values() for name in names]
        + [_abbr_pattern(abbr) for abbr in THAI_MONTH_ABBRS.values()]
    )
)
_ENGLISH_MONTH = "(?P<month>{})".format("|".join(sorted(ENGLISH_MONTHS, key=len, reverse=True)))
_NOT_AFTER_NUMBER = r"(?<!\d)(?<!\d[.,:/])"

_THAI_DATE_RE = re.compile(
    _NOT_AFTER_NUMBER
    + rf"(?P<day>\d{{1,2}}){_SEP}(?P<monthword>เดือน{_SEP})?{_THAI_MONTH}{_SEP}"
    + rf"(?:{_ERA}{_SEP})?(?P<year>\d{{4}}|\d{{2}})(?!\d)"
)
_SLASH_DATE_RE = re.compile(
    r"(?<![\d/])(?P<day>\d{1,2})/(?P<month>\d{1,2})/(?P<year>\d{4}|\d{2})(?!\d)(?!/\d)"
)
_ISO_DATE_RE = re.compile(
    r"(?<![\d/.\-])(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})(?!\d)(?!-\d)"
)
# "25630227" in slugs and file names: only BE years, so phone numbers (0…) never qualify.
_COMPACT_DATE_RE = re.compile(r"(?<!\d)(?P<year>25\d\d)(?P<month>\d\d)(?P<day>\d\d)(?!\d)")
_ENGLISH_MDY_RE = re.compile(
    rf"(?<![a-z]){_ENGLISH_MONTH}\.?\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+"
    r"(?P<year>\d{4})(?!\d)"
)
_ENGLISH_DMY_RE = re.compile(
    _NOT_AFTER_NUMBER + rf"(?P<day>\d{{1,2}})\s+{_ENGLISH_MONTH}\.?,?\s+(?P<year>\d{{4}})(?!\d)"
)

# WordPress "F j, Y" in a Thai locale: "ธันวาคม 12, 2024" (CE, sometimes BE); the comma is required.
_THAI_MDY_RE = re.compile(rf"{_THAI_MONTH}\s?(?P<day>\d{{1,2}}),\s?(?P<year>\d{{4}})(?!\d)")

_MONTH_MENTION_RE = re.compile(
    rf"{_THAI_MONTH}{_SEP}(?:{_ERA}{_SEP})?(?P<year>\d{{4}}|\d{{2}})(?!\d)"
)
_SLASH_MONTH_RE = re.compile(r"(?<![\d/.])(?P<month>\d{1,2})/(?P<year>\d{4})(?!\d)(?![/.]\d)")

_YEAR_CONTEXT = "|".join(
    [*FISCAL_WORDS, *YEAR_WORDS, *(rf"(?<![a-z]){word}" for word in LATIN_YEAR_WORDS)]
)
_YEAR_RE = re.compile(
    rf"(?:(?P<ctx>{_YEAR_CONTEXT})[\s\-_:]*)?"
    r"(?:(?P<era>พ\.?\s?ศ\.?|ค\.?\s?ศ\.?)[\s\-_]*)?"
    r"(?<!\d)(?P<y1>\d{4}|\d{2})(?!\d)"
    r"(?:\s*-\s*(?:พ\.?\s?ศ\.?\s*)?(?P<y2>\d{4}|\d{2})(?!\d))?"
)


# ---------------------------------------------------------------- year arithmetic


def be_year(year: int) -> int:
    """Any way a year is written, as BE: 2025 -> 2568, 68 -> 2568, 2568 -> 2568."""
    if 0 <= year <= 99:
        return 2500 + year
    if CE_MIN <= year <= CE_MAX:
        return year + BE_OFFSET
    if BE_MIN <= year <= BE_MAX:
        return year
    raise ValueError(f"{year} is not a year this tool understands (BE 2400-2700, CE 1900-2100)")


def _year_from_text(digits: str, era: str | None = None) -> int | None:
    """BE year for the digits as written, or None when they cannot be a year here.

    An explicit พ.ศ. forbids a CE year and ค.ศ. forbids a BE one; otherwise the size decides.
    """
    value = int(digits)
    era_key = re.sub(r"[.\s]", "", era or "")
    if len(digits) == 2:
        return None if era_key == "คศ" else 2500 + value
    if len(digits) != 4:
        return None
    if BE_MIN <= value <= BE_MAX and era_key != "คศ":
        return value
    if CE_MIN <= value <= CE_MAX and era_key != "พศ":
        return value + BE_OFFSET
    return None


def _make_date(year_be: int, month: int, day: int) -> datetime.date | None:
    """The date, or None for impossible ones (31/02) which are skipped silently."""
    try:
        return datetime.date(year_be - BE_OFFSET, month, day)
    except ValueError:
        return None


def fiscal_year(d: datetime.date) -> int:
    """BE fiscal year holding the date: 1 Oct 2024 -> 2568, 30 Sep 2025 -> 2568."""
    return d.year + BE_OFFSET + (1 if d.month >= 10 else 0)


def fy_bounds(fy: int) -> tuple[datetime.date, datetime.date]:
    """First and last day of BE fiscal year fy: 2568 -> (2024-10-01, 2025-09-30)."""
    ce_end = fy - BE_OFFSET
    return datetime.date(ce_end - 1, 10, 1), datetime.date(ce_end, 9, 30)


def fy_months(fy: int) -> list[tuple[int, int]]:
    """The 12 (BE year, month) pairs of fiscal year fy, October first."""
    return [(fy - 1, month) for month in (10, 11, 12)] + [(fy, month) for month in range(1, 10)]


def months_due(fy: int, as_of: datetime.date) -> list[tuple[int, int]]:
    """Months of fy that ended before as_of, i.e. whose monthly report could already exist."""
    due = []
    for year_be, month in fy_months(fy):
        year_ce = year_be - BE_OFFSET
        next_month_start = datetime.date(year_ce + month // 12, month % 12 + 1, 1)
        if next_month_start <= as_of:
            due.append((year_be, month))
    return due


# ---------------------------------------------------------------- finders


def _thai_month(token: str) -> int:
    return _MONTH_KEYS[re.sub(r"[.\s]", "", token)]


def _date_candidates(text: str) -> list[FoundDate]:
    found: list[FoundDate] = []

    def add(match: re.Match[str], year_be: int | None, month: int, day: int) -> None:
        if year_be is None or not 1 <= month <= 12:
            return
        value = _make_date(year_be, month, day)
        if value is not None:
            found.append(FoundDate(value, match.group(0), match.start(), match.end()))

    for match in _THAI_DATE_RE.finditer(text):
        if match.group("monthword") and not text[: match.start()].rstrip().endswith(
            DAY_WITH_MONTH_WORD_PREFIXES
        ):
            continue
        year = _year_from_text(match.group("year"), match.group("era"))
        add(match, year, _thai_month(match.group("month")), int(match.group("day")))
    for match in _THAI_MDY_RE.finditer(text):
        year = _year_from_text(match.group("year"))
        add(match, year, _thai_month(match.group("month")), int(match.group("day")))
    for match in _SLASH_DATE_RE.finditer(text):
        year = _year_from_text(match.group("year"))
        add(match, year, int(match.group("month")), int(match.group("day")))
    for match in _ISO_DATE_RE.finditer(text):
        year = _year_from_text(match.group("year"))
        add(match, year, int(match.group("month")), int(match.group("day")))
    for match in _COMPACT_DATE_RE.finditer(text):
        year = _year_from_text(match.group("year"))
        add(match, year, int(match.group("month")), int(match.group("day")))
    for pattern in (_ENGLISH_MDY_RE, _ENGLISH_DMY_RE):
        for match in pattern.finditer(text):
            year = _year_from_text(match.group("year"))
            add(match, year, ENGLISH_MONTHS[match.group("month")], int(match.group("day")))
    return found


def _without_overlaps(items: list[FoundDate]) -> list[FoundDate]:
    """Earliest match wins; at the same start the longest."""
    kept: list[FoundDate] = []
    last_end = -1
    for item in sorted(items, key=lambda it: (it.start, -(it.end - it.start))):
        if item.start >= last_end:
            kept.append(item)
            last_end = item.end
    return kept


def find_dates(text: str) -> list[FoundDate]:
    """Every calendar date in the text, in order; impossible dates are skipped silently."""
    return _without_overlaps(_date_candidates(normalize(text)))


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(start < span_end and span_start < end for span_start, span_end in spans)


def _range_end(first: int, digits: str) -> int | None:
    """Last year of "2566-2570" / "2566-70", or None when it is no plausible range."""
    last = int(digits) if len(digits) == 4 else first // 100 * 100 + int(digits)
    return last if first < last <= first + MAX_RANGE_SPAN else None


def find_years(text: str, bare: bool = False) -> list[FoundYear]:
    """BE years and year ranges named in the text, in order. Years inside dates are left out.

    A year needs a context word (ปีงบประมาณ, ปี, พ.ศ., ITA, OIT …) unless it is a range of BE
    years ("2566-2570", "2566-70"); with bare=True a lone 2500-2600 number also counts, for titles,
    link texts and file names ("แผน2568.pdf").
    """
    text = normalize(text)
    date_spans = [(found.start, found.end) for found in find_dates(text)]
    years: list[FoundYear] = []
    for match in _YEAR_RE.finditer(text):
        ctx, era, y1, y2 = match.group("ctx", "era", "y1", "y2")
        start, end = match.start(), match.end()
        if _overlaps(start, end, date_spans):
            continue
        if ctx is None and era is None:
            found = _bare_year(text, match, bare)
            if found is not None:
                years.append(found)
            continue
        first = _year_from_text(y1, era)
        if first is None or (len(y1) == 2 and int(y1) < TWO_DIGIT_YEAR_MIN):
            continue
        last = _range_end(first, y2) if y2 else None
        if last is None:
            last, end = first, match.end("y1")
        if last != first:
            kind = "range"
        elif ctx in FISCAL_WORDS:
            kind = "fiscal"
        else:
            kind = "year"
        years.append(FoundYear(first, last, kind, text[start:end], start, end))
    return years


def _bare_year(text: str, match: re.Match[str], bare: bool) -> FoundYear | None:
    """A year with no context word: a full BE range always, a lone BE year only when bare."""
    y1, y2 = match.group("y1", "y2")
    start = match.start("y1")
    before = text[max(0, start - 2) : start]
    if len(y1) != 4 or not BARE_BE_MIN <= int(y1) <= BARE_BE_MAX:
        return None
    if re.fullmatch(r"\d[\-.,:]", before):  # inside a phone number, amount or version
        return None
    first = int(y1)
    if y2 is not None:
        last = _range_end(first, y2)
        if last is None:
            return None
        return FoundYear(first, last, "range", match.group(0), start, match.end())
    after = text[match.end("y1") : match.end("y1") + 2]
    if not bare or re.fullmatch(r"[\-.,:]\d", after):
        return None
    return FoundYear(first, first, "year", y1, start, match.end("y1"))


def find_months(text: str) -> list[tuple[int, int]]:
    """(BE year, month) for each month named with its year, de-duplicated, in order.

    Reads "เดือน ตุลาคม 2567", "ต.ค. 67", "ธค66", "ตุลาคม-68" and "10/2567". Months that are part of
    a full date ("5 ต.ค. 2567") are not month mentions and are left out, as are document numbers
    ("คำสั่งที่ 10/2567").
    """
    text = normalize(text)
    date_spans = [(found.start, found.end) for found in find_dates(text)]
    mentions: list[tuple[int, int, int]] = []  # (start, BE year, month)
    for match in _MONTH_MENTION_RE.finditer(text):
        if _overlaps(match.start(), match.end(), date_spans):
            continue
        digits = match.group("year")
        if len(digits) == 2 and int(digits) < TWO_DIGIT_YEAR_MIN:  # "ตุลาคม 31 วัน"
            continue
        year = _year_from_text(digits, match.group("era"))
        if year is not None:
            mentions.append((match.start(), year, _thai_month(match.group("month"))))
    for match in _SLASH_MONTH_RE.finditer(text):
        month = int(match.group("month"))
        prefix = text[max(0, match.start() - 8) : match.start()].rstrip()
        if not 1 <= month <= 12 or prefix.endswith(NUMBER_PREFIXES):
            continue
        if _overlaps(match.start(), match.end(), date_spans):
            continue
        year = _year_from_text(match.group("year"))
        if year is not None:
            mentions.append((match.start(), year, month))
    ordered: list[tuple[int, int]] = []
    for _start, year, month in sorted(mentions):
        if (year, month) not in ordered:
            ordered.append((year, month))
    return ordered


def parse_fiscal_year(value: int | str) -> int:
    """A fiscal year as people type it: 2569, ๒๕๖๙, "พ.ศ. 2569" or 69. A CE year (2026) is
    refused with the BE year it may mean: a fiscal year named in CE is ambiguous (FY2569 runs
    from October 2025 to September 2026), and a wrong guess would audit the wrong year."""
    text = normalize(str(value)).replace(" ", "")
    text = re.sub(r"^(?:พ\.?ศ\.?|ปี(?:งบประมาณ|งบ)?|fy)", "", text)
    if not re.fullmatch(r"\d{2}|\d{4}", text):
        raise ValueError(
            f"ไม่ใช่ปีงบประมาณ พ.ศ. (not a fiscal year): {value!r}; write it as 2569, ๒๕๖๙ or 69"
        )
    year = int(text)
    if len(text) == 2:
        return 2500 + year
    if CE_MIN <= year <= CE_MAX:
        raise ValueError(
            f"{year} เป็นปี ค.ศ. หมายถึงปีงบประมาณ พ.ศ. {year + BE_OFFSET} หรือไม่ "
            f"({year} is a CE year; did you mean {year + BE_OFFSET}?)"
        )
    if not BE_MIN <= year <= BE_MAX:
        raise ValueError(f"ไม่ใช่ปีงบประมาณ พ.ศ. (not a fiscal year): {value!r}")
    return year


def parse_as_of(text: str) -> datetime.date:
    """The one date a CLI option names: "2025-06-30", "30/06/2568", "30 มิ.ย. 2568"."""
    cleaned = normalize(text)
    dates = find_dates(cleaned)
    if len(dates) == 1 and dates[0].start == 0 and dates[0].end == len(cleaned):
        return dates[0].date
    if re.fullmatch(r"\d{1,4}[/\-]\d{1,2}[/\-]\d{1,4}", cleaned):
        raise ValueError(f"{text!r} is not a real calendar date")
    raise ValueError(
        f"cannot read {text!r} as a date: use YYYY-MM-DD (CE, 2025-06-30), "
        "DD/MM/YYYY (BE, 30/06/2568) or a Thai date such as '30 มิ.ย. 2568'"
    )
