"""OIT scores from item verdicts, and the ITA total and rating when the other instruments are given.

Item 100 or 0; sub-indicator = mean of its items; indicator = mean of its sub-indicators (each
sub-indicator weighs the same); OIT = mean of the indicators. The plain item average is reported
too, because the sub-indicator grouping of recent years is provisional.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import mean

from oit_checker.models import ItemResult
from oit_checker.rules import RuleSet

# Defaults for when a rule file has no [scoring] table (the 2567 seed report's weights and the
# rating bands in force since 2566).
DEFAULT_WEIGHTS = {"iit": 30.0, "eit1": 15.0, "eit2": 15.0, "oit": 40.0}
DEFAULT_BANDS = [
    {"rating": "ผ่านดีเยี่ยม", "total": 95.0, "each": 95.0},
    {"rating": "ผ่านดี", "total": 85.0, "each": 85.0},
    {"rating": "ผ่าน", "total": 85.0, "each": 0.0},
    {"rating": "ต้องปรับปรุง", "total": 70.0, "each": 0.0},
    {"rating": "ต้องปรับปรุงโดยด่วน", "total": 0.0, "each": 0.0},
]


@dataclass
class Scores:
    subindicators: dict[str, float] = field(default_factory=dict)
    indicators: dict[str, float] = field(default_factory=dict)
    oit: float = 0.0
    item_average: float = 0.0
    ita: dict | None = None  # {"total", "rating", "instruments"} when IIT/EIT are given

    def as_dict(self) -> dict:
        return {
            "subindicators": self.subindicators,
            "indicators": self.indicators,
            "oit": self.oit,
            "item_average": self.item_average,
            **({"ita": self.ita} if self.ita else {}),
        }


def score(
    results: list[ItemResult],
    rules: RuleSet,
    iit: float | None = None,
    eit1: float | None = None,
    eit2: float | None = None,
) -> Scores:
    by_sub: dict[str, list[float]] = {}
    for r in results:
        by_sub.setdefault(r.subindicator, []).append(r.score)
    subs = {sid: round(mean(vals), 2) for sid, vals in by_sub.items()}
    by_ind: dict[str, list[float]] = {}
    for sid, value in subs.items():
        by_ind.setdefault(rules.subindicators[sid][1], []).append(value)
    inds = {iid: round(mean(vals), 2) for iid, vals in by_ind.items()}
    scores = Scores(
        subindicators=subs,
        indicators=inds,
        oit=round(mean(inds.values()), 2) if inds else 0.0,
        item_average=round(mean(r.score for r in results), 2) if results else 0.0,
    )
    if None not in (iit, eit1, eit2):
        scores.ita = ita_total(rules, {"iit": iit, "eit1": eit1, "eit2": eit2, "oit": scores.oit})
    return scores


def ita_total(rules: RuleSet, instruments: dict[str, float]) -> dict:
    weights = rules.scoring.get("weights", DEFAULT_WEIGHTS)
    total = round(sum(instruments[k] * float(w) for k, w in weights.items()) / 100.0, 2)
    return {"total": total, "rating": rating(rules, total, instruments), "instruments": instruments}


def rating(rules: RuleSet, total: float, instruments: dict[str, float]) -> str:
    for band in rules.scoring.get("bands", DEFAULT_BANDS):
        if total >= float(band["total"]) and min(instruments.values()) >= float(band["each"]):
            return str(band["rating"])
    return str(rules.scoring.get("bands", DEFAULT_BANDS)[-1]["rating"])
