"""Per-host slots: each host's robots.txt, concurrency and request pacing, in one place.

A crawl meets a few hosts (the site, its ``www.`` twin, the host the start URL redirected to).
Each gets a slot, as in Scrapy's downloader: at most ``per_host_concurrency`` requests at once,
requests spaced by robots' Crawl-delay or our ``rate`` (whichever is stricter), and its robots
rules read once. Every request of the crawl (pages, documents, robots.txt, sitemaps) goes
through :meth:`HostSlots.fetch`, so politeness holds for all of them.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit
from urllib.robotparser import RobotFileParser

import httpx

from oit_checker.fetch import FetchOptions, fetch
from oit_checker.models import Fetched
from oit_checker.urls import host_of

# The error of a fetch not made because the Crawl-delay wait would pass the time budget.
PACING_PAST_BUDGET = "not fetched: the crawl delay would pass the time budget"
# A Crawl-delay above this is treated as this (seconds): the time budget bounds the rest.
MAX_CRAWL_DELAY = 60.0


@dataclass
class Robots:
    parser: RobotFileParser | None  # None: allow everything (missing or unreadable robots.txt)
    delay: float | None
    sitemaps: list[str]
    unanswered: str = ""  # why robots.txt gave no answer at all (a timeout), for the report


@dataclass
class HostSlot:
    """One host: its concurrency slot, pacing and robots rules."""

    concurrency: asyncio.Semaphore
    pace_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    next_request_at: float = 0.0  # time.monotonic() before which no request may start
    robots: Robots | None = None  # read on first need


def parse_crawl_delay(text: str, agent: str) -> float | None:
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


class HostSlots:
    """The slots of one crawl; see the module docstring."""

    def __init__(
        self,
        fetch_options: FetchOptions,
        per_host_concurrency: int,
        rate: float | None,
        seconds_left: Callable[[], float],
        respect_robots: bool,
        read_robots: bool,
    ) -> None:
        self.fetch_options = fetch_options
        self.per_host_concurrency = max(1, per_host_concurrency)
        self.rate = rate
        self.seconds_left = seconds_left
        self.respect_robots = respect_robots
        self.read_robots = read_robots  # also to find sitemaps when robots are not obeyed
        self.client: httpx.AsyncClient | None = None  # set while the crawl runs
        self.bytes = 0  # body bytes of every fetch made through the slots
        self._slots: dict[str, HostSlot] = {}

    def slot(self, host: str) -> HostSlot:
        if host not in self._slots:
            self._slots[host] = HostSlot(asyncio.Semaphore(self.per_host_concurrency))
        return self._slots[host]

    def interval(self, host: str) -> float:
        """Seconds between requests to ``host``: robots' Crawl-delay or our rate, the stricter."""
        robots = self.slot(host).robots
        delay = robots.delay if robots and robots.delay else 0.0
        if self.rate and self.rate > 0:
            delay = max(delay, 1.0 / self.rate)
        return delay

    async def pace(self, host: str) -> bool:
        """Wait for the host's request interval; False when the wait would pass the time budget."""
        delay = self.interval(host)
        if not delay:
            return True
        slot = self.slot(host)
        async with slot.pace_lock:
            wait = slot.next_request_at - time.monotonic()
            if wait > 0:
                if wait >= self.seconds_left():
                    return False
                await asyncio.sleep(wait)
            slot.next_request_at = time.monotonic() + delay
        return True

    async def fetch(
        self, url: str, depth: int = 0, validators: dict[str, str] | None = None
    ) -> Fetched:
        """A fetch under the host's concurrency slot and pacing."""
        assert self.client is not None, "HostSlots.client is set by the crawl"
        host = host_of(url)
        async with self.slot(host).concurrency:
            if not await self.pace(host):
                return Fetched(url, url, 0, "html", error=PACING_PAST_BUDGET)
            fetched = await fetch(self.client, url, self.fetch_options, depth, validators)
        self.bytes += len(fetched.body)
        return fetched

    async def robots_for(self, url: str) -> Robots:
        """The robots rules of ``url``'s host, read once (missing or broken: allow all)."""
        host = host_of(url)
        slot = self.slot(host)
        if slot.robots is not None:
            return slot.robots
        robots = slot.robots = Robots(parser=None, delay=None, sitemaps=[])
        if not (self.respect_robots or self.read_robots):
            return robots
        robots_url = urlunsplit((urlsplit(url).scheme, host, "/robots.txt", "", ""))
        fetched = await self.fetch(robots_url)
        # Missing, forbidden or broken robots.txt: allow all (an audit must still see the site).
        if fetched.status != 200 or fetched.kind not in ("html", "other"):
            robots.unanswered = "" if fetched.status else fetched.error
            return robots
        text = fetched.body.decode("utf-8", "replace")
        if "<html" in text[:1000].lower():  # a soft 404 page, not robots rules
            return robots
        parser = RobotFileParser()
        parser.parse(text.splitlines())
        robots.sitemaps = list(parser.site_maps() or [])
        if self.respect_robots:
            robots.parser = parser
            robots.delay = parse_crawl_delay(text, self.fetch_options.user_agent)
            if robots.delay:
                slot.next_request_at = time.monotonic() + robots.delay
        return robots

    async def allowed(self, url: str) -> bool:
        if not self.respect_robots:
            return True
        robots = await self.robots_for(url)
        if robots.parser is None:
            return True
        try:
            return robots.parser.can_fetch(self.fetch_options.user_agent, url)
        except Exception:  # a malformed rule must not stop the crawl
            return True

    def forbidding_rule(self, url: str) -> str:
        """The robots.txt Disallow path that forbids ``url`` ("/docs/"), for the officer."""
        robots = self.slot(host_of(url)).robots
        parser = robots.parser if robots else None
        agent, path = self.fetch_options.user_agent, urlsplit(url).path or "/"
        entries = [e for e in getattr(parser, "entries", []) if e.applies_to(agent)]
        default = getattr(parser, "default_entry", None)
        for entry in entries or ([default] if default else []):
            for line in entry.rulelines:
                if line.applies_to(path):
                    return "" if line.allowance else line.path
        return ""
