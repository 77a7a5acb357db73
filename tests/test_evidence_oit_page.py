"""The agency's own OIT page as the evidence map (issue 13 point 1).

A row that says "O12 …" with its own links (a PDF and an Excel beside it, or twelve monthly
files) is judged as one piece of evidence and beats a site-menu link of a similar title. The
row's number is read in the numbering of the year its section is headed with, and it is a hint,
never proof: what the row links to must still hold the item's components.
"""

from __future__ import annotations

import docfactory
from sitekit import audit_site, page

from oit_checker.dates import THAI_MONTH_NAMES, fy_months

SKR_FIELDS = (
    "งานที่ซื้อหรือจ้าง วงเงินที่จะซื้อหรือจ้าง ราคากลาง วิธีซื้อหรือจ้าง "
    "รายชื่อผู้เสนอราคาและราคาที่เสนอ ผู้ได้รับการคัดเลือกและราคาที่ตกลง เหตุผลที่คัดเลือก"
)
MENU_PROCUREMENT = """<nav class="menu"><ul><li><a href="/index.html">หน้าแรก</a></li>
<li><a href="/ita.html">ITA 2568</a></li><li><a href="/egp.html">การจัดซื้อจัดจ้าง</a></li>
</ul></nav>"""
# The menu page: e-GP announcements of the year, not the monthly สขร.1 summaries.
EGP = page(
    "<h1>ข่าวจัดซื้อจัดจ้าง</h1><ul>"
    "<li>ประกาศผู้ชนะการเสนอราคา จ้างก่อสร้างถนนคอนกรีต หมู่ที่ 3 (12 ธ.ค. 2567)</li>"
    "<li>ประกาศเชิญชวน ซื้อวัสดุสำนักงาน (5 ม.ค. 2568)</li></ul>"
)
FIVE_ROWS = [
    ("O1", "โครงสร้างและอำนาจหน้าที่", "/about/structure.html"),
    ("O2", "ข้อมูลผู้บริหาร", "/about/execs.html"),
    ("O3", "ข้อมูลการติดต่อ", "/contact.html"),
    ("O4", "ข่าวประชาสัมพันธ์", "/news.html"),
    ("O5", "แผนยุทธศาสตร์หรือแผนพัฒนาหน่วยงาน", "/plan.html"),
]


def _with_menu(html: str) -> str:
    return html.replace(html[html.index("<nav") : html.index("</nav>") + 6], MENU_PROCUREMENT)


def _table(rows: list[tuple[str, str, str]], heading: str = "ITA 2568") -> str:
    """An OIT table page: ข้อ | ข้อมูล | links (the links cell holds raw HTML)."""
    body = "".join(
        f"<tr><td>{number}</td><td>{title}</td><td>{links}</td></tr>"
        for number, title, links in rows
    )
    head = f"การประเมินคุณธรรมและความโปร่งใส ({heading})"
    return page(
        f"<h1>{head}</h1><table><tr><th>ข้อ</th><th>ข้อมูล</th><th>ลิงก์</th></tr>{body}</table>",
        title=head,
    )


def _monthly_pdfs(tmp_path) -> dict[str, bytes]:
    files = {}
    for n, (year, month) in enumerate(fy_months(2568), start=1):
        name = THAI_MONTH_NAMES[month][0]
        path = docfactory.pdf_reportlab(
            [
                "แบบ สขร.1",
                f"สรุปผลการดำเนินการจัดซื้อจัดจ้างในรอบเดือน {name} {year}",
                "องค์การบริหารส่วนตำบลทดสอบ",
                SKR_FIELDS,
                "ซื้อวัสดุสำนักงาน 12,000 บาท วิธีเฉพาะเจาะจง ร้านทดสอบพาณิชย์ ใบสั่งซื้อเลขที่ 1/2568",
            ],
            tmp_path / f"skr{n}.pdf",
        )
        files[f"files/skr{n}.pdf"] = path.read_bytes()
    return files


