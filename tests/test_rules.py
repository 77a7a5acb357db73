"""The shipped rule data: the items of each year, their aliases and patterns, and the loader's
error messages.

The rule files are data that officers and the lead will correct by hand, so these tests pin
what the criteria state (ids, periods, groups), check that real labels from real sites name
the right item, and check that a broken file is refused with a message that says where.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from oit_checker.check.people import PeopleRules, is_board
from oit_checker.rules import RULES_DIR, RuleError, RuleSet, load_rules, load_year
from oit_checker.thai import compact, normalize

# Helpers that oit_checker/check/helpers.py must provide for the shipped rules.
KNOWN_HELPERS = {"executives", "procurement_months"}

# Words that must never be an alias alone: each names half the documents on a site.
GENERIC_WORDS = {
    "แผน", "รายงาน", "ข้อมูล", "ประกาศ", "คู่มือ", "ติดต่อ", "ข่าว", "งาน", "กิจกรรม", "โครงการ",
    "สถิติ", "ร้องเรียน", "บริการ", "มาตรการ", "ผลการดำเนินงาน", "ประจำปี", "เอกสาร", "ดาวน์โหลด",
}  # fmt: skip

# (id, sub-indicator, period) exactly as in shared/oit-criteria/README.md §4 and §3.
EXPECTED_2568 = [
    ("O1", "9.1", "current"), ("O2", "9.1", "current"), ("O3", "9.1", "current"),
    ("O4", "9.1", "fy"), ("O5", "9.2", "covers_fy"), ("O6", "9.2", "half_year"),
    ("O7", "9.2", "prev_fy"), ("O8", "9.2", "current"), ("O9", "9.2", "current"),
    ("O10", "9.2", "current"), ("O11", "9.2", "prev_fy"), ("O12", "9.3", "monthly"),
    ("O13", "9.3", "prev_fy"), ("O14", "9.4", "fy"), ("O15", "9.4", "prev_fy"),
    ("O16", "9.4", "fy"), ("O17", "9.5", "current"), ("O18", "9.5", "current"),
    ("O19", "9.5", "prev_fy"), ("O20", "9.5", "fy"), ("O21", "10.1", "fy"),
    ("O22", "10.1", "fy"), ("O23", "10.1", "fy"), ("O24", "10.1", "prev_fy"),
    ("O25", "10.1", "fy"), ("O26", "10.1", "prev_fy"), ("O27", "10.2", "fy"),
    ("O28", "10.2", "prev_fy"),
]  # fmt: skip
EXPECTED_2567 = [
    ("O1", "9.1", "current"), ("O2", "9.1", "current"), ("O3", "9.1", "current"),
    ("O4", "9.1", "current"), ("O5", "9.1", "fy"), ("O6", "9.1", "current"),
    ("O7", "9.2", "covers_fy"), ("O8", "9.2", "half_year"), ("O9", "9.2", "prev_fy"),
    ("O10", "9.2", "current"), ("O11", "9.2", "current"), ("O12", "9.2", "fy_or_prev"),
    ("O13", "9.2", "current"), ("O14", "9.3", "fy"), ("O15", "9.3", "fy"),
    ("O16", "9.3", "monthly"), ("O17", "9.3", "prev_fy"), ("O18", "9.4", "fy"),
    ("O19", "9.4", "prev_fy"), ("O20", "9.4", "current"), ("O21", "9.4", "fy"),
    ("O22", "9.5", "current"), ("O23", "9.5", "current"), ("O24", "9.5", "fy_or_prev"),
    ("O25", "9.5", "fy"), ("O26", "10.1", "fy"), ("O27", "10.1", "fy"),
    ("O28", "10.1", "fy_or_prev"), ("O29", "10.1", "fy"), ("O30", "10.1", "fy"),
    ("O31", "10.1", "prev_fy"), ("O32", "10.1", "fy"), ("O33", "10.1", "prev_fy"),
    ("O34", "10.2", "fy"), ("O35", "10.2", "prev_fy"),
]  # fmt: skip
# (id, sub-indicator, period) as in shared/oit-criteria/README.md §4b (grouping carried from 2568;
# O10 is E-Service + last year's service statistics, so its period is the statistics').
EXPECTED_2569 = [
    ("O1", "9.1", "current"), ("O2", "9.1", "current"), ("O3", "9.1", "current"),
    ("O4", "9.1", "fy"), ("O5", "9.2", "covers_fy"), ("O6", "9.2", "half_year"),
    ("O7", "9.2", "prev_fy"), ("O8", "9.2", "current"), ("O9", "9.2", "current"),
    ("O10", "9.2", "prev_fy"), ("O11", "9.3", "monthly"), ("O12", "9.3", "prev_fy"),
    ("O13", "9.4", "fy"), ("O14", "9.4", "prev_fy"), ("O15", "9.4", "fy"),
    ("O16", "9.5", "current"), ("O17", "9.5", "current"), ("O18", "9.5", "prev_fy"),
    ("O19", "9.5", "fy"), ("O20", "10.1", "fy"), ("O21", "10.1", "fy"),
    ("O22", "10.1", "prev_fy"), ("O23", "10.1", "fy"), ("O24", "10.1", "prev_fy"),
    ("O25", "10.2", "fy"), ("O26", "10.2", "prev_fy"),
]  # fmt: skip
EXPECTED = {2569: EXPECTED_2569, 2568: EXPECTED_2568, 2567: EXPECTED_2567}


@pytest.fixture(scope="module", params=[2569, 2568, 2567])
def rules(request: pytest.FixtureRequest) -> RuleSet:
    return load_year(request.param)


def _pattern(rules: RuleSet, name: str) -> re.Pattern[str]:
    return re.compile(rules.patterns[name])


def name_item(rules: RuleSet, text: str) -> str | None:
    """Which item a link text names, by the contract in rules/README.md: an alias contained
    in the compacted text, no exclude phrase present, the longest alias wins."""
    hay = compact(text)
    best: dict[str, int] = {}
    for item in rules.items:
        if any(ex in hay for ex in item.exclude):
            continue
        hits = [len(a) for a in item.aliases if a in hay]
        if hits:
            best[item.id] = max(hits)
    if not best:
        return None
    top = max(best.values())
    winners = sorted(i for i, n in best.items() if n == top)
    return winners[0] if len(winners) == 1 else "ambiguous:" + ",".join(winners)


# ----------------------------------------------------------------------------- the items


def test_shipped_years_load_with_the_criteria_items_in_order(rules: RuleSet) -> None:
    got = [(it.id, it.subindicator, it.period) for it in rules.items]
    assert got == EXPECTED[rules.year]
    assert len(rules.items) == {2569: 26, 2568: 28, 2567: 35}[rules.year]
    assert rules.indicators == {"9": "การเปิดเผยข้อมูล", "10": "การป้องกันการทุจริต"}
    assert rules.patterns and rules.crawl["hub_terms"] and rules.thresholds["hub_min_items"] == 5


def test_every_item_is_complete_enough_to_judge_and_explain(rules: RuleSet) -> None:
    for it in rules.items:
        assert len(it.aliases) >= 3, it.id  # the title plus at least two real-world forms
        assert it.components, it.id
        assert len(it.fix) > 20 and re.search("[ก-๙]", it.fix), it.id
        assert it.numbers == (it.id.lower(),), it.id
        assert it.indicator in ("9", "10") and it.subindicator.startswith(it.indicator + "."), it.id
        for comp in it.components:
            assert re.fullmatch("[a-z_]+", comp.name), (it.id, comp.name)
            assert re.search("[ก-๙]", comp.label), (it.id, comp.name)
            assert not comp.helper or comp.helper in KNOWN_HELPERS, (it.id, comp.helper)
        if it.period == "half_year":
            assert "รอบ6เดือน" in it.period_terms and "ไตรมาส2" in it.period_terms, it.id


def test_helpers_sit_on_the_items_that_need_them() -> None:
    for year, execs, procurement in ((2569, "O2", "O11"), (2568, "O2", "O12"), (2567, "O2", "O16")):
        rules = load_year(year)
        assert "executives" in {c.helper for c in rules.item(execs).components}
        assert "procurement_months" in {c.helper for c in rules.item(procurement).components}


def test_no_alias_names_two_items_and_none_is_a_bare_generic_word(rules: RuleSet) -> None:
    owner: dict[str, str] = {}
    for it in rules.items:
        for alias in it.aliases:
            assert alias not in owner, f"{alias!r} names both {owner.get(alias)} and {it.id}"
            owner[alias] = it.id
            assert alias not in GENERIC_WORDS and len(alias) >= 3, (it.id, alias)


def test_no_item_excludes_its_own_title_or_aliases(rules: RuleSet) -> None:
    for it in rules.items:
        for ex in it.exclude:
            dead = [a for a in it.aliases if ex in a]
            assert not dead, f"{it.id}: exclude {ex!r} kills its own aliases {dead}"


# Real labels from the seed report (ITA 2567 results of an อบต., Thai digits and all) and
# from real sites (shared/oit-criteria/real-sites.md §1.3, §1.4, §3).
LABELS_2567 = [
    ("O๑ โครงสร้าง", "O1"),
    ("O๒ ข้อมูลผู้บริหาร", "O2"),
    ("OIT 3 อำนาจหน้าที่", "O3"),
    ("O๔ ข้อมูลการติดต่อ", "O4"),
    ("O๕ ข่าวประชาสัมพันธ์", "O5"),
    ("O๖ Q&A", "O6"),
    ("๐๗ แผนยุทธศาสตร์หรือแผนพัฒนาหน่วยงาน", "O7"),
    ("๐๘ แผนและความก้าวหน้าในการดำเนินงานและการใช้จ่ายงบประมาณประจำปี", "O8"),
    ("๐๙ รายงานผลการดำเนินงานประจำปี", "O9"),
    ("๐๑๐ คู่มือหรือแนวทางการปฏิบัติงานของ เจ้าหน้าที่", "O10"),
    ("O๑๑ คู่มือหรือแนวทางการให้บริการสำหรับ ผู้รับบริการหรือผู้มาติดต่อ", "O11"),
    ("O๑๒ ข้อมูลสถิติการให้บริการ", "O12"),
    ("O๑๓ E-Service", "O13"),
    ("๐๑๔ รายการการจัดซื้อจัดจ้างหรือการจัดหาพัสดุ", "O14"),
    ("๐๑๕ ประกาศต่างๆ เกี่ยวกับการจัดซื้อจัดจ้างหรือการจัดหาพัสดุ", "O15"),
    ("o๑๕ ประกาศต่าง ๆ เกี่ยวกับการจัดซื้อ จัดจ้าง หรือการจัดหาพัสดุ", "O15"),
    ("๐๑๖ ความก้าวหน้าการจัดซื้อจัดจ้างหรือการจัดหาพัสดุ", "O16"),
    ("๐๑๗ รายงานสรุปผลการจัดซื้อจัดจ้างหรือการจัดหาพัสดุประจำปี", "O17"),
    ("o๑๘ แผนการบริหารและพัฒนา ทรัพยากรบุคคล", "O18"),
    ("o๑๙ รายงานผลการบริหารและพัฒนา ทรัพยากรบุคคลประจำปี", "O19"),
    ("o๒๐ ประมวลจริยธรรมสำหรับเจ้าหน้าที่ ของรัฐ", "O20"),
    ("o๒๑ การขับเคลื่อนจริยธรรม", "O21"),
    ("๑๒๒ แนวปฏิบัติการจัดการเรื่องร้องเรียนการทุจริตและประพฤติมิชอบ", "O22"),
    ("๑๒๓ ช่องทางแจ้งเรื่องร้องเรียนการทุจริตและประพฤติมิชอบ", "O23"),
    ("๑๒๔ ข้อมูลสถิติเรื่องร้องเรียนการทุจริตและประพฤติมิชอบ", "O24"),
    ("O๒๕ การเปิดโอกาสให้เกิดการมีส่วนร่วม", "O25"),
    ("๑๒๖ ประกาศเจตนารมณ์นโยบาย No Gift Policy จากการปฏิบัติหน้าที่", "O26"),
    ("๑๒๗ การสร้างวัฒนธรรม No Gift Policy", "O27"),
    ("๑๒๘ รายงานผลตามนโยบาย No Gift Policy", "O28"),
    ("๑๒๙ รายงานการรับทรัพย์สินหรือประโยชน์อื่นใดโดยธรรมจรรยา", "O29"),
    ("๑๓๐ การประเมินความเสี่ยงการทุจริตในประเด็นที่เกี่ยวข้องกับสินบน", "O30"),
    ("๑๓๑ รายงานผลการดำเนินการเพื่อจัดการความเสี่ยงการทุจริตและประพฤติมิชอบประจำปี", "O31"),
    ("๑๓๒ แผนปฏิบัติการป้องกันการทุจริต", "O32"),
    ("๑๓๓ รายงานผลการดำเนินการป้องกันการทุจริตประจำปี", "O33"),
    ("๑๓๔ มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน", "O34"),
    ("๑๓๕ รายงานผลการดำเนินการเพื่อส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน", "O35"),
    ("3.สขร. เดือน ธันวาคม2567", "O16"),
    ("ประกาศผู้ชนะการเสนอราคา จ้างก่อสร้างถนน", "O15"),
    ("กระดานถาม-ตอบ", "O6"),
    ("กิจกรรมการสร้างวัฒนธรรมไม่รับของขวัญ (No Gift Policy)", "O27"),
    ("โครงการอบรมคุณธรรมจริยธรรม ประจำปี 2567", "O21"),
    ("O๓ อำนวยการหน้า", None),  # the seed's typo: too generic to be an alias
]
LABELS_2568 = [
    ("O1 โครงสร้างและอำนาจหน้าที่", "O1"),
    ("O1โครงสร้างหน่วยงานคลิกลิงค์ข้อมูล", "O1"),
    ("เมนู ข้อมูลพื้นฐาน -> ครงสร้างหน่วยงาน (คลิก)", "O1"),
    ("โครงสร้างบริหารงานโรงเรียน", "O1"),
    ("บทบาทหน้าที่", "O1"),
    ("คณะผู้บริหาร", "O2"),
    ("O3 ข้อมูลการติดต่อ", "O3"),
    ("ติดต่อ อบต.", "O3"),
    ("O4 ข่าวประชาสัมพันธ์", "O4"),
    ("แผนพัฒนาท้องถิ่น (พ.ศ. 2566 – 2570)", "O5"),
    ("แผนยุทธ ศาสตร์การพัฒนา", "O5"),
    ("รายงานการกำกับติดตามการดำเนินงานประจำปีรอบ 6 เดือน", "O6"),
    ("11.รายงาน การกำกับติดตาม การดำเนินงานประจำปี รอบ 6 เดือน ปี 2564", "O6"),
    ("รายงานผลการดำเนินงาน รอบ 6 เดือน (ตุลาคม 2567 - มีนาคม 2568)", "O6"),
    ("แผนการดำเนินงาน ประจำปีงบประมาณ 2568", "O6"),
    ("รายงานผลการดำเนินงานประจำปี 2567", "O7"),
    ("รายงานผลการติดตามและประเมินผลแผนพัฒนาท้องถิ่น ประจำปี 2567", "O7"),
    ("คู่มือการปฏิบัติงาน กองคลัง", "O8"),
    ("คู่มือสำหรับประชาชน", "O9"),
    ("2.1 หลักเกณฑ์และขั้นตอนการให้บริการประชาชน", "O9"),
    ("O10 E–Service", "O10"),
    ("E - Service", "O10"),
    ("ระบบบริการประชาชน ONLINE", "O10"),
    ("ข้อมูลสถิติการให้บริการ ประจำปี 2567", "O11"),
    ("O12 รายการการจัดซื้อจัดจ้างหรือการจัดหาพัสดุ และความก้าวหน้าการจัดซื้อจัดจ้าง", "O12"),
    ("– 1.สขร.เดือน ตุลาคม 2567", "O12"),
    ("11.สขร เดือน สิงหาคม 2568", "O12"),
    ("ข่าวจัดชื้อ/จัดจ้าง", "O12"),
    ("ประกาศเผยแพร่ราคากลาง กรณีงานซื้อหรือจ้างที่มีวงเงินเกินห้าแสนบาท", "O12"),
    ("1.5 สรุปลการจัดหาพัสดุในแต่ละรอบเดือน ตามมาตรา 9(8)", "O12"),
    ("แบบสรุปผลการจัดซื้อจัดจ้าง ประจำปีงบประมาณ พ.ศ.2568", "O13"),
    ("O13 รายงานผลการจัดซื้อจัดจ้างหรือการจัดหาพัสดุประจำปี พ.ศ. 2568", "O13"),
    ("O14 แผนการบริหารและพัฒนาทรัพยากรบุคคลประจำปีงบประมาณ พ.ศ. 2569", "O14"),
    ("แผนพัฒนาบุคลากร ประจำปี 2568", "O14"),
    ("รายงานผลการบริหารทรัพยากรบุคคล ประจำปีงบประมาณ 2568", "O15"),
    ("– o15 ประมวลจริยธรรม", "O16"),
    ("– o 16 แนวทางปฏิบัติการจัดการเรื่องร้องเรียน", "O17"),
    ("คู่มือการปฏิบัติงานรับเรื่องร้องเรียน", "O17"),
    ("ช่องทางแจ้งเรื่องร้องเรียนการทุจริตและประพฤติมิชอบ", "O18"),
    ("รับแจ้งร้องเรียนทุจริตประพฤติมิชอบ", "O18"),
    ("รายงานข้อมูลสถิติเรื่องร้องเรียนการทุจร", "O19"),
    ("O20 การเปิดโอกาสให้เกิดการมีส่วนร่วม", "O20"),
    ("ประกาศเจตนารมณ์ 'งดรับ งดให้ ของขวัญและของกำนัลทุกชนิด จากการปฏิบัติหน้าที่ (No Gift Policy)'", "O21"),
    ("กิจกรรมการสร้างวัฒนธรรมไม่รับของขวัญ (No Gift Policy)", "O21"),
    ("รายงานการรับของขวัญ ประจำปี 2568", "O22"),
    ("การประเมินความเสี่ยงการทุจริต ประจำปีงบประมาณ 2568", "O23"),
    ("รายงานผลการดำเนินการเพื่อจัดการความเสี่ยงการทุจริต ปี 2567", "O24"),
    ("แผนปฏิบัติการป้องกันการทุจริต ประจำปีงบประมาณ 2568", "O25"),
    ("รายงานผลการดำเนินการป้องกันการทุจริต", "O26"),
    ("รายงานผลการดำเนินงานตามแผนปฏิบัติการป้องกันการทุจริต ประจำปี 2567", "O26"),
    ("มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน", "O27"),
    ("รายงานผลการดำเนินการเพื่อส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน", "O28"),
    ("ผลการดำเนินงานตามมาตรการส่งเสริมคุณธรรม ปี 2567", "O28"),
    ("ข่าวประชาสัมพันธ์ นโยบาย No Gift Policy", "O21"),
    ("ประกาศผู้ชนะการเสนอราคา จ้างก่อสร้างถนน", "O12"),
    ("แผนอัตรากำลัง 3 ปี (พ.ศ. 2567-2569)", "O14"),
    # Texts that name no item: a wrong candidate is worse than none.
    ("แผนพัฒนาด้านโครงสร้างพื้นฐาน", None),
    ("ประชุมคณะผู้บริหาร-ข้าราชการ", None),
    ("สถิติผู้เข้าชมเว็บไซต์", None),
    ("ศูนย์ข้อมูลข่าวสาร", None),
    ("แบบประเมินความพึงพอใจ e-service", None),
    ("ข้อบัญญัติงบประมาณรายจ่าย อบต.โนนธาตุ ประจำปีงบประมาณ 2563", None),
    ("ผลการประเมินองค์กรปกครองส่วนท้องถิ่น ประจำปี 2566", None),
    ("คลิกลิงค์ข้อมูล", None),
    ("ดาวน์โหลดเอกสาร", None),
    ("หน้าหลัก", None),
]


@pytest.mark.parametrize(("text", "want"), LABELS_2568)
def test_real_2568_labels_name_the_right_item(text: str, want: str | None) -> None:
    assert name_item(load_year(2568), text) == want


@pytest.mark.parametrize(("text", "want"), LABELS_2567)
def test_real_2567_labels_name_the_right_item(text: str, want: str | None) -> None:
    assert name_item(load_year(2567), text) == want


# ----------------------------------------------------------------------------- patterns

PHONES = [
    ("โทรศัพท์ : 0-4303-9711", "0-4303-9711"),
    ("โทร 042-870026", "042-870026"),
    ("โทร.043-232555", "043-232555"),
    ("โทร. 055-531-226", "055-531-226"),
    ("0 4312 3456", "0 4312 3456"),
    ("มือถือ 081-234-5678", "081-234-5678"),
    ("เบอร์ 098-946-6151", "098-946-6151"),
    ("tel:0989466151", "0989466151"),
    ("0-2589-0500 ต่อ 1218", "0-2589-0500 ต่อ 1218"),
    ("02-589-0500", "02-589-0500"),
    ("โทร ๐-๔๓๐๓-๙๗๑๑", "0-4303-9711"),
    ("Phone: +66 98 946 6151", "+66 98 946 6151"),
]
NOT_PHONES = [
    "2568",
    "12/01/2568",
    "40000",
    "19,873,754.70",
    "เป็นจำนวนเงินทั้งสิ้น 19,873,754.70 บาท",
    "วันที่ 01-10-2567 9:30 น.",
    "2025-01-12",
    "พ.ศ. 2566-2570",
    "เลขประจำตัวผู้เสียภาษี 3-4501-01234-56-7",
    "จังหวัดร้อยเอ็ด 45110",
]
ADDRESS = "เลขที่232 หมู่ 4 ตำบลสว่าง อำเภอโพนทอง จังหวัดร้อยเอ็ด 45110"


@pytest.mark.parametrize(("text", "want"), PHONES)
def test_phone_pattern_finds_thai_numbers_as_printed(text: str, want: str) -> None:
    match = _pattern(load_year(2568), "phone").search(normalize(text))
    assert match and match.group() == want


@pytest.mark.parametrize("text", NOT_PHONES)
def test_phone_pattern_ignores_years_dates_postcodes_and_money(text: str) -> None:
    assert not _pattern(load_year(2568), "phone").search(normalize(text))


def test_contact_patterns_on_a_real_contact_page() -> None:
    rules = load_year(2568)
    page = normalize(
        f"{ADDRESS} โทรศัพท์ : 0-4303-9711 โทรสาร. 0-5553-2826 "
        "อีเมล : saraban@sawang.go.th, อีเมลล์: prison_maesot@hotmail.com แผนที่หน่วยงาน"
    )
    assert _pattern(rules, "address_parts").search(page)
    assert _pattern(rules, "postcode").search(page).group().endswith("45110")
    assert _pattern(rules, "fax").search(page).group() == "โทรสาร. 0-5553-2826"
    assert _pattern(rules, "email").findall(page) == [
        "saraban@sawang.go.th",
        "prison_maesot@hotmail.com",
    ]
    assert _pattern(rules, "map").search(page)
    short = normalize("99 ม.4 ต.สว่าง อ.โพนทอง จ.ร้อยเอ็ด 45110")
    assert _pattern(rules, "address_parts").search(short)
    bangkok = normalize("ถนนพหลโยธิน แขวงลาดยาว เขตจตุจักร กรุงเทพมหานคร 10900")
    assert _pattern(rules, "address_parts").search(bangkok)
    assert _pattern(rules, "postcode").search(bangkok)
    # A sum of money after a province name is not a postcode; a bare number is not an address.
    assert not _pattern(rules, "postcode").search(normalize("จังหวัดร้อยเอ็ด งบ 40000 บาท"))
    assert not _pattern(rules, "postcode").search("รหัส 40000")
    assert not _pattern(rules, "address_parts").search(normalize("ร้อยเอ็ด 45110"))
    assert not _pattern(rules, "email").search(normalize("www.sawang.go.th"))


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("นางสาวผกามาศ ภู่ประดิษฐ์ นายกเทศมนตรีตำบลโพธิ์ทอง", "นางสาวผกามาศ ภู่ประดิษฐ์"),
        ("ดร.สมเชาวน์ บำรุงชัย ปลัด อบต.เหนือเมือง", "ดร.สมเชาวน์ บำรุงชัย"),
        ("นายดิเรก สันนก นายก อบต.เเหลมสน", "นายดิเรก สันนก"),
        ("ว่าที่ ร.ต.สมชาย ใจดี หัวหน้าสำนักปลัด", "ว่าที่ ร.ต.สมชาย ใจดี"),
        ("พล.ต.อ.สมศักดิ์ เก่งกาจ", "พล.ต.อ.สมศักดิ์ เก่งกาจ"),
        ("นายเวชกร เทพอาจ รองนายกเทศมนตรี", "นายเวชกร เทพอาจ"),
        ("นายก อบต.สว่าง", None),
        ("นายกองค์การบริหารส่วนตำบลสว่าง อำเภอโพนทอง", None),
        ("นายกเทศมนตรีตำบลบ้านเป้า จังหวัดชัยภูมิ", None),
        ("ตำบลนางรอง อำเภอนางรอง จังหวัดบุรีรัมย์", None),
    ],
)
def test_person_pattern_finds_titled_names_not_positions(text: str, want: str | None) -> None:
    match = _pattern(load_year(2568), "person").search(normalize(text))
    assert (match.group() if match else None) == want


@pytest.mark.parametrize(
    ("heading", "board"),
    [
        ("คณะกรรมการบริหารกองทุนหลักประกันสุขภาพ", True),
        ("กรรมการโดยตำแหน่ง", True),
        ("สมาชิกสภาองค์การบริหารส่วนตำบล", True),
        ("ประธานกรรมการ | คณะกรรมการสถานศึกษาขั้นพื้นฐาน", True),
        ("คณะผู้บริหาร", False),
        ("ผู้บริหารฝ่ายประจำ", False),
        ("นายก อบต. | คณะผู้บริหาร", False),
        # the nearest heading decides: a board row heading above a card in the executives' section
        ("คณะกรรมการ | ข้อมูลผู้บริหาร", True),
    ],
)
def test_board_and_executive_headings(heading: str, board: bool) -> None:
    rules = load_year(2568)
    people = PeopleRules(
        _pattern(rules, "person"),
        re.compile("นายก"),
        _pattern(rules, "board_heading"),
        _pattern(rules, "executive_heading"),
    )
    assert is_board(normalize(heading), people) is board


def test_date_and_count_patterns() -> None:
    rules = load_year(2568)
    date = _pattern(rules, "thai_date")
    for text in ["12 ม.ค. 2568", "๑๕ มกราคม ๒๕๖๗", "26 เดือน กันยายน พ.ศ.2564", "1 มี.ค. 64",
                 "8/12/2565 19:08:45น.", "2025-01-12", "12 มกราคม 2025", "ธันวาคม 12, 2024",
                 "Posted on October 15, 2024 by admin", "15 Oct 2024"]:  # fmt: skip
        assert date.search(normalize(text)), text
    assert not date.search("ปีงบประมาณ 2568 รายการ 12 รายการ")
    count = _pattern(rules, "count")
    assert count.findall(normalize("ผู้รับบริการ ๒๕ ราย เรื่องร้องเรียน 3 เรื่อง")) == [
        "25 ราย",
        "3 เรื่อง",
    ]
    assert not count.search("รายงาน 2568 รายการจัดซื้อ")


def test_unit_position_and_dating_patterns() -> None:
    rules = load_year(2568)
    unit = _pattern(rules, "unit_name")
    assert unit.findall("สำนักปลัด กองคลัง กลุ่มงานเภสัชกรรม กลุ่มบริหารวิชาการ") == [
        "สำนักปลัด",
        "กองคลัง",
        "กลุ่มงานเภสัชกรรม",
        "กลุ่มบริหารวิชาการ",
    ]
    assert not unit.search("นายกองค์การบริหารส่วนตำบลสว่าง")
    position = _pattern(rules, "position_unit")
    for text in ["หัวหน้าสำนักปลัด", "รองผู้อำนวยการฝ่ายการแพทย์", "ผอ.กองคลัง", "ผู้อำนวยการกองช่าง"]:
        assert position.fullmatch(text), text
    assert not position.search("สำนักปลัด กองคลัง")
    dating = _pattern(rules, "dating")
    text = normalize("รายงานประจำปี ประจำปีงบประมาณ พ.ศ. ๒๕๖๗ ปี งบประมาณ 2568 fiscal year 2024")
    assert dating.sub("|", text) == "รายงาน| | พ.ศ. 2567 | 2568 | 2024"
    assert not dating.search("งบประมาณ (บาท) แผนการใช้จ่ายงบประมาณ")


def test_crawl_hints_and_thresholds_are_shared_by_both_years() -> None:
    a, b = load_year(2568), load_year(2567)
    assert a.crawl == b.crawl and a.thresholds == b.thresholds and a.patterns == b.patterns
    generic = {compact(t) for t in a.crawl["generic_link_texts"]}
    assert {"คลิกลิงค์ข้อมูล", "คลิกที่นี่", "รายละเอียด", "เปิด", "ดาวน์โหลดเอกสาร"} <= generic
    assert {"ita", "oit", "การเปิดเผยข้อมูลสาธารณะ"} <= {compact(t) for t in a.crawl["hub_terms"]}
    assert "เข้าสู่ระบบ" in a.crawl["login_terms"]
    assert a.thresholds["min_text_chars_static"] == 200 and a.thresholds["fuzzy_alias"] == 90
    assert a.thresholds["ocr_year_weak"] is True


# ----------------------------------------------------------------------------- loader errors

GOOD_ITEM = """
extends = "common.toml"

