"""One subject across fiscal years: item numbers mean different things each year (2568 O20 is
participation, 2569 O20 is No Gift), so runs of different years are compared through the rule
files' ``was`` links, never by O-number.

``subject_map`` follows the links back from a rule set to an earlier year (2569 -> 2568 -> 2567),
and ``project`` re-keys an older run's verdicts onto the newer year's items: a merged item
(2569 O20 = 2568 O21 + O22) was present only when every part was.
"""

from __future__ import annotations

from oit_checker.rules import RULES_DIR, RuleError, RuleSet, load_year, shipped_years

# A merged item's verdict from its parts: any absent part makes it absent, else any uncertain.
_WORST_FIRST = ("absent", "uncertain", "present")


def subject_map(new: RuleSet, old_year: int) -> dict[str, tuple[str, ...]] | None:
    """For each item of ``new``, the ``old_year`` items it continues; None when the chain of
    ``was`` links does not reach that year (a rule file without links, a year not shipped)."""
    mapping = {item.id: (item.id,) for item in new.items}
    rules = new
    while rules.year > old_year:
        if rules.was_year is None or any(item.was is None for item in rules.items):
            return None
        step = {item.id: item.was or () for item in rules.items}
        mapping = {
            key: tuple(dict.fromkeys(w for v in values for w in step.get(v, ())))
            for key, values in mapping.items()
        }
        if rules.was_year not in shipped_years(RULES_DIR):
            return mapping if rules.was_year == old_year else None
        try:
            rules = load_year(rules.was_year)
        except RuleError:
            return None
    return mapping if rules.year == old_year else None


def combined_status(statuses: list[str]) -> str:
    return next(s for s in _WORST_FIRST if s in statuses)


def project(older: dict, newer_rules: RuleSet) -> dict | None:
    """``older`` (a run's JSON contract) with its items re-keyed as ``newer_rules``' items, each
    carrying ``was`` (the older ids) and the combined verdict and evidence of its parts; items
    with no counterpart are left out. None when the years cannot be linked."""
    mapping = subject_map(newer_rules, int(older["year"]))
    if mapping is None:
        return None
    by_id = {item["id"]: item for item in older["items"]}
    items = []
    for rule in newer_rules.items:
        parts = [by_id[w] for w in mapping.get(rule.id, ()) if w in by_id]
        if not parts:
            continue
        status = combined_status([p["status"] for p in parts])
        worst = next(p for p in parts if p["status"] == status)
        items.append(
            {
                **worst,
                "id": rule.id,
                "title": rule.title,
                "was": [p["id"] for p in parts],
                "status": status,
                # A present subject rests on every part's evidence, any other on its worst part's.
                "evidence": [e for p in parts for e in p["evidence"]]
                if status == "present"
                else worst["evidence"],
                "found": [f for p in parts for f in p.get("found", [])],
                "missing": [m for p in parts for m in p.get("missing", [])],
            }
        )
    return {**older, "items": items}
