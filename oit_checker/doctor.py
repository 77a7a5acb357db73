"""``oit doctor``: which system parts this machine has, and what each missing one disables.

The tool runs without any of them (an audit still completes), but an officer whose scanned PDFs
all come back *uncertain* needs to know that Tesseract's Thai data is missing, not that the
site lacks the documents. Each check is cheap (a file test or one short subprocess).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass

from oit_checker.extract.documents import ocr_available
from oit_checker.paths import DEMO_DIR, RULES_DIR
from oit_checker.render import CHROMIUM, chromium_available
from oit_checker.rules import shipped_years


@dataclass(frozen=True)
class Part:
    name: str
    package: str  # the Debian package that provides it
    needed_for: str  # what works with it, and is lost without it (Thai first, then English)
    check: Callable[[], str]  # "" when present, else what is wrong
    essential: bool = False  # the tool cannot audit at all without it


def _chromium() -> str:
    return "" if chromium_available() else f"ไม่พบ {CHROMIUM} หรือ Playwright (not found)"


def _tesseract() -> str:
    if not shutil.which("tesseract"):
        return "ไม่พบคำสั่ง tesseract (not installed)"
    return "" if ocr_available() else "ไม่มีข้อมูลภาษาไทย tha (Thai language data missing)"


def _thai_fonts() -> str:
    if not shutil.which("fc-list"):
        return "ไม่พบ fc-list (fontconfig not installed)"
    try:
        out = subprocess.run(
            ["fc-list", ":lang=th", "family"], capture_output=True, text=True, timeout=20
        ).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        return f"fc-list ล้มเหลว (failed): {exc}"
    return "" if out.strip() else "ไม่มีฟอนต์ภาษาไทย (no Thai font installed)"


def _command(*names: str) -> Callable[[], str]:
    def check() -> str:
        if any(shutil.which(n) for n in names):
            return ""
        return f"ไม่พบคำสั่ง {' / '.join(names)} (not installed)"

    return check


def _shipped_data() -> str:
    if not shipped_years(RULES_DIR):
        return f"ไม่พบชุดกฎใน {RULES_DIR} (no rule files: reinstall the package)"
    if not (DEMO_DIR / "site").is_dir():
        return f"ไม่พบเว็บไซต์ตัวอย่างใน {DEMO_DIR} (demo site missing: reinstall the package)"
    return ""


PARTS = (
    Part(
        "rules and demo",
        "oit-checker",
        "ชุดกฎ ITA แต่ละปีและเว็บไซต์ตัวอย่าง: จำเป็นต่อการตรวจทุกครั้ง "
        "(the rule sets and the demo site: every audit needs them)",
        _shipped_data,
        essential=True,
    ),
    Part(
        "Chromium",
        "chromium",
        "แสดงผลหน้าเว็บที่สร้างด้วย JavaScript และทดสอบรายงาน HTML; ถ้าไม่มี รายการบนหน้าแบบนั้นจะเป็น "
        "ไม่แน่ใจ (renders JavaScript-built pages; without it their items are uncertain)",
        _chromium,
    ),
    Part(
        "Tesseract (Thai)",
        "tesseract-ocr tesseract-ocr-tha",
        "อ่าน PDF และรูปที่สแกน (OCR); ถ้าไม่มี เอกสารสแกนจะเป็นไม่แน่ใจ "
        "(reads scanned PDFs and images; without it scanned evidence is uncertain)",
        _tesseract,
    ),
    Part(
        "Thai fonts",
        "fonts-thai-tlwg",
        "แสดงอักษรไทยในภาพหน้าเว็บและรายงานที่พิมพ์ผ่าน Chromium "
        "(Thai text in rendered pages and printed reports)",
        _thai_fonts,
    ),
    Part(
        "poppler",
        "poppler-utils",
        "ตรวจ PDF ของรายงานที่พิมพ์ในชุดทดสอบ (pdftotext: checks printed reports in the tests)",
        _command("pdftotext", "pdftoppm"),
    ),
    Part(
        "LibreOffice",
        "libreoffice-calc-nogui",
        "พิสูจน์ว่าแบบฟอร์มคำตอบ XLSX เปิดและพิมพ์ได้ (proves the XLSX answer sheet opens and prints)",
        _command("soffice", "libreoffice"),
    ),
)


def diagnose() -> list[tuple[Part, str]]:
    """Every part with "" when present, else what is wrong."""
    return [(part, part.check()) for part in PARTS]
