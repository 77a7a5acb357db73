"""An organisation chart posted only as a picture (issue 13 point 5): OCR reads its units and
positions before the page is judged; a chart OCR cannot read leaves the item uncertain, "the
chart is an image: check it by eye", never "missing units" as if text had been read."""

from __future__ import annotations

import docfactory
import pymupdf
import pytest
from sitekit import audit_site, page

from oit_checker.audit import AuditOptions
from oit_checker.extract.documents import OcrOptions, ocr_available
from oit_checker.rules import load_year

CHART_LINES = [
    "แผนภูมิโครงสร้างองค์การบริหารส่วนตำบลทดสอบ",
    "นายกองค์การบริหารส่วนตำบล",
    "ปลัดองค์การบริหารส่วนตำบล",
    "สำนักปลัด        กองคลัง        กองช่าง        กองการศึกษา",
    "หัวหน้าสำนักปลัด   ผู้อำนวยการกองคลัง   ผู้อำนวยการกองช่าง",
]
DUTIES = (
    "<h2>อำนาจหน้าที่</h2><p>องค์การบริหารส่วนตำบลทดสอบ มีหน้าที่ต้องทำในเขตองค์การบริหารส่วนตำบล "
    "ตามพระราชบัญญัติสภาตำบลและองค์การบริหารส่วนตำบล พ.ศ. 2537 มาตรา 67 ได้แก่ จัดให้มีและบำรุงรักษา"
    "ทางน้ำและทางบก รักษาความสะอาดของถนน ทางน้ำ ทางเดิน และที่สาธารณะ</p>"
)


def _chart_png(tmp_path, dpi: int) -> bytes:
    pdf = docfactory.pdf_reportlab(CHART_LINES, tmp_path / "chart.pdf")
    with pymupdf.open(pdf) as doc:
        clip = pymupdf.Rect(0, 0, doc[0].rect.width, 200)
        return doc[0].get_pixmap(dpi=dpi, clip=clip).tobytes("png")


def _structure(tmp_path, png: bytes, options: AuditOptions | None = None):
    files = {
        "index.html": page('<h1>อบต.ทดสอบ</h1><p><a href="/structure.html">โครงสร้างองค์กร</a></p>'),
        "structure.html": page(
            '<h1>โครงสร้างองค์กร</h1><p><img src="/uploads/chart-2568.png" alt=""></p>' + DUTIES,
            title="โครงสร้างองค์กร",
        ),
        "uploads/chart-2568.png": png,
    }
    return audit_site(tmp_path, files, options=options)["O1"]


@pytest.mark.slow
@pytest.mark.skipif(not ocr_available(), reason="tesseract with Thai is not installed")
def test_a_chart_posted_as_an_image_is_read_by_ocr(tmp_path):
    got = _structure(tmp_path, _chart_png(tmp_path, dpi=200))
    assert got.status == "present", got.reason
    assert any(e.url.endswith("/uploads/chart-2568.png") for e in got.evidence), got.evidence


def test_a_chart_that_cannot_be_read_is_checked_by_eye(tmp_path):
    """OCR off (or nothing legible): the units are not known to be missing."""
    options = AuditOptions(ocr=OcrOptions(enabled=False))
    got = _structure(tmp_path, _chart_png(tmp_path, dpi=200), options)
    assert got.status == "uncertain", got.reason
    assert "รูปภาพ" in got.reason and "check it by eye" in got.reason


@pytest.mark.slow
@pytest.mark.skipif(not ocr_available(), reason="tesseract with Thai is not installed")
def test_an_illegible_chart_is_checked_by_eye(tmp_path):
    got = _structure(tmp_path, _chart_png(tmp_path, dpi=12))
    assert got.status == "uncertain", got.reason
    assert "check it by eye" in got.reason


def test_a_page_without_units_and_without_a_chart_image_is_still_absent(tmp_path):
    files = {
        "index.html": page('<h1>อบต.ทดสอบ</h1><p><a href="/structure.html">โครงสร้างองค์กร</a></p>'),
        "structure.html": page("<h1>โครงสร้างองค์กร</h1>" + DUTIES, title="โครงสร้างองค์กร"),
    }
    got = audit_site(tmp_path, files)["O1"]
    assert got.status == "absent", got.reason


@pytest.mark.parametrize("year", [2567, 2568])
def test_image_components_name_real_components(year):
    rules = load_year(year)
    names = {c.name for item in rules.items for c in item.components}
    assert set(rules.crawl["image_components"]) <= names