[ruleset]
year = 2599

[indicators]
"9" = "การเปิดเผยข้อมูล"

[subindicators]
"9.1" = { title = "ข้อมูลพื้นฐาน", indicator = "9" }

[[items]]
id = "O1"
title = "ข้อมูลการติดต่อ"
subindicator = "9.1"
period = "current"
aliases = ["ติดต่อเรา"]

[[items.components]]
name = "phone"
label = "หมายเลขโทรศัพท์"
regex = ["@phone"]
"""


def _write(tmp_path: Path, text: str) -> Path:
    shutil.copy(RULES_DIR / "common.toml", tmp_path / "common.toml")
    path = tmp_path / "ita-2599.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_minimal_rule_file_of_the_documented_shape_loads(tmp_path: Path) -> None:
    rules = load_rules(_write(tmp_path, GOOD_ITEM))
    item = rules.item("o1")
    assert item.aliases == ("ข้อมูลการติดต่อ", "ติดต่อเรา")
    assert item.components[0].regex[0].search("โทร 0-4303-9711")


def test_bad_period_names_file_item_and_field(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD_ITEM.replace('period = "current"', 'period = "yearly"'))
    with pytest.raises(RuleError, match=r"ita-2599\.toml item O1: field 'period': 'yearly'"):
        load_rules(path)


def test_missing_field_names_file_item_and_field(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD_ITEM.replace('subindicator = "9.1"\n', ""))
    with pytest.raises(RuleError, match=r"ita-2599\.toml item O1: missing field 'subindicator'"):
        load_rules(path)


def test_unknown_pattern_names_file_item_component_and_field(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD_ITEM.replace('"@phone"', '"@telephone"'))
    with pytest.raises(
        RuleError,
        match=r"ita-2599\.toml item O1 component 'phone': field 'regex': unknown pattern '@telephone'",
    ):
        load_rules(path)


def test_bad_toml_names_the_file_and_the_line(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD_ITEM.replace('title = "ข้อมูลการติดต่อ"', "title = ข้อมูล"))
    with pytest.raises(RuleError, match=r"ita-2599\.toml: not valid TOML: .*line 15"):
        load_rules(path)


def test_unknown_year_says_which_years_are_shipped() -> None:
    with pytest.raises(
        RuleError, match=r"no rule set for fiscal year 2501 \(shipped: 2567, 2568, 2569\)"
    ):
        load_year(2501)


# ----------------------------------------------------------------------------- 2569 and `was`


def test_2569_is_marked_provisional_and_says_why() -> None:
    rules = load_year(2569)
    assert rules.status == "provisional" and "provisional" in rules.title
    assert "ชั่วคราว" in rules.note and "provisional" in rules.note
    assert rules.item("O3").title == "ข้อมูลการติดต่อและช่องทางการสอบถาม"
    assert rules.item("O25").title == "การนำผลการประเมิน ITA ไปสู่การพัฒนาองค์กร"


def test_every_2569_item_names_the_2568_items_it_continues() -> None:
    new, old = load_year(2569), load_year(2568)
    assert new.was_year == 2568
    old_ids = {it.id for it in old.items}
    for it in new.items:
        assert it.was is not None and set(it.was) <= old_ids, it.id
    assert new.item("O20").was == ("O21", "O22") and new.item("O10").was == ("O10", "O11")
    assert new.item("O25").was == ()  # new in 2569
    continued = {w for it in new.items for w in it.was}
    assert old_ids - continued == {"O27"}  # the one 2568 item without a successor


@pytest.mark.parametrize(("merged", "parts"), [("O20", ("O21", "O22")), ("O10", ("O10", "O11"))])
def test_a_merged_2569_item_requires_every_part_of_its_2568_items(merged, parts) -> None:
    """No Gift (declaration + culture) and the gift report, E-Service and its statistics: an
    agency that posts one half must not get the merged item."""
    new, old = load_year(2569), load_year(2568)
    have = {(c.any, tuple(r.pattern for r in c.regex)) for c in new.item(merged).components}
    for part in parts:
        for comp in old.item(part).components:
            if comp.name in ("report", "gifts"):  # 2568 O22's report: gift_report below
                continue
            assert (comp.any, tuple(r.pattern for r in comp.regex)) in have, (part, comp.name)
    if merged == "O20":
        gift = {c.name: c for c in new.item("O20").components}["gift_report"]
        assert gift.period == "prev_fy"


def test_2569_components_need_more_than_the_items_own_title() -> None:
    """A hub row that repeats the 2569 title must not supply the new components by itself."""
    rules = load_year(2569)
    for item_id, name in [("O13", "criteria"), ("O19", "result"), ("O20", "gift_report"),
                          ("O25", "ita_analysis"), ("O25", "actions"), ("O10", "service_statistics")]:  # fmt: skip
        comp = {c.name: c for c in rules.item(item_id).components}[name]
        title = compact(rules.item(item_id).title)
        assert not [a for a in comp.any if a in title], (item_id, name)


LABELS_2569 = [
    ("O1 โครงสร้าง หน้าที่และอำนาจ", "O1"),
    ("O3 ข้อมูลการติดต่อและช่องทางการสอบถาม", "O3"),
    ("O10 ระบบการให้บริการผ่านช่องทางออนไลน์ (E-SERVICE)", "O10"),
    ("ข้อมูลสถิติการให้บริการ ประจำปี 2568", "O10"),
    ("O11 สรุปผลการจัดซื้อจัดจ้างหรือการจัดหาพัสดุรายเดือน", "O11"),
    ("3.สขร. เดือน ธันวาคม2568", "O11"),
    ("O12 รายงานสรุปผลการจัดซื้อจัดจ้างหรือการจัดหาพัสดุของหน่วยงาน", "O12"),
    ("O13 หลักเกณฑ์และแผนการบริหารและพัฒนาทรัพยากรบุคคล", "O13"),
    ("หลักเกณฑ์การบริหารทรัพยากรบุคคล", "O13"),
    ("O19 ผลการเปิดโอกาสให้มีส่วนร่วมในการดำเนินงาน", "O19"),
    ("O20 การขับเคลื่อนนโยบาย NO GIFT POLICY จากการปฏิบัติหน้าที่", "O20"),
    ("รายงานการรับของขวัญ ประจำปี 2568", "O20"),
    ("O21 การประเมินความเสี่ยงการทุจริตในหน่วยงานภาครัฐ", "O21"),
    ("O22 รายงานผลการดำเนินการตามแผนบริหารจัดการความเสี่ยงการทุจริตของหน่วยงาน", "O22"),
    ("O25 การนำผลการประเมิน ITA ไปสู่การพัฒนาองค์กร", "O25"),
    ("O26 รายงานผลการดำเนินการเพื่อส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน", "O26"),
    ("สถิติผู้เข้าชมเว็บไซต์", None),
]


@pytest.mark.parametrize(("text", "want"), LABELS_2569)
def test_2569_labels_name_the_right_item(text: str, want: str | None) -> None:
    assert name_item(load_year(2569), text) == want


# ----------------------------------------------------------------------------- unknown keys


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('aliases = ["ติดต่อเรา"]', 'aliasses = ["ติดต่อเรา"]',
         r"item O1: ไม่รู้จักช่อง 'aliasses' \(unknown field 'aliasses'; did you mean 'aliases'\?\)"),
        ('regex = ["@phone"]', 'regex = ["@phone"]\nplaces = "text"',
         r"item O1 component 'phone': ไม่รู้จักช่อง 'places'.*did you mean 'place'"),
        ("year = 2599", "year = 2599\nyaer_note = 1", r"\[ruleset\]: ไม่รู้จักช่อง 'yaer_note'"),
        ('extends = "common.toml"', 'extends = "common.toml"\nitem = []',
         r"ita-2599\.toml: ไม่รู้จักช่อง 'item'.*did you mean 'items'"),
        ("[indicators]", "[crawl.traps]\npatiense = 2\n\n[indicators]",
         r"\[crawl\.traps\]: ไม่รู้จักช่อง 'patiense'.*did you mean 'patience'"),
        ("[indicators]", "[thresholds]\nfuzzy = 80\n\n[indicators]", r"\[thresholds\]: ไม่รู้จักช่อง 'fuzzy'"),
    ],
)  # fmt: skip
def test_an_unknown_key_is_refused_naming_where_and_the_nearest_key(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    path = _write(tmp_path, GOOD_ITEM.replace(old, new, 1))
    with pytest.raises(RuleError, match=message):
        load_rules(path)


def test_every_key_the_shipped_files_use_is_accepted_including_crawl_traps(tmp_path) -> None:
    text = GOOD_ITEM.replace("[indicators]", "[crawl.traps]\npatience = 2\n\n[indicators]")
    rules = load_rules(_write(tmp_path, text))
    assert rules.crawl["traps"]["patience"] == 2
    for year in (2567, 2568, 2569):
        load_year(year)  # common.toml's [crawl.traps] and every item key are known


def test_the_loader_knows_every_key_the_code_reads() -> None:
    """A key the checker reads (rules.crawl.get("image_pages")) but the loader does not list
    would make every shipped rule file fail to load; a listed key nobody reads is a typo trap."""
    from oit_checker.rules import KEYS

    code = "\n".join(
        p.read_text(encoding="utf-8") for p in (RULES_DIR.parent / "oit_checker").rglob("*.py")
    )
    read = re.findall(r"rules\.(crawl|thresholds|scoring)\.get\(\s*\"(\w+)\"", code)
    assert read, "the pattern no longer finds how the code reads rule keys"
    for table, key in read:
        assert key in KEYS[table], f"[{table}] {key} is read by the code but not in rules.KEYS"
