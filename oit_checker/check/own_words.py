"""Words that name or date the evidence are not its content.

A page titled with its item's name ("โครงสร้างและอำนาจหน้าที่", "แผนและความก้าวหน้าในการดำเนินงาน
และการใช้งบประมาณประจำปี") states what it should hold, not that it holds it: a page with only the
structure chart must not pass for the duties too because the title says "อำนาจหน้าที่". Likewise
"ปีงบประมาณ 2567" dates a report; its "งบประมาณ" is no budget figure.

Before a component's phrases are looked for, two kinds of words are masked in every text:

- the item's **compound names**: a title or alias that joins, with "และ", parts naming different
  components (parts whose components overlap, such as "การทุจริตและประพฤติมิชอบ", are one
  subject, not two). Inside such a name, or a cut-off beginning of it (a URL slug), a component
  named by one of its parts is not found.
- **dating phrases** (the rule set's ``dating`` pattern: ปีงบประมาณ, ประจำปี, fiscal year).
- the component's own ``not_within`` phrases (a unit inside a position title).
"""

from __future__ import annotations

import re

from oit_checker.rules import Component, Item, RuleSet
from oit_checker.thai import TONE_MARKS, compact

JOIN = "และ"
MASK = " | "  # what a masked phrase becomes: no phrase can be read across it


def compound_names(item: Item) -> dict[str, tuple[str, ...]]:
    """Component name -> the item's compound names (compacted) that name it in one part."""
    out: dict[str, list[str]] = {}
    for name in dict.fromkeys((compact(item.title), *item.aliases)):
        parts = [p for p in name.split(JOIN) if p]
        named = [{c.name for c in item.components if _names(c, p)} for p in parts]
        if not _joins_different_components(named):
            continue
        for comps in named:
            for comp in comps:
                out.setdefault(comp, [])
                if name not in out[comp]:
                    out[comp].append(name)
    return {k: tuple(v) for k, v in out.items()}


def _names(comp: Component, part: str) -> bool:
    return any(term and term in part for term in comp.any)


def _joins_different_components(named: list[set[str]]) -> bool:
    """Two parts that each name components, none in common: "โครงสร้าง" + "อำนาจหน้าที่"."""
    filled = [s for s in named if s]
    return any(a.isdisjoint(b) for i, a in enumerate(filled) for b in filled[i + 1 :])


def truncated(name: str, item: Item) -> str:
    """A regex for the compound name or a cut-off beginning of it (a WordPress slug, a link text
    ending in "…") that reaches past its first "และ" by a whole component word at least:
    "แผนและความก้าวหน้าในการดำเนินงานและการใช" is still the O6 title."""
    after = name.find(JOIN) + len(JOIN)
    ends = [
        at + len(term)
        for comp in item.components
        for term in comp.any
        if term and (at := name.find(term, after)) >= 0
    ]
    cut = min(ends, default=len(name))
    tail = ""
    for c in reversed(name[cut:]):
        tail = rf"(?:\s*{_char(c)}{tail})?"
    return spaced(name[:cut]) + tail


def spaced(phrase: str) -> str:
    """A regex for a compacted phrase as it appears in normalised text: spaces anywhere, and as
    a damaged PDF text layer shows it (tone marks lost, ำ as า: thai.skeleton)."""
    return r"\s*".join(_char(c) for c in phrase)


def tolerant(pattern: str) -> str:
    """A rule's regex as a damaged PDF text layer shows what it matches: a tone mark written
    in it may be missing, ำ may be า (outside character classes; escapes are kept whole).
    "หัวหน้าฝ่าย…" must still mask "หัวหนาฝาย…", or the unit in a position title counts."""
    out, in_class, escaped = [], False, False
    for c in pattern:
        if escaped or c == "\\":
            out.append(c)
            escaped = not escaped and c == "\\"
            continue
        if in_class:
            in_class = c != "]"
            out.append(c)
            continue
        in_class = c == "["
        out.append(_char(c) if c in TONE_MARKS or c == "ำ" else c)
    return "".join(out)


def _char(c: str) -> str:
    if c in TONE_MARKS:
        return f"{c}?"
    return "[ำา]" if c == "ำ" else re.escape(c)


class OwnWords:
    """The mask of each component of each item, built once per rule set."""

    def __init__(self, rules: RuleSet) -> None:
        self.dating = rules.patterns.get("dating", "")
        self._masks: dict[tuple[str, str], re.Pattern[str] | None] = {}
        for item in rules.items:
            hiding = compound_names(item)
            for comp in item.components:
                names = hiding.get(comp.name, ())
                self._masks[(item.id, comp.name)] = self._build(comp, names, item)

    def _build(self, comp: Component, names: tuple[str, ...], item: Item) -> re.Pattern[str] | None:
        alternatives = [f"(?:{tolerant(rx.pattern)})" for rx in comp.not_within]
        alternatives += [truncated(n, item) for n in sorted(names, key=len, reverse=True)]
        if self.dating:
            alternatives.append(f"(?:{self.dating})")
        return re.compile("|".join(alternatives)) if alternatives else None

    def mask(self, item: Item, comp: Component) -> re.Pattern[str] | None:
        return self._masks.get((item.id, comp.name))


def masked(text: str, mask: re.Pattern[str] | None) -> str:
    return mask.sub(MASK, text) if mask is not None and text else text
