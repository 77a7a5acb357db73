"""Seed a crawl from the site's sitemaps: pages nothing links to are still found.

Reads robots' ``Sitemap:`` lines and ``/sitemap.xml`` (a sitemap index: one level down, plain or
gzipped), bounded in files, URLs and decoded bytes, because a sitemap is written by the site and
may be huge or hostile. The URLs go to the frontier like links of the start page.
"""

from __future__ import annotations

import html
import re
import zlib
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from oit_checker.models import Fetched, Link

# How many sitemap files (an index's children included) and URLs to read at most.
MAX_SITEMAP_FILES = 20
MAX_SITEMAP_URLS = 5000
MAX_SITEMAP_BYTES = 20 * 2**20
LOC_RE = re.compile(
    rb"<(?:[\w.-]+:)?loc>\s*(?:<!\[CDATA\[)?\s*(.*?)\s*(?:\]\]>)?\s*</(?:[\w.-]+:)?loc>",
    re.S | re.I,
)
SITEMAP_INDEX_RE = re.compile(rb"<(?:[\w.-]+:)?sitemapindex[\s>]", re.I)


async def seed_from_sitemaps(
    site: str,
    declared: list[str],
    fetch: Callable[[str], Awaitable[Fetched]],
    add: Callable[[Link, int], object],
    budget_hit: Callable[[], str],
    normalize: Callable[[str], str],
) -> int:
    """Give ``add`` the URLs of the ``declared`` sitemaps and ``site``/sitemap.xml; the count."""
    queue = [(url, 0) for url in [*declared, site.rstrip("/") + "/sitemap.xml"]]
    read: set[str] = set()
    added = 0
    while queue and len(read) < MAX_SITEMAP_FILES and added < MAX_SITEMAP_URLS:
        raw_url, level = queue.pop(0)
        sitemap_url = normalize(raw_url)
        if sitemap_url in read or urlsplit(sitemap_url).scheme not in ("http", "https"):
            continue
        read.add(sitemap_url)
        if budget_hit():
            break
        fetched = await fetch(sitemap_url)
        if not fetched.ok:
            continue
        body = gunzip(fetched.body)
        locations = [
            html.unescape(m.decode("utf-8", "replace")).strip() for m in LOC_RE.findall(body)
        ]
        if SITEMAP_INDEX_RE.search(body[:4096]):
            if level == 0:
                queue.extend((location, 1) for location in locations)
            continue
        for location in locations[: MAX_SITEMAP_URLS - added]:
            add(Link(url=location, text=""), 1)
            added += 1
    return added


def gunzip(body: bytes) -> bytes:
    """A gzipped sitemap (.xml.gz served as a file), capped; other bodies pass through."""
    if not body.startswith(b"\x1f\x8b"):
        return body
    try:
        return zlib.decompressobj(32 + zlib.MAX_WBITS).decompress(body, MAX_SITEMAP_BYTES)
    except zlib.error:
        return b""
