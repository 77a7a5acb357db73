"""One audit, end to end: crawl → extract → check → score → store. The CLI and tests call this.

The crawler fetches; each resource is stored as it arrives and extracted (documents in a worker
thread, since OCR blocks); the checker then reads the site index. Exit codes follow the JSON
contract: 0 every item present, 1 some item absent or uncertain, 3 the site could not be crawled.

Nightly re-audits are incremental. First the quick re-audit (revisit.py) asks again only for
what bears on a verdict and keeps the previous verdicts when none of it changed. Otherwise every
URL is asked for with the validators of its last good fetch, and a 304 (or the same bytes again)
brings back the Page extracted then, so only changed pages are parsed or OCR'd.

Memory stays flat: each Page goes to the store as it is extracted and the site index keeps a
summary of it (check/site.py), loading it again only when the checker judges it. ``resume`` continues a run that
was interrupted or killed, under the same run id, without fetching what it already stored.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import functools
import hashlib
import importlib
import json
import pkgutil
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from oit_checker import revisit
from oit_checker.check.images import ImagePages
from oit_checker.check.items import check_items
from oit_checker.check.naming import ItemNamer
from oit_checker.check.oit_page import has_row_number
from oit_checker.check.site import CrawlLimits, SiteData
from oit_checker.crawl import Crawler, CrawlOptions, CrawlStats, TrapRules
from oit_checker.errors import (
    EXIT_ALL_PRESENT,
    EXIT_SOME_MISSING,
    EXIT_UNCRAWLABLE,
    EXIT_USAGE,
    OitError,
)
from oit_checker.extract.documents import OCR_SKIPPED, OCR_STOPPED, OcrOptions, extract_document
from oit_checker.extract.html import parse_html
from oit_checker.fetch import Credentials, credentials_of
from oit_checker.locking import SiteBusy
from oit_checker.models import (
    DOCUMENT_KINDS,
    Fetched,
    FetchInfo,
    ItemResult,
    Link,
    Page,
    RunResult,
)
from oit_checker.rules import RuleSet
from oit_checker.score import Scores, score
from oit_checker.settings import default
from oit_checker.store import CachedResource, Store, content_sha256, page_key
from oit_checker.urls import decoded_path, normalize_url, same_site, strip_credentials

DOC_EXTENSIONS = re.compile(r"\.(pdf|docx?|xlsx?)$", re.I)
# The code whose output a cached Page is: when any of it changes, cached Pages are made again
# (their key holds a hash of these modules' source).
EXTRACTOR_MODULES = (
    "oit_checker.extract.html",
    "oit_checker.extract.scripted_links",
    "oit_checker.extract.documents",
    "oit_checker.thai",
    "oit_checker.models",
    "oit_checker.fetch",  # decodes HTML (a revalidated page is never decoded again)
    "oit_checker.urls",  # the identity of every link URL in a Page
    "oit_checker.bounds",  # flattens deep HTML, refuses zip bombs
)
# The code whose output a run's verdicts are: a quick re-audit keeps the previous verdicts only
# when none of it changed. Every module of the checker package counts (checker_modules()), so a
# new one cannot be forgotten here; these are the others it reads through.
CHECKER_PACKAGE = "oit_checker.check"
CHECKER_MODULES = (
    "oit_checker.dates",
    "oit_checker.rules",
    "oit_checker.thai",
    "oit_checker.urls",
    "oit_checker.bounds",  # says why a file too large or too slow is uncertain
)
# Extraction notes of a Page cut short by something passing (OCR time budget, a missing
# tesseract, a hung antiword): such a Page is used for this run but not cached.
PASSING_TROUBLE_NOTES = (OCR_STOPPED, OCR_SKIPPED, "doc unreadable: antiword timed out")

# (phase, done, total, what): phases "revisit", "crawl", "documents", "ocr", "judging"; a
# crawl's total is what was fetched plus what is queued, within the page budget.
Progress = Callable[[str, int, int, str], None]
# --max-seconds is a wall-clock deadline: fetches, OCR and the crawler's scheduling stop at it by
# themselves; past it by this much, whatever is still running (a render) is cancelled.
DEADLINE_GRACE_SECONDS = 2.0


class AuditError(OitError):
    """The audit could not run: a bad start URL (exit 2) or a site that cannot be crawled (3)."""


@dataclass
class AuditOptions:
    as_of: dt.date = field(default_factory=dt.date.today)
    crawl: CrawlOptions = field(default_factory=CrawlOptions)
    ocr: OcrOptions = field(default_factory=OcrOptions)
    iit: float | None = default("iit")
    eit1: float | None = default("eit1")
    eit2: float | None = default("eit2")
    # Ignore the HTTP cache: no conditional requests, every resource extracted again (the cache
    # is still refreshed for the next audit).
    fresh: bool = False
    # Continue the newest run of the site and rule year when it is incomplete (or "running" in a
    # process that died), under its run id and audit date, without fetching what it stored.
    resume: bool = False
    # Days after which a URL that bears on no verdict is asked again in a quick re-audit
    # (revisit.py); None: the rules' [crawl] revisit_days; 0: every URL, every time.
    revisit_days: float | None = default("revisit_days")


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

    def result(self) -> RunResult:
        """The run in the shape every output takes (see ``models.RunResult``)."""
        return RunResult(
            site=self.site,
            year=self.year,
            rules={
                "path": str(self.rules.path),
                "title": self.rules.title,
                "status": self.rules.status,
            },
            as_of=self.as_of.isoformat(),
            run_id=self.run_id,
            items=self.items,
            scores=self.scores.as_dict(),
            stats=self.stats,
        )

    def as_dict(self) -> dict:
        """The stable JSON contract (README: "JSON contract")."""
        return self.result().as_dict()


def is_web_address(url: str) -> bool:
    """http(s) with a host; False (not a ValueError) for an unclosed IPv6 bracket."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def check_start_url(url: str) -> str:
    """The site's URL as stored and shown: normalised, without credentials."""
    url = strip_credentials(url)
    netloc = urlsplit(url.strip()).netloc if is_web_address(url) else ""
    if any(c.isspace() for c in netloc):  # "http://host /": a typo, not another site
        raise AuditError(
            f"ที่อยู่เว็บไซต์มีช่องว่าง (a space in the host name): {url!r}; "
            "remove the space (ลบช่องว่างออก)",
            EXIT_USAGE,
        )
    if not is_web_address(url):
        raise AuditError(
            f"ไม่ใช่ที่อยู่เว็บไซต์ (not a web address): {url!r} (expected http://… or https://…)",
            EXIT_USAGE,
        )
    return normalize_url(url.strip())


