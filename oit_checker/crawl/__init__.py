"""Crawl one site: which URL to fetch next, from which host slot, and when to stop.

The loop (crawler.py) takes the frontier's best URL (frontier.py: queue, seen set, scope; the
trap policy in traps.py tells a query-routed CMS's pages from endless calendars and faceted
search), fetches it through its host's slot (slots.py: robots.txt, Crawl-delay, pacing), seeds
from sitemaps (sitemaps.py) and renders JavaScript-built pages (rendering.py). Callers use the
names re-exported here.
"""

from oit_checker.crawl.crawler import CANCEL_GRACE_SECONDS, Crawler
from oit_checker.crawl.options import CrawlOptions, CrawlStats
from oit_checker.crawl.rendering import NO_CHROMIUM_NOTE
from oit_checker.crawl.slots import MAX_CRAWL_DELAY, PACING_PAST_BUDGET
from oit_checker.crawl.traps import TrapRules

__all__ = [
    "CANCEL_GRACE_SECONDS",
    "MAX_CRAWL_DELAY",
    "NO_CHROMIUM_NOTE",
    "PACING_PAST_BUDGET",
    "CrawlOptions",
    "CrawlStats",
    "Crawler",
    "TrapRules",
]
