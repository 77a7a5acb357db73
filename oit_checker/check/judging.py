"""Open one candidate as an assessor would and judge what it shows.

A candidate that cannot be opened (empty link, not fetched, too large, broken, behind a login,
an unreadable file) or lies off the main site ends here with why. One that opens is read as a
bundle (bundles.py): its components, its stated years (stated_years.py), whether it is another
item's page by its own title (own_title.py), and whether what is missing may only be out of the
checker's sight (JavaScript, an off-site frame, a chart OCR could not read). The outcome and
reason then follow from those (verdict.py).
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

from oit_checker.bounds import cut_reason
from oit_checker.check.bundles import BundleMaker
from oit_checker.check.candidates import Candidate
from oit_checker.check.components import component_found, excerpt
from oit_checker.check.helpers import HELPERS, Bundle, HelperContext
from oit_checker.check.images import ImagePages
from oit_checker.check.naming import ItemNamer
from oit_checker.check.oit_page import row_bundle
from oit_checker.check.own_title import another_item
from oit_checker.check.own_words import OwnWords
from oit_checker.check.period import judge, of_items_kind
from oit_checker.check.site import SiteData
from oit_checker.check.stated_years import StatedYears, link_signals
from oit_checker.check.verdict import conclude, publish_here, years
from oit_checker.extract.documents import ocr_cut_by_clock
from oit_checker.extract.html import DEAD_FORM_NOTE
from oit_checker.models import Evidence, Page
from oit_checker.rules import Item, RuleSet
from oit_checker.urls import display_url

EMBED_PAGE_CHARS = 200  # a page this short around an off-site iframe is just a frame for it
UNREADABLE_NOTES = ("unreadable", "encrypted", "empty body", "not supported")


class CandidateJudge:
    def __init__(
        self,
        rules: RuleSet,
        site: SiteData,
        namer: ItemNamer,
        hubs: set[str],
        fiscal_year: int,
        as_of: dt.date,
    ) -> None:
        self.rules = rules
        # Off-site maps and video players frame no document (rules/common.toml media_embed).
        self._media_embed = re.compile(rules.patterns.get("media_embed", "(?!)"), re.I)
        self.site = site
        self.fy = fiscal_year
        self.namer = namer
        self.own = OwnWords(rules)
        self.helper_ctx = HelperContext(rules, fiscal_year, as_of)
        self.sample = re.compile(rules.patterns["sample"]) if rules.patterns.get("sample") else None
        self.offsite_min_fit = float(rules.thresholds.get("offsite_min_fit", 0.3))
        self.ocr_digits = str(rules.thresholds.get("ocr_thai_digits", ""))
        self.images = ImagePages(rules)
        self.bundles = BundleMaker(site, namer, hubs, self.images)
        self.years = StatedYears()

    def judge(self, item: Item, cand: Candidate) -> Candidate:
        page = self._opened(item, cand)
        if page is None:
            return cand
        bundle = self.bundles.bundle(item, page)
        if cand.row_links:
            row_bundle(bundle, cand.row_links, self.site, lambda p: self.bundles.bundle(item, p))
        self._components(item, cand, bundle)
        cand.period = judge(
            item.period, self.fy, self.years.of(cand, bundle, item.aliases), self.ocr_digits
        )
        if cand.period.state == "no-year" and not of_items_kind(
            bundle.pages(), self.namer.names_in, item.id
        ):
            cand.period.state = "not-the-item"
        other = another_item(self.namer, self.rules.items, item, page, documents=False)
        if other is not None:
            labels = {c.name: c.label for c in item.components}
            lacks = f" ขาด: {', '.join(labels[m] for m in cand.missing)}" if cand.missing else ""
            cand.outcome = "fail"
            cand.reason = (
                f'หน้า {display_url(cand.url)} คือ{other.title} (ชื่อหน้า "{page.title[:80]}") '
                f"ไม่ใช่{item.title}{lacks}"
            )
            return cand
        if self._ocr_cut(cand, bundle) or self._out_of_sight(item, cand, page):
            return cand
        return conclude(item, cand)

    def _ocr_cut(self, cand: Candidate, bundle: Bundle) -> bool:
        """A scan whose OCR a clock cut short may hold what is missing or the year: the
        candidate is uncertain and says so (True). A verdict must not follow the machine's
        load: on a busy machine the same scan read partly made a false absent."""
        assert cand.period is not None
        if not cand.missing and cand.period.ok:  # what was read already shows everything
            return False
        for doc in bundle.pages():
            note = next((n for n in doc.notes if ocr_cut_by_clock(n)), "")
            if note:
                cand.outcome = "uncertain"
                cand.reason = (
                    f"อ่านเอกสารสแกน {display_url(doc.url)} ด้วย OCR ไม่จบภายในเวลาที่กำหนด "
                    f"จึงยังตัดสินไม่ได้ ควรตรวจด้วยตาหรือตรวจซ้ำ ({note})"
                )
                return True
        return False

    def _opened(self, item: Item, cand: Candidate) -> Page | None:
        """The candidate's page when it opens and can be read; else None, with the candidate's
        outcome and reason set to why not."""
        if not cand.url:
            cand.outcome = "placeholder"
            cand.reason = f"พบหัวข้อในหน้า {display_url(cand.via)} แต่ลิงก์ว่าง ไม่ได้เชื่อมโยงไปยังข้อมูล ({cand.link.raw_href or 'ไม่มี href'})"
            return None
        if not self.site.is_onsite(cand.url):
            self._offsite(item, cand)
            return None
        info = self.site.info(cand.url)
        page = self.site.page(cand.url)
        if info is None:
            cand.outcome = "uncertain"
            why = self.site.crawl.why_not_fetched(cand.url)
            cand.reason = f"ยังไม่ได้เปิด {display_url(cand.url)}: {why}"
            return None
        if info.ok and page is None:  # fetched, but nothing the checker can read
            cand.outcome = "uncertain"
            cand.reason = (
                f"เปิด {display_url(cand.url)} ได้ แต่เป็นไฟล์ชนิด {info.kind} ที่โปรแกรมอ่านเนื้อหาไม่ได้ "
                f"ควรตรวจด้วยตา (fetched: a {info.kind} file the checker cannot read)"
            )
            return None
        cut = cut_reason(info.error) or next(filter(None, map(cut_reason, _notes(page))), "")
        if cut:  # a file too large or too slow to read is not a missing file
            cand.outcome = "uncertain"
            cand.reason = f"{cut}: {display_url(cand.url)} ควรตรวจด้วยตนเอง"
            return None
        if not info.ok or page is None:
            what = f"HTTP {info.status}" if info.status else (info.error or "เปิดไม่ได้")
            if info.transient:
                cand.outcome = "uncertain"
                cand.reason = f"เปิด {display_url(cand.url)} ไม่ได้ในขณะนี้ ({what}) ควรตรวจซ้ำ"
            else:
                cand.outcome = "broken"
                cand.reason = f"ลิงก์ {display_url(cand.url)} เปิดไม่ได้ ({what}) จึงไม่ใช่หลักฐาน"
            return None
        if page.login_required:
            cand.outcome = "uncertain"
            cand.reason = f"หน้า {display_url(cand.url)} ต้องเข้าสู่ระบบก่อน ผู้ประเมินเปิดดูไม่ได้"
            return None
        unreadable = _unreadable(page)
        if unreadable:
            cand.outcome = "broken"
            cand.reason = f"เอกสาร {display_url(cand.url)} เปิดอ่านไม่ได้ ({unreadable}) ผู้ประเมินจะไม่เห็นข้อมูล ควรอัปโหลดไฟล์ใหม่"
            return None
        return page

    def _offsite(self, item: Item, cand: Candidate) -> None:
        """Evidence only off the main site is uncertain (criteria §6: the main website only),
        with where it is and what to publish. A weak off-site match — a teaser that names the
        item in passing, or a post of another year — is no reason for doubt: it fails."""
        host = urlsplit(cand.url).hostname or cand.url
        cand.evidence = [Evidence(cand.url, "external", "", cand.via)]
        texts = [cand.link.text, cand.link.context] if cand.link else []
        period = judge(item.period, self.fy, [s for t in texts for s in link_signals(t)])
        if period.state == "wrong-year":
            cand.outcome, cand.missing = "fail", [c.name for c in item.components]
            cand.reason = (
                f"พบเพียงลิงก์นอกเว็บไซต์หลัก ({display_url(cand.url)}) ที่เป็นปี {years(period.seen)} "
                f"ไม่ใช่ปีงบประมาณ {years(period.targets)}"
            )
            return
        if cand.link is not None and cand.fit < self.offsite_min_fit:
            cand.outcome, cand.missing = "fail", [c.name for c in item.components]
            cand.reason = f"พบเพียงลิงก์นอกเว็บไซต์หลัก ({display_url(cand.url)}) ที่กล่าวถึง{item.title}เพียงผ่าน ๆ ไม่ใช่หลักฐาน"
            return
        cand.outcome = "uncertain"
        cand.reason = (
            f"ข้อมูลอยู่นอกเว็บไซต์หลัก ที่ {display_url(cand.url)} ({host}) ผู้ประเมินนับเฉพาะข้อมูลบนเว็บไซต์หลัก "
            + publish_here(item)
        )

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

    def _out_of_sight(self, item: Item, cand: Candidate, page: Page) -> bool:
        """What is missing may be only out of the checker's sight: built by JavaScript, framed
        from another site, or drawn in a chart OCR could not read. Then the candidate is
        uncertain, with why (True); else nothing is set (False)."""
        labels = {c.name: c.label for c in item.components}
        found_at = f"พบ{item.title}ที่ {display_url(cand.url)}"
        if page.needs_js and cand.missing:
            cand.outcome = "uncertain"
            cand.reason = (
                f"หน้า {display_url(cand.url)} สร้างเนื้อหาด้วย JavaScript ตรวจด้วย --render always"
            )
            return True
        embed = self._offsite_frame(page)
        if cand.missing and embed and (not cand.found or len(page.text) < EMBED_PAGE_CHARS):
            host = urlsplit(embed).hostname or embed
            cand.outcome = "uncertain"
            cand.reason = (
                f"หน้า {display_url(cand.url)} แสดงเนื้อหาที่ฝังมาจากนอกเว็บไซต์หลัก ({host}) ผู้ประเมินอาจไม่นับ "
                + publish_here(item)
            )
            cand.evidence.append(Evidence(embed, "external", "", cand.url))
            return True
        if cand.missing and self._unread_images(cand, page):
            cand.outcome = "uncertain"
            cand.reason = (
                f"{found_at} แต่แผนผังเป็นรูปภาพที่อ่านข้อความด้วย OCR ไม่ได้ ควรตรวจด้วยตาว่ามี "
                + ", ".join(labels[m] for m in cand.missing)
                + " (the chart is an image: check it by eye)"
            )
            return True
        return False

    def _offsite_frame(self, page: Page) -> str:
        """The first off-site frame of the page's content that is no map or video, or ""."""
        return next(
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

    def _unread_images(self, cand: Candidate, page: Page) -> bool:
        """The page shows its evidence as images that OCR could not read, and everything
        missing is something such an image holds (rules ``[crawl] image_components``)."""
        images = self.images.content_images(page)
        if not images or any(self.images.read(self.site.page(i.src)) for i in images):
            return False
        return set(cand.missing) <= self.images.components


def _notes(page: Page | None) -> list[str]:
    return page.notes if page is not None else []


def _unreadable(page: Page) -> str:
    """Why a document cannot be read (damaged, password-protected, empty), or ""."""
    if page.kind == "html" or page.text.strip():
        return ""
    return next((n for n in page.notes if any(w in n for w in UNREADABLE_NOTES)), "")


def _kind(page: Page) -> str:
    return "page" if page.kind == "html" else page.kind