def make_priority(namer: ItemNamer) -> Callable[[Link, int], float]:
    """Best-first: links that name an item, then ITA/OIT hub links, then documents; shallow first."""

    def priority(link: Link, depth: int) -> float:
        value = 0.0
        if namer.name_link(link):  # names at least one item
            value += 100
        if namer.is_hub_text(f"{link.text} {link.context} {decoded_path(link.url)}"):
            value += 60
        if DOC_EXTENSIONS.search(urlsplit(link.url).path):
            value += 10
        if link.tag == "img":  # a chart page's picture (check/images.py) is its evidence
            return value
        return value - 5 * depth

    return priority


@functools.cache
def extractor_version() -> str:
    """A hash of the extraction code (EXTRACTOR_MODULES)."""
    return _source_hash(EXTRACTOR_MODULES)


@functools.cache
def checker_version() -> str:
    """A hash of the code that turns a site index into verdicts (checker_modules())."""
    return _source_hash(checker_modules())


def checker_modules() -> tuple[str, ...]:
    """Every module of the checker package, then CHECKER_MODULES."""
    package = importlib.import_module(CHECKER_PACKAGE)
    own = sorted(f"{CHECKER_PACKAGE}.{m.name}" for m in pkgutil.iter_modules(package.__path__))
    return (*own, *CHECKER_MODULES)


