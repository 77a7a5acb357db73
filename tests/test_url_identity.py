"""One identity per URL (issue 12): however a site writes a link, the page it names is fetched
once, judged, and shown to people in Thai.

Real Thai sites write links with raw Thai (WordPress Thai slugs, Thai file names under
/wp-content/uploads/), with spaces, percent-encoded in either case, relative, and with "&amp;"
and session ids in the query. The end-to-end test rewrites the WordPress fixture site that way
(files renamed to names with spaces too) and audits it over loopback HTTP: every verdict must
still match the fixture's truth, and no candidate may be called "not opened" when the crawl
fetched it.
"""

from __future__ import annotations

import itertools
import json
import posixpath
import re
import shutil
import subprocess
import sys
import tomllib
from html import escape
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import pytest

from oit_checker.check.site import FetchInfo, SiteData
from oit_checker.evaluate import evaluate_fixture
from oit_checker.extract.html import parse_html
from oit_checker.history import run_result
from oit_checker.output.html import render_html
from oit_checker.output.sheet import sheet_rows
from oit_checker.store import Store
from oit_checker.urls import display_url, normalize_url, strip_credentials

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
OIT = str(Path(sys.executable).with_name("oit"))
NOT_OPENED = "ยังไม่ได้เปิด"
SESSION = "PHPSESSID=0123456789abcdef0123"
HREF_RE = re.compile(r'href="([^"]*)"')

# ---------------------------------------------------------------------------------------------
# The identity and display functions


SLUG = "/เกี่ยวกับ-สทร/โครงสร้างองค์กร"
SLUG_ENCODED = quote(SLUG)


@pytest.mark.parametrize(
    "spelling",
    [
        f"http://www.rtrda.or.th{SLUG}",
        f"http://www.rtrda.or.th{SLUG_ENCODED}",
        f"http://www.rtrda.or.th{SLUG_ENCODED.lower()}",
        f"HTTP://WWW.RTRDA.OR.TH:80{SLUG}#content",
        f"http://www.rtrda.or.th/เกี่ยวกับ-สทร/./x/..{SLUG[len('/เกี่ยวกับ-สทร') :]}",
        f"  http://user:secret@www.rtrda.or.th{SLUG}\n",
    ],
)
def test_every_spelling_of_a_thai_slug_is_one_url(spelling: str) -> None:
    assert normalize_url(spelling) == f"http://www.rtrda.or.th{SLUG_ENCODED}"


def test_spaces_ampersands_sessions_and_idna_hosts() -> None:
    assert normalize_url("http://x.go.th/2.Organizational structure.php") == (
        "http://x.go.th/2.Organizational%20structure.php"
    )
    # An "&amp;" escaped twice over in the HTML reaches the URL as "&amp;": it means "&".
    assert normalize_url("http://x.go.th/index.php?option=com_content&amp;id=5") == (
        "http://x.go.th/index.php?option=com_content&id=5"
    )
    assert normalize_url("http://x.go.th/a.php?id=5&PHPSESSID=0123456789abcdef0123") == (
        "http://x.go.th/a.php?id=5"
    )
    assert normalize_url("http://x.go.th/?b=2&a=1") == "http://x.go.th/?b=2&a=1"  # order kept
    assert normalize_url("http://ทดสอบ.ไทย/") == "http://xn--l3cfk7dp.xn--o3cw4h/"
    assert (
        normalize_url("http://x.go.th/upload\\ITA\\2567.pdf")
        == "http://x.go.th/upload/ITA/2567.pdf"
    )


def test_people_read_thai_and_what_they_read_opens_the_same_page() -> None:
    url = normalize_url("http://ทดสอบ.ไทย/wp-content/uploads/2568/รายงาน ผล.pdf?ปี=2568")
    shown = display_url(url)
    assert shown == "http://ทดสอบ.ไทย/wp-content/uploads/2568/รายงาน%20ผล.pdf?ปี=2568"
    assert normalize_url(shown) == url
    # Invisible and control characters are never decoded into what a person reads.
    assert display_url("http://x.go.th/a%E2%80%AEb%00") == "http://x.go.th/a%E2%80%AEb%00"
    assert display_url("http://u:pw@x.go.th/") == "http://x.go.th/"
    assert strip_credentials("https://u:pw@x.go.th:8443/a?b=1") == "https://x.go.th:8443/a?b=1"


