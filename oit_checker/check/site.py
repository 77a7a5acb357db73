"""Everything the crawl learned about one site, indexed the way the checker asks questions.

The checker never fetches: it reads this index (built from the crawl or from the store), so a
verdict can be recomputed from a stored run without touching the network.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from oit_checker.models import DOCUMENT_KINDS, Link, Page


@dataclass
class FetchInfo:
    """The outcome of fetching one URL, kept even when it failed (a broken link is a finding)."""

    url: str
    final_url: str
    status: int
    kind: str
    error: str = ""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300 and not self.error

    @property
    def transient(self) -> bool:
        """Failures an assessor could not hold against the agency: retry later."""
        return self.status in (0, 408, 425, 429) or self.status >= 500


@dataclass
class SiteData:
    start_url: str
    pages: dict[str, Page] = field(default_factory=dict)  # by URL as requested and as final
    fetched: dict[str, FetchInfo] = field(default_factory=dict)
    hosts: set[str] = field(default_factory=set)  # hosts that count as the main site
    incoming: dict[str, list[tuple[str, Link]]] = field(default_factory=lambda: defaultdict(list))

    def add(self, info: FetchInfo, page: Page | None) -> None:
        self.fetched[info.url] = info
        if info.final_url and info.final_url != info.url:
            self.fetched.setdefault(info.final_url, info)
        if page is not None:
            self.pages[info.url] = page
            if info.final_url:
                self.pages.setdefault(info.final_url, page)
            if page.kind == "html":
                for link in page.links:
                    if link.url:
                        self.incoming[link.url].append((info.url, link))

    def is_onsite(self, url: str) -> bool:
        host = (urlsplit(url).hostname or "").lower()
        return _bare(host) in {_bare(h) for h in self.hosts}

    def page(self, url: str) -> Page | None:
        return self.pages.get(url)

    def unique_pages(self) -> list[Page]:
        """Each page once (pages are indexed by requested and by final URL)."""
        return list({id(p): p for p in self.pages.values()}.values())

    def html_pages(self) -> list[Page]:
        return [p for p in self.unique_pages() if p.kind == "html"]

    def documents_linked_from(self, page: Page) -> list[tuple[Link, Page]]:
        out = []
        for link in page.links:
            target = self.pages.get(link.url) if link.url else None
            if target is not None and target.kind in DOCUMENT_KINDS and target is not page:
                out.append((link, target))
        return out


def _bare(host: str) -> str:
    return host[4:] if host.startswith("www.") else host
