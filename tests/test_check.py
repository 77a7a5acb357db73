"""The checker's judgement on small sites built from HTML: the cases an assessor cares about.

The network path is covered end to end elsewhere (demo, accuracy suite); here each case isolates
one rule of judgement so a regression names itself.
"""

from __future__ import annotations

import datetime as dt

import pytest

from oit_checker.check.items import check_items
from oit_checker.check.site import FetchInfo, SiteData
from oit_checker.extract.html import parse_html
from oit_checker.rules import load_year

BASE = "http://agency.test/"
MENU = """<nav><ul><li><a href="/">หน้าแรก</a></li><li><a href="/ita.html">ITA 2568</a></li>
<li><a href="/contact.html">ติดต่อเรา</a></li></ul></nav>"""
RULES = load_year(2568)
AS_OF = dt.date(2025, 10, 15)


def _site(pages: dict[str, str], statuses: dict[str, int] | None = None) -> SiteData:
    site = SiteData(start_url=BASE, hosts={"agency.test"})
    for path, html in pages.items():
        url = BASE + path.lstrip("/")
        page = parse_html(f"<html><body>{MENU}{html}</body></html>", url)
        site.add(FetchInfo(url, url, 200, "html"), page)
    for path, status in (statuses or {}).items():
        url = BASE + path.lstrip("/")
        site.add(FetchInfo(url, url, status, "html"), None)
    return site


def _verdict(site: SiteData, item_id: str, as_of: dt.date = AS_OF):
    return next(r for r in check_items(RULES, site, 2568, as_of) if r.id == item_id)


def _hub(rows: list[tuple[str, str, str]]) -> str:
    body = "".join(
        f'<tr><td>{n}</td><td>{title}</td><td><a href="{href}">คลิกลิงค์ข้อมูล</a></td></tr>'
        for n, title, href in rows
    )
    return f"<h1>ITA 2568</h1><table>{body}</table>"


HR_PLAN = """<h1>แผนการบริหารและพัฒนาทรัพยากรบุคคล ประจำปีงบประมาณ พ.ศ. {year}</h1>
<p>แผนนี้ครอบคลุมการสรรหา การพัฒนาบุคลากร การประเมินผลการปฏิบัติงาน และสวัสดิการ
เพื่อธำรงรักษาบุคลากร โครงการฝึกอบรม งบประมาณ และตัวชี้วัด</p>"""


def test_a_year_in_the_site_menu_does_not_make_an_old_plan_current():
    site = _site(
        {
            "hr.html": HR_PLAN.format(year=2566),
            "ita.html": _hub([("O14", "แผนการบริหารและพัฒนาทรัพยากรบุคคล", "/hr.html")]),
        }
    )
    result = _verdict(site, "O14")
    assert result.status == "absent"
    assert "2566" in result.reason and "period" in result.missing


def test_generic_link_text_is_named_by_its_table_row():
    site = _site(
        {
            "hr.html": HR_PLAN.format(year=2568),
            "ita.html": _hub([("O14", "แผนการบริหารและพัฒนาทรัพยากรบุคคล", "/hr.html")]),
        }
    )
    result = _verdict(site, "O14")
    assert result.status == "present", result.reason
    assert result.evidence[0].url == BASE + "hr.html"
    assert result.evidence[0].via == BASE + "ita.html"


def test_the_longest_alias_wins_between_overlapping_titles():
    from oit_checker.check.naming import ItemNamer

    namer = ItemNamer(RULES)
    assert namer.name_text("รายงานผลการดำเนินการป้องกันการทุจริตประจำปี 2567") == "O26"
    assert namer.name_text("รายงานผลการดำเนินงานประจำปี 2567") == "O7"
    assert namer.name_text("O๑ โครงสร้างและอำนาจหน้าที่") == "O1"
    assert namer.name_text("คลิกลิงค์ข้อมูล") is None
    assert namer.name_text("ita") is None


def test_placeholder_link_is_absent_and_says_so():
    site = _site({"ita.html": _hub([("O23", "การประเมินความเสี่ยงที่อาจเกิดการให้หรือรับสินบน", "#")])})
    result = _verdict(site, "O23")
    assert result.status == "absent"
    assert "ลิงก์ว่าง" in result.reason


def test_off_site_evidence_is_uncertain():
    site = _site(
        {
            "ita.html": _hub(
                [
                    (
                        "O14",
                        "แผนการบริหารและพัฒนาทรัพยากรบุคคล",
                        "https://drive.google.com/drive/folders/abc",
                    )
                ]
            )
        }
    )
    result = _verdict(site, "O14")
    assert result.status == "uncertain"
    assert "drive.google.com" in result.reason


def test_broken_link_is_absent_but_a_busy_server_is_uncertain():
    hub = _hub([("O14", "แผนการบริหารและพัฒนาทรัพยากรบุคคล", "/gone.pdf")])
    assert _verdict(_site({"ita.html": hub}, {"gone.pdf": 404}), "O14").status == "absent"
    busy = _verdict(_site({"ita.html": hub}, {"gone.pdf": 429}), "O14")
    assert busy.status == "uncertain" and "429" in busy.reason


def test_a_multi_year_plan_covers_the_fiscal_year():
    plan = """<h1>แผนพัฒนาท้องถิ่น (พ.ศ. 2566 - 2570)</h1><p>วิสัยทัศน์ ยุทธศาสตร์การพัฒนา
    พันธกิจ เป้าประสงค์ แผนงานและโครงการพัฒนา งบประมาณ ตัวชี้วัด ประเด็นยุทธศาสตร์</p>"""
    site = _site(
        {
            "plan.html": plan,
            "ita.html": _hub([("O5", "แผนยุทธศาสตร์หรือแผนพัฒนาหน่วยงาน", "/plan.html")]),
        }
    )
    assert _verdict(site, "O5").status == "present", _verdict(site, "O5").reason


