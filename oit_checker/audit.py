"""One audit, end to end: crawl → extract → check → score → store. The CLI and tests call this.

The crawler fetches; each resource is stored as it arrives and extracted (documents in a worker
thread, since OCR blocks); the checker then reads the site index. Exit codes follow the JSON
contract: 0 every item present, 1 some item absent or uncertain, 3 the site could not be crawled.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from oit_checker.check.items import check_items
from oit_checker.check.naming import ItemNamer
from oit_checker.check.site import FetchInfo, SiteData
from oit_checker.crawl import Crawler, CrawlOptions, CrawlStats, normalize_url
from oit_checker.extract.documents import OcrOptions, extract_document
from oit_checker.extract.html import parse_html
from oit_checker.models import DOCUMENT_KINDS, Fetched, ItemResult, Link, Page
from oit_checker.rules import RuleSet
from oit_checker.score import Scores, score
from oit_checker.store import Store

EXIT_ALL_PRESENT, EXIT_SOME_MISSING, EXIT_USAGE, EXIT_UNCRAWLABLE = 0, 1, 2, 3
DOC_EXTENSIONS = re.compile(r"\.(pdf|docx?|xlsx?)$", re.I)

Progress = Callable[[str, int, int], None]  # (message, fetched so far, page budget)


class AuditError(Exception):
    """The audit could not run; the message is for the user, the code for the shell."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass
class AuditOptions:
    as_of: dt.date = field(default_factory=dt.date.today)
    crawl: CrawlOptions = field(default_factory=CrawlOptions)
    ocr: OcrOptions = field(default_factory=OcrOptions)
    iit: float | None = None
    eit1: float | None = None
    eit2: float | None = None


@dataclass
class AuditResult:
    site: str
    year: int
    rules: RuleSet
    as_of: dt.date
    items: list[ItemResult]
    scores: Scores
    stats: dict
    run_id: int
    exit_code: int

    def as_dict(self) -> dict:
        """The stable JSON contract (README: "JSON contract")."""
        return {
            "site": self.site,
            "year": self.year,
            "rules": {
                "path": str(self.rules.path),
                "title": self.rules.title,
                "status": self.rules.status,
            },
            "as_of": self.as_of.isoformat(),
            "run_id": self.run_id,
            "items": [
                {
                    "id": r.id,
                    "title": r.title,
                    "subindicator": r.subindicator,
                    "indicator": r.indicator,
                    "status": r.status,
                    "evidence": [
                        {"url": e.url, "kind": e.kind, "excerpt": e.excerpt, "via": e.via}
                        for e in r.evidence
                    ],
                    "found": r.found,
                    "missing": r.missing,
                    "reason": r.reason,
                }
                for r in self.items
            ],
            "scores": self.scores.as_dict(),
            "stats": self.stats,
        }


