"""What the result page computes from a stored run: the what-if score, the "fix first" list, the
OIT trend per site. Scores come from score.py, the one scoring, so "fix O12 and O27 → OIT 87.5"
is the score the next audit gives when those items are found."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from oit_checker.models import ItemResult
from oit_checker.rules import RuleSet, run_rules
from oit_checker.score import score
from oit_checker.store import Store

FIX_FIRST = 5  # items listed under "fix first"


def rules_of(result: dict) -> RuleSet | None:
    return run_rules(result.get("rules", {}).get("path", ""))


def what_if(store: Store, result: dict, fixed: Iterable[str]) -> dict | None:
    """The scores when the ``fixed`` items are present (None when the rule file is gone)."""
    rules = rules_of(result)
    if rules is None:
        return None
    fixed = set(fixed)
    items = [
        dataclasses.replace(r, status="present") if r.id in fixed else r
        for r in store.item_results(result["run_id"])
    ]
    return score(items, rules).as_dict()


def _gain(items: list[ItemResult], rules: RuleSet, base: float, item_id: str) -> float:
    changed = [dataclasses.replace(r, status="present") if r.id == item_id else r for r in items]
    return round(score(changed, rules).oit - base, 2)


def fix_first(store: Store, result: dict) -> list[dict]:
    """Items not present, the biggest OIT gain of fixing each alone first (an item of a small
    sub-indicator weighs more); absent before uncertain on a tie, then rule order."""
    rules = rules_of(result)
    if rules is None:
        return []
    items = store.item_results(result["run_id"])
    base = score(items, rules).oit
    order = {"absent": 0, "uncertain": 1}
    ranked = [
        {"id": r.id, "title": r.title, "status": r.status, "gain": _gain(items, rules, base, r.id)}
        for r in items
        if r.status != "present"
    ]
    ranked.sort(key=lambda r: (-r["gain"], order.get(r["status"], 2)))
    return ranked[:FIX_FIRST]


def trend_svg(points: list[tuple[int, float]], width: int = 360, height: int = 110) -> str:
    """An inline SVG line of OIT scores over runs, oldest first, each point labelled; a fall is
    drawn red. The scale runs from 10 below the lowest score (to a multiple of 10) to 100, so a
    drop of a few points shows. No chart library and no script: it prints and works without JS.
    """
    if not points:
        return ""
    left, right, top, bottom = 30, 14, 16, 8
    low = max(0.0, (min(v for _, v in points) // 10) * 10 - 10)
    step = (width - left - right) / max(1, len(points) - 1)

    def xy(n: int, value: float) -> tuple[float, float]:
        y = top + (100 - value) / (100 - low or 1) * (height - top - bottom)
        return left + n * step, y

    parts = [
        f'<svg class="trend" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="คะแนน OIT ของแต่ละรอบ">'
    ]
    for value in (100.0, low):
        _, y = xy(0, value)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#c9ced6"/>'
            f'<text x="{left - 4}" y="{y + 4:.1f}" font-size="10" text-anchor="end" '
            f'fill="#555">{value:.0f}</text>'
        )
    for n in range(1, len(points)):
        (x1, y1), (x2, y2) = xy(n - 1, points[n - 1][1]), xy(n, points[n][1])
        colour = RED if points[n][1] < points[n - 1][1] else BLUE
        parts.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
            f'stroke="{colour}" stroke-width="2"/>'
        )
    for n, (run_id, value) in enumerate(points):
        x, y = xy(n, value)
        colour = RED if n > 0 and value < points[n - 1][1] else BLUE
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}">'
            f"<title>รอบ #{run_id}: OIT {value:.2f}</title></circle>"
            f'<text x="{x:.1f}" y="{y - 7:.1f}" font-size="10" text-anchor="middle" '
            f'fill="{colour}">{value:.1f}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


RED, BLUE = "#b71c1c", "#0b4f9c"
