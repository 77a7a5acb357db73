"""What a crawl may do (CrawlOptions) and what it did (CrawlStats)."""

from __future__ import annotations

from dataclasses import dataclass, field

from oit_checker.fetch import FetchOptions
from oit_checker.render import RenderOptions
from oit_checker.settings import default


@dataclass
class CrawlOptions:
    max_pages: int = default(
        "max_pages"
    )  # fetched resources (pages + documents), failures included
    max_bytes: int = 300 * 2**20
    max_seconds: float = default("max_seconds")
    max_depth: int = 8
    per_host_concurrency: int = default("concurrency")
    respect_robots: bool = not default("ignore_robots")
    use_sitemap: bool = True
    # Kinds worth fetching, guessed from the URL's extension before fetching; images, media and
    # archives are skipped by default.
    fetch_kinds: frozenset[str] = frozenset({"html", "pdf", "docx", "doc", "xlsx", "xls"})
    # Links ranked this high by the caller's priority (they name an OIT item) are always
    # fetched: never folded as a duplicate or cut as a trap, even after an earlier sighting was,
    # and may be of the wanted_kinds (an infographic PNG offered as an item's evidence).
    wanted_priority: float = 100.0
    wanted_kinds: frozenset[str] = frozenset({"image"})
    fetch: FetchOptions = field(default_factory=FetchOptions)
    # JavaScript rendering of HTML pages: "never", "auto" (pages whose static HTML looks
    # incomplete, and pages of a URL pattern that needed it before) or "always".
    render: str = default("render")
    render_options: RenderOptions = field(default_factory=RenderOptions)
    # Most requests per second to one host (None: no limit besides robots' Crawl-delay; the
    # stricter of the two applies).
    rate: float | None = default("rate")


@dataclass
class CrawlStats:
    pages: int = 0
    documents: int = 0
    bytes: int = 0
    seconds: float = 0.0
    errors: list[dict] = field(default_factory=list)  # {"url", "status", "error"}
    # reason -> count of distinct URLs: robots, offsite, budget, trap, duplicate, kind, depth,
    # error (fetched, but storing or indexing it failed)
    skipped: dict[str, int] = field(default_factory=dict)
    # On-site URLs the crawl knew of but did not fetch, and why (a reason of ``skipped``), so
    # the checker can say which budget or rule stopped a link instead of "not opened".
    unfetched: dict[str, str] = field(default_factory=dict)
    robots_rules: dict[str, str] = field(
        default_factory=dict
    )  # URL -> Disallow path that forbade it
    stopped_by: str = ""  # "" | "max_pages" | "max_bytes" | "max_seconds"
    robots_crawl_delay: float | None = None
    site: str = ""  # the site's root URL; another host's when the start URL redirected there
    rendered: int = 0  # pages whose text is the DOM after JavaScript
    # Pages whose static HTML looked JavaScript-built but were not rendered (render="never",
    # no Chromium, or the render failed): their links may be missing.
    render_needed_not_done: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # English, for the log and the report