def _source_hash(modules: tuple[str, ...]) -> str:
    digest = hashlib.sha256()
    for name in modules:
        source = importlib.import_module(name).__file__
        digest.update(Path(source).read_bytes() if source else name.encode())
    return digest.hexdigest()[:16]


def _extractable(kind: str) -> bool:
    return kind == "html" or kind in DOCUMENT_KINDS


def page_profile(kind: str, render_mode: str, ocr: OcrOptions) -> str:
    """What a Page of this kind depends on besides its bytes and URL."""
    if kind == "html":
        return f"{extractor_version()}:html:{render_mode}"
    ocr_part = f"{ocr.method()}:{ocr.max_pages}" if ocr.enabled else "no-ocr"
    return f"{extractor_version()}:{kind}:{ocr_part}"


def cache_usable(cached: CachedResource, render_mode: str, ocr: OcrOptions) -> bool:
    """A 304 for this URL can be answered: its Page is stored for today's extractor."""
    if not _extractable(cached.kind):
        return True
    base = cached.final_url or cached.url
    content = cached.content_sha256 or cached.sha256
    return cached.page_key == page_key(content, base, page_profile(cached.kind, render_mode, ocr))


class _Collector:
    """Receives each fetched resource: stores it, extracts it (or takes its Page from the
    cache), adds it to the site index."""

    def __init__(
        self,
        site: SiteData,
        store: Store,
        run_id: int,
        site_id: int,
        options: AuditOptions,
        progress: Progress | None,
        budget: int,
        image_pages: ImagePages | None = None,
    ) -> None:
        self.site, self.store, self.run_id, self.site_id = site, store, run_id, site_id
        self.image_pages = image_pages  # pages whose images are evidence: fetch and OCR them
        self.ocr, self.fresh = options.ocr, options.fresh
        self.render_mode = str(getattr(options.crawl, "render", ""))
        self.progress, self.budget = progress, budget
        self.count = 0
        self.cache: dict[str, CachedResource] = store.http_cache(site_id)
        self.counters = dict.fromkeys(("revalidated", "unchanged", "changed", "new"), 0)
        self.extracted = 0
        self.documents = self.ocr_pages = 0  # documents begun, pages OCR'd (progress)
        # Resume: links of the pages stored before, queued once the start URL settled the site.
        self.crawler: Crawler | None = None
        self.start_url = site.start_url
        self.requeue: list[tuple[list[Link], int]] = []
        self.restored: set[str] = set()  # URLs put back from the stored run
        self._links: dict[str, list[Link]] = {}  # of the page just indexed, for links_of

    def profile(self, kind: str) -> str:
        return page_profile(kind, self.render_mode, self.ocr)

    def _usable(self, cached: CachedResource) -> bool:
        return cache_usable(cached, self.render_mode, self.ocr)

    def conditional(self, url: str) -> dict[str, str] | None:
        """Validators for the crawler's conditional request (CachedResource.conditional)."""
        cached = self.cache.get(url)
        return cached.conditional(self._usable(cached)) if cached is not None else None

    async def on_fetched(self, fetched: Fetched) -> None:
        if fetched.url not in self.restored:  # the start URL of a resumed run comes again
            self.count += 1
        cached = None if self.fresh else self.cache.get(fetched.url)
        if fetched.status == 304 and cached is not None and self._usable(cached):
            await self._revalidated(fetched, cached)
        elif fetched.ok:
            await self._downloaded(fetched)
        else:
            self.store.record_fetch(self.run_id, self.site_id, fetched)
            self._index(fetched, fetched.status, fetched.kind, None)
        if fetched.url == self.start_url and self.requeue and self.crawler is not None:
            for links, depth in self.requeue:
                self.crawler.add_links(links, depth)
            self.requeue.clear()
        if self.progress:
            waiting = self.crawler.frontier.waiting() if self.crawler is not None else 0
            total = min(self.budget, self.count + waiting)
            self.progress("crawl", self.count, total, fetched.url)

    async def _revalidated(self, fetched: Fetched, cached: CachedResource) -> None:
        """HTTP 304: the stored copy stands; its Page is used as it was extracted."""
        self.counters["revalidated"] += 1
        # A 304 has no body to classify; the crawler follows its links only if it is "html".
        fetched.kind = cached.kind  # type: ignore[assignment]
        page = self.store.page(cached.page_key, fetched.url)
        key = self.store.record_fetch(
            self.run_id, self.site_id, fetched, cached=cached, cache="revalidated"
        )
        self._index(fetched, cached.status, cached.kind, page, key)

    async def _downloaded(self, fetched: Fetched) -> None:
        """A full body: reuse the Page of the same content at the same address, else extract.

        For HTML the content is the text as parsed (decoded, or the DOM after JavaScript, which
        the body's hash would not show), for documents the bytes."""
        rendered = fetched.url in getattr(self.crawler, "rendered", ())
        content_sha = content_sha256(fetched)
        previous = self.cache.get(fetched.url)  # compared even when fresh: what changed
        if previous is None:
            outcome = "new"
        else:
            before = previous.content_sha256 or previous.sha256
            outcome = "unchanged" if before == content_sha else "changed"
        self.counters[outcome] += 1
        page: Page | None = None
        profile = self.profile(fetched.kind)
        if _extractable(fetched.kind):
            if not self.fresh:
                base = fetched.final_url or fetched.url
                page = self.store.page(page_key(content_sha, base, profile), fetched.url)
            if page is None:
                page = await self._extract(fetched)
        keep = page is None or not any(n.startswith(PASSING_TROUBLE_NOTES) for n in page.notes)
        key = self.store.record_fetch(
            self.run_id,
            self.site_id,
            fetched,
            page=page,
            page_profile=profile,
            content_sha=content_sha,
            rendered=rendered,
            keep_page=keep,
            cache=outcome,
        )
        self._index(fetched, fetched.status, fetched.kind, page, key)

    async def _extract(self, fetched: Fetched) -> Page | None:
        page: Page | None = None
        if fetched.kind == "html":
            page = parse_html(fetched.text, fetched.final_url or fetched.url)
        elif fetched.kind in DOCUMENT_KINDS:
            self.documents += 1
            if self.progress:
                self.progress("documents", self.documents - 1, self.documents, fetched.url)
            page = await asyncio.to_thread(
                extract_document,
                fetched.final_url or fetched.url,
                fetched.kind,
                fetched.body,
                self.ocr,
                self.store,
            )
        if page is not None:
            self.extracted += 1
            page.url = fetched.url
            page.notes.extend(fetched.notes)
            if fetched.kind in DOCUMENT_KINDS:
                self._documents_read(page)
        return page

    def _documents_read(self, page: Page) -> None:
        """The document's bar moves on; pages OCR'd in it (its notes say) show in their own."""
        if not self.progress:
            return
        self.progress("documents", self.documents, self.documents, page.url)
        ocr = sum(int(m) for m in re.findall(r"ocr: (\d+) page", " ".join(page.notes)))
        if ocr:
            self.ocr_pages += ocr
            self.progress("ocr", self.ocr_pages, self.ocr_pages, page.url)

    def _index(
        self, fetched: Fetched, status: int, kind: str, page: Page | None, key: str = ""
    ) -> None:
        final = fetched.final_url or fetched.url
        self.site.add(FetchInfo(fetched.url, final, status, kind, fetched.error), page, key)
        if page is not None and page.kind == "html":
            charts = self.image_pages.links(page) if self.image_pages else []
            self._links[fetched.url] = page.links + charts  # until the crawler asks, just after

    def links_of(self, fetched: Fetched) -> list[Link]:
        return self._links.pop(fetched.url, [])

    def restore(self) -> list[str]:
        """Resume: put the run's stored resources back into the site index and keep their
        pages' links for re-queueing. Returns the URLs not to fetch again. Transient failures
        and resources stored without their Page are fetched again."""
        seen: list[str] = []
        start = self.start_url
        rows = self.store.resources(self.run_id)
        start_final = next((r["final_url"] for r in rows if r["url"] == start), "") or start
        for row in rows:
            info = FetchInfo.from_row(row)
            final = info.final_url
            page = None
            if info.ok and _extractable(info.kind):
                page = self.store.page(row["page_key"] or "", row["url"])
                if page is None:
                    continue
            self.site.add(info, page, row["page_key"] or "")
            if info.transient:
                continue
            self.count += 1
            self.restored.add(row["url"])
            seen.extend((row["url"], final))
            onsite = same_site(final, start) or same_site(final, start_final)
            if page is not None and page.kind == "html" and onsite:
                self.requeue.append((page.links, row["depth"] or 0))
        return seen


