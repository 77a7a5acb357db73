"""The downloader and the crawler against real loopback servers, friendly and hostile.

Friendly sites are fixture folders served by SiteServer; hostile behaviour (hanging, trickling,
5xx bursts, 429, redirect loops, huge bodies, gzip bombs, lying Content-Types) comes from a
small threaded server defined here. Every hostile case has small time limits and asserts what
the user would see: the status and the error text.
"""

from __future__ import annotations

import gzip
import re
import socket
import threading
import time
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import docfactory
import pymupdf
import pytest

from oit_checker.crawl import Crawler, CrawlOptions
from oit_checker.fetch import FetchOptions, classify, decode_html, fetch, make_client
from oit_checker.models import Fetched, Link
from oit_checker.serve import SiteServer
from oit_checker.urls import normalize_url, same_site

THAI = "องค์การบริหารส่วนตำบล"
PUNCT = "“”–€"
FAST = FetchOptions(timeout=1.0, total_timeout=2.0, retries=2, backoff=0.05)
CAP = 2**20  # 1 MiB body cap for the oversized cases

HREF_RE = re.compile(r"""<a\b[^>]*\bhref\s*=\s*["']([^"']*)["'][^>]*>(.*?)</a>""", re.I | re.S)


def links_of(fetched: Fetched) -> list[Link]:
    """A tiny href extractor (the real one lives in extract/html.py)."""
    links = []
    for href, inner in HREF_RE.findall(fetched.text):
        dead = not href or href.startswith("#") or href.lower().startswith("javascript:")
        url = "" if dead else urljoin(fetched.final_url, href).split("#")[0]
        text = re.sub(r"<[^>]+>", "", inner).strip()
        links.append(Link(url=url, text=text, raw_href=href))
    return links


def flat(link: Link, depth: int) -> float:
    return 0.0


def page(*links: str, body: str = "") -> str:
    anchors = "".join(f"<li><a href='{href}'>{text}</a></li>" for href, text in map(_split, links))
    return f"<html><body><h1>{body}</h1><ul>{anchors}</ul></body></html>"


def _split(spec: str) -> tuple[str, str]:
    href, _, text = spec.partition("|")
    return href, text or href


def write(root: Path, files: dict[str, str | bytes]) -> None:
    for name, content in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")


def pdf_bytes(text: str = "plan 2568") -> bytes:
    with pymupdf.open() as doc:
        doc.new_page().insert_text((72, 72), text)
        return doc.tobytes()


def options(**overrides: object) -> CrawlOptions:
    fetch_options = overrides.pop("fetch", FAST)
    base = CrawlOptions(
        max_seconds=15, respect_robots=False, use_sitemap=False, fetch=fetch_options
    )  # type: ignore[arg-type]
    for key, value in overrides.items():
        setattr(base, key, value)
    return base


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[SiteServer, Path]]:
    server = SiteServer(tmp_path).start()
    try:
        yield server, tmp_path
    finally:
        server.stop()


# ---------------------------------------------------------------------------------------------
# A hostile server


BOMB = gzip.compress(b"\0" * (40 * 2**20), compresslevel=9)  # 40 MiB of zeros in ~40 KB
PDF = pdf_bytes()


class Hostile(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _HostileHandler)
        self.stop_event = threading.Event()
        self.lock = threading.Lock()
        self.counts: dict[str, int] = {}
        self.times: dict[str, list[float]] = {}
        self.active = 0
        self.max_active = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"

    def hit(self, path: str) -> int:
        with self.lock:
            self.counts[path] = self.counts.get(path, 0) + 1
            self.times.setdefault(path, []).append(time.monotonic())
            return self.counts[path]


