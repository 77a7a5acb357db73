"""The agency's own OIT page, read as its map of the evidence.

On its OIT page (a hub: rows naming many items) an agency writes one row per item: "O12 …" with
its own links, often a PDF and an Excel beside it, or twelve monthly files. That row is the
strongest pointer there is: it beats a site-menu link with a similar title, and its links are
judged together, as an assessor who opens the row sees them.

The row's number ("O12", "o.12", "ข้อ 12", "O๑๒") is read in the numbering of the year the page
(or its accordion section) is headed with, through that year's rule set when it is shipped:
numbering changes every year. It is a hint, never proof: a row named only by its number still
has to hold the item's components, and it may confirm an item but never make it doubtful.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from oit_checker.check.helpers import Bundle
from oit_checker.check.naming import ItemNamer, leading_number
from oit_checker.check.site import SiteData
from oit_checker.dates import find_years
from oit_checker.models import Link, Page
from oit_checker.rules import RuleError, RuleSet, load_year
from oit_checker.thai import compact

LABEL_SEPARATOR = " | "  # Link.label: "row heading | section heading"
BARE_ROW_CHARS = 40  # a row of a bare number and a link ("12 ดาวน์โหลด") is short
LONE_LINK_EXTRA = 3  # a paragraph holding only its link ("– ดาวน์โหลด") is no row of its own


@dataclass
class Row:
    """One item's row on an OIT page, with every link in it."""

    hub: str
    item_id: str
    text: str  # the row's text (its table row / list item, or the heading above its links)
    links: list[Link] = field(default_factory=list)
    agrees: bool = True  # its number, read in the page's year, is this item's (or it has none)


class OitPages:
    """Rows of the site's OIT pages, by item of the audited year."""

    def __init__(
        self,
        rules: RuleSet,
        namer: ItemNamer,
        site: SiteData,
        hubs: set[str],
        load: Callable[[int], RuleSet] = load_year,
    ) -> None:
        self.rules = rules
        self.namer = namer
        self.site = site
        self._load = load
        self.hub_min = int(rules.thresholds.get("hub_min_items", 5))
        self._numbering = lru_cache(maxsize=8)(self._numbering_of)
        self.rows: dict[str, list[Row]] = {}
        self.number_named: dict[str, list[tuple[str, Link]]] = {}  # item -> (hub, link)
        for hub in sorted(hubs):
            self._read(hub)

    def rows_of(self, item_id: str) -> list[Row]:
        return self.rows.get(item_id, [])

    # ---- reading one OIT page ----------------------------------------------------------------
    def _read(self, hub: str) -> None:
        summary = self.site.summaries.get(hub)
        if summary is None or not self._is_oit_page(summary.title, summary.heading, summary.links):
            return
        page_year = _year_of(f"{summary.title} {summary.heading}")
        by_key: dict[tuple[str, str, str], Row] = {}
        for link in summary.links:
            if link.chrome or link.tag != "a":
                continue
            row_text, item_id = self._row_of(link)
            year = _year_of(_section(link.label)) or page_year
            number = leading_number(row_text)
            if item_id is None and not number:  # "๑๒ …", "12. …": a bare number, on this page only
                number = _bare_number(row_text)
            by_number = self._numbering(year).get(number) if number and year else None
            if item_id is None:
                if by_number is not None:  # named by its number alone: a hint to be checked
                    self.number_named.setdefault(by_number, []).append((hub, link))
                continue
            key = (item_id, row_text, _section(link.label))  # one row per year section
            row = by_key.get(key)
            if row is None:
                agrees = by_number is None or by_number == item_id
                row = by_key[key] = Row(hub, item_id, row_text, agrees=agrees)
                self.rows.setdefault(item_id, []).append(row)
            row.links.append(link)

    def _is_oit_page(self, title: str, heading: str, links: list[Link]) -> bool:
        """A hub that says it is the ITA/OIT page, or whose rows carry item numbers: a home
        page whose links name many items (news, e-service, complaints) is no evidence map."""
        if self.namer.is_hub_text(f"{title} {heading}"):
            return True
        numbered = {leading_number(link.context) for link in links if not link.chrome}
        return len(numbered - {""}) >= self.hub_min

    def _row_of(self, link: Link) -> tuple[str, str | None]:
        """The text that makes the link part of an item's row, and that item: its table row or
        list item when that names an item, else the row heading above it ("O1 …" in bold, then
        one "– title" paragraph per document) unless the link's own words name another item."""
        own = self.namer.name_text(link.text) if not self.namer.is_generic(link.text) else None
        context_item = self.namer.name_text(link.context) if link.context else None
        heading = link.label.split(LABEL_SEPARATOR)[0] if link.label else ""
        heading_item = self.namer.name_text(heading) if heading else None
        # A link without words of its own (a viewer's iframe, an icon) is captioned by its
        # paragraph ("– <iframe …><br>5.สขร.เดือน กุมภาพันธ์ 2568"): it is that paragraph's link.
        shown = compact(link.text)
        alone = not shown or len(compact(link.context)) - len(shown) <= LONE_LINK_EXTRA
        if context_item is not None and not (alone and heading_item == context_item):
            return link.context, context_item
        if heading_item is not None and own in (None, heading_item):
            return heading, heading_item
        numbered = leading_number(link.context) or _bare_number(link.context)
        number_text = link.context if numbered else heading
        return number_text, None

    # ---- numbering by year -------------------------------------------------------------------
    def _numbering_of(self, year: int) -> dict[str, str]:
        """ "o12" -> the audited year's item that the year's O12 is, through that year's rules."""
        if year == self.rules.year:
            return {n: item.id for item in self.rules.items for n in item.numbers}
        try:
            other = self._load(year)
        except (RuleError, OSError):
            return {}  # that year's rules are not shipped: its numbers mean nothing here
        out = {}
        for item in other.items:
            now = self.namer.name_text(item.title)
            if now is not None:
                out.update(dict.fromkeys(item.numbers, now))
        return out


