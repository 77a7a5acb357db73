"""Dates, BE years and fiscal years as real Thai agency sites write them.

Every sample string below is shaped like text seen on a real site (see
shared/oit-criteria/real-sites.md); a wrong answer here means a wrong "published on time" or
"covers fiscal year 2568" verdict in the report.
"""

from __future__ import annotations

from datetime import date

import pytest

from oit_checker.dates import (
    FoundDate,
    FoundYear,
    be_year,
    find_dates,
    find_months,
    find_years,
    fiscal_year,
    fy_bounds,
    fy_months,
    months_due,
    parse_as_of,
)
from oit_checker.thai import normalize

# ------------------------------------------------------------------ find_dates

DATE_CASES = [
    # (text, dates found in order)
    ("12 ม.ค. 2568", [date(2025, 1, 12)]),
    ("12 ม.ค 68", [date(2025, 1, 12)]),
    ("12 มค 2568", [date(2025, 1, 12)]),
    ("15 มี.ค 2568", [date(2025, 3, 15)]),  # EWT short-month table drops the final dot
    ("๑๒ มกราคม ๒๕๖๘", [date(2025, 1, 12)]),
    ("เมื่อวันที่ ๑๕ มกราคม ๒๕๖๗ เวลา ๑๐.๐๐ น.", [date(2024, 1, 15)]),
    ("วันที่ 7 ธันวาคม 2561 เวลา 09.00 น.", [date(2018, 12, 7)]),
    ("อาทิตย์ ที่ 26 เดือน กันยายน พ.ศ.2564 เข้าชม 708 ครั้ง", [date(2021, 9, 26)]),
    ("๒๖ ธันวาคม พ.ศ. ๒๕๖๕", [date(2022, 12, 26)]),
    ("26 ธันวาคม พ.ศ. 2565", [date(2022, 12, 26)]),
    ("12/01/2568", [date(2025, 1, 12)]),
    ("12/01/68", [date(2025, 1, 12)]),
    ("8/12/2565 19:08:45น. อ่าน 120", [date(2022, 12, 8)]),
    ("View 314 19/09/2565", [date(2022, 9, 19)]),
    ("2025-01-12", [date(2025, 1, 12)]),
    ("modified 2024-08-14T09:13:23", [date(2024, 8, 14)]),
    ("1 มี.ค. 64", [date(2021, 3, 1)]),
    ("2 ส.ค. 2565", [date(2022, 8, 2)]),
    ("28 มีนาคม 2567", [date(2024, 3, 28)]),
    ("January 12, 2025", [date(2025, 1, 12)]),
    ("12 Jan 2025", [date(2025, 1, 12)]),
    ("12 มกราคม 2025", [date(2025, 1, 12)]),  # a CE year after a Thai month
    ("10 กรกฏาคม 2568", [date(2025, 7, 10)]),  # ฏ misspelling of กรกฎาคม
    # WordPress "F j, Y" in a Thai locale, CE or BE, as "Posted on" metadata writes it
    ("Posted on ธันวาคม 12, 2024 by admin", [date(2024, 12, 12)]),
    ("โพสต์เมื่อ ตุลาคม 5, 2567", [date(2024, 10, 5)]),
    ("ก.พ. 3, 2025", [date(2025, 2, 3)]),
    ("4.2-ประกาศรับสมัคร-หอโหวด-18ธค66_compressed.pdf", [date(2023, 12, 18)]),
    ("เอกสาร-ita63/eb8-25630227.pdf", [date(2020, 2, 27)]),
    ("1 ต.ค. 2567 ถึง 30 ก.ย. 2568", [date(2024, 10, 1), date(2025, 9, 30)]),
    (
        "1 มี.ค 64 และ 2/8/2565 และ 2025-01-12",
        [date(2021, 3, 1), date(2022, 8, 2), date(2025, 1, 12)],
    ),
    # every month abbreviation, dotted
    *[
        (f"1 {abbr} 2568", [date(2025, month, 1)])
        for month, abbr in enumerate(
            ["ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย."]
            + ["ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค."],
            start=1,
        )
    ],
    # every full month name
    *[
        (f"1 {name} 2568", [date(2025, month, 1)])
        for month, name in enumerate(
            ["มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน"]
            + ["กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม"],
            start=1,
        )
    ],
]

