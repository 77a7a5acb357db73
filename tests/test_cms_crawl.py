"""Query-routed CMSs are content, not traps (issue 12 part 2), against real loopback sites.

Each site routes every page through one path, as real Thai agency CMSs do (real-sites.md 4.1):
Joomla ``index.php?option=com_content&view=article&id=N``, WordPress without permalinks
``/?p=N``, Drupal ``?q=node/N``, ASP.NET ``NewsRead.aspx?ID=N`` and PHP download redirectors
``download.php?id=N`` / ``ewt_dl_link.php?nid=N``. Each has 45 content pages (beyond the old cap
of 30 query variants per path) behind a paged list, links written ``&amp;``-escaped and with
session ids, printer duplicates, and beside them an endless calendar and a faceted search. The
crawl must fetch every content page, fold the duplicates, stay out of the traps (counted by the
server), and finish within --max-pages.
"""

from __future__ import annotations

import asyncio
import html
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pymupdf
import pytest

from oit_checker.audit import AuditOptions, audit
from oit_checker.crawl import Crawler, CrawlOptions, CrawlStats
from oit_checker.crawl.traps import TrapPolicy, TrapRules, default_trap_rules, query_shape
from oit_checker.dates import parse_as_of
from oit_checker.extract.html import parse_html
from oit_checker.fetch import FetchOptions
from oit_checker.models import Fetched, Link
from oit_checker.rules import RuleError, load_year
from oit_checker.serve import SiteServer
from oit_checker.store import Store

ROOT = Path(__file__).resolve().parent.parent
FAST = FetchOptions(timeout=2.0, total_timeout=4.0, retries=1, backoff=0.05)
ARTICLES = 45  # content pages per site: the old per-path cap was 30 query variants
PER_LIST_PAGE = 10
SESSION = "PHPSESSID=9f8e7d6c5b4a39281706f5e4d3c2b1a0"
THAI_MONTHS = [
    "มกราคม",
    "กุมภาพันธ์",
    "มีนาคม",
    "เมษายน",
    "พฤษภาคม",
    "มิถุนายน",
    "กรกฎาคม",
    "สิงหาคม",
    "กันยายน",
    "ตุลาคม",
    "พฤศจิกายน",
    "ธันวาคม",
]
CALENDAR_MONTHS = 240  # twenty years of next-month links: endless for a crawler
SORTS = ("date", "title", "hits", "author")
FILTERS = ("a", "b", "c", "d", "e", "f")
MAX_PAGES = 150


@dataclass(frozen=True)
class Shape:
    """How one CMS family writes its URLs (path and query, before HTML escaping)."""

    name: str
    article: Callable[[int], str]
    listing: Callable[[int], str]  # page k (0-based) of the paged article list
    printer: Callable[[int], str] | None = None  # printer duplicate of an article
    documents: bool = False  # articles are download redirects to PDFs


def _joomla(n: int) -> str:
    return f"/index.php?option=com_content&view=article&id={n}&Itemid=101"


SHAPES = [
    Shape(
        "joomla",
        _joomla,
        lambda k: (
            f"/index.php?option=com_content&view=category&id=9&Itemid=101&limitstart={k * 10}"
        ),
        lambda n: _joomla(n) + "&tmpl=component&print=1&layout=default&page=",
    ),
    Shape(
        "wordpress",
        lambda n: f"/?p={n}",
        lambda k: f"/?cat=3&paged={k + 1}",
        lambda n: f"/?p={n}&print=1",
    ),
    Shape("drupal", lambda n: f"/?q=node/{n}", lambda k: f"/?q=news&page={k}"),
    Shape("aspnet", lambda n: f"/NewsRead.aspx?ID={n}", lambda k: f"/NewsList.aspx?page={k + 1}"),
    Shape(
        "downloads",
        lambda n: f"/download.php?id={n}" if n % 2 else f"/ewt_dl_link.php?nid={n}",
        lambda k: f"/ewt_news.php?cid=7&page={k + 1}",
        documents=True,
    ),
]


def href(url: str, n: int = 0) -> str:
    """As a CMS writes it: a session id on every other link, ``&`` escaped as ``&amp;``."""
    if n % 2:
        url += ("&" if "?" in url else "?") + SESSION
        if url.startswith("/NewsRead.aspx"):  # ASP.NET cookieless session segment too
            url = "/(S(u0klj4iqli35g4w3fgb24ksl))" + url
    return html.escape(url, quote=True)


