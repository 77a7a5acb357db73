"""Compose one generated agency site for a seed and a rule year, write it, and record its truth.

The seed picks, independently: the agency, the CMS (URL scheme), the OIT layout, the charset,
the traps, and per item a fault, a carrier (page or document kind) and how each link is written.
Everything is drawn from one ``random.Random`` in a fixed order, so a seed gives the same bytes.
"""

from __future__ import annotations

import html
import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from oit_checker.dates import months_due
from oit_checker.generate import charsets, documents, layout, shared, traps
from oit_checker.generate.content import Ctx
from oit_checker.generate.draw import weighted
from oit_checker.generate.items import ItemPlan, plan_item
from oit_checker.generate.placing import place_items
from oit_checker.generate.profile import BE_OFFSET, Profile, make_profile
from oit_checker.generate.shapes import CMS_NAMES, Shape
from oit_checker.generate.truth import SiteTruth
from oit_checker.generate.writer import SiteWriter
from oit_checker.rules import RuleSet

CMS_WEIGHTS = {name: 1 for name in CMS_NAMES}
PRINT_SUFFIX = "&tmpl=component&print=1"


@dataclass
class Build:
    """The state of one site being built."""

    seed: int
    rules: RuleSet
    rng: random.Random
    profile: Profile
    shape: Shape
    layout: str
    charset: str
    writer: SiteWriter
    menu: list[tuple[str, str]] = field(default_factory=list)
    dropdowns: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)
    counter: int = 0
    site_tags: list[str] = field(default_factory=list)
    trap_links: list[str] = field(default_factory=list)
    pending: list[tuple[str, str, str]] = field(default_factory=list)  # path, title, body
    used: set[str] = field(default_factory=set)
    group_paths: dict[str, str] = field(default_factory=dict)  # gsites: sub-indicator -> page

    def next(self) -> int:
        self.counter += 1
        return self.counter

    def unique(self, path: str) -> str:
        """A path no other resource has: a slug taken twice gets "-2", as WordPress does."""
        candidate, n = path, 1
        while candidate in self.used:
            n += 1
            stem, dot, ext = path.rpartition(".")
            if path.endswith("/"):
                candidate = f"{path[:-1]}-{n}/"
            elif dot and "/" not in ext and "?" not in path:
                candidate = f"{stem}-{n}.{ext}"
            else:
                candidate = f"{path}&n={n}" if "?" in path else f"{path}-{n}"
        self.used.add(candidate)
        return candidate

    def page_html(self, title: str, body: str) -> str:
        menu = "".join(
            f'<li><a href="{html.escape(h)}">{html.escape(t)}</a></li>' for h, t in self.menu
        )
        for group, entries in self.dropdowns:
            inner = "".join(f"<li>{a}</li>" for _, a in entries)
            menu += f'<li class="dropdown"><a href="#">{html.escape(group)}</a><ul class="dropdown-menu">{inner}</ul></li>'
        return (
            f'<!DOCTYPE html>\n<html lang="th"><head>{charsets.head_meta(self.charset)}'
            f"<title>{html.escape(title)} - {html.escape(self.profile.name)}</title></head><body>"
            f'<header><h1 class="site-name">{html.escape(self.profile.name)}</h1>'
            f'<nav><ul class="menu">{menu}</ul></nav></header>'
            f"<main><h1>{html.escape(title)}</h1>\n{body}\n</main>"
            f"<footer>{' '.join(self.trap_links)} สงวนลิขสิทธิ์ {html.escape(self.profile.name)}"
            "</footer></body></html>\n"
        )

    def write_page(self, path: str, title: str, body: str) -> None:
        """Queue a page: pages are written last, when the menu and footer are known."""
        self.pending.append((path, title, body))

    def flush(self) -> None:
        printable = "trap:print" in self.site_tags
        for path, title, body in self.pending:
            if printable and "?" in path:
                print_path = path + PRINT_SUFFIX
                body += f'<p><a href="{html.escape(print_path)}">พิมพ์</a></p>'
                data, ctype, headers = charsets.encode(self.page_html(title, body), self.charset)
                self.writer.add(print_path, data, ctype, headers)
            data, ctype, headers = charsets.encode(self.page_html(title, body), self.charset)
            self.writer.add(path, data, ctype, headers)
        self.pending.clear()


