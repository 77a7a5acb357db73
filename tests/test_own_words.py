"""A page titled with its item's name holds only what its body shows (check/own_words.py).

Agencies title the page or file with the item's name ("โครงสร้างและอำนาจหน้าที่", "แผนและความ
ก้าวหน้าในการดำเนินงานและการใช้งบประมาณประจำปี") and date it ("ประจำปีงบประมาณ พ.ศ. 2567"). When
the body holds one part only, the title's words for the other part, or the "งบประมาณ" of
"ปีงบประมาณ", must not stand in for it: that is how a missing item was called present.
Each case is served on loopback and audited end to end, with the complete page beside it.
"""

from __future__ import annotations

from docfactory import pdf_reportlab
from sitekit import audit_site, hub, page

STRUCTURE = (
    "<h2>แผนผังโครงสร้างองค์การบริหารส่วนตำบลทดสอบ</h2>"
    "<table><tr><th>ส่วนราชการ</th><th>อัตรากำลัง</th></tr>"
    "<tr><td>สำนักปลัด</td><td>12</td></tr><tr><td>กองคลัง</td><td>6</td></tr>"
    "<tr><td>กองช่าง</td><td>5</td></tr></table>"
    "<p>นายกองค์การบริหารส่วนตำบล กำกับดูแล ปลัดองค์การบริหารส่วนตำบล เป็นผู้บังคับบัญชา</p>"
)
DUTIES = "<h2>อำนาจหน้าที่</h2><p>(1) จัดให้มีและบำรุงรักษาทางน้ำและทางบก (2) ป้องกันโรค</p>"


def _item_page(root, item_id: str, title: str, heading: str, body: str):
    """The verdict on an item whose OIT row (``title``) links a page headed ``heading``."""
    files = {
        "index.html": hub([(item_id, title, "/item.html")]),
        "item.html": page(f"<h1>{heading}</h1>{body}"),
    }
    return audit_site(root, files)[item_id]


def _o1(tmp_path, body: str):
    title = "โครงสร้างและอำนาจหน้าที่"
    return _item_page(tmp_path, "O1", title, f"{title} อบต.ทดสอบ", body)


def test_structure_and_duties_title_does_not_stand_in_for_the_duties(tmp_path):
    got = _o1(tmp_path / "chart", STRUCTURE)
    assert got.status == "absent", got.reason
    assert got.missing == ["duties"]
    whole = _o1(tmp_path / "whole", STRUCTURE + DUTIES)
    assert whole.status == "present", whole.reason


def test_a_units_header_and_a_position_are_not_a_list_of_units(tmp_path):
    """ "ส่วนราชการ" heads the list; "หัวหน้าสำนักปลัด" is one unit named twice (the phrase and
    the unit pattern), not two units."""
    chart = (
        "<h2>แผนผังโครงสร้างส่วนราชการ อบต.ทดสอบ</h2>"
        "<p>นายกองค์การบริหารส่วนตำบล กำกับดูแล หัวหน้าสำนักปลัดองค์การบริหารส่วนตำบล</p>"
    )
    got = _o1(tmp_path, chart + DUTIES)
    assert got.status == "absent", got.reason
    assert got.missing == ["units"]


PLAN_TABLE = (
    "<table><tr><th>โครงการ</th><th>งบประมาณ (บาท)</th></tr>"
    "<tr><td>โครงการก่อสร้างถนนคอนกรีตเสริมเหล็ก</td><td>450,000</td></tr></table>"
)
PROGRESS = (
    "<p>รายงานความก้าวหน้าการดำเนินงาน รอบ 6 เดือน (1 ตุลาคม 2567 - 31 มีนาคม 2568) "
    "เบิกจ่ายแล้วร้อยละ 46.5</p>"
)
O6_TITLE = "แผนและความก้าวหน้าในการดำเนินงานและการใช้งบประมาณประจำปี"


def test_plan_and_progress_title_does_not_stand_in_for_the_progress_report(tmp_path):
    def o6(folder: str, body: str):
        heading = f"{O6_TITLE} ประจำปีงบประมาณ พ.ศ. 2568"
        return _item_page(tmp_path / folder, "O6", O6_TITLE, heading, body)

    got = o6("plan", PLAN_TABLE)
    assert got.status == "absent", got.reason
    assert "progress" in got.missing
    assert o6("both", PLAN_TABLE + PROGRESS).status == "present"