def test_links_written_every_way_reach_the_page_the_crawler_fetched() -> None:
    page_url = "http://x.go.th/ita/index.php"
    target = normalize_url(f"http://x.go.th{SLUG}")
    hrefs = [SLUG, SLUG_ENCODED, SLUG_ENCODED.lower(), f"..{SLUG}", f"http://www.x.go.th{SLUG}"]
    html = "".join(
        f'<p><a href="{escape(h)}">โครงสร้างองค์กร {n}</a></p>' for n, h in enumerate(hrefs)
    )
    page = parse_html(f"<html><body>{html}</body></html>", page_url)
    assert [link.url for link in page.links[:4]] == [target] * 4
    site = SiteData(page_url, {"x.go.th"})
    # As the crawler reports it: requested and final URLs in the server's own spelling.
    site.add(
        FetchInfo(SLUG_ENCODED.lower(), f"http://x.go.th{SLUG_ENCODED.lower()}", 200, "html"), None
    )
    for link in page.links[:4]:
        info = site.info(link.url)
        assert info is not None and info.ok


# ---------------------------------------------------------------------------------------------
# End to end: the WordPress fixture with its links respelled


def _renamed_uploads(site: Path) -> dict[str, str]:
    """Every other upload whose name has dashes gets spaces instead ("risk report 2567.pdf");
    returns old → new site paths."""
    renames = {}
    uploads = sorted(p for p in (site / "wp-content" / "uploads").rglob("*") if p.is_file())
    for n, path in enumerate(p for p in uploads if "-" in p.stem):
        if n % 2:
            continue
        new = path.with_name(path.stem.replace("-", " ") + path.suffix)
        path.rename(new)
        renames["/" + path.relative_to(site).as_posix()] = "/" + new.relative_to(site).as_posix()
    return renames


def _page_dirs(site: Path) -> dict[Path, str]:
    """The URL directory each HTML file is served under (routed files live at "/?p=N")."""
    routes = tomllib.loads((site / "routes.toml").read_text(encoding="utf-8")).get("route", [])
    routed = {
        r["file"]: posixpath.dirname(urlsplit(r["path"]).path) or "/" for r in routes if "file" in r
    }
    dirs = {}
    for path in site.rglob("*.html"):
        rel = path.relative_to(site).as_posix()
        dirs[path] = routed.get(rel) or "/" + posixpath.dirname(rel)
    return dirs


def _respell(href: str, directory: str, renames: dict[str, str], turn: int) -> str:
    """One on-site link written the next way: raw Thai and spaces, lower-case escapes,
    upper-case escapes, relative, or with a session id after "&amp;"."""
    if not href.startswith("/") or href.startswith("//"):
        return escape(href)
    path, _, query = unquote(href).partition("?")
    path = renames.get(path, path)
    query = f"?{query}" if query else ""
    way = turn % 5
    if way == 0:
        spelled = path + query
    elif way in (1, 2):
        encoded = quote(path) + quote(query, safe="?=&")
        spelled = (
            re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), encoded) if way == 1 else encoded
        )
    elif way == 3:
        relative = posixpath.relpath(path, directory.rstrip("/") or "/")
        spelled = relative + ("/" if path.endswith("/") and relative != "." else "") + query
    else:
        spelled = path + (f"{query}&{SESSION}" if query else "#top")
    return escape(spelled)  # "&" is written "&amp;" in the attribute, as it should be


def _respelled_wordpress(dest: Path) -> Path:
    shutil.copytree(FIXTURES / "wordpress", dest)
    site = dest / "site"
    renames = _renamed_uploads(site)
    turns = itertools.count()
    for path, directory in _page_dirs(site).items():
        text = path.read_text(encoding="utf-8")
        parts = HREF_RE.split(text)  # text, href, text, href, ..., text
        for n in range(1, len(parts), 2):
            parts[n] = f'href="{_respell(parts[n], directory, renames, next(turns))}"'
        text = "".join(parts)
        path.write_text(text, encoding="utf-8")
    expected = dest / "expected.toml"
    text = expected.read_text(encoding="utf-8")
    for old, new in renames.items():
        text = text.replace(quote(old), new).replace(old, new)
    expected.write_text(text, encoding="utf-8")
    return dest


def test_respelled_links_are_fetched_judged_and_shown_in_thai(tmp_path: Path) -> None:
    folder = _respelled_wordpress(tmp_path / "wordpress")
    db = tmp_path / "oit.db"
    ev, data = evaluate_fixture(folder, db)
    assert ev.disagreements == [], ev.disagreements
    store = Store(db)
    fetched = set()
    for row in store.resources(data["run_id"]):
        fetched.update(normalize_url(u) for u in (row["url"], row["final_url"]) if u)
    for item in store.items(data["run_id"]):
        for cand in json.loads(item["candidates"] or "[]"):
            if NOT_OPENED in cand["reason"]:
                assert normalize_url(cand["url"]) not in fetched, (item["item_id"], cand)
        urls = [c["url"] for c in json.loads(item["candidates"] or "[]") if c["url"]]
        assert len(urls) == len({normalize_url(u) for u in urls}), item["item_id"]
    reasons = " ".join(item["reason"] for item in data["items"])
    assert "/ข่าวประชาสัมพันธ์/" in reasons
    assert "%E0" not in reasons.upper()
    _people_read_thai_and_the_sheet_gets_urls_that_open(db, data)