def test_a_row_of_twelve_monthly_files_is_one_piece_of_evidence(tmp_path):
    """Each file alone holds one month; the row holds all twelve, as the assessor sees it."""
    links = "<br>".join(f'<a href="/files/skr{n}.pdf">ดาวน์โหลด</a>' for n in range(1, 13))
    files = {
        "index.html": _with_menu(page('<h1>อบต.ทดสอบ</h1><a href="/ita.html">ITA 2568</a>')),
        "ita.html": _with_menu(
            _table(
                [(n, t, f'<a href="{h}">คลิก</a>') for n, t, h in FIVE_ROWS]
                + [("O12", "รายการการจัดซื้อจัดจ้างหรือการจัดหาพัสดุ", links)]
            )
        ),
        "egp.html": _with_menu(EGP),
        **_monthly_pdfs(tmp_path),
    }
    got = audit_site(tmp_path, files)["O12"]
    assert got.status == "present", got.reason
    assert got.evidence[0].url.endswith("/files/skr1.pdf")
    assert got.evidence[0].via.endswith("/ita.html")


def test_the_oit_row_beats_a_menu_link_of_a_similar_title(tmp_path):
    """Both the menu's HR page and the OIT row's files hold a 2568 plan: the answer cites the
    row the agency itself declared (a PDF, with an Excel of the same plan beside it)."""
    plan = [
        "แผนการบริหารและพัฒนาทรัพยากรบุคคล ประจำปีงบประมาณ พ.ศ. 2568",
        "การสรรหาและคัดเลือกบุคลากร การฝึกอบรมพัฒนาบุคลากร",
        "การประเมินผลการปฏิบัติงาน สวัสดิการและคุณภาพชีวิต",
    ]
    pdf = docfactory.pdf_reportlab(plan, tmp_path / "hr.pdf")
    xlsx = docfactory.xlsx_file([[line] for line in plan], tmp_path / "hr.xlsx")
    menu = MENU_PROCUREMENT.replace(
        '<li><a href="/egp.html">การจัดซื้อจัดจ้าง</a></li>',
        '<li><a href="/hr.html">แผนพัฒนาบุคลากร</a></li>',
    )
    files = {
        "index.html": page('<h1>อบต.ทดสอบ</h1><a href="/ita.html">ITA 2568</a>'),
        "ita.html": _table(
            [(n, t, f'<a href="{h}">คลิก</a>') for n, t, h in FIVE_ROWS]
            + [
                (
                    "O14",
                    "แผนการบริหารและพัฒนาทรัพยากรบุคคลประจำปีงบประมาณ",
                    '<a href="/files/hr.pdf">PDF</a> <a href="/files/hr.xlsx">Excel</a>',
                )
            ]
        ),
        "hr.html": page("<h1>แผนพัฒนาบุคลากร</h1>" + "".join(f"<p>{p}</p>" for p in plan)),
        "files/hr.pdf": pdf.read_bytes(),
        "files/hr.xlsx": xlsx.read_bytes(),
    }
    for name in ("index.html", "ita.html", "hr.html"):
        head, tail = files[name].split("<nav", 1)
        files[name] = head + menu + tail.split("</nav>", 1)[1]
    got = audit_site(tmp_path, files)["O14"]
    assert got.status == "present", got.reason
    assert got.evidence[0].url.endswith("/files/hr.pdf"), got.evidence


def _accordion(sections: list[tuple[int, str]]) -> str:
    out = []
    for year, rows in sections:
        out.append(
            f'<div class="accordion-item"><h3 class="accordion-header">การประเมิน ITA ปี {year}</h3>'
            f'<div class="collapse show">{rows}</div></div>'
        )
    return page("".join(out), title="ITA การประเมินคุณธรรมและความโปร่งใส")


def _rows(rows: list[tuple[str, str]]) -> str:
    """rtrda-style rows: the item in bold, then one "– title" paragraph per document."""
    return "".join(
        f'<p><strong>{head}</strong></p><p>– <a href="{href}">ดาวน์โหลด</a></p>'
        for head, href in rows
    )


