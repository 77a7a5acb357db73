"""The lean site index: a large site's pages are summarised and let go, and loaded again from a
real SQLite store when the checker opens them, so an audit's memory does not grow with every page
it has read."""

from __future__ import annotations

from pathlib import Path

from oit_checker.check.site import FetchInfo, SiteData
from oit_checker.models import Fetched, Link, Page
from oit_checker.store import Store

BASE = "http://agency.test/"
MENU = Link(url=BASE + "ita.html", text="ITA 2568", chrome=True)


def _page(n: int) -> Page:
    return Page(
        url=f"{BASE}news/{n}.html",
        kind="html",
        title=f"ข่าวที่ {n}",
        headings=[f"หัวข้อข่าว {n}", "อื่น ๆ"],
        text=f"เนื้อหาข่าวที่ {n} " * 50,
        links=[
            Link(url=MENU.url, text=MENU.text, chrome=True),  # parsed anew on every page
            Link(url=f"{BASE}files/{n}.pdf", text="ดาวน์โหลด"),
            Link(url=f"{BASE}news/{n + 1}.html", text="ถัดไป"),
        ],
    )


def _stored_site(tmp_path: Path, pages: int, cached: int) -> tuple[SiteData, Store, list[str]]:
    store = Store(tmp_path / "oit.db")
    loads: list[str] = []

    def load(key: str, url: str) -> Page | None:
        loads.append(url)
        return store.page(key, url)

    run = store.start_run(BASE, 2568, "rules", "sha", "2025-10-15", {})
    site_id = store.site_id(BASE)
    site = SiteData(
        BASE,
        {"agency.test"},
        load=load,
        keep_link=lambda link: "ITA" in link.text or link.text == "ถัดไป",
        cached_pages=cached,
    )
    for n in range(pages):
        page = _page(n)
        fetched = Fetched(page.url, page.url, 200, "html", body=page.text.encode(), text=page.text)
        key = store.record_fetch(run, site_id, fetched, page=page, page_profile="test")
        site.add(FetchInfo(page.url, page.url, 200, "html"), page, key)
    return site, store, loads


def test_pages_are_let_go_and_loaded_again_whole(tmp_path):
    site, _, loads = _stored_site(tmp_path, pages=300, cached=20)
    first = f"{BASE}news/0.html"
    assert len(site.unique_summaries()) == 300
    assert loads == []
    page = site.page(first)  # let go long ago: read back from SQLite
    assert loads == [first]
    assert page == _page(0)
    assert site.page(first) is page and loads == [first]  # now in the LRU
    assert site.page(f"{BASE}news/299.html") == _page(299) and loads == [first]  # never let go
    assert site.page(f"{BASE}nowhere.html") is None


def test_summaries_keep_what_the_checker_scans_and_share_the_menu(tmp_path):
    site, _, _ = _stored_site(tmp_path, pages=50, cached=5)
    summaries = {s.url: s for s in site.html_summaries()}
    one = summaries[f"{BASE}news/7.html"]
    assert (one.title, one.heading) == ("ข่าวที่ 7", "หัวข้อข่าว 7")
    assert [link.text for link in one.links] == ["ITA 2568", "ถัดไป"]  # the filter kept these
    menus = {id(s.links[0]) for s in summaries.values()}
    assert len(menus) == 1, "one menu link object for the whole site"


def test_without_a_store_pages_stay_whole(tmp_path):
    site = SiteData(BASE, {"agency.test"}, cached_pages=1)
    for n in range(5):
        site.add(FetchInfo(f"{BASE}news/{n}.html", "", 200, "html"), _page(n))
    assert all(site.page(f"{BASE}news/{n}.html") == _page(n) for n in range(5))