def _people_read_thai_and_the_sheet_gets_urls_that_open(db: Path, data: dict) -> None:
    explain = subprocess.run(
        [OIT, "explain", "O4", "--db", str(db)], capture_output=True, text=True, timeout=120
    )
    assert explain.returncode == 0, explain.stderr
    shown = re.findall(r"^\d+\. \w+ (\S+)", explain.stdout, re.M)
    assert "/ข่าวประชาสัมพันธ์/" in explain.stdout and "%E0" not in explain.stdout.upper()
    assert shown and len(shown) == len(set(shown)), explain.stdout  # each page once
    html = render_html(run_result(Store(db), data["run_id"]))
    assert "/ข่าวประชาสัมพันธ์/" in html
    rows = [r for r in sheet_rows(data) if r["url"]]
    assert rows
    for row in rows:  # pasted into ITAS: all ASCII, the same page the audit judged
        assert row["url"].isascii() and normalize_url(row["url"]) == row["url"], row


# ---------------------------------------------------------------------------------------------
# Honest outcomes: "not opened" only for what was not fetched, saying what stopped it

HOME = """<html><head><title>อบต.ทดสอบ</title></head><body><main><h1>อบต.ทดสอบ</h1><ul>
<li><a href="/docs/โครงสร้าง.html">โครงสร้างและอำนาจหน้าที่</a></li>
<li><a href="/ผู้บริหาร/ลบแล้ว.html">ข้อมูลผู้บริหาร</a></li>
<li><a href="/ติดต่อ เรา.html">ข้อมูลการติดต่อ</a></li>
<li><a href="/%e0%b9%81%e0%b8%9c%e0%b8%99/plan.html">แผนยุทธศาสตร์หรือแผนพัฒนาหน่วยงาน</a></li>
<li><a href="/report.html?y=2568&amp;PHPSESSID=0123456789abcdef0123">รายงานผลการดำเนินงานประจำปี</a></li>
</ul></main></body></html>"""
CONTACT = """<html><head><title>ข้อมูลการติดต่อ</title></head><body><main><h1>ข้อมูลการติดต่อ</h1>
<p>ที่อยู่ 99 หมู่ 1 ตำบลทดสอบ อำเภอเมือง จังหวัดขอนแก่น 40000 โทรศัพท์ 043-000-000</p>
</main></body></html>"""


def _small_site(root: Path) -> Path:
    pages = {
        "index.html": HOME,
        "robots.txt": "User-agent: *\nDisallow: /docs/\n",
        "docs/โครงสร้าง.html": CONTACT.replace("ข้อมูลการติดต่อ", "โครงสร้าง"),
        "ติดต่อ เรา.html": CONTACT,
        "แผน/plan.html": CONTACT.replace("ข้อมูลการติดต่อ", "แผนพัฒนาท้องถิ่น"),
        "report.html": CONTACT.replace("ข้อมูลการติดต่อ", "รายงานผลการดำเนินงาน"),
    }
    for name, text in pages.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def _audit_small_site(tmp_path: Path, max_pages: int) -> dict[str, str]:
    import asyncio

    from oit_checker.audit import AuditOptions, audit
    from oit_checker.crawl import CrawlOptions
    from oit_checker.rules import load_year
    from oit_checker.serve import SiteServer

    options = AuditOptions(crawl=CrawlOptions(max_pages=max_pages, render="never"))
    with SiteServer(_small_site(tmp_path / "site")) as server:
        result = asyncio.run(
            audit(server.url, load_year(2568), Store(tmp_path / "oit.db"), options)
        )
    return {item.id: item.reason for item in result.items}


def test_not_opened_says_which_rule_stopped_it_and_fetched_links_are_judged(tmp_path: Path) -> None:
    reasons = _audit_small_site(tmp_path, max_pages=50)
    assert "robots.txt ห้ามเปิด /docs/" in reasons["O1"]
    assert "/docs/โครงสร้าง.html" in reasons["O1"]  # shown in Thai
    assert "HTTP 404" in reasons["O2"] and NOT_OPENED not in reasons["O2"]
    for item_id in ("O3", "O5", "O7"):  # a space, lower-case escapes, &amp; + session id
        assert NOT_OPENED not in reasons[item_id], reasons[item_id]
        assert "เปิดไม่ได้" not in reasons[item_id], reasons[item_id]
    assert "/ติดต่อ%20เรา.html" in reasons["O3"]


def test_not_opened_for_the_page_budget_names_the_budget(tmp_path: Path) -> None:
    reasons = _audit_small_site(tmp_path, max_pages=2)
    unopened = [r for r in reasons.values() if NOT_OPENED in r and "robots.txt" not in r]
    assert len(unopened) >= 2, reasons
    for reason in unopened:
        assert "max-pages 2 reached after" in reason and "--max-pages" in reason, reason