def check_start_url(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise AuditError(f"not a web address: {url!r} (expected http://… or https://…)", EXIT_USAGE)
    return normalize_url(url.strip())


def make_priority(namer: ItemNamer) -> Callable[[Link, int], float]:
    """Best-first: links that name an item, then ITA/OIT hub links, then documents; shallow first."""

    def priority(link: Link, depth: int) -> float:
        value = 0.0
        if namer.name_link(link):
            value += 100
        if namer.is_hub_text(f"{link.text} {link.context} {urlsplit(link.url).path}"):
            value += 60
        if DOC_EXTENSIONS.search(urlsplit(link.url).path):
            value += 10
        return value - 5 * depth

    return priority


class _Collector:
    """Receives each fetched resource: stores it, extracts it, adds it to the site index."""

    def __init__(
        self,
        site: SiteData,
        store: Store,
        run_id: int,
        ocr: OcrOptions,
        progress: Progress | None,
        budget: int,
    ) -> None:
        self.site, self.store, self.run_id, self.ocr = site, store, run_id, ocr
        self.progress, self.budget = progress, budget
        self.count = 0
        self.start_failure: Fetched | None = None

    async def on_fetched(self, fetched: Fetched) -> None:
        self.count += 1
        self.store.add_resource(self.run_id, fetched)
        page: Page | None = None
        if fetched.ok:
            if fetched.kind == "html":
                page = parse_html(fetched.text, fetched.final_url or fetched.url)
            elif fetched.kind in DOCUMENT_KINDS:
                page = await asyncio.to_thread(
                    extract_document,
                    fetched.final_url or fetched.url,
                    fetched.kind,
                    fetched.body,
                    self.ocr,
                    self.store,
                )
            if page is not None:
                page.url = fetched.url
        self.site.add(
            FetchInfo(
                fetched.url,
                fetched.final_url or fetched.url,
                fetched.status,
                fetched.kind,
                fetched.error,
            ),
            page,
        )
        if self.progress:
            self.progress(fetched.url, self.count, self.budget)

    def links_of(self, fetched: Fetched) -> list[Link]:
        page = self.site.page(fetched.url)
        return page.links if page is not None and page.kind == "html" else []


async def audit(
    url: str,
    rules: RuleSet,
    store: Store,
    options: AuditOptions | None = None,
    progress: Progress | None = None,
) -> AuditResult:
    options = options or AuditOptions()
    start = check_start_url(url)
    rules_sha = hashlib.sha256(Path(rules.path).read_bytes()).hexdigest()
    run_id = store.start_run(
        start,
        rules.year,
        str(rules.path),
        rules_sha,
        options.as_of.isoformat(),
        {
            "max_pages": options.crawl.max_pages,
            "max_seconds": options.crawl.max_seconds,
            "ocr": options.ocr.enabled,
        },
    )
    site = SiteData(start_url=start, hosts={urlsplit(start).hostname or ""})
    collector = _Collector(site, store, run_id, options.ocr, progress, options.crawl.max_pages)
    namer = ItemNamer(rules)
    crawler = Crawler(
        start, options.crawl, collector.links_of, make_priority(namer), collector.on_fetched
    )
    began = time.monotonic()
    try:
        stats = await crawler.run()
    except BaseException as exc:
        store.finish_run(run_id, "incomplete", error=f"interrupted: {type(exc).__name__}")
        raise
    first = site.fetched.get(start)
    if first is not None and first.final_url:
        site.hosts.add(urlsplit(first.final_url).hostname or "")
    problem = _start_problem(start, first)
    stats_dict = _stats(stats, collector, time.monotonic() - began)
    if problem:
        store.finish_run(
            run_id, "failed", stats=stats_dict, exit_code=EXIT_UNCRAWLABLE, error=problem
        )
        raise AuditError(problem, EXIT_UNCRAWLABLE)
    results = check_items(rules, site, rules.year, options.as_of)
    scores = score(results, rules, options.iit, options.eit1, options.eit2)
    stats_dict["seconds"] = round(time.monotonic() - began, 2)
    exit_code = (
        EXIT_ALL_PRESENT if all(r.status == "present" for r in results) else EXIT_SOME_MISSING
    )
    store.finish_run(run_id, "complete", results, scores.as_dict(), stats_dict, exit_code)
    return AuditResult(
        start, rules.year, rules, options.as_of, results, scores, stats_dict, run_id, exit_code
    )


def _start_problem(start: str, first: FetchInfo | None) -> str:
    if first is None:
        return f"could not fetch {start} (robots.txt or the crawl budget stopped it)"
    if not first.ok:
        why = f"HTTP {first.status}" if first.status else first.error or "no response"
        return f"could not fetch {start}: {why}"
    if first.kind != "html":
        return f"{start} is not a web page but a {first.kind} file; give the agency's home page"
    return ""


def _stats(stats: CrawlStats, collector: _Collector, seconds: float) -> dict:
    infos = {id(i): i for i in collector.site.fetched.values()}.values()
    pages = sum(1 for i in infos if i.ok and i.kind == "html")
    docs = sum(1 for i in infos if i.ok and i.kind in DOCUMENT_KINDS)
    return {
        "pages": pages,
        "documents": docs,
        "fetched": collector.count,
        "bytes": stats.bytes,
        "errors": stats.errors,
        "skipped": stats.skipped,
        "stopped_by": stats.stopped_by,
        "seconds": round(seconds, 2),
    }
