"""JavaScript rendering with Debian's real Chromium on loopback servers.

What a user would notice: menus, accordion items and forms built by scripts are seen (their links
crawled), a page embedding off-site content neither reaches the other host nor hangs, and a
crawl without rendering says which pages needed it instead of silently finding nothing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pymupdf
import pytest

import oit_checker.crawl.rendering as rendering_module
from oit_checker.crawl import Crawler, CrawlOptions
from oit_checker.extract.html import parse_html
from oit_checker.fetch import FetchOptions
from oit_checker.models import Fetched, Link
from oit_checker.render import (
    Renderer,
    RenderOptions,
    chromium_available,
    looks_js_built,
    url_pattern,
    visible_text_chars,
)
from oit_checker.serve import SiteServer

ROOT = Path(__file__).resolve().parent.parent
JS_APP = ROOT / "fixtures" / "js-app" / "site"
DEMO = ROOT / "fixtures" / "demo" / "site"
FAST = FetchOptions(timeout=2.0, total_timeout=5.0, retries=0)

pytestmark = pytest.mark.skipif(not chromium_available(), reason="needs /usr/bin/chromium")


@pytest.fixture(autouse=True)
def hermetic_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The Playwright driver writes under HOME; keep it out of the user's."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


def links_of(fetched: Fetched) -> list[Link]:
    return parse_html(fetched.text, fetched.final_url or fetched.url).links


def flat(link: Link, depth: int) -> float:
    return 0.0


def paths(urls: list[str]) -> set[str]:
    return {urlsplit(u).path + (f"?{urlsplit(u).query}" if urlsplit(u).query else "") for u in urls}


def write(root: Path, files: dict[str, str]) -> None:
    for name, content in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# A second host that must never be reached: 127.0.0.2 stands in for Google Maps, Drive, CDNs.


class _CountingHandler(BaseHTTPRequestHandler):
    server: OtherHost

    def log_message(self, format: str, *args: object) -> None:
        return

    def do_GET(self) -> None:
        with self.server.lock:
            self.server.requests.append(self.path)
        self.server.stop_event.wait(10)  # hang, as an unreachable host does


class OtherHost(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.2", 0), _CountingHandler)
        self.requests: list[str] = []
        self.lock = threading.Lock()
        self.stop_event = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.2:{self.server_address[1]}/"


@pytest.fixture
def other_host() -> Iterator[OtherHost]:
    server = OtherHost()
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stop_event.set()
        server.shutdown()
        server.server_close()


# ---------------------------------------------------------------------------------------------
# Renderer


async def test_shell_renders_the_script_built_menu() -> None:
    with SiteServer(JS_APP) as site:
        async with Renderer({"127.0.0.1"}) as renderer:
            result = await renderer.render(site.url)
    assert result.ok and result.status == 200, result.error
    found = paths([link.url for link in parse_html(result.html, result.final_url).links])
    assert {"/page.html?id=1", "/page.html?id=2", "/ita.html", "/eservice.html"} <= found
    assert "โครงสร้างและอำนาจหน้าที่" in result.html
    assert renderer.launch_seconds is not None and renderer.launch_seconds < 10


async def test_accordion_clicks_reveal_every_section_of_a_single_open_accordion() -> None:
    with SiteServer(JS_APP) as site:
        async with Renderer({"127.0.0.1"}) as renderer:
            result = await renderer.render(site.url + "ita.html")
    assert result.ok, result.error
    links = parse_html(result.html, result.final_url).links
    found = paths([link.url for link in links])
    # The first and the last section: opening one unmounts the other, both must be kept.
    assert "/files/2568/dev-plan-2566-2570.pdf" in found  # 9.2
    assert "/files/2568/integrity-report-2567.pdf" in found  # 10.2, the last one opened
    assert "/page.html?id=1" in found and "/ita/o11.html" in found
    o21 = next(link for link in links if link.url.endswith("nogift-2568.pdf"))
    assert "o21" in o21.context and "no gift" in o21.context  # the row comes with the link


async def test_js_only_form_appears(tmp_path: Path) -> None:
    with SiteServer(JS_APP) as site:
        async with Renderer({"127.0.0.1"}) as renderer:
            result = await renderer.render(site.url + "eservice.html")
    assert result.ok, result.error
    assert "<form" in result.html and "ประเภทคำร้อง" in result.html
    assert "<form" not in (JS_APP / "eservice.html").read_text(encoding="utf-8")


async def test_offsite_requests_are_blocked_and_do_not_hang(
    tmp_path: Path, other_host: OtherHost
) -> None:
    other = other_host.url
    write(
        tmp_path,
        {
            "index.html": f"""<html><body><h1>แผนที่</h1>