def test_the_budget_of_a_fiscal_year_is_not_a_result(tmp_path):
    """An annual report (a real PDF) dated "ประจำปีงบประมาณ พ.ศ. 2567" whose body is only a cover
    note: its title's "ผลการดำเนินงาน" and the date's "งบประมาณ" are no results."""
    title = "รายงานผลการดำเนินงานประจำปี ประจำปีงบประมาณ พ.ศ. 2567"

    def o7(folder: str, lines: list[str]):
        root = tmp_path / folder
        root.mkdir()
        pdf = pdf_reportlab([title, *lines], root / "report.pdf").read_bytes()
        files = {
            "index.html": hub([("O7", "รายงานผลการดำเนินงานประจำปี", "/docs/report.pdf")]),
            "docs/report.pdf": pdf,
        }
        return audit_site(root, files)["O7"]

    got = o7("cover", ["สำนักปลัด จึงเรียนมาเพื่อโปรดทราบ"])
    assert got.status == "absent", got.reason
    assert got.missing == ["results"]
    whole = o7(
        "whole",
        [
            "ดำเนินโครงการแล้วเสร็จ 45 โครงการ จากทั้งหมด 52 โครงการ คิดเป็นร้อยละ 86.54",
            "ปัญหาอุปสรรค ได้แก่ ฝนตกต่อเนื่อง ข้อเสนอแนะ ควรวางแผนล่วงหน้า",
        ],
    )
    assert whole.status == "present", whole.reason


def test_no_gift_declaration_and_culture_title_does_not_stand_in_for_the_activity(tmp_path):
    title = "ประกาศเจตนารมณ์และการสร้างวัฒนธรรม ตามนโยบาย No Gift Policy จากการปฏิบัติหน้าที่"
    declaration = (
        '<p>ประกาศ อบต.ทดสอบ เรื่อง เจตนารมณ์ "งดรับ งดให้ ของขวัญและของกำนัลทุกชนิด" '
        "ประกาศ ณ วันที่ 9 ตุลาคม 2567</p><p>(ลงชื่อ) นายสมชาย ใจดี</p>"
        "<p>นายกองค์การบริหารส่วนตำบลทดสอบ</p>"
    )

    def o21(folder: str, body: str):
        heading = f"{title} ประจำปีงบประมาณ พ.ศ. 2568"
        return _item_page(tmp_path / folder, "O21", title, heading, body)

    got = o21("declaration", declaration)
    assert got.status == "absent", got.reason
    assert got.missing == ["culture"]
    activity = "<p>กิจกรรมรณรงค์ไม่รับของขวัญ ประชุมชี้แจงบุคลากร</p>"
    assert o21("both", declaration + activity).status == "present"


def _legacy(line: str) -> str:
    """A line as a legacy-font PDF text layer gives it: tone marks lost, ำ split to " า"."""
    return "".join(c for c in line if c not in "\u0e48\u0e49\u0e4a\u0e4b").replace("ำ", " า")


def test_a_damaged_pdf_text_layer_is_read_by_skeleton_and_its_title_still_hidden(tmp_path):
    """ "อ านาจหนาที" is อำนาจหน้าที่ in a PDF whose text layer lost its marks: the duties are
    found in its body, and not in its title alone."""
    chart = [
        "แผนผังโครงสร้างส่วนราชการองค์การบริหารส่วนตำบลทดสอบ",
        "สำนักปลัด 12 อัตรา กองคลัง 6 อัตรา กองช่าง 5 อัตรา กองการศึกษา 4 อัตรา",
        "นายกองค์การบริหารส่วนตำบล กำกับดูแล ปลัดองค์การบริหารส่วนตำบล เป็นผู้บังคับบัญชา",
        "พนักงานส่วนตำบลและลูกจ้างทุกคนปฏิบัติงานตามที่ได้รับมอบหมายจากผู้บังคับบัญชา",
    ]
    duties = ["อำนาจหน้าที่ขององค์การบริหารส่วนตำบลทดสอบ", "(1) จัดให้มีและบำรุงรักษาทางน้ำและทางบก"]

    def o1(folder: str, lines: list[str]):
        root = tmp_path / folder
        root.mkdir()
        text = [_legacy(t) for t in ["โครงสร้างและอำนาจหน้าที่", *lines]]
        files = {
            "index.html": hub([("O1", "โครงสร้างและอำนาจหน้าที่", "/docs/o1.pdf")]),
            "docs/o1.pdf": pdf_reportlab(text, root / "o1.pdf").read_bytes(),
        }
        return audit_site(root, files)["O1"]

    whole = o1("whole", chart + duties)
    assert whole.status == "present", whole.reason
    chart_only = o1("chart", chart)
    assert chart_only.status == "absent", chart_only.reason
    assert chart_only.missing == ["duties"]


