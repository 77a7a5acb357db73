"""Edits to a copy of the demo site that make it worse, for tests of history, diff and batch."""

from __future__ import annotations

import re
from pathlib import Path

DEMO_SITE = Path(__file__).resolve().parent.parent / "fixtures" / "demo" / "site"
DELETED_PDF = "files/2568/manual-revenue.pdf"  # the only evidence of O8 (operations manual)
REGRESSED = {"O3", "O8"}  # what `degrade` takes away: contact details, the operations manual


def degrade(site: Path) -> None:
    """What a careless site update does: a manual deleted, the contact details taken down."""
    (site / DELETED_PDF).unlink()
    contact = (site / "contact.html").read_text(encoding="utf-8")
    contact = re.sub(
        r"<main>.*?</main>",
        "<main><h1>ติดต่อเรา</h1><p>หน้านี้อยู่ระหว่างปรับปรุง</p></main>",
        contact,
        flags=re.S,
    )
    contact = re.sub(r"<footer>.*?</footer>", "", contact, flags=re.S)
    (site / "contact.html").write_text(contact, encoding="utf-8")
    # The executives page (linked from the ITA hub next to ช่องทางการติดต่อ) drops its phone and
    # e-mail lines too, so no page of the site holds the agency's contact details any more.
    execs = (site / "executives.html").read_text(encoding="utf-8")
    execs = re.sub(r"<footer>.*?</footer>", "", execs, flags=re.S)
    execs = re.sub(r"<span>(โทร\.|อีเมล)[^<]*</span>", "", execs)
    (site / "executives.html").write_text(execs, encoding="utf-8")