class _HostileHandler(BaseHTTPRequestHandler):
    server: Hostile
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        return

    def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: C901 - one branch per hostile behaviour
        srv = self.server
        path = self.path
        count = srv.hit(path)
        route = urlsplit(path).path
        try:
            if route == "/hang":
                srv.stop_event.wait(30)
            elif route == "/trickle":
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", "100000")
                self.end_headers()
                while not srv.stop_event.wait(0.1):
                    self.wfile.write(b"x")
                    self.wfile.flush()
            elif route.startswith("/flaky"):
                if count <= 2:
                    self._send(503, b"busy", {"Content-Type": "text/html"})
                else:
                    self._send(200, b"<html>ok</html>", {"Content-Type": "text/html"})
            elif route == "/limited":
                if count == 1:
                    self._send(429, b"slow down", {"Retry-After": "1"})
                else:
                    self._send(200, b"<html>ok</html>", {"Content-Type": "text/html"})
            elif route == "/always429":
                self._send(429, b"slow down", {"Retry-After": "1"})
            elif route == "/loop-a":
                self._send(302, headers={"Location": "/loop-b"})
            elif route == "/loop-b":
                self._send(302, headers={"Location": f"{srv.url}loop-a"})
            elif route == "/big":
                self.send_response(200)
                self.send_header("Content-Type", "application/pdf")
                self.send_header("Content-Length", str(11 * 2**20))
                self.end_headers()
                self.wfile.write(b"%PDF-1.4\n")
                chunk = b"0" * 65536
                for _ in range(11 * 16):
                    self.wfile.write(chunk)
            elif route == "/bomb":
                headers = {"Content-Type": "text/html", "Content-Encoding": "gzip"}
                self._send(200, BOMB, headers)
            elif route in ("/gz", "/deflate"):
                html_bytes = _thai_page('<meta charset="tis-620">').encode("cp874")
                if route == "/gz":
                    encoded = gzip.compress(html_bytes)
                else:  # raw deflate without a zlib header, as old IIS sent it
                    packer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
                    encoded = packer.compress(html_bytes) + packer.flush()
                encoding = "gzip" if route == "/gz" else "deflate"
                headers = {"Content-Type": "text/html", "Content-Encoding": encoding}
                self._send(200, encoded, headers)
            elif route == "/download.php":
                self._send(200, PDF, {"Content-Type": "text/html; charset=utf-8"})
            elif route.startswith("/slow/"):
                with srv.lock:
                    srv.active += 1
                    srv.max_active = max(srv.max_active, srv.active)
                time.sleep(0.15)
                with srv.lock:
                    srv.active -= 1
                if route == "/slow/":
                    body = page(*[f"/slow/p{i}.html" for i in range(12)])
                else:
                    body = page(body="leaf")
                self._send(200, body.encode(), {"Content-Type": "text/html"})
            elif route == "/cal":
                number = int(path.rsplit("=", 1)[-1]) if "=" in path else 0
                body = page(f"/cal?page={number + 1}", f"/cal?page={number + 2}")
                self._send(200, body.encode(), {"Content-Type": "text/html"})
            elif route == "/":
                body = page("/hang", "/loop-a", "/big", "/bomb", "/always429", "/missing", "/ok")
                self._send(200, body.encode(), {"Content-Type": "text/html"})
            elif route == "/ua":  # echoes the User-Agent, to check what the crawler announces
                agent = self.headers.get("User-Agent", "")
                self._send(200, agent.encode(), {"Content-Type": "text/plain; charset=utf-8"})
            elif route == "/ok":
                self._send(200, b"<html>fine</html>", {"Content-Type": "text/html"})
            else:
                self._send(404, b"<html>not here</html>", {"Content-Type": "text/html"})
        except (BrokenPipeError, ConnectionResetError):
            pass


@pytest.fixture
def hostile() -> Iterator[Hostile]:
    server = Hostile()
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stop_event.set()
        server.shutdown()
        server.server_close()


async def get(url: str, fetch_options: FetchOptions = FAST, **kwargs: object) -> Fetched:
    async with make_client(fetch_options) as client:
        return await fetch(client, url, fetch_options, **kwargs)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# fetch: hostile servers


async def test_server_that_never_answers_ends_in_a_timeout(hostile: Hostile) -> None:
    fetched = await get(hostile.url + "hang")
    assert fetched.status == 0
    assert "timeout" in fetched.error
    assert not fetched.ok


async def test_trickling_body_is_cut_at_the_total_time_limit(hostile: Hostile) -> None:
    fetched = await get(hostile.url + "trickle")
    assert fetched.status == 200
    assert fetched.truncated
    assert fetched.error.startswith("too slow: download stopped at the 2 s limit per download")
    assert 0 < len(fetched.body) < 100000
    assert not fetched.ok


