"""Off-site evidence and OCR'd years: what makes an item uncertain and what does not.

Off the main site only: uncertain, saying where the evidence is and what to publish (criteria
§6). A weak off-site match (a teaser of another year's post) is no reason for doubt. A year read
by OCR from Thai digits (the stock model cannot write ๖ ๗ ๘ ๙ ๔) never proves a wrong year.
"""

from __future__ import annotations

import docfactory
import pytest
from sitekit import audit_site, hub, page

from oit_checker.extract.documents import ocr_available


def test_evidence_only_off_site_is_uncertain_and_says_where_and_what_to_publish(tmp_path):
    drive = "https://drive.google.com/drive/folders/1AbCdEf"
    files = {
        "index.html": page('<h1>อบต.ทดสอบ</h1><a href="/ita.html">ITA 2568</a>'),
        "ita.html": hub([("O14", "แผนการบริหารและพัฒนาทรัพยากรบุคคล", drive)]),
    }
    got = audit_site(tmp_path, files)["O14"]
    assert got.status == "uncertain", got.reason
    assert drive in got.reason and "นอกเว็บไซต์หลัก" in got.reason
    assert "เผยแพร่แผนการบริหารและพัฒนาทรัพยากรบุคคล" in got.reason  # what to publish
    assert got.evidence[0].kind == "external"


@pytest.mark.parametrize(
    "teaser",
    [
        # a post of another year
        "ภาพกิจกรรม โครงการวันเด็กแห่งชาติ ประจำปี 2566 อ่านต่อ",
        # a headline that names the item only in passing
        "อบต.ทดสอบขอประชาสัมพันธ์เชิญชวนประชาชนร่วมงานประเพณีบุญบั้งไฟประจำหมู่บ้านทุกหมู่บ้าน",
    ],
)
def test_a_weak_off_site_teaser_is_no_reason_for_doubt(tmp_path, teaser):
    post = "https://www.facebook.com/tambon.test/posts/1234567890"
    files = {
        "index.html": page(
            f'<h1>อบต.ทดสอบ</h1><div class="fb-post"><a href="{post}">{teaser}</a></div>'
        ),
    }
    got = audit_site(tmp_path, files)["O4"]
    assert got.status == "absent", got.reason
    assert "นอกเว็บไซต์หลัก" in got.reason


@pytest.mark.slow
@pytest.mark.skipif(not ocr_available(), reason="tesseract with Thai is not installed")
def test_a_thai_digit_year_read_by_ocr_is_never_a_wrong_year(tmp_path):
    text = docfactory.pdf_reportlab(
        [
            "แผนการบริหารและพัฒนาทรัพยากรบุคคล",
            "ประจำปีงบประมาณ พ.ศ. ๒๕๖๘",
            "การสรรหาและคัดเลือกบุคลากร การฝึกอบรมพัฒนาบุคลากร",
            "การประเมินผลการปฏิบัติงาน สวัสดิการและคุณภาพชีวิต",
        ],
        tmp_path / "text.pdf",
    )
    scan = docfactory.scanned_pdf(text, tmp_path / "scan.pdf", dpi=200)
    files = {
        "index.html": page('<h1>อบต.ทดสอบ</h1><a href="/ita.html">ITA 2568</a>'),
        "ita.html": hub([("O14", "แผนการบริหารและพัฒนาทรัพยากรบุคคล", "/files/hr.pdf")]),
        "files/hr.pdf": scan.read_bytes(),
    }
    got = audit_site(tmp_path, files)["O14"]
    assert got.status == "uncertain", got.reason
    assert "OCR" in got.reason and "ไม่ใช่ปีงบประมาณ" not in got.reason, got.reason


def test_a_page_that_only_frames_an_off_site_file_says_what_to_publish(tmp_path):
    """The on-site page is a frame around a Google Drive preview: the evidence itself is off
    the main site, and the reason says where and what to publish instead."""
    preview = "https://drive.google.com/file/d/1AbCdEfGh/preview"
    files = {
        "index.html": page('<h1>อบต.ทดสอบ</h1><a href="/hr.html">แผนพัฒนาบุคลากร</a>'),
        "hr.html": page(
            f'<h1>แผนพัฒนาบุคลากร</h1><iframe src="{preview}" width="100%" height="800"></iframe>'
        ),
    }
    got = audit_site(tmp_path, files)["O14"]
    assert got.status == "uncertain", got.reason
    assert "drive.google.com" in got.reason and "นอกเว็บไซต์หลัก" in got.reason
    assert "เผยแพร่แผนการบริหารและพัฒนาทรัพยากรบุคคล" in got.reason  # what to publish
