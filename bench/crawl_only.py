"""Crawl a site with oit_checker.crawl.Crawler only: HTML links, no document extraction, no checks.

Why: separates the crawler's own throughput from extraction and checking, for the side-by-side
with Scrapy in bench/run.py. Prints one JSON line with pages, documents and seconds.

    python bench/crawl_only.py http://127.0.0.1:8000/ --max-pages 6000
"""

from __future__ import annotations

import argparse
import asyncio
import json

from oit_checker.crawl import Crawler, CrawlOptions
from oit_checker.extract.html import parse_html
from oit_checker.models import DOCUMENT_KINDS, Fetched, Link


def links_of(fetched: Fetched) -> list[Link]:
    if fetched.kind != "html" or not fetched.text:
        return []
    return parse_html(fetched.text, fetched.final_url or fetched.url).links


def shallow_first(link: Link, depth: int) -> float:
    return -float(depth)


async def crawl(url: str, max_pages: int, concurrency: int) -> dict:
    counts = {"pages": 0, "documents": 0}

    def on_fetched(fetched: Fetched) -> None:
        if fetched.ok and fetched.kind == "html":
            counts["pages"] += 1
        elif fetched.ok and fetched.kind in DOCUMENT_KINDS:
            counts["documents"] += 1

    options = CrawlOptions(max_pages=max_pages, per_host_concurrency=concurrency, render="never")
    crawler = Crawler(url, options, links_of, shallow_first, on_fetched=on_fetched)
    stats = await crawler.run()
    return {**counts, "seconds": round(stats.seconds, 3), "stopped_by": stats.stopped_by}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--max-pages", type=int, default=100_000)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(crawl(args.url, args.max_pages, args.concurrency))))


if __name__ == "__main__":
    main()