async def audit(
    url: str,
    rules: RuleSet,
    store: Store,
    options: AuditOptions | None = None,
    progress: Progress | None = None,
) -> AuditResult:
    """Audit one site into ``store``. Only one audit of a site runs per database at a time
    (locking.py); ``options.crawl.max_seconds`` bounds the whole of it, wall clock."""
    options = options or AuditOptions()
    start = check_start_url(url)
    deadline = time.monotonic() + options.crawl.max_seconds
    options = _bounded(options, deadline, credentials_of(url))
    with contextlib.ExitStack() as held:
        try:
            held.enter_context(store.site_lock(start))
        except SiteBusy as exc:  # an AuditError, as batch counts a site's failures
            raise AuditError(exc.message, exc.exit_code) from None
        return await _audit(start, rules, store, options, progress, deadline)


def _bounded(
    options: AuditOptions, deadline: float, credentials: Credentials | None
) -> AuditOptions:
    """A copy of ``options`` whose fetches and OCR end by ``deadline`` and whose requests to
    the site carry the start URL's credentials."""
    crawl = options.crawl
    fetch = dataclasses.replace(crawl.fetch, deadline=deadline, credentials=credentials)
    ocr = dataclasses.replace(options.ocr, deadline=deadline)
    return dataclasses.replace(options, crawl=dataclasses.replace(crawl, fetch=fetch), ocr=ocr)