async def test_5xx_burst_is_retried_until_success(hostile: Hostile) -> None:
    fetched = await get(hostile.url + "flaky/a")
    assert fetched.ok and fetched.text == "<html>ok</html>"
    assert hostile.counts["/flaky/a"] == 3


async def test_5xx_burst_longer_than_the_retries_reports_the_status(hostile: Hostile) -> None:
    fetched = await get(hostile.url + "flaky/b", FetchOptions(timeout=1, retries=1, backoff=0.05))
    assert fetched.status == 503
    assert hostile.counts["/flaky/b"] == 2


async def test_429_waits_for_retry_after_then_succeeds(hostile: Hostile) -> None:
    opts = FetchOptions(timeout=1, total_timeout=5, retry_after_cap=0.4, backoff=0.05)
    fetched = await get(hostile.url + "limited", opts)
    assert fetched.ok
    first, second = hostile.times["/limited"]
    assert second - first >= 0.35  # Retry-After: 1 honoured up to the 0.4 s cap


async def test_persistent_429_comes_back_as_429(hostile: Hostile) -> None:
    opts = FetchOptions(timeout=1, total_timeout=5, retry_after_cap=0.1, retries=2)
    fetched = await get(hostile.url + "always429", opts)
    assert fetched.status == 429
    assert hostile.counts["/always429"] == 3


async def test_redirect_loop_is_detected(hostile: Hostile) -> None:
    fetched = await get(hostile.url + "loop-a")
    assert fetched.status == 0
    assert fetched.error.startswith("redirect loop")
    assert hostile.url + "loop-b" in fetched.redirects


async def test_body_over_the_cap_is_cut_and_says_so(hostile: Hostile) -> None:
    opts = FetchOptions(timeout=2, total_timeout=5, max_file_bytes=CAP)
    fetched = await get(hostile.url + "big", opts)
    assert fetched.status == 200
    assert fetched.truncated and len(fetched.body) == CAP
    assert fetched.error.startswith("too large: larger than the 1.0 MB size cap")
    assert fetched.kind == "pdf"


async def test_gzip_bomb_is_capped_on_decoded_bytes(hostile: Hostile) -> None:
    opts = FetchOptions(timeout=2, total_timeout=5, max_file_bytes=CAP)
    fetched = await get(hostile.url + "bomb", opts)
    assert fetched.status == 200
    assert fetched.truncated and len(fetched.body) == CAP
    assert set(fetched.body) == {0}


async def test_compressed_thai_page_is_decoded(hostile: Hostile) -> None:
    for path in ("gz", "deflate"):
        fetched = await get(hostile.url + path)
        assert fetched.ok, fetched.error
        assert THAI in fetched.text and PUNCT in fetched.text


async def test_pdf_sent_as_text_html_is_recognised_as_pdf(hostile: Hostile) -> None:
    fetched = await get(hostile.url + "download.php?nid=55")
    assert fetched.ok
    assert fetched.kind == "pdf"
    assert fetched.text == ""
    assert fetched.body == PDF


async def test_refused_connection_is_a_clear_error() -> None:
    fetched = await get(f"http://127.0.0.1:{free_port()}/", FetchOptions(retries=0, timeout=1))
    assert fetched.status == 0
    assert "connection refused" in fetched.error


# ---------------------------------------------------------------------------------------------
# fetch: friendly server features


async def test_redirect_chain_is_recorded(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "files/plan.pdf": PDF,
            "routes.toml": '[[route]]\npath = "/ewt_dl_link.php?nid=55"\nredirect = "/go/plan"\n'
            '[[route]]\npath = "/go/plan"\nredirect = "/files/plan.pdf"\n',
        },
    )
    with SiteServer(tmp_path) as server:
        fetched = await get(server.url + "ewt_dl_link.php?nid=55")
    assert fetched.ok and fetched.kind == "pdf"
    assert fetched.redirects == [server.url + "ewt_dl_link.php?nid=55", server.url + "go/plan"]
    assert fetched.final_url == server.url + "files/plan.pdf"


async def test_conditional_request_gives_304(site: tuple[SiteServer, Path]) -> None:
    server, root = site
    write(root, {"index.html": page(body=THAI)})
    first = await get(server.url)
    assert first.ok and first.etag and first.last_modified
    again = await get(server.url, conditional={"etag": first.etag})
    assert again.status == 304 and again.body == b"" and not again.error
    assert server.log.entries[-1][3]  # the server saw a conditional request


