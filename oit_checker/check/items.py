"""Decide each item: find candidates, open each as an assessor would, keep the best verdict.

present   — a candidate on the main site with every component and the right period.
uncertain — the best remaining candidate could not be judged: off the main site, unreachable
            for now, behind a login, JavaScript-only, or without any stated year.
absent    — nothing names the item, or every candidate lacks a component, is for the wrong
            year, or does not open. The reason names the best candidate and what it lacks.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import unquote, urlsplit

from oit_checker.bounds import cut_reason
from oit_checker.check.helpers import HELPERS, Bundle, HelperContext
from oit_checker.check.images import ImagePages
from oit_checker.check.naming import ItemNamer, Naming
from oit_checker.check.oit_page import OitPages, row_bundle
from oit_checker.check.own_words import OwnWords, masked
from oit_checker.check.period import (
    HEAD_CHARS,
    PeriodVerdict,
    YearSignal,
    about,
    judge,
    of_items_kind,
    signals_from,
)
from oit_checker.check.site import SiteData
from oit_checker.extract.html import DEAD_FORM_NOTE
from oit_checker.models import Evidence, ItemResult, Link, Page
from oit_checker.rules import Component, Item, RuleError, RuleSet
from oit_checker.thai import lost_tone_marks, normalize, skeleton
from oit_checker.urls import decoded_path, display_url

# How a candidate ends, best first; the item takes the best outcome of its candidates.
OUTCOME_RANK = {"pass": 0, "uncertain": 1, "fail": 2, "broken": 3, "placeholder": 4}
EXCERPT_CHARS = 160
EMBED_PAGE_CHARS = 200  # a page this short around an off-site iframe is just a frame for it
NOT_JUDGED = "not judged"  # a candidate ranked after one that passed
# Namings that may confirm an item but never make it doubtful (an unopened admin link under
# "บุคลากร", a row named only by its number).
WEAK_NAMINGS = ("label", "number")
HUB_MIN_FIT = 0.3  # share of a link's naming text that is an item name, for a hub row


@dataclass
class Candidate:
    url: str
    via: str = ""  # page whose link named the item
    link: Link | None = None
    naming: str = ""  # text | context | label | title
    fit: float = 0.0  # share of the naming text that is the item's name
    outcome: str = ""
    reason: str = ""
    found: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    period: PeriodVerdict | None = None
    oit_row: bool = False  # a row of the agency's own OIT page (check/oit_page.py)
    row_links: list[Link] = field(default_factory=list)  # the row's other links, judged with it

    def as_dict(self) -> dict:
        return {
            "url": self.url,
            "via": self.via,
            "named_by": self.naming,
            "outcome": self.outcome or NOT_JUDGED,
            "reason": self.reason,
            "found": self.found,
            "missing": self.missing,
        }


def validate_helpers(rules: RuleSet) -> None:
    for item in rules.items:
        for comp in item.components:
            if comp.helper and comp.helper not in HELPERS:
                known = ", ".join(sorted(HELPERS))
                raise RuleError(
                    f"{rules.path} item {item.id} component {comp.name!r}: field 'helper': "
                    f"unknown helper {comp.helper!r} (known: {known})"
                )


class ItemChecker:
    def __init__(
        self,
        rules: RuleSet,
        site: SiteData,
        fiscal_year: int,
        as_of: dt.date,
        namer: ItemNamer | None = None,
    ) -> None:
        validate_helpers(rules)
        self.rules = rules
        # Off-site maps and video players frame no document (rules/common.toml media_embed).
        self._media_embed = re.compile(rules.patterns.get("media_embed", "(?!)"), re.I)
        self.site = site
        self.fy = fiscal_year
        self.namer = namer or ItemNamer(rules)
        self.own = OwnWords(rules)
        self.helper_ctx = HelperContext(rules, fiscal_year, as_of)
        self.hub_min = int(rules.thresholds.get("hub_min_items", 5))
        self.sample = re.compile(rules.patterns["sample"]) if rules.patterns.get("sample") else None
        self.offsite_min_fit = float(rules.thresholds.get("offsite_min_fit", 0.3))
        self.ocr_digits = str(rules.thresholds.get("ocr_thai_digits", ""))
        self._named_links = self._index_links()
        self._titled = self._index_titles()
        self._hubs = self._find_hubs()
        self._oit = OitPages(rules, self.namer, site, self._hubs)
        self.images = ImagePages(rules)
        self._signal_cache: dict[str, list[YearSignal]] = {}  # by page URL
        # Pages whose static HTML is an app shell and that were not rendered: what they would
        # show is unknown, so nothing can be called absent on their account.
        self._js_shells = [s.url for s in site.html_summaries() if s.needs_js]

    # ---- candidates -------------------------------------------------------------------------
    def _index_links(self) -> dict[str, list[tuple[str, Link, Naming]]]:
        by_item: dict[str, list[tuple[str, Link, Naming]]] = {}
        for summary in self.site.html_summaries():
            for link in summary.links:
                for naming in self.namer.name_link(link):
                    by_item.setdefault(naming.item_id, []).append((summary.url, link, naming))
        return by_item

    def _index_titles(self) -> dict[str, list[tuple[str, list[str]]]]:
        """Pages whose title or first heading names an item: (url, those texts) by item."""
        by_item: dict[str, list[tuple[str, list[str]]]] = {}
        for summary in self.site.unique_summaries():
            heads = [h for h in (summary.title, summary.heading) if h]
            for item_id in {i for h in heads for i in self.namer.names_in(h)}:
                by_item.setdefault(item_id, []).append((summary.url, heads))
        return by_item

    def _find_hubs(self) -> set[str]:
        count: dict[str, set[str]] = {}
        for item_id, rows in self._named_links.items():
            for src, link, naming in rows:
                # Every page repeats the menu, and a news list names items only in passing
                # (low fit); a hub's rows are the items' names.
                if not link.chrome and self.namer.fit_text(naming.alias) >= HUB_MIN_FIT:
                    count.setdefault(src, set()).add(item_id)
        return {src for src, ids in count.items() if len(ids) >= self.hub_min}

    def candidates(self, item: Item) -> list[Candidate]:
        out: dict[str, Candidate] = {}
        placeholders = []
        for src, link, naming in self._named_links.get(item.id, []):
            if not link.url and _is_contact_href(link.raw_href):
                continue  # "ติดต่อเรา" on a mailto:/tel: link is a channel, not an empty link
            if not link.url:
                placeholders.append(Candidate(url="", via=src, link=link, naming=naming.source))
                continue
            if not self.site.is_onsite(link.url) and not self._offsite_counts(src, link, naming):
                continue
            fit = self.namer.fit(item, naming.alias)
            known = out.get(link.url)
            if known is None or (_naming_rank(naming.source), -fit) < (
                _naming_rank(known.naming),
                -known.fit,
            ):
                out[link.url] = Candidate(
                    url=link.url, via=src, link=link, naming=naming.source, fit=fit
                )
        for url, heads in self._titled.get(item.id, []):
            fit = max(self.namer.fit(item, h) for h in heads)
            out.setdefault(url, Candidate(url=url, naming="title", fit=fit))
        rows = self._row_candidates(item, out)  # adds the rows named only by their number
        return [*out.values(), *rows, *placeholders]

    def _row_candidates(self, item: Item, out: dict[str, Candidate]) -> list[Candidate]:
        """The agency's OIT page rows: their links rank first, a row of several links is
        judged as one bundle, and a row named only by its number is a weak hint."""
        rows: list[Candidate] = []
        for row in self._oit.rows_of(item.id):
            links = [x for x in row.links if x.url and self.site.is_onsite(x.url)]
            for link in links:
                if link.url in out and out[link.url].via == row.hub:
                    out[link.url].oit_row = row.agrees
            links.sort(key=lambda x: not self._opened(x.url))  # judged by a link that opened
            if len({x.url for x in links}) < 2 or not row.agrees:
                continue
            first, *rest = links
            if any(r.url == first.url for r in rows):
                continue
            out.pop(first.url, None)  # the row, judged whole, stands for its first link
            fit = self.namer.fit(item, row.text)
            rows.append(
                Candidate(
                    url=first.url, via=row.hub, link=first, naming="context", fit=fit,
                    oit_row=True, row_links=rest,
                )
            )  # fmt: skip
        taken = {r.url for r in rows}
        for hub, link in self._oit.number_named.get(item.id, []):
            fresh = link.url and link.url not in out and link.url not in taken
            if fresh and self.site.is_onsite(link.url):
                out[link.url] = Candidate(url=link.url, via=hub, link=link, naming="number")
        return rows

    def _opened(self, url: str) -> bool:
        info = self.site.info(url)
        return info is not None and info.ok

    def _offsite_counts(self, src: str, link: Link, naming: Naming) -> bool:
        """An off-site link makes an item uncertain only when it is offered as the item's
        evidence (its own words, or a hub row) — not a map or video embedded in a page."""
        if link.tag != "a":
            return False
        offered = src in self._hubs or self.namer.is_generic(link.text)  # "คลิกลิงค์ข้อมูล" in a row
        return naming.source == "text" or (naming.source == "context" and offered)

    # ---- one candidate ----------------------------------------------------------------------
    def judge_candidate(self, item: Item, cand: Candidate) -> Candidate:
        if not cand.url:
            cand.outcome = "placeholder"
            cand.reason = f"พบหัวข้อในหน้า {display_url(cand.via)} แต่ลิงก์ว่าง ไม่ได้เชื่อมโยงไปยังข้อมูล ({cand.link.raw_href or 'ไม่มี href'})"
            return cand
        if not self.site.is_onsite(cand.url):
            return self._offsite(item, cand)
        info = self.site.info(cand.url)
        page = self.site.page(cand.url)
        if info is None:
            cand.outcome = "uncertain"
            why = self.site.crawl.why_not_fetched(cand.url)
            cand.reason = f"ยังไม่ได้เปิด {display_url(cand.url)}: {why}"
            return cand
        if info.ok and page is None:  # fetched, but nothing the checker can read
            cand.outcome = "uncertain"
            cand.reason = (
                f"เปิด {display_url(cand.url)} ได้ แต่เป็นไฟล์ชนิด {info.kind} ที่โปรแกรมอ่านเนื้อหาไม่ได้ "
                f"ควรตรวจด้วยตา (fetched: a {info.kind} file the checker cannot read)"
            )
            return cand
        cut = cut_reason(info.error) or next(filter(None, map(cut_reason, _notes(page))), "")
        if cut:  # a file too large or too slow to read is not a missing file
            cand.outcome = "uncertain"
            cand.reason = f"{cut}: {display_url(cand.url)} ควรตรวจด้วยตนเอง"
            return cand
        if not info.ok or page is None:
            what = f"HTTP {info.status}" if info.status else (info.error or "เปิดไม่ได้")
            if info.transient:
                cand.outcome = "uncertain"
                cand.reason = f"เปิด {display_url(cand.url)} ไม่ได้ในขณะนี้ ({what}) ควรตรวจซ้ำ"
            else:
                cand.outcome = "broken"
                cand.reason = f"ลิงก์ {display_url(cand.url)} เปิดไม่ได้ ({what}) จึงไม่ใช่หลักฐาน"
            return cand
        if page.login_required:
            cand.outcome = "uncertain"
            cand.reason = f"หน้า {display_url(cand.url)} ต้องเข้าสู่ระบบก่อน ผู้ประเมินเปิดดูไม่ได้"
            return cand
        unreadable = _unreadable(page)
        if unreadable:
            cand.outcome = "broken"
            cand.reason = f"เอกสาร {display_url(cand.url)} เปิดอ่านไม่ได้ ({unreadable}) ผู้ประเมินจะไม่เห็นข้อมูล ควรอัปโหลดไฟล์ใหม่"
            return cand
        bundle = self.bundle(item, page)
        if cand.row_links:
            row_bundle(bundle, cand.row_links, self.site, lambda p: self.bundle(item, p))
        self._components(item, cand, bundle)
        cand.period = judge(
            item.period, self.fy, self._signals(cand, bundle, item.aliases), self.ocr_digits
        )
        if cand.period.state == "no-year" and not of_items_kind(
            bundle.pages(), self.namer.names_in, item.id
        ):
            cand.period.state = "not-the-item"
        other = self._another_items_page(item, page)
        if other is not None:
            labels = {c.name: c.label for c in item.components}
            lacks = f" ขาด: {', '.join(labels[m] for m in cand.missing)}" if cand.missing else ""
            cand.outcome = "fail"
            cand.reason = (
                f"หน้า {display_url(cand.url)} คือ{other.title} (ชื่อหน้า \"{page.title[:80]}\") "
                f"ไม่ใช่{item.title}{lacks}"
            )
            return cand
        return self._conclude(item, cand, page)

    def _offsite(self, item: Item, cand: Candidate) -> Candidate:
        """Evidence only off the main site is uncertain (criteria §6: the main website only),
        with where it is and what to publish. A weak off-site match — a teaser that names the
        item in passing, or a post of another year — is no reason for doubt: it fails."""
        host = urlsplit(cand.url).hostname or cand.url
        cand.evidence = [Evidence(cand.url, "external", "", cand.via)]
        texts = [cand.link.text, cand.link.context] if cand.link else []
        signals = [
            s
            for t in texts
            for s in signals_from(t, primary=True, ocr=False, where="link", bare=True)
        ]
        period = judge(item.period, self.fy, signals)
        if period.state == "wrong-year":
            cand.outcome, cand.missing = "fail", [c.name for c in item.components]
            cand.reason = (
                f"พบเพียงลิงก์นอกเว็บไซต์หลัก ({display_url(cand.url)}) ที่เป็นปี {_years(period.seen)} "
                f"ไม่ใช่ปีงบประมาณ {_years(period.targets)}"
            )
            return cand
        if cand.link is not None and cand.fit < self.offsite_min_fit:
            cand.outcome, cand.missing = "fail", [c.name for c in item.components]
            cand.reason = f"พบเพียงลิงก์นอกเว็บไซต์หลัก ({display_url(cand.url)}) ที่กล่าวถึง{item.title}เพียงผ่าน ๆ ไม่ใช่หลักฐาน"
            return cand
        cand.outcome = "uncertain"
        cand.reason = (
            f"ข้อมูลอยู่นอกเว็บไซต์หลัก ที่ {display_url(cand.url)} ({host}) ผู้ประเมินนับเฉพาะข้อมูลบนเว็บไซต์หลัก "
            + _publish_here(item)
        )
        return cand

    def _another_items_page(self, item: Item, page: Page) -> Item | None:
        """The item an HTML page is by its own title and first heading, when both name another
        item and never this one: the complaint-statistics page is not the service statistics,
        however many counts it holds. (A document's metadata title is too often a template's
        leftover to say what the file is.)"""
        if page.kind != "html" or not page.title:
            return None
        named = self.namer.names_in(page.title)
        heading = page.headings[0] if page.headings else ""
        if not named or item.id in named or (heading and item.id in self.namer.names_in(heading)):
            return None
        return next((i for i in self.rules.items if i.id == named[0]), None)

    def bundle(self, item: Item, page: Page) -> Bundle:
        """The page plus its on-site files, minus files whose link names another item."""
        docs, texts = [], []
        hub = page.url in self._hubs
        for link, doc in self.site.documents_linked_from(page):
            if link.chrome:  # the site menu is on every page; it is not this page's content
                continue
            if not self._belongs(item, link, hub):
                continue
            if doc not in docs:
                docs.append(doc)
        for image in self.images.content_images(page):  # a chart posted as a picture, OCR'd
            doc = self.site.page(image.src) if self.site.has_page(image.src) else None
            if doc is not None and doc not in docs:
                docs.append(doc)
        for link in page.links:
            if link.chrome:
                continue
            if not self._belongs(item, link, hub):
                continue
            texts.append(link.text)
        return Bundle(page, docs, texts)

    def _belongs(self, item: Item, link: Link, hub: bool) -> bool:
        """A link inside a candidate page belongs to the item's bundle unless it names only
        other items; on a hub only the links that name the item belong."""
        named = {n.item_id for n in self.namer.name_link(link)}
        if named and item.id not in named:
            return False
        return bool(named) or not hub

    def _components(self, item: Item, cand: Candidate, bundle: Bundle) -> None:
        details = []
        for comp in item.components:
            if comp.helper:
                result = HELPERS[comp.helper](bundle, self.helper_ctx)
                ok = result.found
                if result.detail:
                    details.append(result.detail)
            else:
                ok = component_found(comp, bundle, self.sample, self.own.mask(item, comp))
            (cand.found if ok else cand.missing).append(comp.name)
        if cand.missing:
            details += self._why_missing(bundle)
        cand.reason = "; ".join(details)
        cand.evidence = [
            Evidence(
                bundle.target.url, _kind(bundle.target), excerpt(bundle.target, item), cand.via
            )
        ]
        cand.evidence += [
            Evidence(d.url, _kind(d), excerpt(d, item), bundle.target.url) for d in bundle.docs[:5]
        ]

    def _why_missing(self, bundle: Bundle) -> list[str]:
        """What on the page looks like the missing data but is not: a template's sample values,
        a form that posts nowhere."""
        out = []
        samples = sorted(
            {m.group(0) for p in bundle.pages() for m in self.sample.finditer(p.text)}
            if self.sample
            else set()
        )
        if samples:
            out.append(f"ข้อมูลในหน้าเป็นข้อมูลตัวอย่าง ไม่ใช่ข้อมูลจริง: {', '.join(samples[:3])}")
        if any(DEAD_FORM_NOTE in p.notes for p in bundle.pages()):
            out.append('แบบฟอร์มในหน้านี้ส่งข้อมูลไม่ได้ (action="#") จึงไม่ใช่ช่องทางที่ใช้งานได้')
        return out

    def _signals(
        self, cand: Candidate, bundle: Bundle, aliases: tuple[str, ...]
    ) -> list[YearSignal]:
        signals = []
        if cand.link is not None:
            for text in (cand.link.text, cand.link.context):
                signals += signals_from(text, primary=True, ocr=False, where="link", bare=True)
        for page in bundle.pages():
            signals += [s for s in self._page_signals(page) if about(s, aliases)]
        for text in bundle.link_texts:
            signals += signals_from(text, primary=True, ocr=False, where="link", bare=True)
        return signals

    def _page_signals(self, page: Page) -> list[YearSignal]:
        """Years a page states about itself; cached, since a document sits in many bundles."""
        key = page.url  # not id(): pages are let go and loaded again
        if key not in self._signal_cache:
            ocr = page.text_source == "ocr"
            signals = []
            for text in (page.title, *page.headings[:2]):
                signals += signals_from(text, primary=True, ocr=ocr, where=page.url, bare=True)
            signals += signals_from(
                _file_name(page.url), primary=True, ocr=False, where=page.url, bare=True
            )
            signals += signals_from(
                page.text[:HEAD_CHARS], primary=True, ocr=ocr, where=page.url, bare=False
            )
            signals += signals_from(
                page.text[HEAD_CHARS:], primary=False, ocr=ocr, where=page.url, bare=False
            )
            self._signal_cache[key] = signals
        return self._signal_cache[key]

    def _conclude(self, item: Item, cand: Candidate, page: Page) -> Candidate:
        period = cand.period
        assert period is not None
        labels = {c.name: c.label for c in item.components}
        helper_detail = f" ({cand.reason})" if cand.reason else ""
        found_at = f"พบ{item.title}ที่ {display_url(cand.url)}"
        if page.needs_js and cand.missing:
            cand.outcome = "uncertain"
            cand.reason = (
                f"หน้า {display_url(cand.url)} สร้างเนื้อหาด้วย JavaScript ตรวจด้วย --render always"
            )
            return cand
        embed = next(
            (
                link.url
                for link in page.links
                if link.tag in ("iframe", "embed", "object")
                and link.url
                and not link.chrome
                and not self.site.is_onsite(link.url)
                and not self._media_embed.search(link.url)
            ),
            "",
        )
        if cand.missing and embed and (not cand.found or len(page.text) < EMBED_PAGE_CHARS):
            host = urlsplit(embed).hostname or embed
            cand.outcome = "uncertain"
            cand.reason = (
                f"หน้า {display_url(cand.url)} แสดงเนื้อหาที่ฝังมาจากนอกเว็บไซต์หลัก ({host}) ผู้ประเมินอาจไม่นับ "
                + _publish_here(item)
            )
            cand.evidence.append(Evidence(embed, "external", "", cand.url))
            return cand
        if cand.missing and self._unread_images(cand, page):
            cand.outcome = "uncertain"
            cand.reason = (
                f"{found_at} แต่แผนผังเป็นรูปภาพที่อ่านข้อความด้วย OCR ไม่ได้ ควรตรวจด้วยตาว่ามี "
                + ", ".join(labels[m] for m in cand.missing)
                + " (the chart is an image: check it by eye)"
            )
            return cand
        problems = []
        if period.state == "wrong-year":
            problems.append(f"เป็นปี {_years(period.seen)} ไม่ใช่ปีงบประมาณ {_years(period.targets)}")
        if cand.missing:
            missing = ", ".join(labels[m] for m in cand.missing)
            problems.append(f"ขาด: {missing}{helper_detail}")
        if period.state == "wrong-year":
            cand.missing.append("period")
        if problems:
            cand.outcome = "fail"
            cand.reason = f"{found_at} แต่" + " และ".join(problems)
            return cand
        if period.state == "ocr-unsure":
            cand.outcome = "uncertain"
            cand.missing.append("period")
            cand.reason = (
                f"{found_at} แต่ปีที่อ่านจากเอกสารสแกนด้วย OCR ({_years(period.seen)}) อาจอ่านเลขไทยผิด "
                f"ต้องเป็นปีงบประมาณ {_years(period.targets)} ควรตรวจด้วยตา"
            )
            return cand
        if period.state == "not-the-item":  # no year, and the page is about something else
            cand.outcome = "fail"
            cand.missing.append("period")
            cand.reason = (
                f"{display_url(cand.url)} ไม่ใช่{item.title} (หน้านี้ไม่ได้ระบุว่าเป็นเรื่องนี้) "
                f"และไม่ระบุปี ต้องเป็นของปีงบประมาณ {_years(period.targets)}"
            )
            return cand
        if period.state == "no-year":
            cand.outcome = "uncertain"
            cand.missing.append("period")
            cand.reason = f"{found_at} แต่ไม่ระบุปี ต้องเป็นของปีงบประมาณ {_years(period.targets)}"
            return cand
        cand.outcome = "pass"
        shown = [y for y in period.seen if y in period.targets] or period.targets
        year_note = f" ปีงบประมาณ {_years(shown)}" if period.targets else ""
        ocr_note = " (ปีอ่านจากเอกสารสแกนด้วย OCR ควรตรวจด้วยตา)" if period.ocr_only else ""
        cand.reason = f"{found_at} ครบทุกองค์ประกอบ{year_note}{ocr_note}"
        return cand

    def _unread_images(self, cand: Candidate, page: Page) -> bool:
        """The page shows its evidence as images that OCR could not read, and everything
        missing is something such an image holds (rules ``[crawl] image_components``)."""
        images = self.images.content_images(page)
        if not images or any(self.images.read(self.site.page(i.src)) for i in images):
            return False
        return set(cand.missing) <= self.images.components

    # ---- the item ---------------------------------------------------------------------------
    def _judging_order(self, cand: Candidate) -> tuple:
        """The verdict's tie-break order: a pass is final, so the first pass in this order is
        the one the full ranking would choose, and the rest need not be opened."""
        return (
            cand.url in self._hubs,
            not cand.oit_row,
            -len(cand.row_links),
            _naming_rank(cand.naming),
            -round(cand.fit, 1),
            _is_doc(cand.url),
        )

    def check(self, item: Item) -> ItemResult:
        waiting = sorted(self.candidates(item), key=self._judging_order)
        judged: list[Candidate] = []
        while waiting:
            judged.append(self.judge_candidate(item, waiting.pop(0)))
            if judged[-1].outcome == "pass":
                break
        # A link named only by the heading above it is a weak candidate: it may confirm the
        # item, but it cannot make the item doubtful (an unopened admin link under "บุคลากร").
        judged = [c for c in judged if not (c.naming in WEAK_NAMINGS and c.outcome == "uncertain")]
        judged.sort(
            key=lambda c: (
                OUTCOME_RANK[c.outcome],
                len(c.missing),
                c.url in self._hubs,  # a hub only leads to the evidence: cite the evidence
                not c.oit_row,  # the agency's own OIT row beats a menu link of a like title
                -len(c.row_links),
                _naming_rank(c.naming),
                -round(c.fit, 1),
                _is_doc(c.url),
            )
        )
        result = ItemResult(
            id=item.id,
            title=item.title,
            subindicator=item.subindicator,
            indicator=item.indicator,
            status="absent",
            reason="",
            # Candidates left unopened after the pass still say where evidence was looked for
            # (re-audits ask those pages again).
            candidates=[c.as_dict() for c in judged] + [c.as_dict() for c in waiting],
        )
        if not judged:
            result.missing = [c.name for c in item.components]
            if self._js_shells:
                result.status = "uncertain"
                result.reason = (
                    f"ไม่พบ{item.title} แต่บางหน้าสร้างเนื้อหาด้วย JavaScript ซึ่งไม่ได้แสดงผล "
                    f"(เช่น {display_url(self._js_shells[0])}) ตรวจซ้ำด้วย --render auto"
                )
            else:
                result.reason = f"ไม่พบ{item.title}บนเว็บไซต์ (ไม่มีลิงก์ หน้า หรือเอกสารที่ระบุหัวข้อนี้)"
            return result
        best = judged[0]
        if best.outcome != "pass":
            best = self._combine(item, judged) or best
        result.status = {"pass": "present", "uncertain": "uncertain"}.get(best.outcome, "absent")
        result.reason = best.reason
        result.evidence = best.evidence or (
            [Evidence(best.url, "link", "", best.via)] if best.url else []
        )
        result.found = best.found
        result.missing = best.missing or (
            [c.name for c in item.components] if best.outcome in ("broken", "placeholder") else []
        )
        return result

    def _combine(self, item: Item, judged: list[Candidate]) -> Candidate | None:
        """Merged items (structure + duties, declaration + culture activity, plan + progress)
        often live on two pages. When no single candidate has every component, candidates of
        the right period that together cover them all make the item present, each URL cited."""
        timeless = {c.name for c in item.components if (c.period or item.period) == "current"}
        pool = [
            c
            for c in judged
            if c.outcome == "fail"
            and c.found
            and c.period is not None
            and (c.period.ok or set(c.found) <= timeless)
        ]
        needed = {c.name for c in item.components}
        chosen: list[Candidate] = []
        covered: set[str] = set()
        while pool and covered != needed:
            pick = max(pool, key=lambda c: len(set(c.found) - covered))
            if not set(pick.found) - covered:
                break
            chosen.append(pick)
            covered |= set(pick.found)
            pool.remove(pick)
        if covered != needed or len(chosen) < 2:
            return None
        labels = {c.name: c.label for c in item.components}
        parts = [f"{display_url(c.url)} ({', '.join(labels[n] for n in c.found)})" for c in chosen]
        return Candidate(
            url=chosen[0].url,
            via=chosen[0].via,
            naming=chosen[0].naming,
            outcome="pass",
            reason=f"พบ{item.title}ครบทุกองค์ประกอบจาก {len(chosen)} แหล่ง: " + "; ".join(parts),
            found=[c.name for c in item.components],
            evidence=[c.evidence[0] for c in chosen if c.evidence],
        )


def check_items(
    rules: RuleSet,
    site: SiteData,
    fiscal_year: int,
    as_of: dt.date,
    namer: ItemNamer | None = None,
    judged: Callable[[int, str], None] | None = None,
) -> list[ItemResult]:
    """Every item in rule order; ``judged(n, item id)`` after each (a progress bar)."""
    checker = ItemChecker(rules, site, fiscal_year, as_of, namer)
    results = []
    for item in rules.items:
        results.append(checker.check(item))
        if judged:
            judged(len(results), item.id)
    return results


def component_found(
    comp: Component,
    bundle: Bundle,
    sample: re.Pattern[str] | None = None,
    mask: re.Pattern[str] | None = None,
) -> bool:
    """At least ``comp.min`` distinct matches at the component's place; a regex match that is a
    template's sample value ("012-345-6789", "example@…") is not data. Words under ``mask``
    (the item's own compound name, dating phrases: own_words.py) are not looked at, and a match
    inside another ("สำนักปลัด" by a phrase, "สำนักปลัดเทศบาล" by the unit pattern) is one mention,
    not two."""
    hits: set[str] = set()
    for text in _texts_at(comp.place, bundle):
        text = masked(text, mask)
        flat = text.replace(" ", "")  # texts are normalised already; compact() would redo it
        if lost_tone_marks(flat):  # a damaged PDF text layer: compare what it still shows
            flat = skeleton(flat)
            hits.update(p for p in comp.any if p and skeleton(p) in flat)
        else:
            hits.update(p for p in comp.any if p and p in flat)
        for rx in comp.regex:
            hits.update(
                m.group(0)
                for m in rx.finditer(text)
                if sample is None or not sample.search(m.group(0))
            )
        if len(hits) >= comp.min and len(_distinct(hits)) >= comp.min:
            return True
    return False


def _distinct(hits: set[str]) -> set[str]:
    """Matches without those inside a longer match (compared without spaces): "กลุ่มบริหาร" in
    "กลุ่มบริหารวิชาการ" and "กลุ่มบริหารทั่วไป" is those two units, not a third."""
    flat = {h.replace(" ", "") for h in hits}
    return {f for f in flat if not any(o != f and f in o for o in flat)}


def _texts_at(place: str, bundle: Bundle) -> list[str]:
    pages = bundle.pages()
    title = [t for p in pages for t in (p.title, *p.headings)] + bundle.link_texts
    text = [p.text for p in pages]
    links = [
        f"{link.text} {normalize(unquote(link.url) if link.url else _contact_href(link.raw_href))}"
        for link in bundle.target.links
        if not link.chrome
    ]
    images = [f"{i.alt} {normalize(_file_name(i.src))} {i.context}" for i in bundle.target.images]
    return {"title": title, "text": text, "links": links, "images": images}.get(
        place, title + text + links + images
    )


def excerpt(page: Page, item: Item) -> str:
    """The sentence around the item's name in the evidence, else its head."""
    for alias in sorted(item.aliases, key=len, reverse=True):
        m = _spaced(alias).search(page.text)
        if m:
            start = max(0, m.start() - 40)
            if start:  # begin at a word: after the first space in the lead, else at the name
                space = page.text.find(" ", start, m.start())
                start = space + 1 if space >= 0 else m.start()
            return page.text[start : start + EXCERPT_CHARS]
    return (page.title + " " + page.text)[:EXCERPT_CHARS].strip()


@lru_cache(maxsize=4096)
def _spaced(alias: str) -> re.Pattern[str]:
    return re.compile(r"\s*".join(map(re.escape, alias)))


UNREADABLE_NOTES = ("unreadable", "encrypted", "empty body", "not supported")


def _notes(page: Page | None) -> list[str]:
    return page.notes if page is not None else []


def _unreadable(page: Page) -> str:
    """Why a document cannot be read (damaged, password-protected, empty), or ""."""
    if page.kind == "html" or page.text.strip():
        return ""
    return next((n for n in page.notes if any(w in n for w in UNREADABLE_NOTES)), "")


CONTACT_SCHEMES = ("mailto:", "tel:")


def _is_contact_href(raw_href: str) -> bool:
    return raw_href.strip().lower().startswith(CONTACT_SCHEMES)


def _contact_href(raw_href: str) -> str:
    """The address of a mailto:/tel: link (the e-mail or number often sits only there), else ""."""
    if not _is_contact_href(raw_href):
        return ""
    return unquote(raw_href.strip().split(":", 1)[1].split("?", 1)[0])


def _publish_here(item: Item) -> str:
    """What to publish, and that it goes on the main website (criteria §6)."""
    fix = item.fix or f"เผยแพร่{item.title}"
    return f"ควร{fix}" + ("" if "เว็บไซต์หลัก" in fix else " บนเว็บไซต์หลักของหน่วยงาน")


def _file_name(url: str) -> str:
    return decoded_path(url).rsplit("/", 1)[-1]


def _kind(page: Page) -> str:
    return "page" if page.kind == "html" else page.kind


def _is_doc(url: str) -> bool:
    return bool(re.search(r"\.(pdf|docx?|xlsx?)$", urlsplit(url).path, re.I))


def _naming_rank(naming: str) -> int:
    return {"text": 0, "context": 1, "title": 2, "label": 3, "number": 4}.get(naming, 5)


def _years(years: list[int]) -> str:
    return ", ".join(str(y) for y in sorted(set(years)))
