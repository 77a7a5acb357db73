"""The crawl loop: fetch the frontier's best URL while the budgets last, report each resource.

Best-first: the caller's ``priority`` ranks links (an ITA hub beats a news archive), so under a
page budget the pages that matter are fetched even when they sit deep. The parts, along
Scrapy's lines: the frontier (frontier.py: queue, seen set, scope, and the trap policy of
traps.py), per-host slots (slots.py: robots.txt, Crawl-delay, pacing, concurrency), sitemaps
(sitemaps.py) and JavaScript rendering (rendering.py). The crawler never parses HTML itself:
``links_of`` does. Budgets (pages, bytes, seconds) stop scheduling; requests in flight are let
finish.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import Awaitable, Callable, Iterable

from oit_checker.crawl.frontier import Frontier, FrontierRules
from oit_checker.crawl.options import CrawlOptions, CrawlStats
from oit_checker.crawl.rendering import RenderStep
from oit_checker.crawl.sitemaps import seed_from_sitemaps
from oit_checker.crawl.slots import PACING_PAST_BUDGET, HostSlots
from oit_checker.crawl.traps import TrapRules, default_trap_rules
from oit_checker.fetch import make_client
from oit_checker.models import DOCUMENT_KINDS, Fetched, Link
from oit_checker.render import Renderer
from oit_checker.settings import RENDER_MODES
from oit_checker.urls import normalize_url, root_of, site_key

log = logging.getLogger(__name__)

# After Ctrl-C: how long the cancelled fetches and renders get to end, and the browser to
# close, before the crawl gives up on them (an interrupted audit must never hang).
CANCEL_GRACE_SECONDS = 5.0


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
        traps: TrapRules | None = None,
    ) -> None:
        if options.render not in RENDER_MODES:
            raise ValueError(f"render must be one of {RENDER_MODES}, not {options.render!r}")
        self.start_url = normalize_url(start_url)
        self.options = options
        self.links_of = links_of
        self.on_fetched = on_fetched
        self.conditional = conditional
        self.stats = CrawlStats(site=root_of(self.start_url))
        rules = FrontierRules(
            options.max_depth, options.fetch_kinds, options.wanted_priority, options.wanted_kinds
        )
        self.frontier = Frontier(
            self.start_url, rules, priority, traps or default_trap_rules(), self.stats.skipped, seen
        )
        self.slots = HostSlots(
            options.fetch,
            options.per_host_concurrency,
            options.rate,
            lambda: options.max_seconds - self._elapsed(),
            respect_robots=options.respect_robots,
            read_robots=options.use_sitemap,
        )
        self.rendering = RenderStep(
            options.render,
            options.render_options,
            renderer,
            render_memory,
            self.stats,
            self.frontier,
            self.slots.pace,
        )
        self._started = 0  # fetches begun, counted against max_pages
        self._t0 = time.monotonic()

    # -- public --------------------------------------------------------------------------------

    @property
    def render_memory(self) -> dict[str, bool]:
        """URL pattern -> rendering showed more than the static HTML (to persist)."""
        return self.rendering.memory

    @property
    def rendered(self) -> set[str]:
        """URLs whose text is the rendered DOM."""
        return self.rendering.rendered

    def add(self, url: str, text: str = "", depth: int = 0) -> None:
        """Seed an extra URL (same scope rules as links)."""
        self.frontier.consider(Link(url=url, text=text), depth)

    def add_links(self, links: Iterable[Link], from_depth: int = 0) -> None:
        """Enqueue links of a page found at ``from_depth`` that was not fetched this run
        (resume: the caller has its stored links)."""
        for link in links:
            self.frontier.consider(link, from_depth + 1)

    def offsite_links(self) -> list[Link]:
        """Links seen that leave the site (Drive, Google Sites, provincial hosts...), first
        sighting of each URL, plus on-site URLs that redirected off the site."""
        return list(self.frontier.offsite.values())

    async def run(self) -> CrawlStats:
        self._t0 = time.monotonic()
        self.rendering.start()
        try:
            async with make_client(self.options.fetch) as client:
                self.slots.client = client
                await self._crawl()
        finally:
            await self.rendering.close(CANCEL_GRACE_SECONDS)
            self.stats.seconds = time.monotonic() - self._t0
            self.stats.bytes = self.slots.bytes
            self.stats.unfetched = {
                url: why for url, why in self.frontier.skip_reasons.items() if why != "offsite"
            }
            skipped = {k: n for k, n in sorted(self.stats.skipped.items()) if n}
            self.stats.skipped.clear()  # the frontier keeps counting into this dict
            self.stats.skipped.update(skipped)
        return self.stats

    # -- budgets -------------------------------------------------------------------------------

    def _elapsed(self) -> float:
        return time.monotonic() - self._t0

    def _budget_hit(self) -> str:
        if self._started >= self.options.max_pages:
            return "max_pages"
        if self.slots.bytes >= self.options.max_bytes:
            return "max_bytes"
        if self._elapsed() >= self.options.max_seconds:
            return "max_seconds"
        return ""

    # -- one resource --------------------------------------------------------------------------

    async def _visit(self, url: str, depth: int) -> Fetched | None:
        """Fetch one resource (rendering it when needed), report it, queue its links. Never
        raises."""
        validators = self.conditional(url) if self.conditional else None
        try:
            fetched = await self.slots.fetch(url, depth, validators)
        except Exception as exc:  # fetch() never raises; this guards against bugs
            log.exception("fetching %s failed", url)
            fetched = Fetched(url, url, 0, "html", error=f"internal error: {exc}", depth=depth)
        self.stats.bytes = self.slots.bytes
        if fetched.error == PACING_PAST_BUDGET:
            self._started -= 1
            self.frontier.skip(url, "budget")
            return None
        frames: list[Fetched] = []
        try:
            frames = await self.rendering.maybe_render(fetched)
        except Exception as exc:  # rendering is a bonus: the static page is still reported
            log.exception("rendering %s failed", url)
            self.stats.notes.append(f"rendering {url} failed: internal error: {exc}")
        final = normalize_url(fetched.final_url or url)
        fetched.final_url = final  # stored and looked up by its identity, as every URL
        self.frontier.mark_done(final)
        if url == self.start_url and 0 < fetched.status < 400 and fetched.redirects:
            self._adopt(final)
        self._count(url, fetched)
        if fetched.redirects and fetched.final_url and not self.frontier.in_scope(final):
            self.frontier.offsite.setdefault(final, Link(url=final, text="", raw_href=url))
        await self._report(fetched, final, depth)
        for frame in frames:
            self.stats.pages += 1
            await self._report(frame, frame.url, depth + 1)
        return fetched

    def _count(self, url: str, fetched: Fetched) -> None:
        if fetched.kind in DOCUMENT_KINDS:
            self.stats.documents += 1
        else:
            self.stats.pages += 1
        if fetched.status == 0 or fetched.status >= 400 or fetched.error:
            error = fetched.error or f"HTTP {fetched.status}"
            self.stats.errors.append({"url": url, "status": fetched.status, "error": error})

    async def _report(self, fetched: Fetched, final: str, depth: int) -> None:
        """Hand a resource to ``on_fetched``, queue its links (on-site HTML only) and tell the
        frontier what a browse page (calendar, sort, filter, paging) brought."""
        try:
            if self.on_fetched is not None:
                result = self.on_fetched(fetched)
                if inspect.isawaitable(result):
                    await result
            wants_links = fetched.kind == "html" and (fetched.ok or fetched.status == 304)
            new = 0  # an error brings nothing new; a document is content of its own
            if wants_links and self.frontier.in_scope(final):
                for link in self.links_of(fetched) or []:
                    new += self.frontier.consider(link, depth + 1)
            elif fetched.ok and fetched.kind in DOCUMENT_KINDS:
                new = 1
            self.frontier.learn(fetched.url, new, fetched.text if wants_links else "")
        except Exception as exc:
            log.exception("handling %s failed", fetched.url)
            self.stats.errors.append(
                {"url": fetched.url, "status": fetched.status, "error": f"internal error: {exc}"}
            )
            # Fetched, yet neither stored nor indexed: an item citing it says so, not
            # "not reached by the crawl" (a failed store write once hid that way).
            self.frontier.skip(fetched.url, "error")

    def _adopt(self, final: str) -> None:
        """The start URL redirected: its target's host is the site (the old one stays in scope)."""
        if self.frontier.adopt(final):
            log.info("start URL moved to another host: %s -> %s", self.start_url, final)
            self.rendering.add_host(site_key(final)[0])
        self.stats.site = root_of(final)

    # -- the loop ------------------------------------------------------------------------------

    async def _crawl(self) -> None:
        # The start decides the site, so it is fetched even when stored (validators make it cheap).
        self._started += 1
        self.frontier.mark_done(self.start_url)
        start = await self._visit(self.start_url, 0)
        if start is None or start.status == 0 or start.status >= 400:
            return
        if self.options.respect_robots or self.options.use_sitemap:
            robots = await self.slots.robots_for(self.stats.site)
            self.stats.robots_crawl_delay = robots.delay
            if robots.unanswered:
                self.stats.notes.append(f"robots.txt did not answer: {robots.unanswered}")
            if self.options.use_sitemap:
                await seed_from_sitemaps(
                    self.stats.site,
                    robots.sitemaps,
                    self.slots.fetch,
                    self.frontier.consider,
                    self._budget_hit,
                    normalize_url,
                )
        await self._loop()
        if self.stats.stopped_by:
            self.frontier.skip_waiting("budget")

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
                    if self.frontier.has_work():  # else in-flight pages may still bring links
                        self.stats.stopped_by = reason
                    break
                queued = self.frontier.pop()
                if queued is None:
                    break
                self.frontier.mark_done(queued.url)
                if not await self.slots.allowed(queued.url):
                    self.frontier.skip(queued.url, "robots")
                    self.stats.robots_rules[queued.url] = self.slots.forbidding_rule(queued.url)
                    continue
                self._started += 1
                in_flight.add(asyncio.create_task(self._visit(queued.url, queued.depth)))
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
