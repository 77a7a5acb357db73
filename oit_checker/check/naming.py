"""Which OIT item does a piece of text name? The one general mechanism behind every candidate.

Texts are compared compacted (no spaces, Thai digits as Arabic, ำ/แ repaired, lower case). The
longest matching alias wins, so a specific title beats a generic one that it contains. Item
numbers ("O12", "o.12", "๐๑๒") only break ties: numbering changes every year and by sector.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from oit_checker.models import Link
from oit_checker.rules import Item, RuleSet
from oit_checker.thai import compact

# "o1", "o 1", "o.1", "o_16", "oit 3", "014" (Thai zero for O, after digit folding) at the start.
LEADING_NUMBER = re.compile(r"^\W*(?:moit|oit|o|0)\s*[._:\-]?\s*(\d{1,2})(?!\d)")
FUZZY_MIN_ALIAS = 10  # shorter aliases are too easy to hit by accident
FUZZY_MAX_TEXT = 160


@dataclass(frozen=True)
class Naming:
    item_id: str
    alias: str
    source: str  # text | context | label | title | heading


def leading_number(text: str) -> str:
    """ "o๑๒ ..." → "o12"; "" when the text does not start with an item label."""
    m = LEADING_NUMBER.match(text.strip().lower())
    return f"o{int(m.group(1))}" if m else ""


class ItemNamer:
    """Names items in texts for one rule set; results are cached per distinct text."""

    def __init__(self, rules: RuleSet) -> None:
        self.items: tuple[Item, ...] = rules.items
        self.generic = frozenset(compact(t) for t in rules.crawl.get("generic_link_texts", []))
        self.hub_terms = tuple(compact(t) for t in rules.crawl.get("hub_terms", []))
        self.fuzzy_cutoff = float(rules.thresholds.get("fuzzy_alias", 90))
        self._fuzzy_choices = [
            (alias, item.id)
            for item in self.items
            for alias in item.aliases
            if len(alias) >= FUZZY_MIN_ALIAS
        ]
        self.name_text = lru_cache(maxsize=200_000)(self._name_text)

    def _name_text(self, text: str) -> str | None:
        """The id of the item this text names, or None."""
        flat = compact(text)
        if not flat:
            return None
        best: list[tuple[int, str]] = []
        for item in self.items:
            if any(ex and ex in flat for ex in item.exclude):
                continue
            length = max((len(a) for a in item.aliases if a and a in flat), default=0)
            if length:
                best.append((length, item.id))
        # Typo'd labels ("ครงสร้างหน่วยงาน"): the whole alias must fit inside the text, or a
        # short text ("ita") would match any alias that contains it.
        choices = [(a, i) for a, i in self._fuzzy_choices if len(a) <= len(flat)]
        if not best and len(flat) <= FUZZY_MAX_TEXT and choices:
            hit = process.extractOne(
                flat,
                [a for a, _ in choices],
                scorer=fuzz.partial_ratio,
                score_cutoff=self.fuzzy_cutoff,
            )
            if hit:
                item_id = choices[hit[2]][1]
                item = next(i for i in self.items if i.id == item_id)
                if not any(ex and ex in flat for ex in item.exclude):
                    return item_id
        if not best:
            return None
        top = max(length for length, _ in best)
        winners = [item_id for length, item_id in best if length == top]
        if len(winners) > 1:
            number = leading_number(text)
            hinted = [w for w in winners if number and number in self._numbers(w)]
            return hinted[0] if hinted else None  # ambiguous: better no candidate than a wrong one
        return winners[0]

    def _numbers(self, item_id: str) -> tuple[str, ...]:
        return next(i.numbers for i in self.items if i.id == item_id)

    def is_generic(self, text: str) -> bool:
        flat = compact(text)
        return not flat or flat in self.generic or _looks_like_file_or_url(flat)

    def name_link(self, link: Link) -> Naming | None:
        """A link names an item by its own words, else by its row, else by the heading above it."""
        if not self.is_generic(link.text):
            item_id = self.name_text(link.text)
            if item_id:
                return Naming(item_id, link.text, "text")
        for source, text in (("context", link.context), ("label", link.label)):
            if text:
                item_id = self.name_text(text)
                if item_id:
                    return Naming(item_id, text, source)
        return None

    def is_hub_text(self, text: str) -> bool:
        flat = compact(text)
        return any(term and term in flat for term in self.hub_terms)


def _looks_like_file_or_url(flat: str) -> bool:
    return flat.startswith(("http", "www.")) or bool(
        re.fullmatch(r"[\w\-.()]+\.(pdf|docx?|xlsx?|jpe?g|png)", flat)
    )