NO_DATE_CASES = [
    "โทรศัพท์ : 0-4303-9711",
    "โทร. 042-870026 ต่อ 12",
    "โทร 0-2589-0500 ต่อ 1218",
    "098-946-6151",
    "เป็นจำนวนเงินทั้งสิ้น 19,873,754.70 บาท",
    "version 1.12.2568",
    "31/02/2568",  # impossible day
    "30/13/2568",  # impossible month
    "รายงานการกำกับติดตาม รอบ 6 เดือน ตุลาคม 2566 - มีนาคม 2567",  # a six-month round
    "พยาบาลวิชาชีพ 12 คน",
    "1.สขร.เดือน ตุลาคม 2567",  # a month, not a date
    "ประกาศ ก.พ.ร. 2568",
    "O12 รายการจัดซื้อ ปีงบประมาณ พ.ศ. 2568",
]


@pytest.mark.parametrize(("text", "expected"), DATE_CASES)
def test_find_dates_reads_real_site_formats(text: str, expected: list[date]) -> None:
    assert [found.date for found in find_dates(text)] == expected


@pytest.mark.parametrize("text", NO_DATE_CASES)
def test_find_dates_ignores_phones_money_and_non_dates(text: str) -> None:
    assert find_dates(text) == []


def test_found_date_span_points_into_normalised_text() -> None:
    raw = "ประกาศเมื่อวันที่ ๗ ธันวาคม ๒๕๖๑ เวลา ๐๙.๐๐ น."
    [found] = find_dates(raw)
    text = normalize(raw)
    assert found == FoundDate(date(2018, 12, 7), "7 ธันวาคม 2561", found.start, found.end)
    assert text[found.start : found.end] == found.text


# ------------------------------------------------------------------ find_years

YEAR_CASES = [
    # (text, bare, [(first, last, kind)])
    ("ปีงบประมาณ พ.ศ. 2568", False, [(2568, 2568, "fiscal")]),
    ("แบบสรุปผลการจัดซื้อจัดจ้าง ประจำปีงบประมาณ พ.ศ.2568", False, [(2568, 2568, "fiscal")]),
    ("ประจำปีงบประมาณ 2568", False, [(2568, 2568, "fiscal")]),
    ("ประจำปีงบประมาณ ๒๕๖๘", False, [(2568, 2568, "fiscal")]),
    ("ปีงบ 68", False, [(2568, 2568, "fiscal")]),
    ("ประจำปี 2568", False, [(2568, 2568, "year")]),
    ("รายงานผลการดำเนินงานประจำปี2567", False, [(2567, 2567, "year")]),
    ("พ.ศ.2568", False, [(2568, 2568, "year")]),
    ("การประเมิน ITA ปี 2569", False, [(2569, 2569, "year")]),
    ("ปีการศึกษา 2567", False, [(2567, 2567, "year")]),
    ("2566-2570", False, [(2566, 2570, "range")]),
    ("(ร่าง) แผนปฏิบัติการ พ.ศ. 2566 - 2570", False, [(2566, 2570, "range")]),
    ("แผนพัฒนาท้องถิ่น 4 ปี (พ.ศ. 2561 – 2564)", False, [(2561, 2564, "range")]),
    ("แผนอัตรากำลัง 3 ปี 2566-70", False, [(2566, 2570, "range")]),
    ("ITA 2568", False, [(2568, 2568, "year")]),
    ("/ita-2568/", False, [(2568, 2568, "year")]),
    ("oit2568", False, [(2568, 2568, "year")]),
    ("/ita68-online/", False, [(2568, 2568, "year")]),
    ("/oit2023-ita2023/o25", False, [(2566, 2566, "year"), (2566, 2566, "year")]),  # CE slugs
    ("ปีงบประมาณ 2567 และ ปีงบประมาณ 2568", False, [(2567, 2567, "fiscal"), (2568, 2568, "fiscal")]),
    # bare years only on request
    ("แผน2568.pdf", False, []),
    ("แผน2568.pdf", True, [(2568, 2568, "year")]),
    ("รายงานผลการบริหารทรัพยากรบุคคล 2568(2).pdf", True, [(2568, 2568, "year")]),
    ("ITA2566 O17", True, [(2566, 2566, "year")]),
    # years of full dates are find_dates' business
    ("ประกาศ ณ วันที่ 26 ธันวาคม พ.ศ. 2565", False, []),
    ("ประกาศ ณ วันที่ 26 ธันวาคม พ.ศ. 2565", True, []),
    # not years
    ("ระยะเวลา 3 ปี 25 วัน", True, []),
    ("โทร 02-2568-1234", True, []),
    ("ราคา 2568.50 บาท", True, []),
    ("เงิน 19,873,754.70 บาท", True, []),
    ("พ.ศ. 2025", False, []),  # พ.ศ. with a CE number is a typo, not a year
    ("รหัส 1999", True, []),  # bare CE years are not BE years
]


