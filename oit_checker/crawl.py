"""The scheduler: which URL of the site to fetch next, and when to stop.

Best-first: the caller's ``priority`` ranks links (an ITA hub beats a news archive), so under a
page budget the pages that matter are fetched even when they sit deep. The crawler keeps to the
site (same host, ``www.`` ignored), obeys robots.txt and its Crawl-delay, seeds from sitemaps,
bounds traps (calendars, ``?page=N``, session ids), and never parses HTML itself: ``links_of``
does. Budgets (pages, bytes, seconds) stop scheduling; requests in flight are let finish.

Pages built by JavaScript are rendered in Chromium (``render="auto"``: when the static HTML looks
incomplete, or a page of the same URL pattern needed it before) and the rendered DOM replaces the
static text, so menus and accordions built by scripts yield their links. Politeness: robots
Crawl-delay and an optional request rate per host, whichever is stricter.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import html
import inspect
import itertools
import logging
import re
import time
import zlib
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit
from urllib.robotparser import RobotFileParser

import httpx

from oit_checker.fetch import FetchOptions, fetch, kind_from_extension, make_client
from oit_checker.models import DOCUMENT_KINDS, Fetched, Link
from oit_checker.render import (
    Renderer,
    RenderOptions,
    chromium_available,
    js_signals,
    needed_rendering,
    url_pattern,
    visible_text_chars,
)
from oit_checker.urls import WEB_SCHEMES, host_of, normalize_url, root_of, site_key

log = logging.getLogger(__name__)

# After Ctrl-C: how long the cancelled fetches and renders get to end, and the browser to
# close, before the crawl gives up on them (an interrupted audit must never hang).
CANCEL_GRACE_SECONDS = 5.0

# Trap bounds besides max_query_variants: URLs this long, or paths repeating one segment this
# often ("/a/b/a/b/a/b/..." from a relative-link loop), are not followed.
MAX_URL_LENGTH = 2048
MAX_SEGMENT_REPEATS = 3
# Sitemaps: how many sitemap files (an index's children included) and URLs to read at most.
MAX_SITEMAP_FILES = 20
MAX_SITEMAP_URLS = 5000
MAX_SITEMAP_BYTES = 20 * 2**20
LOC_RE = re.compile(
    rb"<(?:[\w.-]+:)?loc>\s*(?:<!\[CDATA\[)?\s*(.*?)\s*(?:\]\]>)?\s*</(?:[\w.-]+:)?loc>",
    re.S | re.I,
)
SITEMAP_INDEX_RE = re.compile(rb"<(?:[\w.-]+:)?sitemapindex[\s>]", re.I)
# The error of a fetch not made because the Crawl-delay wait would pass the time budget.
PACING_PAST_BUDGET = "not fetched: the crawl delay would pass the time budget"
# A Crawl-delay above this is treated as this (seconds): the time budget bounds the rest.
MAX_CRAWL_DELAY = 60.0
RENDER_MODES = ("never", "auto", "always")
NO_CHROMIUM_NOTE = "JavaScript rendering unavailable: chromium not found at /usr/bin/chromium"


@dataclass
class CrawlOptions:
    max_pages: int = 400  # fetched resources (pages + documents), failures included
    max_bytes: int = 300 * 2**20
    max_seconds: float = 600.0
    max_depth: int = 8
    per_host_concurrency: int = 4
    respect_robots: bool = True
    use_sitemap: bool = True
    # Kinds worth fetching, guessed from the URL's extension before fetching; images, media and
    # archives are skipped by default.
    fetch_kinds: frozenset[str] = frozenset({"html", "pdf", "docx", "doc", "xlsx", "xls"})
    max_query_variants: int = 30  # per path: distinct query strings (calendar traps, ?page=N)
    # Links ranked this high by the caller's priority (they name an OIT item) are never cut as
    # query variants (EWT sites serve hundreds of files as ewt_dl_link.php?nid=N), and may be
    # of the wanted_kinds (an infographic PNG offered as an item's evidence).
    wanted_priority: float = 100.0
    wanted_kinds: frozenset[str] = frozenset({"image"})
    fetch: FetchOptions = field(default_factory=FetchOptions)
    # JavaScript rendering of HTML pages: "never", "auto" (pages whose static HTML looks
    # incomplete, and pages of a URL pattern that needed it before) or "always".
    render: str = "never"
    render_options: RenderOptions = field(default_factory=RenderOptions)
    # Most requests per second to one host (None: no limit besides robots' Crawl-delay; the
    # stricter of the two applies).
    rate: float | None = None


@dataclass
class CrawlStats:
    pages: int = 0
    documents: int = 0
    bytes: int = 0
    seconds: float = 0.0
    errors: list[dict] = field(default_factory=list)  # {"url", "status", "error"}
    # reason -> count of distinct URLs: robots, offsite, budget, trap, kind, depth
    skipped: dict[str, int] = field(default_factory=dict)
    stopped_by: str = ""  # "" | "max_pages" | "max_bytes" | "max_seconds"
    robots_crawl_delay: float | None = None
    site: str = ""  # the site's root URL; another host's when the start URL redirected there
    rendered: int = 0  # pages whose text is the DOM after JavaScript
    # Pages whose static HTML looked JavaScript-built but were not rendered (render="never",
    # no Chromium, or the render failed): their links may be missing.
    render_needed_not_done: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # English, for the log and the report


def _parse_crawl_delay(text: str, agent: str) -> float | None:
    """Crawl-delay for ``agent`` (else "*"), decimals allowed (urllib's parser takes only ints)."""
    groups: list[tuple[set[str], float | None]] = []
    agents: set[str] = set()
    delay: float | None = None
    in_rules = False
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if ":" not in line:
            continue
        name, _, value = line.partition(":")
        name, value = name.strip().lower(), value.strip()
        if name == "user-agent":
            if in_rules:
                groups.append((agents, delay))
                agents, delay, in_rules = set(), None, False
            agents.add(value.lower())
        elif name == "crawl-delay":
            in_rules = True
            with contextlib.suppress(ValueError):
                delay = float(value)
        elif name in ("allow", "disallow"):
            in_rules = True
    groups.append((agents, delay))
    token = agent.split("/", 1)[0].lower()
    specific = [d for a, d in groups if d is not None and any(x != "*" and x in token for x in a)]
    fallback = [d for a, d in groups if d is not None and "*" in a]
    found = specific or fallback
    return max(0.0, min(found[0], MAX_CRAWL_DELAY)) if found else None


@dataclass
class _Robots:
    parser: RobotFileParser | None  # None: allow everything (missing or unreadable robots.txt)
    delay: float | None
    sitemaps: list[str]


# ---------------------------------------------------------------------------------------------
# Crawler


class Crawler:
    """Best-first crawl of one site; see the module docstring."""

    def __init__(
        self,
        start_url: str,
        options: CrawlOptions,
        links_of: Callable[[Fetched], list[Link]],
        priority: Callable[[Link, int], float],
        on_fetched: Callable[[Fetched], Awaitable[None] | None] | None = None,
        seen: Iterable[str] = (),
        conditional: Callable[[str], dict[str, str] | None] | None = None,
        renderer: Renderer | None = None,
        render_memory: dict[str, bool] | None = None,
    ) -> None:
        if options.render not in RENDER_MODES:
            raise ValueError(f"render must be one of {RENDER_MODES}, not {options.render!r}")
        self.start_url = normalize_url(start_url)
        self.options = options
        self.links_of = links_of
        self.priority = priority
        self.on_fetched = on_fetched
        self.conditional = conditional
        self.stats = CrawlStats(site=root_of(self.start_url))
        self._site_keys = {site_key(self.start_url)}
        self._frontier: list[tuple[float, int, int, str, Link]] = []
        self._counter = itertools.count()
        self._best: dict[str, float] = {}  # queued URL -> best priority pushed
        self._done: set[str] = {normalize_url(u) for u in seen}  # fetched, stored or started
        self._known: set[str] = set()  # every URL already judged (queued or skipped)
        self._too_deep: set[str] = set()  # seen only beyond max_depth so far
        self._variants: dict[tuple[str, str], set[str]] = {}
        self._offsite: dict[str, Link] = {}
        self._robots: dict[str, _Robots] = {}
        self._host_slots: dict[str, asyncio.Semaphore] = {}
        self._pace_locks: dict[str, asyncio.Lock] = {}
        self._next_request_at: dict[str, float] = {}
        self._started = 0  # fetches begun, counted against max_pages
        self._t0 = time.monotonic()
        self._client: httpx.AsyncClient | None = None
        # URL pattern (see render.url_pattern) -> rendering showed more than the static HTML.
        # The caller may seed it from an earlier crawl of the site and persist it afterwards.
        self.render_memory: dict[str, bool] = render_memory if render_memory is not None else {}
        self.rendered: set[str] = set()  # URLs whose text is the rendered DOM
        self._renderer = renderer
        self._owns_renderer = False
        self._render_broken = False
        if renderer is not None:
            renderer.site_hosts.update(key[0] for key in self._site_keys)

    # -- public --------------------------------------------------------------------------------

    def add(self, url: str, text: str = "", depth: int = 0) -> None:
        """Seed an extra URL (same scope rules as links)."""
        self._consider(Link(url=url, text=text), depth)

    def add_links(self, links: Iterable[Link], from_depth: int = 0) -> None:
        """Enqueue links of a page found at ``from_depth`` that was not fetched this run
        (resume: the caller has its stored links)."""
        for link in links:
            self._consider(link, from_depth + 1)

    def offsite_links(self) -> list[Link]:
        """Links seen that leave the site (Drive, Google Sites, provincial hosts...), first
        sighting of each URL, plus on-site URLs that redirected off the site."""
        return list(self._offsite.values())

    async def run(self) -> CrawlStats:
        self._t0 = time.monotonic()
        self._start_renderer()
        try:
            async with make_client(self.options.fetch) as client:
                self._client = client
                await self._crawl()
        finally:
            if self._owns_renderer and self._renderer is not None:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._renderer.close(), CANCEL_GRACE_SECONDS)
                self._renderer = None
                self._owns_renderer = False
            self.stats.seconds = time.monotonic() - self._t0
            self.stats.skipped = {k: n for k, n in sorted(self.stats.skipped.items()) if n}
        return self.stats

    # -- scope and frontier --------------------------------------------------------------------

    def _skip(self, reason: str) -> None:
        self.stats.skipped[reason] = self.stats.skipped.get(reason, 0) + 1

    def _in_scope(self, url: str) -> bool:
        return site_key(url) in self._site_keys

    def _consider(self, link: Link, depth: int) -> None:
        """Queue a link, or count why not. Dead anchors and non-web schemes are ignored."""
        if not link.url:
            return
        scheme = urlsplit(link.url.strip()).scheme.lower()
        if scheme not in WEB_SCHEMES:
            return
        url = normalize_url(link.url)
        if not self._in_scope(url):
            if url not in self._offsite:
                self._offsite[url] = Link(
                    url=url,
                    text=link.text,
                    context=link.context,
                    label=link.label,
                    raw_href=link.raw_href or link.url,
                    tag=link.tag,
                )
                self._skip("offsite")
            return
        if url in self._done:
            return
        if url in self._best:  # queued: a better sighting moves it up
            score = self.priority(link, depth)
            if score > self._best[url]:
                self._best[url] = score
                heapq.heappush(self._frontier, (-score, depth, next(self._counter), url, link))
            return
        if url in self._known:
            return
        if depth > self.options.max_depth:  # not final: a shorter path may still reach it
            if url not in self._too_deep:
                self._too_deep.add(url)
                self._skip("depth")
            return
        if url in self._too_deep:
            self._too_deep.discard(url)
            self.stats.skipped["depth"] -= 1
        self._known.add(url)
        score = self.priority(link, depth)
        wanted = score >= self.options.wanted_priority  # the caller says: this names an item
        guessed = kind_from_extension(url)
        unwanted_kind = guessed is not None and guessed not in self.options.fetch_kinds
        if unwanted_kind and not (wanted and guessed in self.options.wanted_kinds):
            self._skip("kind")
            return
        if not wanted and self._is_trap(url):
            self._skip("trap")
            return
        self._best[url] = score
        heapq.heappush(self._frontier, (-score, depth, next(self._counter), url, link))

    def _is_trap(self, url: str) -> bool:
        if len(url) > MAX_URL_LENGTH:
            return True
        parts = urlsplit(url)
        segments = [s for s in parts.path.split("/") if s]
        if segments and max(segments.count(s) for s in set(segments)) > MAX_SEGMENT_REPEATS:
            return True
        if not parts.query:
            return False
        variants = self._variants.setdefault((parts.netloc, parts.path), set())
        if parts.query in variants:
            return False
        if len(variants) >= self.options.max_query_variants:
            return True
        variants.add(parts.query)
        return False

    def _pop(self) -> tuple[str, int, Link] | None:
        while self._frontier:
            _, depth, _, url, link = heapq.heappop(self._frontier)
            if url in self._done:
                continue
            self._best.pop(url, None)
            return url, depth, link
        return None

    # -- budgets -------------------------------------------------------------------------------

    def _elapsed(self) -> float:
        return time.monotonic() - self._t0

    def _budget_hit(self) -> str:
        if self._started >= self.options.max_pages:
            return "max_pages"
        if self.stats.bytes >= self.options.max_bytes:
            return "max_bytes"
        if self._elapsed() >= self.options.max_seconds:
            return "max_seconds"
        return ""

    # -- robots and sitemaps -------------------------------------------------------------------

    async def _robots_for(self, url: str) -> _Robots:
        host = host_of(url)
        if host in self._robots:
            return self._robots[host]
        robots = _Robots(parser=None, delay=None, sitemaps=[])
        self._robots[host] = robots
        if not (self.options.respect_robots or self.options.use_sitemap):
            return robots
        robots_url = urlunsplit((urlsplit(url).scheme, host, "/robots.txt", "", ""))
        fetched = await self._fetch_raw(robots_url)
        # Missing, forbidden or broken robots.txt: allow all (an audit must still see the site).
        if fetched.status != 200 or fetched.kind not in ("html", "other"):
            return robots
        text = fetched.body.decode("utf-8", "replace")
        if "<html" in text[:1000].lower():  # a soft 404 page, not robots rules
            return robots
        parser = RobotFileParser()
        parser.parse(text.splitlines())
        robots.sitemaps = list(parser.site_maps() or [])
        if self.options.respect_robots:
            robots.parser = parser
            robots.delay = _parse_crawl_delay(text, self.options.fetch.user_agent)
            if robots.delay:
                self._next_request_at[host] = time.monotonic() + robots.delay
        return robots

    async def _allowed(self, url: str) -> bool:
        if not self.options.respect_robots:
            return True
        robots = await self._robots_for(url)
        if robots.parser is None:
            return True
        try:
            return robots.parser.can_fetch(self.options.fetch.user_agent, url)
        except Exception:  # a malformed rule must not stop the crawl
            return True

    async def _seed_sitemaps(self) -> None:
        """Queue the URLs of robots' Sitemap lines and /sitemap.xml (an index: one level down)."""
        robots = await self._robots_for(self.stats.site)
        top = [*robots.sitemaps, self.stats.site.rstrip("/") + "/sitemap.xml"]
        queue: list[tuple[str, int]] = [(url, 0) for url in top]
        read: set[str] = set()
        urls_added = 0
        while queue and len(read) < MAX_SITEMAP_FILES and urls_added < MAX_SITEMAP_URLS:
            raw_url, level = queue.pop(0)
            sitemap_url = normalize_url(raw_url)
            if sitemap_url in read or urlsplit(sitemap_url).scheme not in WEB_SCHEMES:
                continue
            read.add(sitemap_url)
            if self._budget_hit():
                return
            fetched = await self._fetch_raw(sitemap_url)
            if not fetched.ok:
                continue
            body = _gunzip(fetched.body)
            locations = [
                html.unescape(m.decode("utf-8", "replace")).strip() for m in LOC_RE.findall(body)
            ]
            if SITEMAP_INDEX_RE.search(body[:4096]):
                if level == 0:
                    queue.extend((location, 1) for location in locations)
                continue
            for location in locations:
                if urls_added >= MAX_SITEMAP_URLS:
                    break
                self._consider(Link(url=location, text=""), 1)
                urls_added += 1

    # -- fetching ------------------------------------------------------------------------------

    def _slot(self, host: str) -> asyncio.Semaphore:
        if host not in self._host_slots:
            self._host_slots[host] = asyncio.Semaphore(max(1, self.options.per_host_concurrency))
            self._pace_locks[host] = asyncio.Lock()
        return self._host_slots[host]

    def _interval(self, host: str) -> float:
        """Seconds between requests to ``host``: robots' Crawl-delay or our rate, the stricter."""
        robots = self._robots.get(host)
        delay = robots.delay if robots and robots.delay else 0.0
        if self.options.rate and self.options.rate > 0:
            delay = max(delay, 1.0 / self.options.rate)
        return delay

    async def _pace(self, host: str) -> bool:
        """Wait for the host's request interval; False when the wait would pass the time budget."""
        delay = self._interval(host)
        if not delay:
            return True
        self._slot(host)  # creates the host's pace lock
        async with self._pace_locks[host]:
            wait = self._next_request_at.get(host, 0.0) - time.monotonic()
            if wait > 0:
                if self._elapsed() + wait >= self.options.max_seconds:
                    return False
                await asyncio.sleep(wait)
            self._next_request_at[host] = time.monotonic() + delay
        return True

    async def _fetch_raw(self, url: str, depth: int = 0, use_cache: bool = False) -> Fetched:
        """A fetch under the host's concurrency slot and Crawl-delay (robots and sitemaps too)."""
        assert self._client is not None
        host = host_of(url)
        async with self._slot(host):
            if not await self._pace(host):
                return Fetched(url, url, 0, "html", error=PACING_PAST_BUDGET)
            validators = self.conditional(url) if self.conditional and use_cache else None
            fetched = await fetch(self._client, url, self.options.fetch, depth, validators)
        self.stats.bytes += len(fetched.body)
        return fetched

    async def _visit(self, url: str, depth: int) -> Fetched | None:
        """Fetch one resource (rendering it when needed), report it, queue its links. Never
        raises."""
        try:
            fetched = await self._fetch_raw(url, depth, use_cache=True)
        except Exception as exc:  # fetch() never raises; this guards against bugs
            log.exception("fetching %s failed", url)
            fetched = Fetched(url, url, 0, "html", error=f"internal error: {exc}", depth=depth)
        if fetched.error == PACING_PAST_BUDGET:
            self._started -= 1
            self._skip("budget")
            return None
        frames: list[Fetched] = []
        try:
            frames = await self._maybe_render(fetched)
        except Exception as exc:  # rendering is a bonus: the static page is still reported
            log.exception("rendering %s failed", url)
            self.stats.notes.append(f"rendering {url} failed: internal error: {exc}")
        final = normalize_url(fetched.final_url or url)
        fetched.final_url = final  # stored and looked up by its identity, as every URL
        self._done.add(final)
        if url == self.start_url and 0 < fetched.status < 400 and fetched.redirects:
            self._adopt(final)
        if fetched.kind in DOCUMENT_KINDS:
            self.stats.documents += 1
        else:
            self.stats.pages += 1
        if fetched.status == 0 or fetched.status >= 400 or fetched.error:
            self.stats.errors.append(
                {
                    "url": url,
                    "status": fetched.status,
                    "error": fetched.error or f"HTTP {fetched.status}",
                }
            )
        if fetched.redirects and fetched.final_url and not self._in_scope(final):
            self._offsite.setdefault(final, Link(url=final, text="", raw_href=url))
        await self._report(fetched, final, depth)
        for frame in frames:
            self.stats.pages += 1
            await self._report(frame, frame.url, depth + 1)
        return fetched

    async def _report(self, fetched: Fetched, final: str, depth: int) -> None:
        """Hand a resource to ``on_fetched`` and queue its links (on-site HTML only)."""
        try:
            if self.on_fetched is not None:
                result = self.on_fetched(fetched)
                if inspect.isawaitable(result):
                    await result
            wants_links = fetched.kind == "html" and (fetched.ok or fetched.status == 304)
            if wants_links and self._in_scope(final):
                for link in self.links_of(fetched) or []:
                    self._consider(link, depth + 1)
        except Exception as exc:
            log.exception("handling %s failed", fetched.url)
            self.stats.errors.append(
                {"url": fetched.url, "status": fetched.status, "error": f"internal error: {exc}"}
            )

    def _adopt(self, final: str) -> None:
        """The start URL redirected: its target's host is the site (the old one stays in scope)."""
        if not self._in_scope(final):
            log.info("start URL moved to another host: %s -> %s", self.start_url, final)
            self._site_keys.add(site_key(final))
            if self._renderer is not None:
                self._renderer.site_hosts.add(site_key(final)[0])
        self.stats.site = root_of(final)

    # -- JavaScript rendering ------------------------------------------------------------------

    def _start_renderer(self) -> None:
        """Make a renderer for "auto"/"always" unless the caller gave one; without Chromium the
        crawl goes on with static HTML and says so."""
        if self.options.render == "never" or self._renderer is not None:
            return
        if not chromium_available():
            self._render_broken = True
            self.stats.notes.append(NO_CHROMIUM_NOTE)
            return
        hosts = {key[0] for key in self._site_keys}
        self._renderer = Renderer(hosts, self.options.render_options)
        self._owns_renderer = True

    async def _maybe_render(self, fetched: Fetched) -> list[Fetched]:
        """Replace ``fetched.text`` by the rendered DOM when rendering is due; return the page's
        on-site frames as extra HTML records. A failed render leaves the static text."""
        if fetched.kind != "html" or not fetched.ok or not fetched.text:
            return []
        page_url = normalize_url(fetched.final_url or fetched.url)
        if not self._in_scope(page_url):
            return []
        pattern = url_pattern(page_url)
        remembered = self.render_memory.get(pattern, False)
        mode = self.options.render
        looks = mode == "always" or remembered
        if not looks:
            signals = js_signals(fetched.text, visible_text_chars(fetched.text))
            # A short page alone is weak evidence: once a page of this pattern was rendered
            # for nothing, its short siblings are not rendered again.
            weak = signals == ["little-text"] and self.render_memory.get(pattern) is False
            looks = bool(signals) and not weak
        if not looks:
            return []
        if mode == "never" or self._renderer is None or self._render_broken:
            self.stats.render_needed_not_done.append(fetched.url)
            return []
        if not await self._pace(host_of(page_url)):
            self.stats.render_needed_not_done.append(fetched.url)
            return []
        result = await self._renderer.render(page_url)
        rendered_url = normalize_url(result.final_url or page_url)
        if not result.ok or not self._in_scope(rendered_url):
            if result.error:
                why = result.error
            elif not result.ok:
                why = f"HTTP {result.status}" if result.status else "empty DOM"
            else:
                why = f"a script moved it off the site, to {rendered_url}"
            if result.error.startswith("chromium could not start"):
                self._render_broken = True
            self.stats.notes.append(f"could not render {page_url}: {why}")
            self.stats.render_needed_not_done.append(fetched.url)
            return []
        self.render_memory[pattern] = remembered or needed_rendering(fetched.text, result.html)
        fetched.text = result.html
        if rendered_url != page_url:  # a script moved the page (location.href = ...)
            fetched.redirects = [*fetched.redirects, page_url]
            fetched.final_url = rendered_url
        self.rendered.add(fetched.url)
        self.stats.rendered += 1
        frames = []
        for frame_url, frame_html in result.frames:
            url = normalize_url(frame_url)
            if not self._in_scope(url) or url in self._done or url == rendered_url:
                continue
            self._done.add(url)
            self._known.add(url)
            self.rendered.add(url)
            frames.append(
                Fetched(
                    url=url,
                    final_url=url,
                    status=200,
                    kind="html",
                    content_type="text/html",
                    text=frame_html,
                    depth=fetched.depth + 1,
                )
            )
        return frames

    async def _crawl(self) -> None:
        # The start decides the site, so it is fetched even when stored (validators make it cheap).
        self._started += 1
        self._done.add(self.start_url)
        self._known.add(self.start_url)
        start = await self._visit(self.start_url, 0)
        if start is None or start.status == 0 or start.status >= 400:
            return
        if self.options.respect_robots or self.options.use_sitemap:
            robots = await self._robots_for(self.stats.site)
            self.stats.robots_crawl_delay = robots.delay
        if self.options.use_sitemap:
            await self._seed_sitemaps()
        await self._loop()
        self._leftover_budget_skips()

    def _has_work(self) -> bool:
        return any(url not in self._done for _, _, _, url, _ in self._frontier)

    def _leftover_budget_skips(self) -> None:
        left = {url for _, _, _, url, _ in self._frontier if url not in self._done}
        if left and self.stats.stopped_by:
            self.stats.skipped["budget"] = self.stats.skipped.get("budget", 0) + len(left)

    async def _loop(self) -> None:
        in_flight: set[asyncio.Task[Fetched | None]] = set()
        try:
            await self._schedule(in_flight)
        finally:  # cancelled (Ctrl-C): do not leave fetches running on a closing client
            for task in in_flight:
                task.cancel()
            if in_flight:  # let them end (a render in Chromium) before the browser is closed
                await asyncio.wait(in_flight, timeout=CANCEL_GRACE_SECONDS)

    async def _schedule(self, in_flight: set[asyncio.Task[Fetched | None]]) -> None:
        max_in_flight = max(1, self.options.per_host_concurrency)
        while True:
            while not self.stats.stopped_by and len(in_flight) < max_in_flight:
                reason = self._budget_hit()
                if reason:
                    if self._has_work():  # else in-flight pages may still bring links
                        self.stats.stopped_by = reason
                    break
                item = self._pop()
                if item is None:
                    break
                url, depth, _ = item
                if not await self._allowed(url):
                    self._done.add(url)
                    self._skip("robots")
                    continue
                self._done.add(url)
                self._started += 1
                in_flight.add(asyncio.create_task(self._visit(url, depth)))
            if not in_flight:
                return
            timeout = None  # once stopped, in-flight fetches end within their own time limits
            if not self.stats.stopped_by:
                timeout = max(0.0, self.options.max_seconds - self._elapsed())
            done, _ = await asyncio.wait(
                in_flight, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
            )
            in_flight.difference_update(done)
            if not self.stats.stopped_by and self._elapsed() >= self.options.max_seconds:
                self.stats.stopped_by = "max_seconds"


def _gunzip(body: bytes) -> bytes:
    """A gzipped sitemap (.xml.gz served as a file), capped; other bodies pass through."""
    if not body.startswith(b"\x1f\x8b"):
        return body
    try:
        return zlib.decompressobj(32 + zlib.MAX_WBITS).decompress(body, MAX_SITEMAP_BYTES)
    except zlib.error:
        return b""