def test_a_schools_groups_are_its_units(tmp_path):
    """ "กลุ่มบริหารวิชาการ", "กลุ่มบริหารงบประมาณ"…: one phrase ("กลุ่มบริหาร") inside each of
    them, yet as many units as groups; the deputy director's post adds none."""
    chart = (
        "<h2>แผนผังโครงสร้างโรงเรียนทดสอบ</h2><table><tr><th>กลุ่มงาน</th></tr>"
        "<tr><td>กลุ่มบริหารวิชาการ</td></tr><tr><td>กลุ่มบริหารงบประมาณ</td></tr></table>"
        "<p>ผู้อำนวยการโรงเรียน กำกับดูแล หัวหน้าฝ่ายบริหารทั่วไป เป็นผู้บังคับบัญชา</p>"
    )
    got = _o1(tmp_path, chart + DUTIES)
    assert got.status == "present", got.reason


def test_a_slug_cut_from_the_title_does_not_stand_in_for_the_progress_report(tmp_path):
    """WordPress cuts a Thai title into the slug ("แผนและความก้าวหน้าในการดำเนินงานและการใช"), and
    the page links itself (breadcrumb): the cut title is still the title."""
    slug = "/แผนและความก้าวหน้าในการดำเนินงานและการใช/"
    body = f'<p><a href="{slug}">หน้านี้</a></p>{PLAN_TABLE}'
    files = {
        "index.html": hub([("O6", O6_TITLE, slug)]),
        f"{slug}index.html": page(f"<h1>{O6_TITLE} ประจำปีงบประมาณ พ.ศ. 2568</h1>{body}"),
    }
    got = audit_site(tmp_path, files)["O6"]
    assert got.status == "absent", got.reason
    assert "progress" in got.missing


def test_a_position_in_a_damaged_pdf_text_layer_is_no_unit(tmp_path):
    """ "หัวหนาฝายบริหารทัวไป" is the head of general affairs in a text layer that lost its tone
    marks: a post, not a unit, as "หัวหน้าฝ่ายบริหารทั่วไป" is. With it counted, one group
    and a post passed for the list of units."""
    head = [
        "แผนผังโครงสร้างส่วนราชการโรงเรียนทดสอบวิทยา",
        "ผู้อำนวยการโรงเรียน กำกับดูแลและรับผิดชอบการบริหารราชการของโรงเรียนทดสอบวิทยา",
        "หัวหน้าฝ่ายบริหารทั่วไป เป็นผู้บังคับบัญชาพนักงานและลูกจ้าง รองลงมาคือ รองผู้อำนวยการโรงเรียน",
        "อำนาจหน้าที่ของโรงเรียนทดสอบวิทยา (1) จัดให้มีและบำรุงรักษาทางน้ำและทางบก",
        "(2) รักษาความสะอาดของถนน ทางน้ำ ทางเดิน และที่สาธารณะ (3) ป้องกันโรคและระงับโรคติดต่อ",
    ]

    def o1(folder: str, lines: list[str]):
        root = tmp_path / folder
        root.mkdir()
        text = [_legacy(t) for t in ["โครงสร้างและอำนาจหน้าที่", *lines]]
        files = {
            "index.html": hub([("O1", "โครงสร้างและอำนาจหน้าที่", "/docs/o1.pdf")]),
            "docs/o1.pdf": pdf_reportlab(text, root / "o1.pdf").read_bytes(),
        }
        return audit_site(root, files)["O1"]

    one_group = o1("one", [*head, "กลุ่มบริหารวิชาการ จึงเรียนมาเพื่อโปรดทราบ"])
    assert one_group.status == "absent", one_group.reason
    assert one_group.missing == ["units"]
    two_units = o1("two", [*head, "กลุ่มบริหารวิชาการ ฝ่ายการเงินและพัสดุ"])
    assert two_units.status == "present", two_units.reason


def test_the_contact_title_does_not_stand_in_for_the_question_channel(tmp_path):
    """ITA 2569 O3 is named "ข้อมูลการติดต่อและช่องทางการสอบถาม": a contact page that only says
    so in its title, with address, phone and e-mail, has no channel to ask questions."""
    title = "ข้อมูลการติดต่อและช่องทางการสอบถาม"
    contacts = (
        "<p>ที่อยู่ องค์การบริหารส่วนตำบลทดสอบ เลขที่ 99 หมู่ 4 ตำบลทดสอบ อำเภอเมือง"
        " จังหวัดนครราชสีมา 30310</p><p>โทรศัพท์ : 0-4430-0311</p>"
        "<p>อีเมล : saraban@test.go.th</p>"
    )

    def o3(folder: str, body: str):
        files = {
            "index.html": hub([("O3", title, "/item.html")], heading="ITA 2569"),
            "item.html": page(f"<h1>{title}</h1>{body}", title=title),
        }
        return audit_site(tmp_path / folder, files, year=2569)["O3"]

    got = o3("title-only", contacts)
    assert got.status != "present", got.reason
    assert "qa_channel" in got.missing
    board = '<p><a href="/board.html">กระดานถาม-ตอบ (Q&amp;A)</a></p>'
    whole = o3("with-board", contacts + board)
    assert whole.status == "present", whole.reason
