"""How a link is written: the href form and the anchor around it (real-sites.md §1.4, §2.2).

Working forms (a browser follows them, so an assessor reaches the target): an absolute path,
raw Thai, percent-encoded, relative to the page, with a ``#`` fragment, a "เปิด" button, an
``onclick="window.open(...)"`` anchor, a ``javascript:window.open`` href, or a PDF viewer iframe.
Dead forms (the fault ``placeholder``): ``#``, ``#!``, an empty href, ``javascript:void(0)``.
"""

from __future__ import annotations

import html
import posixpath
import random
from urllib.parse import quote, urlsplit

from oit_checker.generate.draw import weighted

HREF_STYLES = {"absolute": 45, "raw": 15, "percent": 15, "relative": 20, "fragment": 5}
ANCHOR_STYLES = {"plain": 80, "button": 8, "onclick": 5, "javascript": 3, "viewer": 4}
DEAD_HREFS = ("#", "#!", "", "javascript:void(0)")


def write_href(target: str, page: str, style: str) -> str:
    """``target`` (a decoded site path) as an href on the page at ``page``."""
    if target.startswith("http"):
        return target
    parts = urlsplit(target)
    if style == "percent":
        return quote(parts.path) + (f"?{parts.query}" if parts.query else "")
    if style == "relative" and not parts.query and target.startswith("/"):
        base = posixpath.dirname(urlsplit(page).path) or "/"
        rel = posixpath.relpath(parts.path, base)
        return rel + ("/" if parts.path.endswith("/") and not rel.endswith("/") else "")
    if style == "fragment" and not target.endswith((".pdf", ".docx", ".xlsx", ".png")):
        return target + "#content"
    return target


def anchor(target: str, text: str, page: str, rng: random.Random, tags: list[str]) -> str:
    """An anchor (or embed) that a browser follows to ``target``; tags record how it is written."""
    href_style = weighted(rng, HREF_STYLES)
    style = weighted(rng, ANCHOR_STYLES)
    if style == "viewer" and not target.lower().endswith(".pdf"):
        style = "plain"
    href = html.escape(write_href(target, page, href_style), quote=True)
    label = html.escape(text)
    tags.append(f"href:{href_style}")
    tags.append(f"anchor:{style}")
    if style == "button":
        return f'<a class="btn btn-primary" href="{href}" target="_blank">เปิด</a>'
    if style == "onclick":
        return f'<a href="#" onclick="window.open(\'{href}\');return false;">{label}</a>'
    if style == "javascript":
        return f"<a href=\"javascript:window.open('{href}')\">{label}</a>"
    if style == "viewer":
        viewer = html.escape("/pdfjs/web/viewer.html?file=" + quote(target, safe="/"))
        return f'<iframe src="{viewer}" width="100%" height="600"></iframe><br>{label}'
    return f'<a href="{href}">{label}</a>'


def dead_anchor(text: str, rng: random.Random) -> str:
    return f'<a href="{rng.choice(DEAD_HREFS)}">{html.escape(text)}</a>'