def test_a_row_named_only_by_its_number_is_read_in_its_section_year(tmp_path):
    """ "O11" under ITA 2568 is the service statistics; under ITA 2567 it was the service manual
    (2568's O9). The number leads to the file; the file's content decides."""
    stats = docfactory.pdf_reportlab(
        [
            "รายงานจำนวนผู้มาใช้บริการ ปีงบประมาณ พ.ศ. 2567",
            "ข้อมูลสถิติแยกตามงานบริการ",
            "งานทะเบียนราษฎร 120 ราย งานจัดเก็บภาษี 85 ราย งานขออนุญาตก่อสร้าง 14 ราย",
        ],
        tmp_path / "stats.pdf",
    )
    files = {
        "index.html": page('<h1>อบต.ทดสอบ</h1><a href="/ita.html">ITA</a>'),
        "ita.html": _accordion(
            [
                (
                    2568,
                    _rows(
                        [(f"{n} {t}", h) for n, t, h in FIVE_ROWS] + [("O11", "/files/stats.pdf")]
                    ),
                ),
                (2567, _rows([("O11", "/files/stats.pdf")])),
            ]
        ),
        "files/stats.pdf": stats.read_bytes(),
    }
    got = audit_site(tmp_path, files)
    assert got["O11"].status == "present", got["O11"].reason
    assert got["O11"].evidence[0].url.endswith("/files/stats.pdf")
    # 2567's O11 is 2568's O9, but the file is no service manual: it stays absent
    assert got["O9"].status == "absent", got["O9"].reason


def test_a_number_is_never_proof(tmp_path):
    """A row "O14" under ITA 2568 whose file is something else does not make the HR plan."""
    other = docfactory.pdf_reportlab(
        ["ประกาศรับสมัครนักเรียน ปีการศึกษา 2568", "ติดต่อสอบถามที่ห้องธุรการ"], tmp_path / "o.pdf"
    )
    files = {
        "index.html": page('<h1>อบต.ทดสอบ</h1><a href="/ita.html">ITA</a>'),
        "ita.html": _accordion(
            [(2568, _rows([(f"{n} {t}", h) for n, t, h in FIVE_ROWS] + [("O14", "/files/o.pdf")]))]
        ),
        "files/o.pdf": other.read_bytes(),
    }
    got = audit_site(tmp_path, files)["O14"]
    assert got.status == "absent", got.reason


def test_an_accordion_row_of_monthly_files_each_in_its_own_paragraph(tmp_path):
    """rtrda-style: "O12 …" in bold, then one "– 1.สขร.เดือน ตุลาคม 2567" paragraph per file.
    Each paragraph names the item by itself ("สขร"), yet the row is the bold heading's."""
    months = [f"{THAI_MONTH_NAMES[m][0]} {y}" for y, m in fy_months(2568)]
    row = "".join(
        f'<p>– <a href="/files/skr{n}.pdf">{n}.สขร.เดือน {month}</a></p>'
        for n, month in enumerate(months, start=1)
    )
    others = _rows([(f"{n} {t}", h) for n, t, h in FIVE_ROWS])
    files = {
        "index.html": page('<h1>อบต.ทดสอบ</h1><a href="/ita.html">ITA</a>'),
        "ita.html": _accordion(
            [(2568, f"{others}<p><strong>O12 รายการการจัดซื้อจัดจ้าง</strong></p>{row}")]
        ),
        **_monthly_pdfs(tmp_path),
    }
    got = audit_site(tmp_path, files)["O12"]
    assert got.status == "present", got.reason