# ---------------------------------------------------------------------------------------------
# decoding Thai pages


def _thai_page(meta: str = "") -> str:
    return f"<html><head>{meta}<title>t</title></head><body><p>{THAI} {PUNCT}</p></body></html>"


ENCODING_CASES = {
    # name: (bytes, Content-Type header)
    "header-tis620": (_thai_page().encode("cp874"), "text/html; charset=TIS-620"),
    "header-windows874": (_thai_page().encode("cp874"), "text/html; charset=windows-874"),
    "meta-windows874": (_thai_page('<meta charset="windows-874">').encode("cp874"), "text/html"),
    "meta-http-equiv-tis620": (
        _thai_page('<meta http-equiv="Content-Type" content="text/html; charset=tis-620">').encode(
            "cp874"
        ),
        "text/html",
    ),
    "nothing-declared": (_thai_page().encode("cp874"), "text/html"),
    "utf8-lying-tis620-header": (_thai_page().encode("utf-8"), "text/html; charset=TIS-620"),
    "conflicting-metas": (
        _thai_page(
            '<meta charset="UTF-8"><meta http-equiv="Content-Type" '
            'content="text/html; charset=tis-620">'
        ).encode("cp874"),
        "text/html",
    ),
    "tis620-lying-utf8-header": (_thai_page().encode("cp874"), "text/html; charset=UTF-8"),
    "apache-latin1-default": (
        _thai_page('<meta http-equiv="Content-Type" content="text/html; charset=tis-620">').encode(
            "cp874"
        ),
        "text/html; charset=ISO-8859-1",
    ),
}


async def test_thai_pages_decode_over_http(tmp_path: Path) -> None:
    routes = []
    for name, (body, content_type) in ENCODING_CASES.items():
        write(tmp_path, {f"{name}.html": body})
        routes.append(
            f'[[route]]\npath = "/{name}.html"\nfile = "{name}.html"\n'
            f'headers = {{ "Content-Type" = "{content_type}" }}\n'
        )
    write(tmp_path, {"routes.toml": "".join(routes)})
    with SiteServer(tmp_path) as server:
        async with make_client(FAST) as client:
            for name in ENCODING_CASES:
                fetched = await fetch(client, f"{server.url}{name}.html", FAST)
                assert fetched.ok and fetched.kind == "html", name
                assert THAI in fetched.text, (name, fetched.text)
                assert PUNCT in fetched.text, (name, fetched.text)


def test_decode_keeps_a_utf8_page_with_a_few_stray_bytes() -> None:
    body = ("<p>" + THAI * 20 + "</p>").encode() + b"\xe0\xe1"
    text = decode_html(body, "text/html; charset=utf-8")
    assert THAI * 20 in text


def test_decode_unknown_label_falls_back() -> None:
    body = _thai_page('<meta charset="x-thai-made-up">').encode("cp874")
    assert THAI in decode_html(body, "")
    assert THAI in decode_html(_thai_page().encode(), "text/html; charset=bogus")


# ---------------------------------------------------------------------------------------------
# classify


def test_classify_by_magic_then_type_then_extension(tmp_path: Path) -> None:
    docx = docfactory.docx_file(["ทดสอบ"], tmp_path / "a.docx").read_bytes()
    xlsx = docfactory.xlsx_file([["ทดสอบ"]], tmp_path / "a.xlsx").read_bytes()
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100
    assert classify("http://x/dl.php?id=1", "application/octet-stream", docx) == "docx"
    assert classify("http://x/dl.php?id=1", "application/octet-stream", xlsx) == "xlsx"
    assert classify("http://x/f.xls", "application/octet-stream", ole) == "xls"
    assert classify("http://x/dl.php", "application/msword", ole) == "doc"
    ole_book = ole + "Workbook".encode("utf-16-le")
    assert classify("http://x/dl.php", "", ole_book) == "xls"
    assert classify("http://x/p.html", "text/html", b"\x89PNG\r\n\x1a\n....") == "image"
    assert classify("http://x/a", "application/pdf", b"") == "pdf"
    assert classify("http://x/report.pdf", "application/octet-stream", b"") == "pdf"
    assert classify("http://x/dl", "application/octet-stream", b"", filename="แผน.xlsx") == "xlsx"
    assert classify("http://x/news", "", b"<html>") == "html"
    assert classify("http://x/news", "text/plain", b"hello") == "html"
    assert classify("http://x/feed", "application/rss+xml", b"<rss>") == "other"
    assert classify("http://x/a.zip", "application/zip", b"PK\x03\x04junk") == "other"


