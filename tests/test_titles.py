"""Titles as agencies write them name their item (check/tokens.py): words added inside the name,
vowels a PDF text layer dropped; generic words never name one. Served on loopback, audited end to
end."""

from __future__ import annotations

from docfactory import pdf_reportlab
from sitekit import audit_site, hub, page

from oit_checker.check.naming import ItemNamer
from oit_checker.rules import load_year

ANTI_CORRUPTION_PLAN = (
    "<table><tr><th>โครงการ/กิจกรรม</th><th>งบประมาณ (บาท)</th></tr>"
    "<tr><td>โครงการอบรมคุณธรรมจริยธรรมแก่บุคลากร</td><td>20,000</td></tr>"
    "<tr><td>กิจกรรมประกาศเจตนารมณ์ต่อต้านการทุจริต</td><td>5,000</td></tr></table>"
)


def test_a_title_with_words_added_inside_names_its_item(tmp_path):
    """No alias is a substring of "แผนปฏิบัติการป้องกันปราบปรามการทุจริตและประพฤติมิชอบ และ
    ส่งเสริมคุณธรรม…", yet every word of "แผนปฏิบัติการป้องกันการทุจริต" is in it."""
    title = (
        "แผนปฏิบัติการป้องกันปราบปรามการทุจริตและประพฤติมิชอบ และส่งเสริมคุณธรรมจริยธรรม "
        "ประจำปีงบประมาณ พ.ศ. 2568"
    )
    files = {
        "index.html": hub([("O25", title, "/plan.html")]),
        "plan.html": page(f"<h1>{title}</h1>{ANTI_CORRUPTION_PLAN}"),
    }
    got = audit_site(tmp_path, files)["O25"]
    assert got.status == "present", got.reason
    assert got.evidence[0].url.endswith("/plan.html")


def test_a_title_that_lost_its_vowels_in_a_pdf_names_its_item(tmp_path):
    """The agency copied the title from its PDF's text layer: "ดาเนินงาน", "ประจาปี", "ตาบล"."""
    title = "รายงานผลการดาเนินงานประจาปี ขององค์การบริหารส่วนตาบลทดสอบ ปีงบประมาณ 2567"
    lines = [
        title,
        "ดาเนินโครงการแล้วเสร็จ 45 โครงการ จากทั้งหมด 52 โครงการ คิดเป็นร้อยละ 86.54",
        "ปัญหาอุปสรรค ได้แก่ ฝนตกต่อเนื่อง ข้อเสนอแนะ ควรวางแผนล่วงหน้า",
    ]
    pdf = pdf_reportlab(lines, tmp_path / "report.pdf").read_bytes()
    files = {
        "index.html": page(f'<h1>อบต.ทดสอบ</h1><p><a href="/docs/report.pdf">{title}</a></p>'),
        "docs/report.pdf": pdf,
    }
    got = audit_site(tmp_path, files)["O7"]
    assert got.status == "present", got.reason


def test_generic_words_name_no_item(tmp_path):
    """ "แผน", "รายงาน", "ข้อมูล", "ประจำปี" are in half the items' names: a page of them is
    no one's evidence, however report-like its body."""
    title = "ข้อมูลแผนและรายงาน ปี 2567"
    body = "<p>ดำเนินโครงการแล้วเสร็จ 45 โครงการ ปัญหาอุปสรรค ข้อเสนอแนะ</p>"
    files = {
        "index.html": page(f'<h1>อบต.ทดสอบ</h1><p><a href="/data.html">{title}</a></p>'),
        "data.html": page(f"<h1>{title}</h1>{body}"),
    }
    got = audit_site(tmp_path, files)
    assert got["O7"].status == "absent" and got["O6"].status == "absent"
    namer = ItemNamer(load_year(2568))
    for text in (title, "แผนงานประจำปี", "รายงานข้อมูลประจำเดือน", "ข้อมูลการดาเนินงาน"):
        assert namer.names_in(text) == (), text