@pytest.mark.parametrize(("text", "bare", "expected"), YEAR_CASES)
def test_find_years(text: str, bare: bool, expected: list[tuple[int, int, str]]) -> None:
    found = find_years(text, bare=bare)
    assert [(year.first, year.last, year.kind) for year in found] == expected


def test_found_year_span_covers_context_word() -> None:
    text = "รายงาน ประจำปีงบประมาณ พ.ศ. 2568 (ฉบับย่อ)"
    [found] = find_years(text)
    assert found == FoundYear(2568, 2568, "fiscal", "ประจำปีงบประมาณ พ.ศ. 2568", 7, 32)
    assert normalize(text)[found.start : found.end] == found.text


# ------------------------------------------------------------------ find_months

MONTH_CASES = [
    ("เดือน ตุลาคม 2567", [(2567, 10)]),
    ("ต.ค. 67", [(2567, 10)]),
    ("ตุลาคม68", [(2568, 10)]),
    ("ประกาศ-ธค66.pdf", [(2566, 12)]),
    ("ประจำเดือน มกราคม พ.ศ.2568", [(2568, 1)]),
    ("ประจำเดือน ๑๐/๒๕๖๗", [(2567, 10)]),
    ("10/2567", [(2567, 10)]),
    # the rtrda O12 monthly list, with its punctuation as published
    ("– 1.สขร.เดือน ตุลาคม 2567", [(2567, 10)]),
    ("2..สขร.เดือน พฤศจิกายน 2567", [(2567, 11)]),
    ("3.สขร. เดือน ธันวาคม2567", [(2567, 12)]),
    ("7. สขร.เดือน เมษายน 2568", [(2568, 4)]),
    ("11.สขร เดือน สิงหาคม 2568", [(2568, 8)]),
    ("– 12.สขร.เดือน กันยายน 2568", [(2568, 9)]),
    ("งวด-1-รายงานงบทดลองประจำเดือน-ตุลาคม-68.pdf", [(2568, 10)]),
    ("สขร.ต.ค.67.pdf สขร.ต.ค.67.xlsx สขร.พ.ย.67.pdf", [(2567, 10), (2567, 11)]),  # de-duplicated
    ("รอบ 6 เดือน ตุลาคม 2566 - มีนาคม 2567", [(2566, 10), (2567, 3)]),
    # not month mentions
    ("คำสั่งที่ 10/2567", []),
    ("รายงานการประชุมครั้งที่ 1/2568", []),
    ("ประกาศ ณ วันที่ 5 พฤศจิกายน 2567", []),  # a full date
    ("ระยะเวลา 12/01/2568", []),  # a full date
    ("มติ อ.ก.พ. 2568", []),
    ("เดือนตุลาคม 31 วัน", []),
    ("พยาบาล 66 คน", []),
]


@pytest.mark.parametrize(("text", "expected"), MONTH_CASES)
def test_find_months(text: str, expected: list[tuple[int, int]]) -> None:
    assert find_months(text) == expected