def test_annual_report_must_be_for_the_previous_fiscal_year():
    report = """<h1>รายงานผลการดำเนินงานประจำปีงบประมาณ พ.ศ. {year}</h1><p>ผลการดำเนินงานตามแผน
    โครงการที่ดำเนินการ {n} โครงการ งบประมาณที่ใช้ ผลสัมฤทธิ์ ปัญหาอุปสรรค และข้อเสนอแนะ</p>"""
    for year, want in ((2567, "present"), (2568, "absent"), (2560, "absent")):
        site = _site(
            {
                "r.html": report.format(year=year, n=12),
                "ita.html": _hub([("O7", "รายงานผลการดำเนินงานประจำปี", "/r.html")]),
            }
        )
        assert _verdict(site, "O7").status == want, (year, _verdict(site, "O7").reason)


EXECS = """<h1>คณะผู้บริหาร</h1>
<div class="card"><img src="/p1.jpg"><span>นายสมชาย ใจดี</span><span>นายกองค์การบริหารส่วนตำบล</span><span>โทร 081-234-5678</span></div>
<div class="card"><img src="/p2.jpg"><span>นางสมศรี มีสุข</span><span>รองนายกองค์การบริหารส่วนตำบล</span>{phone}</div>
<div class="card"><img src="/p3.jpg"><span>นายวิชัย รักงาน</span><span>ปลัดองค์การบริหารส่วนตำบล</span><span>อีเมล wichai@agency.test</span></div>"""


@pytest.mark.parametrize(
    "phone,want", [("<span>โทร 089-111-2222</span>", "present"), ("", "absent")]
)
def test_every_executive_needs_a_contact(phone, want):
    site = _site(
        {
            "execs.html": EXECS.format(phone=phone),
            "ita.html": _hub([("O2", "ข้อมูลผู้บริหาร", "/execs.html")]),
        }
    )
    result = _verdict(site, "O2")
    assert result.status == want, result.reason
    if want == "absent":
        assert "นางสมศรี มีสุข" in result.reason


MONTHS = ["ตุลาคม 2567", "พฤศจิกายน 2567", "ธันวาคม 2567", "มกราคม 2568", "กุมภาพันธ์ 2568", "มีนาคม 2568",
          "เมษายน 2568", "พฤษภาคม 2568", "มิถุนายน 2568", "กรกฎาคม 2568", "สิงหาคม 2568", "กันยายน 2568"]  # fmt: skip


def _procurement(months: list[str]) -> str:
    rows = "".join(f"<li>{n}.สขร.เดือน {m} สรุปผลการจัดซื้อจัดจ้าง</li>" for n, m in enumerate(months, 1))
    return f"""<h1>รายการการจัดซื้อจัดจ้างหรือการจัดหาพัสดุ ประจำปีงบประมาณ 2568</h1><p>แบบ สขร.1 งานที่จัดซื้อ
    วงเงิน ราคากลาง วิธีซื้อหรือจ้าง ผู้เสนอราคา ผู้ได้รับการคัดเลือก เหตุผลที่คัดเลือก เลขที่สัญญา</p><ul>{rows}</ul>"""


def test_monthly_procurement_names_the_missing_month():
    hub = _hub([("O12", "รายการการจัดซื้อจัดจ้างหรือการจัดหาพัสดุ และความก้าวหน้า", "/proc.html")])
    full = _verdict(_site({"proc.html": _procurement(MONTHS), "ita.html": hub}), "O12")
    assert full.status == "present", full.reason
    gap = _verdict(
        _site({"proc.html": _procurement(MONTHS[:6] + MONTHS[7:]), "ita.html": hub}), "O12"
    )
    assert gap.status == "absent" and "เมษายน 2568" in gap.reason
    # Audited in mid-April: only October to March are due, so the gap in April does not count.
    early = _verdict(
        _site({"proc.html": _procurement(MONTHS[:6]), "ita.html": hub}), "O12", dt.date(2025, 4, 10)
    )
    assert early.status == "present", early.reason


def test_a_plan_with_no_year_at_all_is_uncertain():
    site = _site(
        {
            "hr.html": HR_PLAN.format(year="").replace("พ.ศ.", ""),
            "ita.html": _hub([("O14", "แผนการบริหารและพัฒนาทรัพยากรบุคคล", "/hr.html")]),
        }
    )
    result = _verdict(site, "O14")
    assert result.status == "uncertain", result.reason
    assert "ไม่ระบุปี" in result.reason


def test_nothing_published_is_absent_with_every_component_missing():
    result = _verdict(_site({"index.html": "<p>ยินดีต้อนรับ</p>"}), "O25")
    assert result.status == "absent"
    assert result.missing == [c.name for c in RULES.item("O25").components]


def test_a_damaged_pdf_is_not_evidence_and_says_why():
    from oit_checker.extract.documents import extract_document

    damaged = extract_document(BASE + "plan.pdf", "pdf", b"%PDF-1.7\n" + b"\x00broken" * 64)
    site = _site({"ita.html": _hub([("O25", "แผนปฏิบัติการป้องกันการทุจริต", "/plan.pdf")])})
    site.add(FetchInfo(BASE + "plan.pdf", BASE + "plan.pdf", 200, "pdf"), damaged)
    result = _verdict(site, "O25")
    assert result.status == "absent"
    assert "เปิดอ่านไม่ได้" in result.reason, result.reason
