"""Contact data as agencies publish it: channels in mailto:/tel: links, addresses split over
tags, and the template leftovers (sample numbers, a form that posts nowhere) that are not data."""

from __future__ import annotations

from sitekit import audit_site, page

QA_BOARD = page(
    "<h1>กระดานถาม-ตอบ</h1><p>ตั้งกระทู้ถามเจ้าหน้าที่ได้ที่นี่</p>"
    '<form method="post" action="/webboard.php"><input name="topic" placeholder="หัวข้อคำถาม">'
    '<textarea name="body"></textarea><button type="submit">ส่งคำถาม</button></form>'
)


def _index(qa: bool = True) -> str:
    board = '<p><a href="/qa.html">กระดานถาม-ตอบ</a></p>' if qa else ""
    return page(f'<h1>อบต.ทดสอบ</h1><p><a href="/contact.html">ติดต่อเรา</a></p>{board}')


def _contact_verdict(tmp_path, body: str, qa: bool = True):
    files = {"index.html": _index(qa), "contact.html": page(body)}
    if qa:
        files["qa.html"] = QA_BOARD
    return audit_site(tmp_path, files)["O3"]


def test_mailto_and_tel_links_and_a_split_address_make_a_contact_page(tmp_path):
    got = _contact_verdict(
        tmp_path,
        "<h1>ข้อมูลการติดต่อ</h1>"
        '<div class="addr"><span>เลขที่ 301 หมู่ที่ 1</span> | <span>ตำบล ปะโค</span> | '
        "<span>41370</span></div>"
        '<p><a href="tel:042870026">โทรหาเรา</a> '
        '<a href="mailto:saraban@pakho.go.th">ส่งอีเมลถึงเรา</a></p>'
        # a footer "ติดต่อเรา" that is a mailto: link is a channel, not an empty link
        '<footer><a href="mailto:saraban@pakho.go.th">ติดต่อเรา</a></footer>',
    )
    assert got.status == "present", got.reason
    assert got.evidence[0].url.endswith("/contact.html")
    assert "ลิงก์ว่าง" not in got.reason


def test_sample_phone_and_a_form_posting_nowhere_are_not_contact_data(tmp_path):
    got = _contact_verdict(
        tmp_path,
        "<h1>ติดต่อเรา</h1>"
        "<p>เลขที่ 301 หมู่ที่ 1 ตำบลปะโค อำเภอกุมภวาปี จังหวัดอุดรธานี 41370</p>"
        "<p>โทรศัพท์ 042-xxx-xxx อีเมล saraban@pakho.go.th</p>"
        '<h2>สอบถามข้อมูล</h2><form action="#"><input name="q" placeholder="พิมพ์คำถาม">'
        '<button type="submit">ส่งคำถาม</button></form>',
        qa=False,
    )
    assert got.status == "absent", got.reason
    assert "phone" in got.missing and "qa_channel" in got.missing
    assert "042-xxx-xxx" in got.reason  # the reason names the sample value
    assert 'action="#"' in got.reason


def test_a_template_sample_number_does_not_count_as_a_phone(tmp_path):
    got = _contact_verdict(
        tmp_path,
        "<h1>ติดต่อเรา</h1>"
        "<p>เลขที่ 99 หมู่ 2 ตำบลสว่าง อำเภอโพนทอง จังหวัดร้อยเอ็ด 45110</p>"
        "<p>โทร 012-345-6789 อีเมล example@mail.com</p>",
    )
    assert got.status == "absent", got.reason
    assert {"phone", "email"} <= set(got.missing)