def test_find_months_whole_fiscal_year_list_in_order() -> None:
    listing = "\n".join(
        f"{number}.สขร.เดือน {name} {year}"
        for number, (name, year) in enumerate(
            [("ตุลาคม", 2567), ("พฤศจิกายน", 2567), ("ธันวาคม", 2567)]
            + [(name, 2568) for name in ("มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน")]
            + [(name, 2568) for name in ("พฤษภาคม", "มิถุนายน", "กรกฎาคม", "สิงหาคม", "กันยายน")],
            start=1,
        )
    )
    assert find_months(listing) == fy_months(2568)


# ------------------------------------------------------------------ fiscal-year arithmetic

FISCAL_YEAR_CASES = [
    (date(2024, 10, 1), 2568),
    (date(2025, 9, 30), 2568),
    (date(2025, 10, 1), 2569),
    (date(2024, 9, 30), 2567),
    (date(2025, 1, 1), 2568),
    (date(2024, 12, 31), 2568),
]


@pytest.mark.parametrize(("day", "fy"), FISCAL_YEAR_CASES)
def test_fiscal_year(day: date, fy: int) -> None:
    assert fiscal_year(day) == fy


def test_fy_bounds_and_months() -> None:
    assert fy_bounds(2568) == (date(2024, 10, 1), date(2025, 9, 30))
    start, end = fy_bounds(2569)
    assert fiscal_year(start) == fiscal_year(end) == 2569
    assert fy_months(2568) == [(2567, 10), (2567, 11), (2567, 12)] + [
        (2568, month) for month in range(1, 10)
    ]


MONTHS_DUE_CASES = [
    (date(2024, 9, 15), 0),  # before FY2568 starts
    (date(2024, 10, 1), 0),  # first day: October has not ended
    (date(2024, 10, 31), 0),  # October's last day: still not over
    (date(2024, 11, 1), 1),  # October is over
    (date(2025, 1, 15), 3),  # Oct, Nov, Dec
    (date(2025, 6, 30), 8),  # Oct .. May
    (date(2025, 9, 30), 11),  # Oct .. Aug; September ends tonight
    (date(2025, 10, 1), 12),
    (date(2026, 3, 1), 12),  # long after
]


@pytest.mark.parametrize(("as_of", "count"), MONTHS_DUE_CASES)
def test_months_due(as_of: date, count: int) -> None:
    assert months_due(2568, as_of) == fy_months(2568)[:count]


# ------------------------------------------------------------------ parse_as_of, be_year

AS_OF_CASES = [
    ("2025-06-30", date(2025, 6, 30)),
    ("30/06/2568", date(2025, 6, 30)),
    ("30/06/68", date(2025, 6, 30)),
    ("30 มิ.ย. 2568", date(2025, 6, 30)),
    ("๓๐ มิถุนายน ๒๕๖๘", date(2025, 6, 30)),
    ("  30/06/2568 ", date(2025, 6, 30)),
]


@pytest.mark.parametrize(("text", "expected"), AS_OF_CASES)
def test_parse_as_of(text: str, expected: date) -> None:
    assert parse_as_of(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("31/02/2568", "not a real calendar date"),
        ("2025-02-30", "not a real calendar date"),
        ("tomorrow", "YYYY-MM-DD"),
        ("30 มิ.ย.", "YYYY-MM-DD"),
        ("", "YYYY-MM-DD"),
        ("1/1/2568 2/1/2568", "YYYY-MM-DD"),
    ],
)
def test_parse_as_of_explains_bad_input(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_as_of(text)


@pytest.mark.parametrize(
    ("year", "expected"), [(2025, 2568), (68, 2568), (2568, 2568), (5, 2505), (1999, 2542)]
)
def test_be_year(year: int, expected: int) -> None:
    assert be_year(year) == expected


@pytest.mark.parametrize("year", [150, 2300, 3000, -1])
def test_be_year_rejects_non_years(year: int) -> None:
    with pytest.raises(ValueError):
        be_year(year)