# ---------------------------------------------------------------------------------------------
# URLs


def test_normalize_url() -> None:
    assert normalize_url("HTTP://Example.GO.TH:80/a/./b/../c.html#top") == (
        "http://example.go.th/a/c.html"
    )
    assert normalize_url("https://x.go.th:443") == "https://x.go.th/"
    assert normalize_url("http://x.go.th:8080/?b=2&a=1") == "http://x.go.th:8080/?b=2&a=1"
    assert normalize_url("http://x/a.php?PHPSESSID=abc123&id=5") == "http://x/a.php?id=5"
    assert normalize_url("http://x/a.jsp;jsessionid=0AF3B?x=1") == "http://x/a.jsp?x=1"
    assert normalize_url("http://x/a?sid=0123456789abcdef0123") == "http://x/a"
    assert normalize_url("http://x/a?sid=5") == "http://x/a?sid=5"  # a section id, kept
    assert (
        normalize_url(
            "http://x/(X(1)S(u0klj4iqli35g4w3fgb24ksl))/News.aspx?AspxAutoDetectCookieSupport=1"
        )
        == "http://x/News.aspx"
    )
    assert normalize_url("http://x/(S(abcdefgh))/a.aspx") == "http://x/a.aspx"
    assert normalize_url("http://x/เอกสาร ita.pdf") == normalize_url(
        "http://x/%e0%b9%80%e0%b8%ad%e0%b8%81%e0%b8%aa%e0%b8%b2%e0%b8%a3%20ita.pdf"
    )


def test_same_site() -> None:
    assert same_site("https://www.abc.go.th/x", "http://abc.go.th/")
    assert same_site("http://abc.go.th/x", "https://www.abc.go.th/")
    assert not same_site("http://oit.abc.go.th/", "http://abc.go.th/")
    assert not same_site("http://abc.go.th:8080/", "http://abc.go.th/")
    assert not same_site("https://drive.google.com/x", "http://abc.go.th/")


# ---------------------------------------------------------------------------------------------
# crawl


class Recorder:
    def __init__(self) -> None:
        self.fetched: list[Fetched] = []
        self.times: list[float] = []

    async def __call__(self, fetched: Fetched) -> None:
        self.fetched.append(fetched)
        self.times.append(time.monotonic())

    def paths(self) -> list[str]:
        return [
            urlsplit(f.url).path + (f"?{q}" if (q := urlsplit(f.url).query) else "")
            for f in self.fetched
        ]


async def test_offsite_links_are_recorded_not_fetched(site: tuple[SiteServer, Path]) -> None:
    server, root = site
    other_host = server.url.replace("127.0.0.1", "localhost")
    write(
        root,
        {
            "index.html": page(
                "a.html|หน้า ก",
                f"{other_host}b.html|same server, other host",
                "https://drive.google.com/drive/folders/xyz|แผนปฏิบัติการ",
                "mailto:saraban@abc.go.th",
                "tel:021234567",
                "javascript:void(0)",
                "#",
                "",
            ),
            "a.html": page(body="a"),
            "b.html": page(body="b"),
        },
    )
    recorder = Recorder()
    crawler = Crawler(server.url, options(), links_of, flat, on_fetched=recorder)
    stats = await crawler.run()
    assert sorted(recorder.paths()) == ["/", "/a.html"]
    assert "/b.html" not in server.log.paths()
    offsite = {link.url: link.text for link in crawler.offsite_links()}
    assert offsite == {
        f"{other_host}b.html": "same server, other host",
        "https://drive.google.com/drive/folders/xyz": "แผนปฏิบัติการ",
    }
    assert stats.skipped == {"offsite": 2}
    assert stats.pages == 2 and stats.errors == [] and stats.stopped_by == ""