async def _audit(
    start: str,
    rules: RuleSet,
    store: Store,
    options: AuditOptions,
    progress: Progress | None,
    deadline: float,
) -> AuditResult:
    rules_sha = hashlib.sha256(Path(rules.path).read_bytes()).hexdigest()
    crawl_options = options.crawl
    opened = await _open_run(start, rules, rules_sha, store, options, progress)
    if isinstance(opened, AuditResult):
        return opened  # the quick re-audit: nothing due changed
    run_id, as_of, revisit_note = opened
    site_id = store.site_id(start)
    assert site_id is not None  # start_run made it; a resumed run has one
    namer = ItemNamer(rules)
    site = SiteData(
        start,
        {urlsplit(start).hostname or ""},
        load=store.page,
        keep_link=lambda link: bool(namer.name_link(link)) or has_row_number(link),
    )
    collector = _Collector(
        site, store, run_id, site_id, options, progress, crawl_options.max_pages, ImagePages(rules)
    )
    seen: list[str] = []
    if options.resume:
        seen = collector.restore()
        # The page budget is the run's: what was stored counts (the start URL is fetched again).
        again = 1 if start in collector.restored else 0
        left = max(1, crawl_options.max_pages - collector.count + again)
        crawl_options = dataclasses.replace(crawl_options, max_pages=left)
    restored = collector.count
    crawler = Crawler(
        start,
        # The crawl's time budget ends at the audit's deadline (a quick re-audit used some).
        dataclasses.replace(crawl_options, max_seconds=max(0.0, deadline - time.monotonic())),
        collector.links_of,
        make_priority(namer),
        collector.on_fetched,
        seen=seen,
        conditional=None if options.fresh else collector.conditional,
        traps=TrapRules.from_rules(rules.crawl),
    )
    collector.crawler = crawler
    began = time.monotonic()
    stats = await _crawl_until(crawler, deadline, store, run_id)
    site.crawl = _limits(options.crawl, stats, collector.count)
    problem = _settle_site(site, stats, collector.count)
    stats_dict = _stats(stats, collector, time.monotonic() - began)
    stats_dict["site_name"] = site_name(site.page(start))
    if options.resume:
        stats_dict["resume"] = {"restored": restored}
    if revisit_note:
        stats_dict["revisit"] = revisit_note
    if problem:
        # A resumed run keeps what it stored and stays resumable; a new one failed.
        status = "incomplete" if options.resume else "failed"
        store.finish_run(
            run_id, status, stats=stats_dict, exit_code=EXIT_UNCRAWLABLE, error=problem
        )
        raise AuditError(problem, EXIT_UNCRAWLABLE)
    judged = (lambda n, i: progress("judging", n, len(rules.items), i)) if progress else None
    results = check_items(rules, site, rules.year, as_of, namer, judged)
    scores = score(results, rules, options.iit, options.eit1, options.eit2)
    stats_dict["seconds"] = round(time.monotonic() - began, 2)
    exit_code = _exit_code(results)
    store.finish_run(run_id, "complete", results, scores.as_dict(), stats_dict, exit_code)
    return AuditResult(
        start, rules.year, rules, as_of, results, scores, stats_dict, run_id, exit_code
    )


