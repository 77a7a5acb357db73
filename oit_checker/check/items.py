"""Decide each item: find candidates, open each as an assessor would, keep the best verdict.

present   — a candidate on the main site with every component and the right period.
uncertain — the best remaining candidate could not be judged: off the main site, unreachable
            for now, behind a login, JavaScript-only, or without any stated year.
absent    — nothing names the item, or every candidate lacks a component, is for the wrong
            year, or does not open. The reason names the best candidate and what it lacks.

Along the data's path: candidates.py gathers the candidates, judging.py opens and reads one
(bundles, components, stated_years, own_title), verdict.py turns what it found into an outcome
and a reason; this module orders the candidates and picks the item's verdict.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from oit_checker.check.candidates import Candidate, CandidateFinder, is_doc, naming_rank
from oit_checker.check.helpers import HELPERS
from oit_checker.check.judging import CandidateJudge
from oit_checker.check.naming import ItemNamer
from oit_checker.check.site import SiteData
from oit_checker.check.verdict import combine
from oit_checker.models import Evidence, ItemResult
from oit_checker.rules import Item, RuleError, RuleSet
from oit_checker.urls import display_url

# How a candidate ends, best first; the item takes the best outcome of its candidates.
OUTCOME_RANK = {"pass": 0, "uncertain": 1, "fail": 2, "broken": 3, "placeholder": 4}
# Namings that may confirm an item but never make it doubtful (an unopened admin link under
# "บุคลากร", a row named only by its number).
WEAK_NAMINGS = ("label", "number")


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
    """One audit's judge of every item: the site is indexed once, each item judged from it."""

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
        self.site = site
        self.namer = namer or ItemNamer(rules)
        self.finder = CandidateFinder(rules, site, self.namer)
        self.hubs = self.finder.hubs
        self.judge = CandidateJudge(rules, site, self.namer, self.hubs, fiscal_year, as_of)
        # Pages whose static HTML is an app shell and that were not rendered: what they would
        # show is unknown, so nothing can be called absent on their account.
        self._js_shells = [s.url for s in site.html_summaries() if s.needs_js]

    def candidates(self, item: Item) -> list[Candidate]:
        return self.finder.candidates(item)

    def judge_candidate(self, item: Item, cand: Candidate) -> Candidate:
        return self.judge.judge(item, cand)

    def _judging_order(self, cand: Candidate) -> tuple:
        """The verdict's tie-break order: a pass is final, so the first pass in this order is
        the one the full ranking would choose, and the rest need not be opened."""
        return (
            cand.url in self.hubs,
            not cand.oit_row,
            -len(cand.row_links),
            naming_rank(cand.naming),
            -round(cand.fit, 1),
            is_doc(cand.url),
        )

    def _verdict_order(self, cand: Candidate) -> tuple:
        """Judged candidates, best first: by outcome, then fewest missing, then as judged."""
        return (
            OUTCOME_RANK[cand.outcome],
            len(cand.missing),
            cand.url in self.hubs,  # a hub only leads to the evidence: cite the evidence
            not cand.oit_row,  # the agency's own OIT row beats a menu link of a like title
            -len(cand.row_links),
            naming_rank(cand.naming),
            -round(cand.fit, 1),
            is_doc(cand.url),
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
        judged.sort(key=self._verdict_order)
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
            return self._nothing_found(item, result)
        best = judged[0]
        if best.outcome != "pass":
            best = combine(item, judged) or best
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

    def _nothing_found(self, item: Item, result: ItemResult) -> ItemResult:
        """No candidate (or only weak doubtful ones): absent, unless JavaScript hid pages."""
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
