"""Thai text normalisation, so that matching sees one spelling for what readers see as one.

Real agency text writes the same word many ways: SARA AM as NIKHAHIT + SARA AA, ``เเ`` for ``แ``,
Thai or Arabic digits, PDF text layers with private-use glyphs and tone marks before vowels.
Everything the checker compares goes through :func:`normalize` first.
"""

from __future__ import annotations

import re
import unicodedata

THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")

# Private-use glyph variants that shaped Thai fonts emit (checked against Laksaman and Garuda).
_PUA = {
    0xF700: "\u0e10", 0xF701: "\u0e34", 0xF702: "\u0e35", 0xF703: "\u0e36", 0xF704: "\u0e37",
    0xF705: "\u0e48", 0xF706: "\u0e49", 0xF707: "\u0e4a", 0xF708: "\u0e4b", 0xF709: "\u0e4c",
    0xF70A: "\u0e48", 0xF70B: "\u0e49", 0xF70C: "\u0e4a", 0xF70D: "\u0e4b", 0xF70E: "\u0e4c",
    0xF70F: "\u0e0d", 0xF710: "\u0e31", 0xF711: "\u0e4d", 0xF712: "\u0e47", 0xF713: "\u0e48",
    0xF714: "\u0e49", 0xF715: "\u0e4a", 0xF716: "\u0e4b", 0xF717: "\u0e4c", 0xF718: "\u0e38",
    0xF719: "\u0e39", 0xF71A: "\u0e3a", 0xF71B: "\u0e0e", 0xF71C: "\u0e0f", 0xF71D: "\u0e2c",
    0xF71E: "\u0e4d", 0xF71F: "\u0e47",
}  # fmt: skip
_MARKS = "\u0e31\u0e34-\u0e3a\u0e47-\u0e4e"
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_DASHES = str.maketrans({c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"})
_SPACE_RE = re.compile(r"\s+")


def thai_digits_to_arabic(text: str) -> str:
    """๒๕๖๘ → 2568; other characters unchanged."""
    return text.translate(THAI_DIGITS)


def fix_pdf_thai(text: str) -> str:
    """Repair Thai from PDF text layers: private-use glyphs, split SARA AM, misordered marks."""
    text = text.translate(_PUA)
    text = re.sub("\u0e4d([\u0e48-\u0e4b]?)\u0e32", "\\1\u0e33", text)
    text = text.replace("\u0e33\u0e32", "\u0e33")
    text = re.sub("([\u0e48-\u0e4b])([\u0e31\u0e34-\u0e3a])", "\\2\\1", text)
    text = re.sub(f"(?<=[\u0e01-\u0e2e]) +(?=[{_MARKS}])", "", text)
    text = re.sub(f"([{_MARKS}])\\1+", "\\1", text)
    # SARA AM drawn as NIKHAHIT + SARA AA, the NIKHAHIT lost to a space ("ต าบล", "ส านัก"): no Thai
    # word begins with SARA AA, so a consonant, a space and SARA AA are one broken ำ.
    text = re.sub("(?<=[\u0e01-\u0e2e]) \u0e32", "\u0e33", text)
    return text


TONE_MARKS = "\u0e48\u0e49\u0e4a\u0e4b"
_SKELETON = str.maketrans({"\u0e33": "\u0e32", **dict.fromkeys(map(ord, TONE_MARKS), None)})
_THAI_LETTER = re.compile("[\u0e01-\u0e2e]")
LOST_MARKS_MIN_LETTERS = 120  # a Thai text this long always has tone marks unless it lost them


def skeleton(text: str) -> str:
    """Thai without tone marks and with ำ as า: what a damaged PDF text layer still shows
    ("อำนาจหน้าที่" and "อานาจหนาที" have one skeleton)."""
    return text.translate(_SKELETON)


def lost_tone_marks(text: str) -> bool:
    """A long Thai text without a single tone mark: a PDF text layer that dropped them (legacy
    fonts), which must be compared by skeleton, not spelling."""
    if any(mark in text for mark in TONE_MARKS):
        return False
    return len(_THAI_LETTER.findall(text, 0, 4 * LOST_MARKS_MIN_LETTERS)) >= LOST_MARKS_MIN_LETTERS


def normalize(text: str) -> str:
    """One canonical spelling for matching: NFC, ำ, แ, Arabic digits, plain dashes, folded spaces.

    Latin letters are lower-cased (``O1`` and ``o1`` are the same label); Thai is unchanged
    apart from the repairs above.
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text).translate(_ZERO_WIDTH)
    text = fix_pdf_thai(text)
    text = text.replace("\u0e40\u0e40", "\u0e41")  # เเ typed for แ
    text = text.translate(THAI_DIGITS).translate(_DASHES)
    text = text.replace("\xa0", " ")
    return _SPACE_RE.sub(" ", text).strip().lower()


def compact(text: str) -> str:
    """Normalised text without any spaces: Thai has no word spaces, and sites insert them anyway
    ("แผนยุทธ ศาสตร์"), so phrase matching compares compacted strings."""
    return normalize(text).replace(" ", "")
