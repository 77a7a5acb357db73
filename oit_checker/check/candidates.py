"""Where an item's evidence may be: every link, page title and OIT-page row that names it.

The site index is read once per audit (links by the item they name, pages by the item their
title names, hubs, the agency's OIT page); each item then gets its candidates from it, in no
order: the verdict's order is the item checker's (items.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from oit_checker.check.components import is_contact_href
from oit_checker.check.naming import ItemNamer, Naming
from oit_checker.check.oit_page import OitPages
from oit_checker.check.period import PeriodVerdict
from oit_checker.check.site import SiteData
from oit_checker.models import Evidence, Link
from oit_checker.rules import Item, RuleSet

NOT_JUDGED = "not judged"  # a candidate ranked after one that passed
HUB_MIN_FIT = 0.3  # share of a link's naming text that is an item name, for a hub row
NAMING_RANK = {"text": 0, "context": 1, "title": 2, "label": 3, "number": 4}


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


def naming_rank(naming: str) -> int:
    return NAMING_RANK.get(naming, 5)


def is_doc(url: str) -> bool:
    return bool(re.search(r"\.(pdf|docx?|xlsx?)$", urlsplit(url).path, re.I))


class CandidateFinder:
    """The site's links and pages by the item they name; an item's candidates from them."""

    def __init__(self, rules: RuleSet, site: SiteData, namer: ItemNamer) -> None:
        self.site = site
        self.namer = namer
        self.hub_min = int(rules.thresholds.get("hub_min_items", 5))
        self._named_links = self._index_links()
        self._titled = self._index_titles()
        self.hubs = self._find_hubs()
        self._oit = OitPages(rules, namer, site, self.hubs)

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
            if not link.url and is_contact_href(link.raw_href):
                continue  # "ติดต่อเรา" on a mailto:/tel: link is a channel, not an empty link
            if not link.url:
                placeholders.append(Candidate(url="", via=src, link=link, naming=naming.source))
                continue
            if not self.site.is_onsite(link.url) and not self._offsite_counts(src, link, naming):
                continue
            fit = self.namer.fit(item, naming.alias)
            known = out.get(link.url)
            if known is None or (naming_rank(naming.source), -fit) < (
                naming_rank(known.naming),
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
        offered = src in self.hubs or self.namer.is_generic(link.text)  # "คลิกลิงค์ข้อมูล" in a row
        return naming.source == "text" or (naming.source == "context" and offered)
