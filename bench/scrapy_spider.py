"""Minimal Scrapy spider: the baseline crawler for bench/run.py.

Why: a fair reference for raw crawl throughput. It fetches every same-host page, follows all
links, downloads PDFs (bodies are read, not parsed) and extracts links from HTML, nothing more.

    scrapy runspider bench/scrapy_spider.py -a start=http://127.0.0.1:8000/ -s LOG_LEVEL=ERROR
"""

from __future__ import annotations

from urllib.parse import urlsplit

import scrapy


class SiteSpider(scrapy.Spider):
    name = "bench_site"
    custom_settings = {
        "CONCURRENT_REQUESTS_PER_DOMAIN": 4,
        "CONCURRENT_REQUESTS": 4,
        "DOWNLOAD_DELAY": 0,
        "ROBOTSTXT_OBEY": False,
        "LOG_LEVEL": "ERROR",
        "TELNETCONSOLE_ENABLED": False,
        "COOKIES_ENABLED": False,
        "HTTPCACHE_ENABLED": False,
        "DOWNLOAD_MAXSIZE": 50 * 2**20,
    }

    def __init__(self, start: str = "http://127.0.0.1:8000/", **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.start_urls = [start]
        self.host = urlsplit(start).netloc
        self.pages = 0
        self.documents = 0

    def parse(self, response: scrapy.http.Response):  # type: ignore[override]
        if not isinstance(response, scrapy.http.HtmlResponse):
            self.documents += 1  # PDF: downloaded, not parsed
            return
        self.pages += 1
        for href in response.css("a::attr(href)").getall():
            url = response.urljoin(href)
            if urlsplit(url).netloc == self.host:
                yield scrapy.Request(url, callback=self.parse)

    def closed(self, reason: str) -> None:
        print(f"SCRAPY_STATS pages={self.pages} documents={self.documents}")