def test_a_month_shown_in_a_viewer_captioned_below_joins_its_accordion_row(tmp_path):
    """The same row with one month in a pdf.js viewer iframe and its caption after it: the
    iframe has no words of its own, so its paragraph captions it and it belongs to the bold
    heading's row (it made a row of its own, and the row lacked that month)."""
    months = [f"{THAI_MONTH_NAMES[m][0]} {y}" for y, m in fy_months(2568)]
    paragraphs = [
        f'<p>– <a href="/files/skr{n}.pdf">{n}.สขร.เดือน {month}</a></p>'
        for n, month in enumerate(months, start=1)
    ]
    paragraphs[4] = (
        '<p>– <iframe src="/pdfjs/web/viewer.html?file=/files/skr5.pdf" width="100%"'
        f' height="600"></iframe><br>5.สขร.เดือน {months[4]}</p>'
    )
    others = _rows([(f"{n} {t}", h) for n, t, h in FIVE_ROWS])
    files = {
        "index.html": page('<h1>อบต.ทดสอบ</h1><a href="/ita.html">ITA</a>'),
        "ita.html": _accordion(
            [
                (
                    2568,
                    f"{others}<p><strong>O12 รายการการจัดซื้อจัดจ้าง</strong></p>" + "".join(paragraphs),
                )
            ]
        ),
        "pdfjs/web/viewer.html": "<html><body><div id='viewer'></div></body></html>",
        **_monthly_pdfs(tmp_path),
    }
    got = audit_site(tmp_path, files)["O12"]
    assert got.status == "present", got.reason


def test_rows_of_the_same_title_in_two_year_sections_are_not_one_row(tmp_path):
    """Multi-year accordions repeat each item's title under every year: last year's files
    (which hold the HR topics) do not complete this year's plan (which lacks them)."""
    this_year = docfactory.pdf_reportlab(
        ["แผนการบริหารและพัฒนาทรัพยากรบุคคล ประจำปีงบประมาณ พ.ศ. 2568", "อบต.ทดสอบ"],
        tmp_path / "hr68.pdf",
    )
    last_year = docfactory.pdf_reportlab(
        [
            "แผนการบริหารและพัฒนาทรัพยากรบุคคล ประจำปีงบประมาณ พ.ศ. 2567",
            "การสรรหาและคัดเลือกบุคลากร การฝึกอบรมพัฒนาบุคลากร การประเมินผลการปฏิบัติงาน",
        ],
        tmp_path / "hr67.pdf",
    )
    title = "O14 แผนการบริหารและพัฒนาทรัพยากรบุคคลประจำปีงบประมาณ"
    others = [(f"{n} {t}", h) for n, t, h in FIVE_ROWS]
    files = {
        "index.html": page('<h1>อบต.ทดสอบ</h1><a href="/ita.html">ITA</a>'),
        "ita.html": _accordion(
            [
                (2568, _rows([*others, (title, "/files/hr68.pdf")])),
                (2567, _rows([*others, (title, "/files/hr67.pdf")])),
            ]
        ),
        "files/hr68.pdf": this_year.read_bytes(),
        "files/hr67.pdf": last_year.read_bytes(),
    }
    got = audit_site(tmp_path, files)["O14"]
    assert got.status == "absent", got.reason


def test_a_row_numbered_in_thai_digits_alone_is_a_hint_for_that_years_item(tmp_path):
    """A table row "๑๑ | ดาวน์โหลด" (the title cell left empty) on the ITA 2568 page."""
    stats = docfactory.pdf_reportlab(
        [
            "รายงานจำนวนผู้มาใช้บริการ ปีงบประมาณ พ.ศ. 2567",
            "ข้อมูลสถิติแยกตามงานบริการ",
            "งานทะเบียนราษฎร 120 ราย งานจัดเก็บภาษี 85 ราย งานขออนุญาตก่อสร้าง 14 ราย",
        ],
        tmp_path / "s.pdf",
    )
    rows = [(n, t, f'<a href="{h}">คลิก</a>') for n, t, h in FIVE_ROWS]
    files = {
        "index.html": page('<h1>อบต.ทดสอบ</h1><a href="/ita.html">ITA 2568</a>'),
        "ita.html": _table([*rows, ("๑๑", "", '<a href="/files/s.pdf">ดาวน์โหลด</a>')]),
        "files/s.pdf": stats.read_bytes(),
    }
    got = audit_site(tmp_path, files)["O11"]
    assert got.status == "present", got.reason