<iframe src="{other}maps/embed"></iframe><img src="{other}logo.png">
<script src="{other}analytics.js"></script>
<div id="out"></div>
<script>fetch('{other}api/counter').catch(() => {{}});
document.getElementById('out').innerHTML = '<a href="/local.html">ในเว็บไซต์</a>';</script>
</body></html>""",
        },
    )
    started = time.monotonic()
    with SiteServer(tmp_path) as site:
        async with Renderer({"127.0.0.1"}, RenderOptions(timeout=10)) as renderer:
            result = await renderer.render(site.url)
    assert result.ok, result.error
    assert other_host.requests == []
    assert {urlsplit(u).path for u in renderer.blocked} >= {
        "/maps/embed",
        "/logo.png",
        "/analytics.js",
        "/api/counter",
    }
    assert "/local.html" in result.html
    assert time.monotonic() - started < 8  # the hanging host was never waited on


async def test_same_site_frames_are_returned(tmp_path: Path, other_host: OtherHost) -> None:
    write(
        tmp_path,
        {
            "index.html": "<html><body><frameset></frameset>"
            f'<iframe src="/menu.html"></iframe><iframe src="{other_host.url}x"></iframe>'
            "</body></html>",
            "menu.html": '<html><body><a href="/ita.html">ITA 2568</a></body></html>',
        },
    )
    with SiteServer(tmp_path) as site:
        async with Renderer({"127.0.0.1"}) as renderer:
            result = await renderer.render(site.url)
    assert [urlsplit(url).path for url, _ in result.frames] == ["/menu.html"]
    assert 'href="/ita.html"' in result.frames[0][1]
    assert other_host.requests == []


VIEWER = (
    "<html><body><div id='viewer'></div><script>var f=new URLSearchParams(location.search)"
    ".get('file');document.getElementById('viewer').innerHTML='<embed src=\"'+f+'\">';"
    "</script></body></html>"
)


async def test_a_pdf_shown_in_a_frame_is_fetched_as_the_pdf(tmp_path: Path) -> None:
    """A PDF in an iframe, or in a pdf.js-style viewer's embed, is a document: Chromium's
    viewer page (empty HTML) was returned as that URL's frame, so the crawl took the PDF for
    an empty page and never read it."""
    pdf = pymupdf.open()
    pdf.new_page().insert_text((72, 72), "manual of services")
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "manual.pdf").write_bytes(pdf.tobytes())
    (tmp_path / "files" / "plan.pdf").write_bytes(pdf.tobytes())
    write(
        tmp_path,
        {
            "index.html": "<html><body><script>var x = 1;</script>"
            '<iframe src="/viewer.html?file=/files/manual.pdf"></iframe>'
            '<iframe src="/files/plan.pdf"></iframe></body></html>',
            "viewer.html": VIEWER,
        },
    )
    with SiteServer(tmp_path) as site:
        async with Renderer({"127.0.0.1"}) as renderer:
            result = await renderer.render(site.url)
        opts = CrawlOptions(
            render="always", respect_robots=False, use_sitemap=False, fetch=FAST, max_seconds=30
        )
        stats = await Crawler(site.url, opts, links_of, flat).run()

    assert [urlsplit(url).path for url, _ in result.frames] == ["/viewer.html"]
    assert stats.documents == 2  # both PDFs fetched and read as PDFs


# ---------------------------------------------------------------------------------------------
# Heuristics


def test_looks_js_built() -> None:
    for name in ("index.html", "ita.html", "page.html", "eservice.html"):
        html = (JS_APP / name).read_text(encoding="utf-8")
        assert looks_js_built(html, visible_text_chars(html)), name
    demo_pages = sorted(DEMO.rglob("*.html"))
    assert len(demo_pages) > 20
    for page in demo_pages:
        html = page.read_text(encoding="utf-8")
        assert not looks_js_built(html, visible_text_chars(html)), page
    short_without_scripts = "<html><frameset><frame src='a.html'></frameset></html>"
    assert not looks_js_built(short_without_scripts, 0)
    api_page = (
        "<html><body>" + "<p>ข้อความยาว</p>" * 40 + "<script>fetch('/api/ita?year=2568')</script>"
    )
    assert looks_js_built(api_page, visible_text_chars(api_page))


def test_url_pattern() -> None:
    assert url_pattern("/news/123?id=9") == "/news/{n}?id={n}"
    assert url_pattern("http://x.go.th/page.html?id=12") == "/page.html?id={n}"
    assert url_pattern("http://x.go.th/index.php?option=com_content&view=article&id=45") == (
        "/index.php?option=com_content&view=article&id={n}"
    )
    assert url_pattern("/ita/o11.html") == "/ita/o{n}.html"
    assert url_pattern("/file/d/1Sk7uWq2Lr9ZxTnB4cVd0PmE3aYhGf6Jk/view") == "/file/d/{id}/view"
    assert url_pattern("/%E0%B8%82%E0%B9%88%E0%B8%B2%E0%B8%A7/5") == "/ข่าว/{n}"
    assert url_pattern("") == "/"


# ---------------------------------------------------------------------------------------------
# Crawler integration

# A page whose static text is long enough to look complete, but whose links are added by script.
LINKS_BY_SCRIPT = """<html><body><h1>ข่าวประชาสัมพันธ์</h1><p>{text}</p><div id="list"></div>
<script>document.getElementById('list').innerHTML =
  '<a href="/doc/{name}.pdf">เอกสาร {name}</a>';</script></body></html>"""
SHELL = """<html><body><div id="root"></div><script>
document.getElementById('root').innerHTML = '<a href="/doc/{name}.pdf">เอกสาร</a>' +
  '<p>{text}</p>';</script></body></html>"""


async def test_render_memory_renders_siblings_of_a_page_that_needed_it(tmp_path: Path) -> None:
    long_text = "เทศบาลจัดกิจกรรมประจำเดือนเพื่อประชาชนในเขตเทศบาลทุกชุมชน " * 8
    write(
        tmp_path,
        {
            "index.html": '<html><body><a href="/news/1.html">1</a> <a href="/news/2.html">2</a>'
            ' <a href="/other/2.html">3</a></body></html>',
            "news/1.html": SHELL.format(name="one", text=long_text),
            "news/2.html": LINKS_BY_SCRIPT.format(name="two", text=long_text),
            "other/2.html": LINKS_BY_SCRIPT.format(name="other", text=long_text),
            "doc/one.pdf": "%PDF-1.4 one",
            "doc/two.pdf": "%PDF-1.4 two",
            "doc/other.pdf": "%PDF-1.4 other",
        },
    )

    def news_one_first(link: Link, depth: int) -> float:
        return 10.0 if link.url.endswith("/news/1.html") else 0.0

    opts = CrawlOptions(
        render="auto", per_host_concurrency=1, respect_robots=False, use_sitemap=False, fetch=FAST
    )
    with SiteServer(tmp_path) as site:
        crawler = Crawler(site.url, opts, links_of, news_one_first)
        stats = await crawler.run()
        served = site.log.paths()
    assert paths(list(crawler.rendered)) == {"/news/1.html", "/news/2.html"}
    assert crawler.render_memory["/news/{n}.html"] is True
    assert "/doc/one.pdf" in served and "/doc/two.pdf" in served
    assert "/doc/other.pdf" not in served  # another pattern, nothing said it needed rendering
    assert stats.rendered == 2 and stats.render_needed_not_done == []

    # Remembered from an earlier crawl: the same page is rendered on its own.
    with SiteServer(tmp_path) as site:
        seeded = Crawler(
            site.url + "news/2.html", opts, links_of, flat, render_memory={"/news/{n}.html": True}
        )
        await seeded.run()
        assert "/doc/two.pdf" in site.log.paths()
    assert seeded.stats.rendered == 1


async def test_fixture_crawl_without_and_with_rendering() -> None:
    base = CrawlOptions(
        render="never", respect_robots=True, use_sitemap=True, fetch=FAST, max_seconds=60
    )
    with SiteServer(JS_APP) as site:
        static = Crawler(site.url, base, links_of, flat)
        stats = await static.run()
        static_served = site.log.paths()
        assert stats.render_needed_not_done == [site.url]
        assert stats.rendered == 0 and stats.documents == 0
        assert not [p for p in static_served if p.endswith(".pdf")]

        site.log.clear()
        base.render = "auto"
        base.render_options = RenderOptions(max_open=3)
        rendered = Crawler(site.url, base, links_of, flat)
        stats = await rendered.run()
        served = site.log.paths()
    pdfs = {p for p in served if p.endswith(".pdf")}
    assert len(pdfs) == 33  # every PDF linked from the JS-built pages, the 404 one included
    assert stats.documents == 32
    assert "/api/ita?year=2568" in served
    assert stats.render_needed_not_done == []
    assert rendered.render_memory["/page.html?id={n}"] is True
    assert {"/", "/ita.html", "/eservice.html"} <= paths(list(rendered.rendered))
    offsite = {link.url for link in rendered.offsite_links()}
    assert any(url.startswith("https://drive.google.com/file/d/") for url in offsite)


async def test_without_chromium_auto_degrades_to_static(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rendering_module, "chromium_available", lambda: False)
    write(tmp_path, {"index.html": SHELL.format(name="x", text="")})
    opts = CrawlOptions(render="auto", respect_robots=False, use_sitemap=False, fetch=FAST)
    with SiteServer(tmp_path) as site:
        stats = await Crawler(site.url, opts, links_of, flat).run()
    assert stats.pages == 1 and stats.rendered == 0
    assert stats.render_needed_not_done == [site.url]
    assert any("chromium" in note for note in stats.notes)


def test_unknown_render_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="render must be one of"):
        Crawler("http://127.0.0.1/", CrawlOptions(render="sometimes"), links_of, flat)