def _start(seed: int, rules: RuleSet, out: Path) -> Build:
    rng = random.Random(f"oit-generate:{seed}:{rules.year}")
    profile = make_profile(rng, rules.year)
    cms = weighted(rng, CMS_WEIGHTS)
    shape = Shape(cms, profile.year - BE_OFFSET - 1, cms in ("oldphp", "ewt") or rng.random() < 0.1)
    if out.exists():
        shutil.rmtree(out)
    (out / "site").mkdir(parents=True)
    build = Build(
        seed, rules, rng, profile, shape, weighted(rng, layout.LAYOUTS),
        weighted(rng, charsets.CHARSETS), SiteWriter(out / "site"),
    )  # fmt: skip
    build.site_tags = [f"cms:{cms}", f"layout:{build.layout}", f"charset:{build.charset}"]
    if shape.redirect_docs:
        build.site_tags.append("docs:redirector")
    return build


def _photos(build: Build) -> list[str]:
    paths = []
    for i in range(3):
        path = build.shape.file(900 + i, f"executive-{i + 1}", "png")
        build.writer.add(path, documents.portrait_png(i * 37), "image/png")
        paths.append(path)
    return paths


def generate_site(
    seed: int,
    rules: RuleSet,
    out: Path,
    force: dict[str, str] | None = None,
    shared_share: float = 0.0,
) -> SiteTruth:
    """Write the site of ``seed`` for the year of ``rules`` under ``out/site`` and return (and
    save as ``out/truth.json``) its truth. ``force`` maps item ids to a fault (items.plan_item);
    with probability ``shared_share`` the site also lists documents other agencies publish byte
    for byte (shared.py; 0, the default, leaves every seed's site as it was)."""
    build = _start(seed, rules, out)
    profile, rng = build.profile, build.rng
    ctx = Ctx(
        profile, profile.year, rng, _photos(build), {}, months_due(profile.year, profile.as_of)
    )
    ctx.thai_digits = rng.random() < 0.15
    scans_left = 1 if rng.random() < 0.35 else 0
    plans: list[ItemPlan] = []
    for item in rules.items:
        forced = (force or {}).get(item.id, "")
        plan = plan_item(item, profile, rng, ctx, allow_scan=scans_left > 0, force=forced)
        scans_left -= sum(d.kind == "pdf_scanned" for d in plan.docs)
        plans.append(plan)
    traps.add_traps(build)
    truths = place_items(build, plans, ctx)
    _home(build)
    shared.add_shared(build, shared_share)
    _viewer(build)
    build.flush()
    build.writer.finish()
    truth = SiteTruth(
        seed=seed, year=profile.year, as_of=profile.as_of.isoformat(), agency=profile.name,
        mechanisms=sorted(set(build.site_tags)), items=truths,
    )  # fmt: skip
    truth.save(out / "truth.json")
    return truth


GENERIC_PAGES = (
    (
        "ประวัติความเป็นมา",
        "history",
        "ตั้งอยู่ริมลำน้ำ ชาวบ้านอพยพมาจากหลายถิ่นฐานเมื่อกว่าร้อยปีก่อน ประกอบอาชีพทำนาและเลี้ยงสัตว์",
    ),
    ("สถานที่ท่องเที่ยว", "travel", "วัดเก่าแก่ประจำตำบล ตลาดน้ำยามเช้า และจุดชมวิวทุ่งนายามเย็น"),
    ("ผลิตภัณฑ์ OTOP", "otop", "ผ้าทอมือลายดั้งเดิม ข้าวหอมมะลิอินทรีย์ และเครื่องจักสานไม้ไผ่"),
)


def _home(build: Build) -> None:
    """The home page and a few pages no item is about (menus of real sites hold many)."""
    name = html.escape(build.profile.name)
    entries = []
    for title, section, text in GENERIC_PAGES:
        if build.rng.random() < 0.7:
            path = build.unique(build.shape.page(build.next(), title, section))
            build.write_page(path, title, f"<p>{name} {html.escape(text)}</p>")
            entries.append((path, title))
    build.menu[1:1] = entries
    news = "".join(
        f"<li>{html.escape(t)}</li>" for t in ("ประชาสัมพันธ์การชำระภาษี", "กิจกรรมวันเด็กแห่งชาติ")
    )
    body = f"<p>ยินดีต้อนรับสู่เว็บไซต์{name}</p><ul>{news}</ul>"
    build.write_page("/", build.profile.name, body)


VIEWER = (
    "<div id=\"viewer\"></div><script>var f=new URLSearchParams(location.search).get('file');"
    "document.getElementById('viewer').innerHTML='<embed src=\"'+f+'\" width=\"100%\" height=\"800\">'"
    ";</script>"
)


def _viewer(build: Build) -> None:
    """The site's PDF viewer page (pdf.js style), which iframes pass ``?file=`` to."""
    if any("/pdfjs/web/viewer.html" in body for _, _, body in build.pending):
        build.writer.add("/pdfjs/web/viewer.html", VIEWER.encode(), "text/html")