async def test_robots_disallow_and_crawl_delay(site: tuple[SiteServer, Path]) -> None:
    server, root = site
    write(
        root,
        {
            "robots.txt": "User-agent: *\nDisallow: /private/\nCrawl-delay: 0.3\n",
            "index.html": page("private/secret.html", "p1.html", "p2.html"),
            "private/secret.html": page(body="secret"),
            "p1.html": page(body="1"),
            "p2.html": page(body="2"),
        },
    )
    recorder = Recorder()
    crawler = Crawler(server.url, options(respect_robots=True), links_of, flat, recorder)
    stats = await crawler.run()
    assert "/private/secret.html" not in server.log.paths()
    assert stats.skipped == {"robots": 1}
    assert stats.robots_crawl_delay == 0.3
    assert sorted(recorder.paths()) == ["/", "/p1.html", "/p2.html"]
    gaps = [b - a for a, b in zip(recorder.times[1:], recorder.times[2:], strict=False)]
    assert gaps and min(gaps) >= 0.25


async def test_robots_group_for_our_agent_wins(site: tuple[SiteServer, Path]) -> None:
    server, root = site
    write(
        root,
        {
            "robots.txt": "User-agent: *\nDisallow: /\n\nUser-agent: oit-checker\nDisallow: /x/\n",
            "index.html": page("x/a.html", "y.html"),
            "x/a.html": page(),
            "y.html": page(),
        },
    )
    stats = await Crawler(server.url, options(respect_robots=True), links_of, flat).run()
    assert "/y.html" in server.log.paths() and "/x/a.html" not in server.log.paths()
    assert stats.skipped == {"robots": 1}


async def test_sitemaps_seed_unlinked_pages(site: tuple[SiteServer, Path]) -> None:
    server, root = site
    urlset = "<urlset><url><loc>{}</loc></url></urlset>"
    write(
        root,
        {
            "robots.txt": f"User-agent: *\nAllow: /\nSitemap: {server.url}sitemap_index.xml\n",
            "sitemap_index.xml": "<?xml version='1.0'?><sitemapindex><sitemap>"
            f"<loc>{server.url}sitemap-pages.xml</loc></sitemap></sitemapindex>",
            "sitemap-pages.xml": urlset.format(f"{server.url}orphan.html?a=1&amp;b=2"),
            "sitemap.xml": urlset.format(f"{server.url}orphan2.html"),
            "index.html": page(body="home"),
            "orphan.html": page(body="orphan"),
            "orphan2.html": page(body="orphan 2"),
        },
    )
    seen_depths: dict[str, int] = {}

    def prio(link: Link, depth: int) -> float:
        seen_depths[link.url] = depth
        return 1.0

    recorder = Recorder()
    crawler = Crawler(
        server.url, options(respect_robots=True, use_sitemap=True), links_of, prio, recorder
    )
    await crawler.run()
    assert sorted(recorder.paths()) == ["/", "/orphan.html?a=1&b=2", "/orphan2.html"]
    assert seen_depths[f"{server.url}orphan2.html"] == 1


async def test_best_first_fetches_the_deep_important_page_under_a_budget(
    site: tuple[SiteServer, Path],
) -> None:
    server, root = site
    news = [f"news{i}.html|ข่าว {i}" for i in range(6)]
    write(
        root,
        {
            "index.html": page(*news, "about.html|เกี่ยวกับเรา"),
            "about.html": page("ita/index.html|ITA 2568"),
            "ita/index.html": page("o1.html|ITA O1 โครงสร้าง", "../news0.html|ข่าว"),
            "ita/o1.html": page(body="O1"),
            **{f"news{i}.html": page() for i in range(6)},
        },
    )

    def prio(link: Link, depth: int) -> float:
        return 10.0 if "ITA" in link.text else 5.0 if "เกี่ยวกับ" in link.text else 1.0

    recorder = Recorder()
    opts = options(max_pages=4, per_host_concurrency=1)
    stats = await Crawler(server.url, opts, links_of, prio, recorder).run()
    assert recorder.paths() == ["/", "/about.html", "/ita/index.html", "/ita/o1.html"]
    assert stats.stopped_by == "max_pages"
    assert stats.skipped == {"budget": 6}


