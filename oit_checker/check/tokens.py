"""Titles as agencies write them: an item name with words added, vowels dropped or split.

"แผนปฏิบัติการป้องกันปราบปรามการทุจริตและประพฤติมิชอบ และส่งเสริมคุณธรรม" names the anti-corruption
plan although no alias is a substring of it; "รายงานผลการดาเนินงานประจาปี" (a PDF that lost the
NIKHAHIT of ำ) names the annual report. Each alias is cut into words once (pythainlp's newmm
segmenter, dictionary-based, nothing to download) and a text names the item when it holds the
alias's words, in any order, with others between them, compared by skeleton (thai.skeleton).

A word weighs by how few items use it in their names (inverse document frequency over the rule
set): "แผน", "รายงาน", "ประจำปี", "การ" name half the items and weigh almost nothing, so a text
of generic words never names an item; the words that tell items apart carry the match.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from oit_checker.rules import Item
from oit_checker.thai import skeleton

MIN_TOKEN_CHARS = 2  # one-letter pieces are segmentation debris, not words


@dataclass(frozen=True)
class TokenAlias:
    item_id: str
    alias: str
    words: tuple[tuple[str, float], ...]  # (skeleton of the word, weight)
    total: float
    key: str  # the heaviest word: a text without it cannot match


@lru_cache(maxsize=8192)
def words_of(phrase: str) -> tuple[str, ...]:
    """The phrase's words by newmm (imported on first use: loading its dictionary takes time)."""
    from pythainlp.tokenize import word_tokenize

    words = word_tokenize(phrase, engine="newmm", keep_whitespace=False)
    return tuple(w for w in words if len(w.strip()) >= MIN_TOKEN_CHARS)


class TokenMatcher:
    """Names an item in a short text by weighted words of its aliases."""

    def __init__(self, items: Iterable[Item], cover: float, min_weight: float) -> None:
        self.cover = cover
        self.min_weight = min_weight
        items = tuple(items)
        split = {(i.id, a): [skeleton(w) for w in words_of(a)] for i in items for a in i.aliases}
        users: dict[str, set[str]] = {}
        for (item_id, _alias), words in split.items():
            for w in words:
                users.setdefault(w, set()).add(item_id)
        n = max(len(items), 1)
        self.weight = {w: math.log(n / len(ids)) for w, ids in users.items()}
        self.by_key: dict[str, list[TokenAlias]] = {}
        for (item_id, alias), words in split.items():
            unique = list(dict.fromkeys(words))
            if len(unique) < 2:  # a one-word alias is the exact matcher's business
                continue
            weighted = tuple((w, self.weight[w]) for w in unique)
            total = sum(x for _, x in weighted)
            if total < self.min_weight:
                continue
            key = max(weighted, key=lambda wx: wx[1])[0]
            entry = TokenAlias(item_id, alias, weighted, total, key)
            self.by_key.setdefault(key, []).append(entry)

    def weight_of(self, alias: str) -> float:
        """What an alias's words weigh (words no item name uses weigh as one-item words)."""
        top = max(self.weight.values(), default=0.0)
        return sum(self.weight.get(skeleton(w), top) for w in dict.fromkeys(words_of(alias)))

    def best(self, flat: str) -> list[tuple[float, TokenAlias]]:
        """Aliases whose words the compacted text holds (by weight share ≥ cover), best first."""
        skel = skeleton(flat)
        found = []
        for key, entries in self.by_key.items():
            if key not in skel:
                continue
            for entry in entries:
                held = sum(x for w, x in entry.words if w in skel)
                if held >= self.cover * entry.total and held >= self.min_weight:
                    found.append((held, entry))
        found.sort(key=lambda he: -he[0])
        return found
