"""People as agencies list them: the executives page often holds a board or committee too
(คณะกรรมการ…, กรรมการโดยตำแหน่ง) and posts left vacant ("–"). The section heading decides who
is an executive; a board member without a phone is not an executive without a contact, and a
vacant post is not a missing executive."""

from __future__ import annotations

from sitekit import audit_site, page


def _card(name: str, position: str, contact: str, photo: str) -> str:
    return (
        f'<div class="col-md-4"><div class="card"><img src="/img/{photo}.jpg" alt="">'
        f'<div class="card-body"><p class="name">{name}</p><p>{position}</p>'
        f"<p>{contact}</p></div></div></div>"
    )


EXECUTIVES = "".join(
    [
        _card("นายสมชาย ใจดี", "นายกองค์การบริหารส่วนตำบลทดสอบ", "โทร 081-234-5670", "p1"),
        _card("นางสาวพรทิพย์ ศรีสุข", "รองนายกองค์การบริหารส่วนตำบลทดสอบ", "โทร 081-234-5671", "p2"),
        # a vacant post: a placeholder avatar, the position, and a dash where the name goes
        _card("–", "รองนายกองค์การบริหารส่วนตำบลทดสอบ", "–", "vacant"),
        _card("นายวิชัย มั่นคง", "ปลัดองค์การบริหารส่วนตำบลทดสอบ", "โทร 081-234-5673", "p4"),
        _card("(ว่าง)", "รองปลัดองค์การบริหารส่วนตำบลทดสอบ", "", "vacant"),
    ]
)
BOARD = "".join(
    [
        _card("นายบุญมี ทองดี", "ประธานกรรมการ", "", "b1"),
        _card("นางมาลี สวยงาม", "กรรมการโดยตำแหน่ง (หัวหน้าสำนักปลัด)", "", "b2"),
        _card("นายเกษม สุขใจ", "กรรมการผู้ทรงคุณวุฒิ (อดีตหัวหน้าชุมชน)", "", "b3"),
    ]
)


def _accordion(sections: list[tuple[str, str]]) -> str:
    out = []
    for n, (heading, body) in enumerate(sections):
        out.append(
            f'<div class="accordion-item"><h2 class="accordion-header">'
            f'<button class="accordion-button" data-bs-toggle="collapse" '
            f'data-bs-target="#s{n}" aria-controls="s{n}">{heading}</button></h2>'
            f'<div id="s{n}" class="accordion-collapse collapse"><div class="accordion-body">'
            f'<div class="row">{body}</div></div></div></div>'
        )
    return '<div class="accordion" id="people">' + "".join(out) + "</div>"


def _execs(tmp_path, body: str):
    files = {
        "index.html": page('<h1>อบต.ทดสอบ</h1><p><a href="/execs.html">ข้อมูลผู้บริหาร</a></p>'),
        "execs.html": page(f"<h1>ข้อมูลผู้บริหาร</h1>{body}"),
    }
    return audit_site(tmp_path, files)["O2"]


def test_a_board_in_its_own_accordion_section_is_not_the_executives_list(tmp_path):
    got = _execs(
        tmp_path,
        _accordion(
            [
                ("คณะผู้บริหาร", EXECUTIVES),
                ("คณะกรรมการบริหารกองทุนหลักประกันสุขภาพ", BOARD),
            ]
        ),
    )
    assert got.status == "present", got.reason
    assert "นายบุญมี" not in got.reason and "นางมาลี" not in got.reason


def test_board_members_under_an_h2_are_not_executives(tmp_path):
    got = _execs(
        tmp_path,
        f'<h2>คณะผู้บริหาร</h2><div class="row">{EXECUTIVES}</div>'
        f'<h2>กรรมการโดยตำแหน่ง</h2><div class="row">{BOARD}</div>',
    )
    assert got.status == "present", got.reason


def test_an_executive_without_a_contact_is_still_missing_one(tmp_path):
    """The board rule must not hide a real gap in the executives' own section."""
    no_phone = EXECUTIVES.replace("โทร 081-234-5673", "")
    got = _execs(
        tmp_path,
        _accordion([("คณะผู้บริหาร", no_phone), ("คณะกรรมการบริหารกองทุน", BOARD)]),
    )
    assert got.status == "absent", got.reason
    assert "นายวิชัย มั่นคง" in got.reason and "นายบุญมี" not in got.reason