async def _open_run(
    start: str,
    rules: RuleSet,
    rules_sha: str,
    store: Store,
    options: AuditOptions,
    progress: Progress | None,
) -> tuple[int, dt.date, dict] | AuditResult:
    """The run this audit writes: the interrupted one it resumes, or a new one, with its audit
    date and the quick re-audit's note; or the quick re-audit's result when nothing due
    changed (then there is nothing left to crawl)."""
    if options.resume:
        run_id, as_of = _reopen(store, start, rules, rules_sha)
        return run_id, as_of, {}
    revisit_note: dict = {}
    if not options.fresh:
        quick, revisit_note = await _quick_reaudit(
            start, rules, rules_sha, store, options, progress
        )
        if quick is not None:
            return quick
    run_id = _start_run(store, start, rules, rules_sha, options)
    return run_id, options.as_of, revisit_note


def _start_run(
    store: Store, start: str, rules: RuleSet, rules_sha: str, options: AuditOptions
) -> int:
    return store.start_run(
        start,
        rules.year,
        str(rules.path),
        rules_sha,
        options.as_of.isoformat(),
        _run_options(options),
    )


def _exit_code(results: list[ItemResult]) -> int:
    return EXIT_ALL_PRESENT if all(r.status == "present" for r in results) else EXIT_SOME_MISSING


def _reopen(store: Store, start: str, rules: RuleSet, rules_sha: str) -> tuple[int, dt.date]:
    """The run a resume continues, running again; with its audit date (not today's)."""
    run, why_not = store.resumable_run(start, rules.year)
    if run is None:
        raise AuditError(f"nothing to resume: {why_not}", EXIT_USAGE)
    store.reopen_run(run["id"], str(rules.path), rules_sha)
    return run["id"], dt.date.fromisoformat(run["as_of"])


def _settle_site(site: SiteData, stats: CrawlStats, fetched: int) -> str:
    """After the crawl the start URL's final host joins the site. Returns why the crawl says
    nothing about the site, or ""."""
    start = site.start_url
    first = site.fetched.get(start)
    if first is not None and first.final_url:
        site.hosts.add(urlsplit(first.final_url).hostname or "")
    # A URL cut at the deadline before it was asked (a robots.txt that hung until then) is no
    # page of the site: only answers count.
    answered = sum(1 for info in site.fetched.values() if info.status)
    return _start_problem(start, first) or _blocked_problem(stats, min(fetched, answered))


