"""Document extraction on real Thai files: shaped and plain PDFs, scans, Office files, images."""

from __future__ import annotations

import time
from pathlib import Path

import docfactory
import pymupdf
import pytest
from rapidfuzz import fuzz

from oit_checker.extract.documents import OcrOptions, extract_document, ocr_available
from oit_checker.thai import compact

URL = "https://www.example-sao.go.th/files/plan.pdf"
NOTICE_LINES = [
    "ประกาศองค์การบริหารส่วนตำบลน้ำใส",
    "เรื่อง แผนการดำเนินงาน ประจำปีงบประมาณ พ.ศ. ๒๕๖๘",
    "วันที่ ๑๒ มกราคม ๒๕๖๘",
    "กำหนดส่งเอกสารที่นี่ ภายในวันที่ ๓๑ มีนาคม",
    "กิ่งไม้ ปั้นดิน ดั้งเดิม ญาติ ฐาน กฎหมาย",
    "ติดต่อ https://www.example-sao.go.th/contact โทร ๐ ๒๑๒๓ ๔๕๖๗",
] + [f"ข้อ {n} การจัดซื้อจัดจ้างและการบริหารพัสดุภาครัฐ ประจำไตรมาสที่ {n}" for n in range(1, 10)]


class CountingCache:
    """The TextCache protocol over a dict, counting hits and writes."""

    def __init__(self) -> None:
        self.texts: dict[tuple[str, str], str] = {}
        self.hits = 0
        self.puts = 0

    def get_text(self, sha256: str, method: str) -> str | None:
        text = self.texts.get((sha256, method))
        self.hits += text is not None
        return text

    def put_text(self, sha256: str, method: str, text: str) -> None:
        self.puts += 1
        self.texts[(sha256, method)] = text


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("docs")


@pytest.fixture(scope="module")
def shaped_pdf(docs: Path) -> Path:
    """A one-page A4 notice printed by Chromium, ~15 lines, with a link to an evidence page."""
    html = docfactory.thai_html(NOTICE_LINES).replace(
        "</body>",
        '<p><a href="https://www.example-sao.go.th/oit/o1">ดูรายละเอียดที่นี่</a></p></body>',
    )
    return docfactory.pdf_from_html(html, docs / "notice.pdf")


@pytest.fixture(scope="module")
def scanned(shaped_pdf: Path, docs: Path) -> Path:
    return docfactory.scanned_pdf(shaped_pdf, docs / "notice-scan.pdf", dpi=150)