def page(title: str, body: str = "", links: list[tuple[str, str]] = ()) -> str:
    anchors = "".join(f'<li><a href="{url}">{text}</a></li>' for url, text in links)
    return (
        f'<!DOCTYPE html><html lang="th"><head><meta charset="utf-8"><title>{title}</title>'
        f"</head><body><h1>{title}</h1>{body}<ul>{anchors}</ul></body></html>"
    )


class SiteBuilder:
    """Files plus routes.toml for serve.py: every query URL routed to its own file."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.routes: list[str] = []

    def add(self, url: str, content: str | bytes, name: str = "") -> None:
        name = name or f"r/{len(self.routes)}.html"
        target = self.root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
        if url != "/" + name:
            self.routes.append(f"[[route]]\npath = {_toml(url)}\nfile = {_toml(name)}\n")

    def redirect(self, url: str, target: str) -> None:
        self.routes.append(f"[[route]]\npath = {_toml(url)}\nredirect = {_toml(target)}\n")

    def finish(self) -> None:
        (self.root / "routes.toml").write_text("\n".join(self.routes), encoding="utf-8")


def _toml(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def calendar_url(month: int) -> str:
    """Month ``month`` counted from มกราคม 2567."""
    return f"/events.php?month={month % 12 + 1}&year={2567 + month // 12}"


def add_calendar(site: SiteBuilder, next_year_links: bool = True) -> None:
    """An events calendar whose every month links the next and previous month (and the same
    month next year): nothing but dates, for twenty years."""
    for month in range(CALENDAR_MONTHS):
        links = [(href(calendar_url(month + 1)), "เดือนถัดไป »")]
        if month:
            links.append((href(calendar_url(month - 1)), "« เดือนก่อน"))
        if next_year_links and month + 12 < CALENDAR_MONTHS:
            links.append((href(calendar_url(month + 12)), "ปีถัดไป"))
        days = "".join(f"<td>{d}</td>" for d in range(1, 31))
        name = f"{THAI_MONTHS[month % 12]} {2567 + month // 12}"
        site.add(
            calendar_url(month),
            page(f"ปฏิทินกิจกรรม {name}", f"<table><tr>{days}</tr></table>", links),
        )


def add_faceted_search(site: SiteBuilder, shape: Shape) -> None:
    """Search results in every sort order, filter and page: the same ten articles each time."""
    results = [(href(shape.article(n), n), f"บทความที่ {n}") for n in range(1, 11)]
    for sort in SORTS:
        for letter in FILTERS:
            for number in (1, 2, 3):
                facets = [
                    (href(f"/search.php?sort={s}&filter={f}&page=1"), f"{s} {f}")
                    for s in SORTS
                    for f in FILTERS
                ]
                facets.append(
                    (href(f"/search.php?sort={sort}&filter={letter}&page={number % 3 + 1}"), "ถัดไป")
                )
                url = f"/search.php?sort={sort}&filter={letter}&page={number}"
                site.add(url, page("ผลการค้นหา", "", results + facets))


def pdf_bytes(text: str) -> bytes:
    with pymupdf.open() as doc:
        doc.new_page().insert_text((72, 72), text)
        return doc.tobytes()


def build_site(root: Path, shape: Shape) -> None:
    site = SiteBuilder(root)
    pages = (ARTICLES + PER_LIST_PAGE - 1) // PER_LIST_PAGE
    pager = [(href(shape.listing(k), k), f"หน้า {k + 1}") for k in range(pages)]
    for k in range(pages):
        numbers = range(k * PER_LIST_PAGE + 1, min(ARTICLES, (k + 1) * PER_LIST_PAGE) + 1)
        items = [(href(shape.article(n), n), f"บทความที่ {n}") for n in numbers]
        site.add(shape.listing(k), page(f"รายการ หน้า {k + 1}", "", items + pager))
    for n in range(1, ARTICLES + 1):
        if shape.documents:
            site.add(f"/files/doc{n}.pdf", pdf_bytes(f"document {n}"), name=f"files/doc{n}.pdf")
            site.redirect(shape.article(n), f"/files/doc{n}.pdf")
            continue
        links = [(href(shape.listing(0)), "กลับ")]
        if shape.printer:
            links.append((href(shape.printer(n), n), "พิมพ์"))
        body = f"<p>เนื้อหาบทความที่ {n} EVIDENCE-{n}</p>"
        site.add(shape.article(n), page(f"บทความที่ {n}", body, links))
    add_calendar(site)
    add_faceted_search(site, shape)
    menu = [
        (href(shape.listing(0)), "ข่าวและบทความ"),
        (href(calendar_url(0)), "ปฏิทินกิจกรรม"),
        (href("/search.php?sort=date&filter=a&page=1"), "ค้นหา"),
    ]
    site.add("/", page("หน้าหลัก", "", menu), name="index.html")
    site.finish()


def links_of(fetched: Fetched) -> list[Link]:
    """Links as the audit reads them: ``&amp;`` unescaped, relative ones resolved."""
    readable = fetched.kind == "html" and fetched.text
    return parse_html(fetched.text, fetched.final_url or fetched.url).links if readable else []


def shallow_first(link: Link, depth: int) -> float:
    """No link names an item here: content must survive on the trap policy alone."""
    return -float(depth)


def crawl_options(**changes: object) -> CrawlOptions:
    options = CrawlOptions(
        max_pages=MAX_PAGES, max_seconds=60, respect_robots=False, use_sitemap=False, fetch=FAST
    )
    for name, value in changes.items():
        setattr(options, name, value)
    return options


def crawl(
    url: str, priority: Callable[[Link, int], float] = shallow_first, **changes: object
) -> tuple[CrawlStats, list[Fetched]]:
    fetched: list[Fetched] = []
    crawler = Crawler(url, crawl_options(**changes), links_of, priority, fetched.append)
    return asyncio.run(crawler.run()), fetched


def requests(server: SiteServer, prefix: str) -> list[str]:
    return [path for path in server.log.paths() if path.startswith(prefix)]


@pytest.mark.parametrize("shape", SHAPES, ids=lambda shape: shape.name)
def test_every_query_routed_page_is_fetched_and_the_traps_stay_bounded(
    tmp_path: Path, shape: Shape
) -> None:
    build_site(tmp_path, shape)
    with SiteServer(tmp_path) as server:
        stats, fetched = crawl(server.url)
        asked = set(server.log.paths())
        calendar = requests(server, "/events.php")
        search = requests(server, "/search.php")
    missing = [n for n in range(1, ARTICLES + 1) if shape.article(n) not in asked]
    assert missing == [], f"{shape.name}: content pages never fetched: {missing}"
    if shape.documents:
        kinds = {f.final_url.rsplit("/", 1)[-1] for f in fetched if f.kind == "pdf" and f.ok}
        assert kinds == {f"doc{n}.pdf" for n in range(1, ARTICLES + 1)}
    else:
        texts = " ".join(f.text for f in fetched if f.ok)
        assert all(f"EVIDENCE-{n}<" in texts for n in range(1, ARTICLES + 1))
    # Session ids never reach the server; printer copies are folded onto their article.
    assert not [path for path in asked if "PHPSESSID" in path or "(S(" in path]
    assert not [path for path in asked if "print=1" in path or "tmpl=component" in path]
    # 240 months and 72 search result pages: a few of each are read, then the walks stop.
    assert 1 <= len(calendar) <= 8, calendar
    assert 1 <= len(search) <= 10, search
    assert stats.skipped.get("trap", 0) >= 1 and stats.skipped.get("duplicate", 0) >= (
        ARTICLES if shape.printer else 0
    )
    assert stats.stopped_by == "" and stats.pages + stats.documents <= MAX_PAGES


def test_a_paged_archive_is_read_to_its_end_while_each_page_brings_new_links(
    tmp_path: Path,
) -> None:
    """Paging is bounded by novelty, not by a count: 30 list pages of new articles are all read,
    and the empty pages past the end stop the walk."""
    site = SiteBuilder(tmp_path)
    for number in range(1, 61):
        articles = (
            [(href(f"/news.php?nid={number * 100 + i}"), f"ข่าว {i}") for i in range(3)]
            if number <= 30
            else []
        )
        nav = [(href(f"/news.php?page={number + 1}"), "ถัดไป")]
        site.add(f"/news.php?page={number}", page(f"ข่าว หน้า {number}", "", articles + nav))
        for i in range(3 if number <= 30 else 0):
            site.add(f"/news.php?nid={number * 100 + i}", page(f"ข่าว {number}-{i}"))
    site.add("/", page("หน้าหลัก", "", [(href("/news.php?page=1"), "ข่าว")]), name="index.html")
    site.finish()
    with SiteServer(tmp_path) as server:
        stats, _ = crawl(server.url, max_pages=400, max_depth=100)
        pager = requests(server, "/news.php?page=")
        articles = requests(server, "/news.php?nid=")
    assert len(articles) == 90
    assert {f"/news.php?page={n}" for n in range(1, 31)} <= set(pager)
    assert len(pager) <= 30 + 3 + 4  # past the end: patience (3) plus what was in flight (4)
    assert stats.stopped_by == ""


def test_a_link_that_names_an_item_rescues_a_url_skipped_as_a_trap(tmp_path: Path) -> None:
    """The calendar walk stops and its next links are skipped; a later page that names an item
    links one of them, and that one is fetched (its own next links still are not)."""
    site = SiteBuilder(tmp_path)
    add_calendar(site)
    chain = [f"/chain{n}.html" for n in range(4)]
    for n, url in enumerate(chain[:-1]):
        site.add(url, page(f"หน้า {n}", "", [(chain[n + 1], "ต่อไป")]), name=url.lstrip("/"))
    site.add(
        "/",
        page("หน้าหลัก", "", [(href(calendar_url(0)), "ปฏิทิน"), (chain[0], "ต่อไป")]),
        name="index.html",
    )
    site.finish()

    def priority(link: Link, depth: int) -> float:
        if "แผนการจัดซื้อจัดจ้าง" in link.text:
            return 100.0  # names an item: always fetched
        return -10.0 * depth - (50.0 if "chain" in link.url else 0.0)  # the calendar first

    options = crawl_options(per_host_concurrency=1, max_depth=50)  # one at a time: replayable
    with SiteServer(tmp_path) as server:
        first = Crawler(server.url, options, links_of, priority)
        asyncio.run(first.run())
        walked = requests(server, "/events.php")
        trapped = [u for u, why in first.frontier.skip_reasons.items() if why == "trap"]
        assert trapped and len(walked) <= 8
        # The same crawl again, but the last page of the chain (read after the walk stopped)
        # links a month the walk skipped, with text that names an item.
        skipped = trapped[-1]
        server.log.clear()
        (tmp_path / "chain3.html").write_text(
            page("หน้า 3", "", [(href(skipped), "แผนการจัดซื้อจัดจ้าง ประจำปี")]), encoding="utf-8"
        )
        second = Crawler(server.url, options, links_of, priority)
        asyncio.run(second.run())
        asked = requests(server, "/events.php")
    assert server.url.rstrip("/") + "/" + asked[-1].lstrip("/") == skipped
    assert sorted(asked) == sorted([*walked, asked[-1]])  # the walk itself did not resume
    assert skipped not in second.frontier.skip_reasons


def test_audit_judges_evidence_behind_a_joomla_hub_beyond_the_old_cap(tmp_path: Path) -> None:
    """A Joomla site whose ITA page is its 44th article and whose contact page is another
    query-routed article: the item is judged present from that article."""
    site_root = tmp_path / "site"
    build_site(site_root, SHAPES[0])
    site = SiteBuilder(site_root)
    site.routes = (site_root / "routes.toml").read_text(encoding="utf-8").split("\n\n")
    contact = (ROOT / "fixtures" / "demo" / "site" / "contact.html").read_text(encoding="utf-8")
    contact = contact.replace('href="/', 'href="/demo/')  # its menu must not lead elsewhere
    site.add(_joomla(60), contact)
    hub = page(
        "ITA 2568 การเปิดเผยข้อมูลสาธารณะ (OIT)",
        "<p>การประเมินคุณธรรมและความโปร่งใสในการดำเนินงานของหน่วยงานภาครัฐ ประจำปี 2568</p>",
        [(href(_joomla(60), 1), "O3 ข้อมูลการติดต่อ")],
    )
    site.add(_joomla(44), hub)
    site.finish()
    rules = load_year(2568)
    options = AuditOptions(as_of=parse_as_of("2025-10-15"), crawl=crawl_options(render="never"))
    with SiteServer(site_root) as server:
        result = asyncio.run(audit(server.url, rules, Store(tmp_path / "oit.db"), options))
        asked = set(server.log.paths())
    o3 = next(r for r in result.items if r.id == "O3")
    assert _joomla(44) in asked and _joomla(60) in asked
    assert o3.status == "present", o3.reason
    assert any(_joomla(60) in e.url for e in o3.evidence)


def test_query_parameters_are_classed_by_the_rules_data() -> None:
    rules = default_trap_rules()
    joomla = "http://h/index.php?option=com_content&view=article&id=7&Itemid=101"
    printer = joomla + "&tmpl=component&print=1&layout=default&page="
    assert query_shape(printer, rules).key == joomla  # folded onto its page
    assert query_shape(joomla, rules).browse == ()  # every parameter names content
    calendar = query_shape("http://h/events.php?month=5&year=2567&Itemid=3", rules)
    assert calendar.family == "http://h/events.php?Itemid=3" and calendar.browse == (
        "month",
        "year",
    )
    assert query_shape("http://h/x.php?d=2567-05-01", rules).browse == ("d",)  # a date's shape
    assert query_shape("http://h/NewsRead.aspx?itemID=202405", rules).browse == ()  # an id
    assert query_shape("http://h/index.php?page=about", rules).browse == ()  # not a number
    assert query_shape("http://h/index.php?page=2", rules).browse == ("page",)
    assert query_shape("http://h/?q=news&page=0,2", rules).browse == ("page",)  # Drupal


def test_a_bad_trap_rule_is_refused_with_its_place() -> None:
    with pytest.raises(RuleError, match=r"\[crawl.traps\] patience"):
        TrapRules.from_rules({"traps": {"patience": 0}})
    with pytest.raises(RuleError, match="date_value"):
        TrapRules.from_rules({"traps": {"patience": 3, "date_value": "("}})
    assert TrapRules.from_rules({}) == default_trap_rules()  # no section: the shipped rules


def test_a_walk_of_documents_is_content_and_a_walk_of_errors_is_not(tmp_path: Path) -> None:
    """Annual reports served as ``report.php?year=Y`` (a calendar parameter) are documents, each
    new: all are fetched. Search facets that all answer 404 bring nothing: a few are tried."""
    site = SiteBuilder(tmp_path)
    years = range(2545, 2569)
    for year in years:
        site.add(f"/files/report{year}.pdf", pdf_bytes(f"report {year}"), f"files/report{year}.pdf")
        site.redirect(f"/report.php?year={year}", f"/files/report{year}.pdf")
    facets = [(href(f"/find.php?sort={s}&filter={f}"), f"{s} {f}") for s in SORTS for f in FILTERS]
    reports = [(href(f"/report.php?year={year}"), f"รายงานประจำปี {year}") for year in years]
    site.add("/", page("หน้าหลัก", "", reports + facets), name="index.html")
    site.finish()
    with SiteServer(tmp_path) as server:
        stats, fetched = crawl(server.url)
        facet_requests = requests(server, "/find.php")
    assert {f.final_url.rsplit("/", 1)[-1] for f in fetched if f.kind == "pdf"} == {
        f"report{year}.pdf" for year in years
    }
    assert len(facet_requests) <= 3 + 4  # patience, plus what was in flight
    trapped = {url for url, why in stats.unfetched.items() if why == "trap"}
    assert len(trapped) == len(SORTS) * len(FILTERS) - len(facet_requests)


def test_every_url_left_unfetched_has_its_reason(tmp_path: Path) -> None:
    build_site(tmp_path, SHAPES[0])
    with SiteServer(tmp_path) as server:
        stats, _ = crawl(server.url, max_pages=20)
        asked = {server.url.rstrip("/") + path for path in server.log.paths()}
    reasons = set(stats.unfetched.values())
    assert stats.stopped_by == "max_pages" and {"budget", "duplicate"} <= reasons
    assert not asked & set(stats.unfetched)  # a fetched URL is never called unfetched
    assert sum(stats.skipped[why] for why in reasons) == len(stats.unfetched)


def test_a_sort_order_that_stopped_in_three_lists_stops_sooner_in_the_next() -> None:
    """Sorting 40 categories of one path costs 3 pages for each of the first three and 1 for
    each after: the walk learns that the parameter brings nothing on this path."""
    policy = TrapPolicy(default_trap_rules())

    def pages_until_closed(category: int) -> int:
        for fetched in range(1, 10):
            url = f"http://h/index.php?cat={category}&sort=s{fetched}"
            policy.learn(policy.shape(url), 0, "<p>1 2 3</p>")
            if policy.closed(policy.shape(f"http://h/index.php?cat={category}&sort=next")):
                return fetched
        return 0

    assert [pages_until_closed(c) for c in range(1, 6)] == [3, 3, 3, 1, 1]
    # A list whose sort pages bring new links is walked on, whatever the others did.
    shape = policy.shape("http://h/index.php?cat=99&sort=title")
    for _ in range(5):
        policy.learn(shape, 4, "")
    assert not policy.closed(shape)