async def _crawl_until(crawler: Crawler, deadline: float, store: Store, run_id: int) -> CrawlStats:
    """Run the crawl; past the deadline (plus a grace for fetches to end by themselves) what is
    still running is cancelled and the crawl counts as stopped by its time budget. Interrupted
    (Ctrl-C, SIGTERM), the run is marked incomplete."""
    try:
        async with asyncio.timeout(max(0.0, deadline + DEADLINE_GRACE_SECONDS - time.monotonic())):
            stats = await crawler.run()
        if time.monotonic() >= deadline:  # fetches in flight were cut at the deadline
            stats.stopped_by = stats.stopped_by or "max_seconds"
        return stats
    except TimeoutError:
        stats = crawler.stats
        stats.stopped_by = stats.stopped_by or "max_seconds"
        stats.notes.append("work still running at the time limit was cancelled")
        return stats
    except BaseException as exc:
        store.finish_run(run_id, "incomplete", error=f"interrupted: {type(exc).__name__}")
        raise


def _run_options(options: AuditOptions) -> dict:
    return {
        "max_pages": options.crawl.max_pages,
        "max_seconds": options.crawl.max_seconds,
        "ocr": options.ocr.enabled,
        "fresh": options.fresh,
        "checker": checker_version(),
        "profile": revisit.crawl_profile(options.crawl, options.ocr.enabled),
    }


async def _quick_reaudit(
    start: str,
    rules: RuleSet,
    rules_sha: str,
    store: Store,
    options: AuditOptions,
    progress: Progress | None,
) -> tuple[AuditResult | None, dict]:
    """The previous verdicts, carried into a new run, when nothing due changed (revisit.py).
    Else (None, why not), and the full incremental audit runs."""
    site_id = store.site_id(start)
    previous = store.latest_complete_run(start, rules.year) if site_id is not None else None
    if site_id is None or previous is None:
        return None, {}
    render_mode = options.crawl.render

    def usable(cached: CachedResource) -> bool:
        return cache_usable(cached, render_mode, options.ocr)

    cache = store.http_cache(site_id)
    rows = store.resources(previous["id"])
    days = options.revisit_days
    if days is None:
        days = float(rules.crawl.get("revisit_days", revisit.DEFAULT_REVISIT_DAYS))
    plan = revisit.plan(
        store,
        previous,
        start_url=start,
        rules_sha=rules_sha,
        checker=checker_version(),
        profile=revisit.crawl_profile(options.crawl, options.ocr.enabled),
        as_of=options.as_of,
        fiscal_year=rules.year,
        resources=rows,
        cache=cache,
        usable=usable,
        days=days,
    )
    if plan.why_not:
        return None, {"quick": False, "why": plan.why_not}
    began = time.monotonic()
    by_url = {row["url"]: row for row in rows}
    answers = await revisit.ask_again(plan, start, options.crawl, cache, usable, by_url, progress)
    changed = revisit.changed(plan, answers)
    note = {
        "quick": not changed,
        "from_run": previous["id"],
        "asked": len(plan.due),
        "trusted": len(plan.trusted),
        "changed": len(changed),
    }
    if changed:
        shown = ", ".join(changed[: revisit.SHOWN_CHANGES])
        note["why"] = f"{len(changed)} of {len(plan.due)} URLs asked again changed ({shown})"
        return None, note
    run_id = _start_run(store, start, rules, rules_sha, options)
    store.carry_resources(
        previous["id"], run_id, site_id, {u: a.fetched for u, a in answers.items()}
    )
    results = store.item_results(previous["id"])
    scores = score(results, rules, options.iit, options.eit1, options.eit2)
    stats = _carried_stats(previous, answers, len(plan.trusted), note, began)
    exit_code = _exit_code(results)
    store.finish_run(run_id, "complete", results, scores.as_dict(), stats, exit_code)
    result = AuditResult(
        start, rules.year, rules, options.as_of, results, scores, stats, run_id, exit_code
    )
    return result, note