async def test_per_host_concurrency_is_never_exceeded(hostile: Hostile) -> None:
    recorder = Recorder()
    opts = options(per_host_concurrency=3)
    stats = await Crawler(hostile.url + "slow/", opts, links_of, flat, recorder).run()
    assert stats.pages == 13 and not stats.errors
    assert hostile.max_active == 3


async def test_time_budget_stops_scheduling(hostile: Hostile) -> None:
    opts = options(per_host_concurrency=1, max_seconds=0.5)
    stats = await Crawler(hostile.url + "slow/", opts, links_of, flat).run()
    assert stats.stopped_by == "max_seconds"
    assert 1 < stats.pages < 13
    assert stats.skipped["budget"] == 13 - stats.pages


async def test_byte_budget_stops_scheduling(hostile: Hostile) -> None:
    stats = await Crawler(hostile.url + "slow/", options(max_bytes=1000), links_of, flat).run()
    assert stats.stopped_by == "max_bytes"
    assert stats.pages < 13 and stats.skipped["budget"] == 13 - stats.pages


async def test_endless_pager_that_brings_nothing_new_is_bounded(hostile: Hostile) -> None:
    # Each ?page=N links to N+1 and N+2 and nothing else: the walk stops after `patience` (3)
    # pages without new links, plus what was already in flight (4 at once).
    opts = options(max_depth=100)
    stats = await Crawler(hostile.url + "cal", opts, links_of, flat).run()
    assert sum(n for p, n in hostile.counts.items() if p.startswith("/cal?")) <= 3 + 4
    assert stats.skipped["trap"] >= 1
    assert stats.stopped_by == ""


async def test_session_ids_do_not_multiply_pages(site: tuple[SiteServer, Path]) -> None:
    server, root = site
    write(
        root,
        {
            "index.html": page(
                "a.html?PHPSESSID=abc123def",
                "a.html;jsessionid=0AF3B77",
                "(S(u0klj4iqli35g4w3fgb24ksl))/a.html",
                "/(X(1)S(u0klj4iqli35g4w3fgb24ksl))/a.html?AspxAutoDetectCookieSupport=1",
                "a.html",
            ),
            "a.html": page(body="a"),
        },
    )
    recorder = Recorder()
    await Crawler(server.url, options(), links_of, flat, recorder).run()
    assert recorder.paths() == ["/", "/a.html"]
    assert server.log.paths().count("/a.html") == 1


async def test_kinds_and_depth_limits(site: tuple[SiteServer, Path]) -> None:
    server, root = site
    write(
        root,
        {
            "index.html": page(
                "photo.JPG",
                "clip.mp4",
                "all.zip",
                "เอกสาร/แผน 2568.pdf",
                "%E0%B9%80%E0%B8%AD%E0%B8%81%E0%B8%AA%E0%B8%B2%E0%B8%A3/%E0%B9%81%E0%B8%9C%E0%B8%99%202568.pdf",
                "l1.html",
            ),
            "เอกสาร/แผน 2568.pdf": PDF,
            "l1.html": page("l2.html"),
            "l2.html": page(),
        },
    )
    recorder = Recorder()
    stats = await Crawler(server.url, options(max_depth=1), links_of, flat, recorder).run()
    assert len(recorder.fetched) == 3
    assert [f.kind for f in recorder.fetched if f.kind != "html"] == ["pdf"]
    assert all(f.ok for f in recorder.fetched)
    assert stats.documents == 1 and stats.pages == 2
    assert stats.skipped == {"depth": 1, "kind": 3}


async def test_start_redirect_to_another_host_is_adopted(tmp_path: Path) -> None:
    port = free_port()
    new_site = f"http://localhost:{port}/"
    write(
        tmp_path,
        {
            "routes.toml": f'[[route]]\npath = "/"\nredirect = "{new_site}home.html"\n',
            "home.html": page("page.html", f"http://127.0.0.1:{port}/old.html"),
            "page.html": page(),
            "old.html": page(),
        },
    )
    recorder = Recorder()
    with SiteServer(tmp_path, port=port):
        crawler = Crawler(f"http://127.0.0.1:{port}/", options(), links_of, flat, recorder)
        stats = await crawler.run()
    assert stats.site == new_site
    assert sorted(recorder.paths()) == ["/", "/old.html", "/page.html"]
    assert recorder.fetched[0].final_url == new_site + "home.html"
    assert crawler.offsite_links() == []


