"""Dates as agency sites print them (issue 13 point 7): news in CE with Thai month names,
WordPress's ``<time datetime>`` and "Posted on" lines; a "2568" in a sentence about something
else does not date a page; a page with no year that is not the item's kind is absent."""

from __future__ import annotations

from sitekit import audit_site, page


def _wp_post(title: str, printed: str, machine: str) -> str:
    return (
        f'<article class="post"><h2 class="entry-title"><a href="#">{title}</a></h2>'
        f'<div class="entry-meta"><span class="posted-on">Posted on <a href="#" rel="bookmark">'
        f'<time class="entry-date published" datetime="{machine}">{printed}</time></a></span>'
        f' by <span class="author">admin</span></div>'
        f'<div class="entry-summary"><p>{title} รายละเอียดของกิจกรรม</p></div></article>'
    )


def _news(tmp_path, posts: str):
    files = {
        "index.html": page('<h1>อบต.ทดสอบ</h1><p><a href="/news.html">ข่าวประชาสัมพันธ์</a></p>'),
        "news.html": page(f"<h1>ข่าวประชาสัมพันธ์</h1>{posts}", title="ข่าวประชาสัมพันธ์"),
    }
    return audit_site(tmp_path, files)["O4"]


def test_wordpress_posts_dated_in_ce_with_thai_month_names(tmp_path):
    got = _news(
        tmp_path,
        _wp_post("โครงการวันเด็กแห่งชาติ", "มกราคม 11, 2025", "2025-01-11T09:00:00+07:00")
        + _wp_post("ประชุมประชาคมหมู่บ้าน", "ธันวาคม 3, 2024", "2024-12-03T10:30:00+07:00"),
    )
    assert got.status == "present", got.reason


def test_a_card_date_without_its_year_is_read_from_time_datetime(tmp_path):
    """Card themes print "11 ม.ค." without the year; the machine date carries it."""
    got = _news(
        tmp_path,
        _wp_post("โครงการวันเด็กแห่งชาติ", "11 ม.ค.", "2025-01-11T09:00:00+07:00")
        + _wp_post("ประชุมประชาคมหมู่บ้าน", "3 ธ.ค.", "2024-12-03T10:30:00+07:00"),
    )
    assert got.status == "present", got.reason


HR_TOPICS = (
    "<p>แผนนี้กำหนดแนวทางการสรรหาและคัดเลือกบุคลากร การฝึกอบรมและพัฒนาสมรรถนะ "
    "การประเมินผลการปฏิบัติงาน การเลื่อนขั้นเงินเดือน และการส่งเสริมสวัสดิการและคุณภาพชีวิต "
    "ของพนักงานส่วนตำบล ลูกจ้างประจำ และพนักงานจ้าง ให้เป็นไปตามหลักเกณฑ์ที่คณะกรรมการกำหนด "
    "โดยมีกองการเจ้าหน้าที่เป็นผู้รับผิดชอบหลัก และรายงานผลต่อผู้บริหารทุกไตรมาส</p>"
)


def _hr(tmp_path, target: str):
    files = {
        "index.html": page(
            '<h1>อบต.ทดสอบ</h1><p><a href="/hr.html">แผนการบริหารและพัฒนาทรัพยากรบุคคล</a></p>'
        ),
        "hr.html": target,
    }
    return audit_site(tmp_path, files)["O14"]


def test_a_2568_in_a_sentence_about_something_else_does_not_date_the_plan(tmp_path):
    got = _hr(
        tmp_path,
        page(
            "<h1>แผนการบริหารและพัฒนาทรัพยากรบุคคล</h1>"
            + HR_TOPICS
            + "<p>ข่าวดี อบต.ทดสอบได้รับผลการประเมินคุณธรรมและความโปร่งใส ITA ปี 2568 "
            "ในระดับผ่านดีเยี่ยม ขอขอบคุณประชาชนทุกท่าน</p>",
            title="แผนการบริหารและพัฒนาทรัพยากรบุคคล",
        ),
    )
    assert got.status == "uncertain", got.reason
    assert "ไม่ระบุปี" in got.reason


def test_a_year_beside_the_items_name_deep_in_the_page_still_counts(tmp_path):
    got = _hr(
        tmp_path,
        page(
            "<h1>แผนการบริหารและพัฒนาทรัพยากรบุคคล</h1>"
            + HR_TOPICS
            + "<p>แผนการบริหารและพัฒนาทรัพยากรบุคคล ประจำปี 2568 ได้รับความเห็นชอบจากนายก</p>",
            title="แผนการบริหารและพัฒนาทรัพยากรบุคคล",
        ),
    )
    assert got.status == "present", got.reason


def test_a_departments_duties_page_with_no_year_is_not_the_hr_plan(tmp_path):
    got = _hr(
        tmp_path,
        page(
            "<h1>อำนาจหน้าที่ กองการเจ้าหน้าที่</h1>"
            "<p>กองการเจ้าหน้าที่ มีหน้าที่เกี่ยวกับการบริหารงานบุคคล ได้แก่ การจัดทำแผนอัตรากำลัง "
            "การสรรหาและคัดเลือก การฝึกอบรม การประเมินผลการปฏิบัติงาน การเลื่อนขั้นเงินเดือน "
            "และงานสวัสดิการของพนักงาน</p>",
            title="กองการเจ้าหน้าที่ - อบต.ทดสอบ",
        ),
    )
    assert got.status == "absent", got.reason
    assert "ไม่ระบุปี" in got.reason and "ไม่ใช่แผนการบริหาร" in got.reason
