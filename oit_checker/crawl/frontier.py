"""The frontier: which URLs of the site wait to be fetched, best first, and which were seen.

It keeps the crawl to the site (same host, ``www.`` ignored; the start URL's redirect target
joins), ranks links with the caller's ``priority`` so pages that matter are fetched under a
page budget even when they sit deep, and asks the trap policy (traps.py) which query URLs are
copies of a page or steps of an endless walk. Every URL it does not queue is counted once by
reason (offsite, depth, kind, duplicate, trap, robots) and remembered with that reason, so a
later link that names an OIT item (priority at or above ``wanted_priority``) still gets it
fetched: the first sighting of a URL is often a menu or calendar link that says nothing.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from oit_checker.crawl.traps import QueryShape, TrapPolicy, TrapRules
from oit_checker.fetch import kind_from_extension
from oit_checker.models import Link
from oit_checker.urls import WEB_SCHEMES, normalize_url, site_key

# Reasons a URL may be queued again when a link that names an item points at it.
RESCUABLE = frozenset({"trap", "duplicate", "kind"})


@dataclass(frozen=True)
class FrontierRules:
    """The crawl options the frontier decides with (see CrawlOptions for their meaning)."""

    max_depth: int
    fetch_kinds: frozenset[str]
    wanted_priority: float
    wanted_kinds: frozenset[str]


@dataclass(order=True)
class _Entry:
    rank: tuple[float, int, int]  # (-priority, depth, arrival)
    url: str = field(compare=False)
    depth: int = field(compare=False)
    link: Link = field(compare=False)
    wanted: bool = field(compare=False)


@dataclass(frozen=True)
class Queued:
    url: str
    depth: int
    link: Link


class Frontier:
    """Queue, seen set and scope of one crawl; see the module docstring."""

    def __init__(
        self,
        start_url: str,
        rules: FrontierRules,
        priority: Callable[[Link, int], float],
        traps: TrapRules,
        skipped: dict[str, int],
        done: Iterable[str] = (),
    ) -> None:
        self.rules = rules
        self.priority = priority
        self.traps = TrapPolicy(traps)
        self.skipped = skipped  # reason -> distinct URLs (CrawlStats.skipped)
        self.site_keys = {site_key(start_url)}
        self.offsite: dict[str, Link] = {}  # first sighting of each off-site URL
        self.skip_reasons: dict[str, str] = {}  # URL -> why it was not queued
        self._heap: list[_Entry] = []
        self._arrival = itertools.count()
        self._best: dict[str, float] = {}  # queued URL (not popped yet) -> best priority
        self._done: set[str] = set()  # fetched, stored or started
        self._keys: set[str] = set()  # pages (duplicates folded) queued or done
        for url in done:
            self.mark_done(normalize_url(url))

    # -- scope ---------------------------------------------------------------------------------

    def in_scope(self, url: str) -> bool:
        return site_key(url) in self.site_keys

    def adopt(self, url: str) -> bool:
        """The start URL redirected to ``url``: its host joins the site. True if it is new."""
        key = site_key(url)
        if key in self.site_keys:
            return False
        self.site_keys.add(key)
        return True

    # -- seen set ------------------------------------------------------------------------------

    def mark_done(self, url: str) -> None:
        """``url`` is fetched or being fetched (or stored by an earlier run): never queue it."""
        self._done.add(url)
        self._keys.add(self.traps.shape(url).key)
        self._best.pop(url, None)
        self._unskip(url)  # reached after all (a redirect's target, a rendered frame)

    def is_done(self, url: str) -> bool:
        return url in self._done

    def waiting(self) -> int:
        """URLs queued and not fetched yet (a progress bar's remaining work)."""
        return len(self._best)

    def has_work(self) -> bool:
        return bool(self._best)  # queued URLs not popped yet (older heap copies are stale)

    def skip_waiting(self, reason: str) -> None:
        """A budget stopped the crawl: every URL still queued was not fetched for ``reason``."""
        for url in list(self._best):
            self.skip(url, reason)

    def skip(self, url: str, reason: str) -> None:
        """Count ``url`` once, under its latest reason."""
        earlier = self.skip_reasons.get(url)
        if earlier == reason:
            return
        if earlier:
            self.skipped[earlier] -= 1
        self.skip_reasons[url] = reason
        self.skipped[reason] = self.skipped.get(reason, 0) + 1

    def _unskip(self, url: str) -> None:
        reason = self.skip_reasons.pop(url, "")
        if reason:
            self.skipped[reason] -= 1

    # -- queue ---------------------------------------------------------------------------------

    def consider(self, link: Link, depth: int) -> bool:
        """Queue a link, or count why not. True when it queued a new URL that is content (no
        browse parameters): what makes a browse page worth its walk. Dead anchors and non-web
        schemes are ignored."""
        if not link.url or urlsplit(link.url.strip()).scheme.lower() not in WEB_SCHEMES:
            return False
        url = normalize_url(link.url)
        if not self.in_scope(url):
            if url not in self.offsite:
                self.offsite[url] = Link(
                    url=url,
                    text=link.text,
                    context=link.context,
                    label=link.label,
                    raw_href=link.raw_href or link.url,
                    tag=link.tag,
                )
                self.skip(url, "offsite")
            return False
        if url in self._done:
            return False
        if url in self._best:  # queued: a better sighting moves it up
            score = self.priority(link, depth)
            if score > self._best[url]:
                self._push(url, depth, link, score)
            return False
        earlier = self.skip_reasons.get(url, "")
        if earlier and earlier != "depth" and earlier not in RESCUABLE:
            return False  # off the site, forbidden by robots, or out of budget: final
        if not self._within_depth(url, depth):
            return False
        score = self.priority(link, depth)
        wanted = score >= self.rules.wanted_priority  # the caller says: this names an item
        if earlier in RESCUABLE and not wanted:
            return False
        reason, shape = self._refusal(url, wanted)
        if reason:
            self.skip(url, reason)
            return False
        self._unskip(url)
        self._keys.add(shape.key)
        self._push(url, depth, link, score)
        return not shape.browse

    def _within_depth(self, url: str, depth: int) -> bool:
        """Beyond max_depth is not final: a shorter path may still reach the URL."""
        if depth > self.rules.max_depth:
            if url not in self.skip_reasons:
                self.skip(url, "depth")
            return False
        if self.skip_reasons.get(url) == "depth":
            self._unskip(url)
        return True

    def _refusal(self, url: str, wanted: bool) -> tuple[str, QueryShape]:
        """Why ``url`` is not queued ("" if it is), and its query shape."""
        shape = self.traps.shape(url)
        guessed = kind_from_extension(url)
        unwanted_kind = guessed is not None and guessed not in self.rules.fetch_kinds
        if unwanted_kind and not (wanted and guessed in self.rules.wanted_kinds):
            return "kind", shape
        if wanted:
            return "", shape
        if shape.key in self._keys:
            return "duplicate", shape
        if self.traps.structural_trap(url) or self.traps.closed(shape):
            return "trap", shape
        return "", shape

    def _push(self, url: str, depth: int, link: Link, score: float) -> None:
        self._best[url] = score
        wanted = score >= self.rules.wanted_priority
        entry = _Entry((-score, depth, next(self._arrival)), url, depth, link, wanted)
        heapq.heappush(self._heap, entry)

    def pop(self) -> Queued | None:
        """The best URL to fetch next; a browse step whose walk has stopped is dropped here
        (it may have been queued before its walk stopped)."""
        while self._heap:
            entry = heapq.heappop(self._heap)
            if entry.url in self._done or self._best.get(entry.url) != -entry.rank[0]:
                continue  # fetched, or a worse copy of a better entry
            del self._best[entry.url]
            if not entry.wanted and self.traps.closed(self.traps.shape(entry.url)):
                self.skip(entry.url, "trap")
                continue
            return Queued(entry.url, entry.depth, entry.link)
        return None

    def learn(self, url: str, new_links: int, page_html: str) -> None:
        """A page was fetched and its links considered: tell the trap policy what it brought."""
        self.traps.learn(self.traps.shape(url), new_links, page_html)