async def test_failed_start_still_returns_stats(site: tuple[SiteServer, Path]) -> None:
    server, _ = site
    stats = await Crawler(server.url + "nothing/", options(), links_of, flat).run()
    assert stats.pages == 1
    assert stats.errors == [{"url": server.url + "nothing/", "status": 404, "error": "HTTP 404"}]
    refused = f"http://127.0.0.1:{free_port()}/"
    opts = options(fetch=FetchOptions(timeout=1, retries=0))
    stats = await Crawler(refused, opts, links_of, flat).run()
    assert stats.errors[0]["status"] == 0 and "refused" in stats.errors[0]["error"]


async def test_every_failure_ends_in_errors(hostile: Hostile) -> None:
    fetch_options = FetchOptions(
        timeout=1, total_timeout=2, retries=1, backoff=0.05, retry_after_cap=0.1, max_file_bytes=CAP
    )
    recorder = Recorder()
    stats = await Crawler(hostile.url, options(fetch=fetch_options), links_of, flat, recorder).run()
    errors = {urlsplit(e["url"]).path: (e["status"], e["error"]) for e in stats.errors}
    assert set(errors) == {"/hang", "/loop-a", "/big", "/bomb", "/always429", "/missing"}
    assert errors["/missing"] == (404, "HTTP 404")
    assert errors["/always429"][0] == 429
    assert errors["/loop-a"][1].startswith("redirect loop")
    assert "timeout" in errors["/hang"][1]
    assert len(recorder.fetched) == 8  # every resource reported, failures included


async def test_resume_skips_stored_urls_and_uses_validators(site: tuple[SiteServer, Path]) -> None:
    server, root = site
    write(
        root,
        {
            "index.html": page("a.html", "b.html"),
            "a.html": page(),
            "b.html": page(),
        },
    )
    first = Recorder()
    await Crawler(server.url, options(), links_of, flat, first).run()
    cache = {f.url: {"etag": f.etag, "last_modified": f.last_modified} for f in first.fetched}
    stored_links = links_of(first.fetched[0])
    server.log.clear()

    second = Recorder()
    crawler = Crawler(
        server.url,
        options(),
        links_of,
        flat,
        second,
        seen=[server.url + "a.html"],
        conditional=cache.get,
    )
    crawler.add_links(stored_links, from_depth=0)
    await crawler.run()
    assert [f.status for f in second.fetched] == [304, 304]
    assert [e[1:] for e in server.log.entries] == [("/", 304, True), ("/b.html", 304, True)]


# ---------------------------------------------------------------------------------------------
# politeness


async def test_rate_limit_spaces_requests_and_the_stricter_of_rate_and_crawl_delay_wins(
    site: tuple[SiteServer, Path],
) -> None:
    server, root = site
    write(
        root,
        {
            "robots.txt": "User-agent: *\nCrawl-delay: 0.05\n",
            "index.html": page("p1.html", "p2.html", "p3.html", "p4.html"),
            **{f"p{i}.html": page(body=str(i)) for i in range(1, 5)},
        },
    )
    recorder = Recorder()
    opts = options(respect_robots=True, rate=4.0, per_host_concurrency=4)
    stats = await Crawler(server.url, opts, links_of, flat, recorder).run()
    assert stats.robots_crawl_delay == 0.05
    assert sorted(recorder.paths()) == ["/", "/p1.html", "/p2.html", "/p3.html", "/p4.html"]
    gaps = [b - a for a, b in zip(recorder.times[1:], recorder.times[2:], strict=False)]
    assert len(gaps) == 3 and min(gaps) >= 0.2  # 4 requests per second, not 20


async def test_user_agent_names_the_contact(hostile: Hostile) -> None:
    plain = await get(hostile.url + "ua")
    assert plain.text == FAST.user_agent
    with_contact = FetchOptions(timeout=1.0, contact="webmaster@example.go.th")
    fetched = await get(hostile.url + "ua", with_contact)
    assert fetched.text == f"{FAST.user_agent} (+webmaster@example.go.th)"
