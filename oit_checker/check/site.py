"""Everything the crawl learned about one site, indexed the way the checker asks questions.

The checker never fetches: it reads this index (built from the crawl or from the store), so a
verdict can be recomputed from a stored run without touching the network.

Memory stays flat as sites grow: when the index is given a loader (the audit's SQLite store),
it keeps of each page only a summary — title, first heading, the links that may name an item —
and loads a whole Page again, through a small LRU, for the few pages the checker judges.
Without a loader (tests, `oit verify`) whole Pages are kept.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from oit_checker.fetch import kind_from_extension
from oit_checker.models import DOCUMENT_KINDS, FetchInfo, Link, Page
from oit_checker.urls import decoded_path, normalize_url

PAGE_CACHE_SIZE = 256  # whole Pages kept in memory when they can be loaded again

PageLoader = Callable[[str, str], "Page | None"]  # (page key, url) -> Page


@dataclass
class PageSummary:
    """What the checker reads of every page while it looks for candidates."""

    url: str
    kind: str
    title: str
    heading: str  # the first heading: with the title, what the page says it is
    needs_js: bool
    links: list[Link] = field(default_factory=list)  # the links that may name an item


@dataclass
class CrawlLimits:
    """The crawl's budgets, what stopped it, and why each on-site URL it knew of was not
    fetched: a candidate left unopened is explained with these numbers, never just
    "out of scope"."""

    max_pages: int = 0
    max_seconds: float = 0.0
    max_bytes: int = 0
    max_depth: int = 0
    stopped_by: str = ""  # "" | "max_pages" | "max_seconds" | "max_bytes"
    seconds: float = 0.0  # how long the crawl ran
    fetched: int = 0  # resources fetched
    unfetched: dict[str, str] = field(default_factory=dict)  # CrawlStats.unfetched
    robots_rules: dict[str, str] = field(default_factory=dict)  # CrawlStats.robots_rules

    def why_not_fetched(self, url: str) -> str:
        """Thai first, then English with the option to change."""
        url = normalize_url(url)
        reason = self.unfetched.get(url, "")
        if reason == "budget":
            return self._budget()
        if reason == "robots":
            rule = self.robots_rules.get(url) or decoded_path(url)
            return f"robots.txt ห้ามเปิด {rule} (robots.txt forbids {rule}; --ignore-robots)"
        if reason == "depth":
            return (
                f"อยู่ลึกเกิน {self.max_depth} ชั้นจากหน้าแรก "
                f"(more than max-depth {self.max_depth} links from the home page)"
            )
        if reason == "kind":
            kind = kind_from_extension(url) or "?"
            return f"ไม่ดาวน์โหลดไฟล์ชนิด {kind} (file type {kind} not fetched)"
        if reason == "duplicate":
            return "เป็นสำเนา (เช่น ฉบับพิมพ์) ของหน้าอื่น (a print or session duplicate of another page)"
        if reason == "trap":
            return (
                "ข้ามไปเพราะเข้าข่ายกับดักการรวบรวม (ปฏิทิน การเรียง หรือตัวกรองที่ไม่ให้ลิงก์ใหม่แล้ว) "
                "(skipped as a crawler trap: a calendar, sort or filter that stopped adding links)"
            )
        if reason == "error":
            return (
                "ดาวน์โหลดได้แต่บันทึกไม่สำเร็จเพราะโปรแกรมขัดข้อง ควรตรวจซ้ำ "
                "(fetched, but storing it failed: an internal error, see the run's errors)"
            )
        return "ไม่อยู่ในรายการหน้าที่รวบรวม (not reached by the crawl)"

    def _budget(self) -> str:
        took_th, took_en = _duration(self.seconds)
        if self.stopped_by == "max_seconds":
            return (
                f"ครบเวลารวบรวม {took_th} หลังเปิด {self.fetched} รายการ ควรเพิ่ม --max-seconds "
                f"(max-seconds {self.max_seconds:g} reached after {self.fetched} fetches; "
                "raise --max-seconds)"
            )
        if self.stopped_by == "max_bytes":
            size = f"{self.max_bytes / 2**20:g} MB"
            return (
                f"ครบปริมาณข้อมูล {size} หลังรวบรวม {took_th} "
                f"(max-bytes {size} reached after {took_en}; raise max_bytes in config.toml)"
            )
        if self.stopped_by == "max_pages":
            return (
                f"ครบจำนวนสูงสุด {self.max_pages} รายการหลังรวบรวม {took_th} ควรเพิ่ม --max-pages "
                f"(max-pages {self.max_pages} reached after {took_en}; raise --max-pages)"
            )
        return (
            f"การรอตาม Crawl-delay ของ robots.txt จะเกินเวลารวบรวม {self.max_seconds:g} วินาที "
            "(robots.txt Crawl-delay would pass max-seconds; raise --max-seconds)"
        )


def _duration(seconds: float) -> tuple[str, str]:
    """("2 นาที", "2 min") or ("45 วินาที", "45 s")."""
    if seconds >= 120:
        return f"{seconds / 60:.0f} นาที", f"{seconds / 60:.0f} min"
    return f"{seconds:.0f} วินาที", f"{seconds:.0f} s"


class SiteData:
    def __init__(
        self,
        start_url: str,
        hosts: set[str] | None = None,
        *,
        load: PageLoader | None = None,
        keep_link: Callable[[Link], bool] | None = None,
        cached_pages: int = PAGE_CACHE_SIZE,
    ) -> None:
        self.start_url = start_url
        self.hosts: set[str] = hosts if hosts is not None else set()  # hosts of the main site
        self.crawl = CrawlLimits()  # set by the audit once the crawl ended
        self.fetched: dict[str, FetchInfo] = {}  # by URL as requested and as final
        self.summaries: dict[str, PageSummary] = {}  # by URL as requested and as final
        self._load = load
        self._keep_link = keep_link
        self._keys: dict[str, str] = {}  # url -> page key, for pages that can be loaded again
        self._pinned: dict[str, Page] = {}  # pages that cannot be loaded again
        self._recent: OrderedDict[str, Page] = OrderedDict()
        self._cached_pages = cached_pages
        # One object for a link repeated on every page (the menu): a 20,000-page site holds
        # the same few menu links once, not 20,000 times.
        self._shared_links: dict[tuple, Link] = {}

    def add(self, info: FetchInfo, page: Page | None, key: str = "") -> None:
        """Index one fetched URL. ``key`` is its Page's key in the loader's store: with a
        loader and a key the Page is summarised and let go, else kept whole. URLs are indexed
        by their identity (urls.normalize_url), the one links are looked up by."""
        info.url = normalize_url(info.url)
        info.final_url = normalize_url(info.final_url) if info.final_url else ""
        self.fetched[info.url] = info
        urls = [info.url]
        if info.final_url and info.final_url != info.url:
            self.fetched.setdefault(info.final_url, info)
            urls.append(info.final_url)
        if page is None:
            return
        summary = self._summarise(page)
        for n, url in enumerate(urls):
            if n and url in self.summaries:  # the final URL keeps its own first sighting
                continue
            self.summaries[url] = summary
            if self._load is not None and key:
                self._keys[url] = key
                self._pinned.pop(url, None)
                self._recent[url] = page
                self._recent.move_to_end(url)
            else:
                self._pinned[url] = page
        while len(self._recent) > self._cached_pages:
            self._recent.popitem(last=False)

    def _summarise(self, page: Page) -> PageSummary:
        links = []
        if page.kind == "html":
            for link in page.links:
                if self._keep_link is not None and not self._keep_link(link):
                    continue
                if link.chrome:
                    shared = (link.url, link.text, link.context, link.label, link.tag)
                    link = self._shared_links.setdefault(shared, link)
                links.append(link)
        heading = page.headings[0] if page.headings else ""
        return PageSummary(page.url, page.kind, page.title, heading, page.needs_js, links)

    def is_onsite(self, url: str) -> bool:
        host = (urlsplit(url).hostname or "").lower()
        return _bare(host) in {_bare(h) for h in self.hosts}

    def info(self, url: str) -> FetchInfo | None:
        """How fetching ``url`` (in any spelling) went; None when it was not fetched."""
        return self.fetched.get(normalize_url(url))

    def has_page(self, url: str) -> bool:
        return normalize_url(url) in self.summaries

    def page(self, url: str) -> Page | None:
        """The whole Page at ``url`` (loaded again from the store when it was let go)."""
        url = normalize_url(url)
        pinned = self._pinned.get(url)
        if pinned is not None:
            return pinned
        recent = self._recent.get(url)
        if recent is not None:
            self._recent.move_to_end(url)
            return recent
        key = self._keys.get(url)
        if key is None or self._load is None:
            return None
        page = self._load(key, url)
        if page is not None:
            self._recent[url] = page
            while len(self._recent) > self._cached_pages:
                self._recent.popitem(last=False)
        return page

    def unique_summaries(self) -> list[PageSummary]:
        """Each page once (pages are indexed by requested and by final URL)."""
        return list({id(s): s for s in self.summaries.values()}.values())

    def html_summaries(self) -> list[PageSummary]:
        return [s for s in self.unique_summaries() if s.kind == "html"]

    def documents_linked_from(self, page: Page) -> list[tuple[Link, Page]]:
        out = []
        for link in page.links:
            summary = self.summaries.get(normalize_url(link.url)) if link.url else None
            if summary is None or summary.kind not in DOCUMENT_KINDS:
                continue
            target = self.page(link.url)
            if target is not None and target is not page:
                out.append((link, target))
        return out


def _bare(host: str) -> str:
    return host[4:] if host.startswith("www.") else host