@pytest.fixture
def no_tesseract(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A PATH on which tesseract (and everything else) is missing."""
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))


def test_chromium_shaped_pdf_gives_exact_thai(shaped_pdf: Path) -> None:
    page = extract_document(URL, "pdf", shaped_pdf.read_bytes())

    for word in ("องค์การบริหารส่วนตำบล", "น้ำ", "กำหนด", "ที่นี่", "12 มกราคม 2568"):
        assert word in page.text
    assert "\uf70a" not in page.text and "ํา" not in page.text
    assert page.text_source == "pdf-text"
    # Chromium's metadata title is "about:blank": the first lines make the title instead.
    assert page.title == "ประกาศองค์การบริหารส่วนตำบลน้ำใส เรื่อง แผนการดำเนินงาน ประจำปีงบประมาณ พ.ศ. 2568"
    assert [link.url for link in page.links] == ["https://www.example-sao.go.th/oit/o1"]
    assert "ที่นี่" in page.links[0].text


def test_reportlab_pdf_title_from_metadata_unless_it_names_a_file(docs: Path) -> None:
    lines = ["รายงานผลการดำเนินงาน ไตรมาสที่ ๒", "ผลการเบิกจ่ายงบประมาณร้อยละ ๘๕"]
    named = docfactory.pdf_reportlab(
        lines, docs / "named.pdf", title="รายงานผลการดำเนินงานรอบ 6 เดือน"
    )
    word = docfactory.pdf_reportlab(lines, docs / "word.pdf", title="Microsoft Word - report.docx")

    named_page = extract_document(URL, "pdf", named.read_bytes())
    word_page = extract_document(URL, "pdf", word.read_bytes())

    assert "ผลการเบิกจ่ายงบประมาณร้อยละ 85" in named_page.text
    assert named_page.title == "รายงานผลการดำเนินงานรอบ 6 เดือน"
    assert word_page.title == "รายงานผลการดำเนินงาน ไตรมาสที่ 2"


def test_twenty_page_text_pdf_is_fast(docs: Path) -> None:
    lines = [f"หน้า {n // 15 + 1} บรรทัด {n} แผนปฏิบัติการป้องกันการทุจริต" for n in range(300)]
    body = docfactory.pdf_reportlab(lines, docs / "twenty.pdf", lines_per_page=15).read_bytes()

    started = time.perf_counter()
    page = extract_document(URL, "pdf", body)
    elapsed = time.perf_counter() - started

    assert "บรรทัด 299 แผนปฏิบัติการป้องกันการทุจริต" in page.text
    assert elapsed < 1.0


def test_huge_pdf_reads_only_the_first_pages(docs: Path) -> None:
    lines = [f"เอกสารแนบหมายเลข {n}" for n in range(1, 251)]
    body = docfactory.pdf_reportlab(lines, docs / "huge.pdf", lines_per_page=1).read_bytes()

    page = extract_document(URL, "pdf", body)

    assert "เอกสารแนบหมายเลข 200" in page.text
    assert "เอกสารแนบหมายเลข 201" not in page.text
    assert "text limited to 200 of 250 pages" in page.notes


def test_scanned_pdf_is_ocrd_once_then_read_from_cache(
    scanned: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert ocr_available()
    cache = CountingCache()
    body = scanned.read_bytes()

    first = extract_document(URL, "pdf", body, cache=cache)

    assert first.text_source == "ocr"
    assert fuzz.partial_ratio("แผนการดำเนินงาน", first.text) >= 80
    assert fuzz.partial_ratio("องค์การบริหารส่วนตำบล", first.text) >= 80
    assert any(note.startswith("ocr: 1 page, ") for note in first.notes)
    assert cache.puts == 1

    # Without tesseract on PATH the cached text still comes back: OCR did not run again.
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    second = extract_document(URL, "pdf", body, cache=cache)

    assert second.text == first.text and second.text_source == "ocr"
    assert "ocr: 1 page from cache" in second.notes
    assert (cache.hits, cache.puts) == (1, 1)


def test_scanned_pdf_without_tesseract_says_so(scanned: Path, no_tesseract: None) -> None:
    page = extract_document(URL, "pdf", scanned.read_bytes())

    assert page.text == "" and page.text_source == "none"
    assert "ocr skipped: tesseract not installed" in page.notes


def test_scanned_pdf_with_ocr_disabled_gives_empty_text(scanned: Path) -> None:
    page = extract_document(URL, "pdf", scanned.read_bytes(), ocr=OcrOptions(enabled=False))

    assert page.text == ""
    assert any(note.startswith("ocr disabled") for note in page.notes)


def test_ocr_page_and_time_limits(scanned: Path, docs: Path) -> None:
    two_pages = docs / "two-scans.pdf"
    with pymupdf.open(scanned) as doc, pymupdf.open(scanned) as copy:
        doc.insert_pdf(copy)
        doc.save(two_pages)
    body = two_pages.read_bytes()

    limited = extract_document(URL, "pdf", body, ocr=OcrOptions(max_pages=1))
    no_time = extract_document(URL, "pdf", body, ocr=OcrOptions(max_seconds=0.5))

    assert "ocr limited to 1 of 2 pages" in limited.notes
    assert limited.text_source == "ocr"
    assert no_time.text == ""
    assert "ocr skipped: time limit 0.5 s reached" in no_time.notes


def test_image_of_text_is_ocrd(shaped_pdf: Path) -> None:
    with pymupdf.open(shaped_pdf) as doc:
        png = doc[0].get_pixmap(dpi=150).tobytes("png")

    page = extract_document("https://www.example-sao.go.th/chart.png", "image", png)
    disabled = extract_document(
        "https://www.example-sao.go.th/chart.png", "image", png, ocr=OcrOptions(enabled=False)
    )

    assert page.text_source == "ocr"
    assert fuzz.partial_ratio("การจัดซื้อจัดจ้าง", page.text) >= 80
    assert disabled.text == "" and "ocr disabled: image text not read" in disabled.notes


@pytest.mark.parametrize(
    ("body", "note_start"),
    [
        (b"", "empty body"),
        (b"<html><body>404 Not Found</body></html>", "declared pdf but content is html"),
        (b"%PDF-1.7\n this is not really a pdf", "pdf unreadable"),
    ],
)
def test_broken_pdf_bytes_never_raise(body: bytes, note_start: str) -> None:
    page = extract_document(URL, "pdf", body)

    assert any(note.startswith(note_start) for note in page.notes), page.notes


def test_pdf_cut_in_half_never_raises(docs: Path) -> None:
    lines = [f"ข้อ {n} มาตรการส่งเสริมคุณธรรมและความโปร่งใส" for n in range(200)]
    body = docfactory.pdf_reportlab(lines, docs / "cut.pdf", lines_per_page=20).read_bytes()

    page = extract_document(URL, "pdf", body[: len(body) // 2])

    assert any(note.startswith(("pdf unreadable", "pdf damaged")) for note in page.notes)


def test_password_protected_pdf_is_reported(shaped_pdf: Path) -> None:
    with pymupdf.open(shaped_pdf) as doc:
        locked = doc.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="lock", owner_pw="o")
        owner_only = doc.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="", owner_pw="o")

    assert extract_document(URL, "pdf", locked).notes == [
        "pdf encrypted: a password is needed to open it"
    ]
    assert "องค์การบริหารส่วนตำบล" in extract_document(URL, "pdf", owner_only).text


def test_tis620_text_layer_shown_as_latin1_is_repaired() -> None:
    """Old Thai fonts without a ToUnicode map: the text layer reads "ÃÒÂ§Ò¹" for "รายงาน"."""
    thai = "รายงานการประชุมคณะกรรมการบริหาร ประจำปีงบประมาณ 2568"
    with pymupdf.open() as doc:
        doc.new_page().insert_text((50, 100), thai.encode("cp874").decode("latin-1"))
        body = doc.tobytes()

    assert extract_document(URL, "pdf", body).text == thai


def test_docx_paragraphs_tables_and_title(docs: Path) -> None:
    path = docfactory.docx_file(
        ["ประกาศ ณ วันที่ ๑๒ มกราคม ๒๕๖๘", "นายกองค์การบริหารส่วนตำบลน้ำใส"],
        docs / "plan.docx",
        heading="แผนปฏิบัติการป้องกันการทุจริต ประจำปี ๒๕๖๘",
        table=[["ลำดับ", "โครงการ", "งบประมาณ"], ["1", "อบรมคุณธรรม", "50,000"]],
    )

    page = extract_document(URL.replace(".pdf", ".docx"), "docx", path.read_bytes())

    assert page.text_source == "docx"
    assert "ประกาศ ณ วันที่ 12 มกราคม 2568" in page.text
    assert "1 | อบรมคุณธรรม | 50,000" in page.text
    assert page.title == "แผนปฏิบัติการป้องกันการทุจริต ประจำปี 2568"
    assert page.headings == [page.title]


def test_docx_text_boxes_of_an_org_chart_are_read_once(docs: Path) -> None:
    path = docfactory.docx_file(
        ["โครงสร้างส่วนราชการ"],
        docs / "chart.docx",
        textboxes=["นายกองค์การบริหารส่วนตำบล", "ปลัดองค์การบริหารส่วนตำบล"],
    )

    page = extract_document(URL.replace(".pdf", ".docx"), "docx", path.read_bytes())

    assert page.text.count("นายกองค์การบริหารส่วนตำบล") == 1
    assert "ปลัดองค์การบริหารส่วนตำบล" in page.text


def test_xlsx_rows_are_joined(docs: Path) -> None:
    path = docfactory.xlsx_file(
        [
            ["สรุปผลการจัดซื้อจัดจ้าง ประจำเดือนมกราคม ๒๕๖๘"],
            ["ลำดับ", "งานที่จัดซื้อ", "วงเงิน", "วิธีซื้อ"],
            [1, "จ้างซ่อมแซมถนน", 150000.0, "เฉพาะเจาะจง"],
        ],
        docs / "procurement.xlsx",
        sheet="มกราคม",
    )

    page = extract_document(URL.replace(".pdf", ".xlsx"), "xlsx", path.read_bytes())

    assert page.text_source == "xlsx"
    assert "1 | จ้างซ่อมแซมถนน | 150000 | เฉพาะเจาะจง" in page.text
    assert page.title == "สรุปผลการจัดซื้อจัดจ้าง ประจำเดือนมกราคม 2568"
    assert page.headings == ["มกราคม"]


def test_wrong_declared_kind_follows_the_bytes(docs: Path) -> None:
    path = docfactory.xlsx_file([["รายงานงบการเงิน", 2568]], docs / "mislabelled.xlsx")

    page = extract_document(URL, "pdf", path.read_bytes())

    assert "รายงานงบการเงิน | 2568" in page.text
    assert "declared pdf but content is xlsx" in page.notes


def test_old_word_doc_without_antiword_is_noted(no_tesseract: None) -> None:
    ole_doc = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "WordDocument".encode("utf-16-le") * 4

    page = extract_document(URL.replace(".pdf", ".doc"), "doc", ole_doc)

    assert page.text == ""
    assert any(note.startswith("doc format not supported") for note in page.notes)


def test_garbled_text_is_not_trusted_as_a_title(docs: Path) -> None:
    path = docfactory.pdf_reportlab(["คำสั่งแต่งตั้งคณะทำงาน"], docs / "t.pdf", title="��� ����")

    page = extract_document(URL, "pdf", path.read_bytes())

    assert compact(page.title) == "คำสั่งแต่งตั้งคณะทำงาน"
