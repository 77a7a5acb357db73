"""Small agency sites written to a folder, served on loopback and audited end to end.

Tests of how evidence is read build the page shapes real agencies publish (an OIT table, a
contact page, a news list) with this kit, so every verdict goes through the real crawler, the
real extractors and the real checker.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

from oit_checker.audit import AuditOptions, audit
from oit_checker.models import ItemResult
from oit_checker.rules import load_year
from oit_checker.serve import SiteServer
from oit_checker.store import Store

AS_OF = dt.date(2025, 10, 15)  # FY2568 has ended: every monthly and half-year item is due
MENU = """<nav class="menu"><ul><li><a href="/index.html">หน้าแรก</a></li>
<li><a href="/ita.html">ITA 2568</a></li></ul></nav>"""


def page(body: str, title: str = "อบต.ทดสอบ") -> str:
    """An agency page: the site menu plus the page's own content."""
    return (
        f'<!doctype html><html lang="th"><head><meta charset="utf-8"><title>{title}</title>'
        f"</head><body>{MENU}<main>{body}</main></body></html>"
    )


def write_site(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write ``files`` (site path -> HTML text or bytes) under ``root/site``."""
    site = root / "site"
    for path, content in files.items():
        target = site / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    return site


def audit_site(
    root: Path,
    files: dict[str, str | bytes],
    year: int = 2568,
    as_of: dt.date = AS_OF,
    options: AuditOptions | None = None,
) -> dict[str, ItemResult]:
    """Serve the site on 127.0.0.1, audit it from /index.html, return the verdicts by item."""
    site = write_site(root, files)
    options = options or AuditOptions()
    options.as_of = as_of
    with SiteServer(site) as server:
        result = asyncio.run(
            audit(server.url + "index.html", load_year(year), Store(root / "oit.db"), options)
        )
    return {item.id: item for item in result.items}


def hub(rows: list[tuple[str, str, str]], heading: str = "ITA 2568 การเปิดเผยข้อมูลสาธารณะ") -> str:
    """An agency's OIT page: one table row per item, "คลิกลิงค์ข้อมูล" as the link text."""
    body = "".join(
        f'<tr><td>{number}</td><td>{title}</td><td><a href="{href}">คลิกลิงค์ข้อมูล</a></td></tr>'
        for number, title, href in rows
    )
    return page(f"<h1>{heading}</h1><table>{body}</table>", title=heading)