def row_bundle(
    bundle: Bundle, links: list[Link], site: SiteData, bundle_of: Callable[[Page], Bundle]
) -> None:
    """Add a row's other links to the bundle of its first: each file, or each page with its own
    files. A link that did not open adds nothing (the row's first link is judged on its own)."""
    seen = {p.url for p in bundle.pages()}
    for link in links:
        bundle.link_texts.append(link.text)
        page = site.page(link.url)
        info = site.info(link.url)
        if page is None or info is None or not info.ok or page.url in seen:
            continue
        more = bundle_of(page).pages() if page.kind == "html" else [page]
        for extra in more:
            if extra.url not in seen:
                seen.add(extra.url)
                bundle.docs.append(extra)


def has_row_number(link: Link) -> bool:
    """A link in a row that starts with an item number: kept for reading OIT pages."""
    heading = link.label.split(LABEL_SEPARATOR)[0] if link.label else ""
    bare = len(link.context) <= BARE_ROW_CHARS and _bare_number(link.context)
    return not link.chrome and bool(leading_number(link.context) or leading_number(heading) or bare)


BARE_NUMBER = re.compile(r"^\W*(\d{1,2})(?:\.(?!\d)|\s|$)")


def _bare_number(text: str) -> str:
    """ "12 …", "12. …" (Thai digits are Arabic by now) at the start of an OIT page's row, as
    "o12"; "1.1 …" (a sub-item) and "2568 …" are not item numbers."""
    m = BARE_NUMBER.match(text)
    return f"o{int(m.group(1))}" if m else ""


def _section(label: str) -> str:
    return label.rsplit(LABEL_SEPARATOR, 1)[-1] if label else ""


def _year_of(text: str) -> int | None:
    """The one ITA year a heading names ("การประเมิน ITA ปี 2568"), else None."""
    years = {y.first for y in find_years(text, bare=True) if y.first == y.last}
    return years.pop() if len(years) == 1 else None
