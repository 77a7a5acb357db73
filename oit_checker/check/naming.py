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

from oit_checker.check.tokens import TokenMatcher
from oit_checker.models import Link
from oit_checker.rules import Item, RuleSet
from oit_checker.thai import compact, normalize, skeleton

# "o1", "o 1", "o.1", "o_16", "oit 3", "014" (Thai zero for O, after digit folding), "ข้อ 12" at
# the start.
LEADING_NUMBER = re.compile(r"^\W*(?:moit|oit|o|0|ข้อ(?:ที่)?)\s*[._:\-]?\s*(\d{1,2})(?!\d)")
FUZZY_MIN_ALIAS = 10  # shorter aliases are too easy to hit by accident
FUZZY_MAX_TEXT = 40  # typo'd labels are short; fuzzy-matching every headline costs seconds
TOKEN_MAX_TEXT = 160  # titles and link texts, not page bodies (a body names everything)


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
        terms = rules.crawl.get("hub_terms", [])
        self.hub_terms = tuple(compact(t) for t in terms if not t.isascii())
        self.hub_words = _whole_words([t for t in terms if t.isascii()])
        self.fuzzy_cutoff = float(rules.thresholds.get("fuzzy_alias", 90))
        self._fuzzy_choices = [
            (alias, item.id)
            for item in self.items
            for alias in item.aliases
            if len(alias) >= FUZZY_MIN_ALIAS
        ]
        self._by_id = {item.id: item for item in self.items}
        self.words = TokenMatcher(
            self.items,
            cover=float(rules.thresholds.get("token_cover", 0.9)),
            min_weight=float(rules.thresholds.get("token_min_weight", 3.0)),
        )
        self.names_in = lru_cache(maxsize=200_000)(self._names_in)
        self.is_generic = lru_cache(maxsize=200_000)(self._is_generic)

    def _names_in(self, text: str) -> tuple[str, ...]:
        """Every item this text names, most specific first.

        Maximal munch: matches are taken longest first, and a shorter match that overlaps a
        longer match of another item is dropped ("รายงานผลการดำเนินการป้องกันการทุจริต" names
        O26, not O7 as well), while separate matches all count ("ประชุมประชาคม … ทบทวน
        แผนพัฒนาท้องถิ่น" names both the participation item and the plan).
        """
        flat = compact(text)
        if not flat:
            return ()
        found: list[tuple[int, int, str]] = []  # (start, end, item id)
        for item in self.items:
            if any(ex and ex in flat for ex in item.exclude):
                continue
            for alias in item.aliases:
                at = flat.find(alias) if alias else -1
                while at >= 0:
                    found.append((at, at + len(alias), item.id))
                    at = flat.find(alias, at + 1)
        by_words = self._by_words(flat, text)
        if not found:
            if by_words:
                return (by_words[0],)
            fuzzy = self._fuzzy(flat)
            return (fuzzy,) if fuzzy else ()
        found.sort(key=lambda m: (m[0] - m[1], m[0]))  # longest first
        taken: list[tuple[int, int, str]] = []
        for start, end, item_id in found:
            clash = [t for t in taken if t[0] < end and start < t[1] and t[2] != item_id]
            if not clash:
                taken.append((start, end, item_id))
            elif all((t[0], t[1]) == (start, end) for t in clash):
                taken.append((start, end, item_id))  # same words, two items: resolve below
        named = self._resolve_ties(taken, text)
        # Words added inside a title can hold another item's short alias ("…ป้องกันปราบปราม
        # การทุจริต… และส่งเสริมคุณธรรมจริยธรรม"): the item whose words weigh more comes first.
        longest = flat[found[0][0] : found[0][1]]
        if by_words and by_words[0] not in named and by_words[1] > self.words.weight_of(longest):
            return (by_words[0], *named)
        return named

    def _resolve_ties(self, taken: list[tuple[int, int, str]], text: str) -> tuple[str, ...]:
        spans: dict[tuple[int, int], list[str]] = {}
        for start, end, item_id in taken:
            spans.setdefault((start, end), [])
            if item_id not in spans[(start, end)]:
                spans[(start, end)].append(item_id)
        number = leading_number(text)
        out: list[str] = []
        for _span, ids in sorted(spans.items(), key=lambda kv: kv[0][0] - kv[0][1]):
            if len(ids) > 1:  # ambiguous: only the label number may decide, else no candidate
                ids = [i for i in ids if number and number in self._numbers(i)][:1]
            out.extend(i for i in ids if i not in out)
        return tuple(out)

    def _by_words(self, flat: str, text: str) -> tuple[str, float] | None:
        """A title with words added or vowels lost (tokens.py): the item whose alias words the
        text holds best, with their weight, unless two items hold as much (then only the label
        number decides)."""
        if len(flat) > TOKEN_MAX_TEXT:
            return None
        skel = skeleton(flat)
        best: dict[str, float] = {}
        for held, entry in self.words.best(flat):
            item = self._by_id[entry.item_id]
            if any(ex and (ex in flat or skeleton(ex) in skel) for ex in item.exclude):
                continue
            best[entry.item_id] = max(best.get(entry.item_id, 0.0), held)
        ranked = sorted(best.items(), key=lambda kv: -kv[1])
        if not ranked:
            return None
        weight = ranked[0][1]
        top = [i for i, held in ranked if held == weight]
        number = leading_number(text)
        if len(top) > 1:
            top = [i for i in top if number and number in self._numbers(i)][:1]
        return (top[0], weight) if top else None

    def _fuzzy(self, flat: str) -> str | None:
        """Typo'd labels ("ครงสร้างหน่วยงาน"). The whole alias must fit inside the text, or a
        short text ("ita") would match any alias that contains it."""
        choices = [(a, i) for a, i in self._fuzzy_choices if len(a) <= len(flat)]
        if len(flat) > FUZZY_MAX_TEXT or not choices:
            return None
        hit = process.extractOne(
            flat, [a for a, _ in choices], scorer=fuzz.partial_ratio, score_cutoff=self.fuzzy_cutoff
        )
        if not hit:
            return None
        item_id = choices[hit[2]][1]
        item = next(i for i in self.items if i.id == item_id)
        return None if any(ex and ex in flat for ex in item.exclude) else item_id

    def fit(self, item: Item, text: str) -> float:
        """How much of the text is the item's name (1.0: the text is just the title). A menu
        link "ข่าวประชาสัมพันธ์" fits the news item better than one news headline does."""
        flat = compact(text)
        longest = max((len(a) for a in item.aliases if a and a in flat), default=0)
        return longest / len(flat) if flat else 0.0

    def fit_text(self, text: str) -> float:
        """fit() for whichever item the text names most specifically."""
        item_id = self.name_text(text)
        item = next((i for i in self.items if i.id == item_id), None)
        return self.fit(item, text) if item else 0.0

    def name_text(self, text: str) -> str | None:
        """The item a text names most specifically, or None."""
        names = self.names_in(text)
        return names[0] if names else None

    def _numbers(self, item_id: str) -> tuple[str, ...]:
        return next(i.numbers for i in self.items if i.id == item_id)

    def _is_generic(self, text: str) -> bool:
        flat = compact(text)
        return not flat or flat in self.generic or _looks_like_file_or_url(flat)

    def name_link(self, link: Link) -> list[Naming]:
        """A link names items by its own words, else by its row, else by the heading above it."""
        sources = [("context", link.context), ("label", link.label)]
        if not self.is_generic(link.text):
            sources.insert(0, ("text", link.text))
        for source, text in sources:
            names = self.names_in(text) if text else ()
            if names:
                return [Naming(item_id, text, source) for item_id in names]
        return []

    def is_hub_text(self, text: str) -> bool:
        """Thai phrases anywhere; Latin acronyms only as words ("ITA 2568", "/ita/",
        "oit2023-ita2023"), never inside one ("/capital/", "digital", "hospital")."""
        flat = compact(text)
        if any(term and term in flat for term in self.hub_terms):
            return True
        return bool(self.hub_words and self.hub_words.search(normalize(text)))


def _whole_words(terms: list[str]) -> re.Pattern[str] | None:
    """One pattern for Latin phrases matched as whole words (letters may not touch them;
    digits and punctuation may), spaces between their words optional."""
    words = [r"\s*".join(map(re.escape, t.lower().split())) for t in terms if t.strip()]
    if not words:
        return None
    return re.compile(r"(?<![a-z])(?:" + "|".join(words) + r")(?![a-z])")


def _looks_like_file_or_url(flat: str) -> bool:
    return flat.startswith(("http", "www.")) or bool(
        re.fullmatch(r"[\w\-.()]+\.(pdf|docx?|xlsx?|jpe?g|png)", flat)
    )