def _carried_stats(
    previous: dict, answers: dict[str, revisit.Answer], trusted: int, note: dict, began: float
) -> dict:
    """The previous run's stats for a quick re-audit's run: what was asked again, nothing
    fetched anew or extracted."""
    stats = json.loads(previous.get("stats") or "{}")
    stats.pop("resume", None)
    revalidated = sum(1 for a in answers.values() if a.fetched.status == 304)
    stats.update(
        fetched=len(answers),
        bytes=0,
        seconds=round(time.monotonic() - began, 2),
        cache={
            "revalidated": revalidated,
            "unchanged": len(answers) - revalidated,
            "changed": 0,
            "new": 0,
            "extracted": 0,
            "trusted": trusted,
        },
        revisit=note,
    )
    return stats


def _start_problem(start: str, first: FetchInfo | None) -> str:
    if first is None:
        return f"could not fetch {start} (robots.txt or the crawl budget stopped it)"
    if not first.ok:
        why = f"HTTP {first.status}" if first.status else first.error or "no response"
        return f"could not fetch {start}: {why}"
    if first.kind != "html":
        return f"{start} is not a web page but a {first.kind} file; give the agency's home page"
    return ""


def _blocked_problem(stats: CrawlStats, fetched: int) -> str:
    """Why a crawl that got no further than the start page says nothing about the site: every
    other URL was forbidden by robots.txt, or the time ran out (a robots.txt that never
    answered). Thai first: the officer reads it."""
    if fetched > 1:
        return ""
    if stats.skipped.get("robots"):
        return (
            f"เก็บข้อมูลเว็บไซต์ไม่ได้: robots.txt ห้ามเปิดทุกหน้านอกจากหน้าแรก"
            f" ({stats.skipped['robots']} URL) ใช้ --ignore-robots หากได้รับอนุญาตจากหน่วยงาน"
            f" / the site could not be crawled: robots.txt forbids every page but the start page;"
            f" use --ignore-robots if the agency allows it"
        )
    if stats.stopped_by == "max_seconds":
        silent = next((n for n in stats.notes if n.startswith("robots.txt")), "")
        cause = f" ({silent})" if silent else ""
        return (
            f"เก็บข้อมูลเว็บไซต์ไม่ได้: หมดเวลาก่อนเปิดหน้าอื่นนอกจากหน้าแรก{cause}"
            f" / the site could not be crawled: the time limit passed before any page but the"
            f" start page was fetched{cause}; raise --max-seconds, or use --ignore-robots when"
            f" robots.txt does not answer"
        )
    return ""


def _limits(options: CrawlOptions, stats: CrawlStats, fetched: int) -> CrawlLimits:
    """The run's budgets (a resumed run's whole budget, not what was left) and what stopped it."""
    return CrawlLimits(
        max_pages=options.max_pages,
        max_seconds=options.max_seconds,
        max_bytes=options.max_bytes,
        max_depth=options.max_depth,
        stopped_by=stats.stopped_by,
        seconds=stats.seconds,
        fetched=fetched,
        unfetched=stats.unfetched,
        robots_rules=stats.robots_rules,
    )


def site_name(home: Page | None) -> str:
    """The agency's name for a report's heading: the home page's title without its slogan or
    "หน้าแรก" part ("อบต.หนองบัวทอง | ยินดีต้อนรับ" -> "อบต.หนองบัวทอง"); "" if it has none."""
    title = " ".join((home.title if home else "").split())
    parts = [p.strip() for p in re.split(r"\s+[|\-–—:]+\s+|\s*\|\s*", title) if p.strip()]
    thai = [p for p in parts if re.search("[\u0e01-\u0e4e]", p) and "หน้าแรก" not in p]
    return (thai or parts or [""])[0][:120]


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
        "rendered": stats.rendered,
        "render_needed_not_done": stats.render_needed_not_done,
        "notes": stats.notes,
        "seconds": round(seconds, 2),
        "cache": {**collector.counters, "extracted": collector.extracted},
    }
