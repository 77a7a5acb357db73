"""Writing next year's rules: start a file from last year's, check it, compare two years.

ITA changes its item list most years (2567: 35 items, 2568: 28, 2569: 26) and the NACC may
overhaul it for 2570, so a new rule file must be a morning's work for someone who reads the
manual, not a programmer: ``new_rule_file`` copies last year's file text (comments and all) with
the year moved on and a ``was`` link per item; ``lint`` names what the loader cannot see (an
unknown helper, an alias that names many items, a fix text that speaks of the wrong year);
``rules_diff`` lists what changed, from the ``was`` links.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from oit_checker.check.helpers import HELPERS
from oit_checker.rules import RULES_DIR, Item, RuleError, RuleSet, load_year, shipped_years

# An alias found inside the names of this many other items names them too: too generic.
GENERIC_AFTER = 3


# ---- rules new ------------------------------------------------------------------------------------


def new_rule_file(year: int, base: RuleSet, target: Path) -> Path:
    """``target`` written from ``base``'s file: the year moved on (ruleset, fix texts), status
    provisional, ``was_year`` = the base year and ``was = ["<id>"]`` on every item (edit those
    that merge, split or disappear). Refuses to overwrite a file."""
    if target.exists():
        raise RuleError(f"{target}: มีไฟล์นี้อยู่แล้ว ไม่เขียนทับ (already exists; not overwritten)")
    shift = year - base.year
    text = base.path.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^was = \[.*\]\n", "", text)  # the base's own links point further back
    text = re.sub(r"(?m)^was_year = .*\n", "", text)
    text = re.sub(r'(?m)^id = "([^"]+)"$', lambda m: f'{m.group(0)}\nwas = ["{m.group(1)}"]', text)
    text = re.sub(
        r'(?m)^fix = "(.*)"$', lambda m: f'fix = "{_shift_years(m.group(1), shift)}"', text
    )
    head = (
        f"year = {year}\n"
        f'title = "ITA {year} — OIT (draft from {base.year})"\n'
        'status = "provisional"\n'
        f'source = "written by `oit rules new {year} --from {base.year}`: edit it from the NACC manual"\n'
        f"was_year = {base.year}\n"
    )
    text, n = re.subn(r"(?ms)^\[ruleset\]\n.*?(?=^\[)", f"[ruleset]\n{head}\n", text, count=1)
    if not n:
        raise RuleError(f"{base.path}: no [ruleset] table to start from")
    text = _extends(text, base, target)
    intro = (
        f"# ITA {year}: a draft written from {base.path.name} by `oit rules new {year} --from "
        f"{base.year}`.\n# Edit each item from the NACC manual of {year}: title, period, aliases, "
        f"components. `was` names the\n# {base.year} item(s) an item continues: list two ids for "
        "a merged item, the same id in two items for a\n# split one, `was = []` for a new item; "
        f"drop an item that is gone. Then: oit rules check {target.name}\n\n"
    )
    target.write_text(intro + text, encoding="utf-8")
    return target


def _shift_years(text: str, shift: int) -> str:
    """BE years in a fix text moved on by ``shift`` (2569 -> 2570, a 2566-2570 range too)."""
    return re.sub(r"(?<!\d)25\d\d(?!\d)", lambda m: str(int(m.group(0)) + shift), text)


def _extends(text: str, base: RuleSet, target: Path) -> str:
    """Keep ``extends`` pointing at the shared file: relative when one sits beside the target,
    else the shipped common.toml by its full path (a draft written in any folder still loads)."""
    match = re.search(r'(?m)^extends = "(.*)"$', text)
    if not match:
        return text
    shared = (base.path.parent / match.group(1)).resolve()
    if (target.parent / match.group(1)).is_file():
        return text
    return text.replace(match.group(0), f'extends = "{shared.as_posix()}"', 1)


# ---- rules check ----------------------------------------------------------------------------------


@dataclass
class Finding:
    level: str  # "error" (the file would mislead an audit) or "warning" (check it by eye)
    where: str
    message: str


@dataclass
class LintReport:
    rules: RuleSet
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "error"]

    def add(self, level: str, where: str, message: str) -> None:
        self.findings.append(Finding(level, where, message))


def lint(rules: RuleSet, rules_dir: Path = RULES_DIR) -> LintReport:
    """What a loaded rule file still gets wrong (the loader already refused unknown keys,
    unknown periods and places, bad patterns). Thai first in every message."""
    report = LintReport(rules)
    _check_name(rules, report)
    previous = _previous(rules, rules_dir, report)
    for item in rules.items:
        at = f"item {item.id}"
        if not item.components:
            report.add("error", at, "ไม่มีองค์ประกอบ ([[items.components]]) (no components: "
                       "nothing would decide present)")  # fmt: skip
        for comp in item.components:
            if comp.helper and comp.helper not in HELPERS:
                known = ", ".join(sorted(HELPERS))
                report.add("error", f"{at} component {comp.name!r}",
                           f"ไม่รู้จัก helper {comp.helper!r} (unknown helper; known: {known})")  # fmt: skip
            if comp.period and comp.period == item.period:
                report.add("warning", f"{at} component {comp.name!r}",
                           f"period {comp.period!r} ซ้ำกับของข้อ (same as the item's: drop it)")  # fmt: skip
        _check_fix_years(rules, item, report)
        _check_was(rules, item, previous, report)
    _check_generic_aliases(rules, report)
    return report


def _check_name(rules: RuleSet, report: LintReport) -> None:
    match = re.fullmatch(r"ita-(\d{4})\.toml", rules.path.name)
    if match and int(match.group(1)) != rules.year:
        report.add("error", "[ruleset] year",
                   f"ชื่อไฟล์เป็นปี {match.group(1)} แต่ year = {rules.year} "
                   f"(the file name says {match.group(1)}, the rule set {rules.year})")  # fmt: skip


def _previous(rules: RuleSet, rules_dir: Path, report: LintReport) -> RuleSet | None:
    if rules.was_year is None:
        if any(item.was is not None for item in rules.items):
            report.add("error", "[ruleset]", "มี was แต่ไม่มี was_year (items have `was` but "
                       "[ruleset] has no was_year: which year do they name?)")  # fmt: skip
        return None
    if rules.was_year >= rules.year:
        report.add("error", "[ruleset] was_year",
                   f"was_year {rules.was_year} ต้องเป็นปีก่อน {rules.year} (must be an earlier year)")  # fmt: skip
        return None
    if rules.was_year not in shipped_years(rules_dir):
        report.add("warning", "[ruleset] was_year",
                   f"ไม่มีชุดกฎปี {rules.was_year} ให้ตรวจ was (no shipped {rules.was_year} rules "
                   "to check the `was` ids against)")  # fmt: skip
        return None
    return load_year(rules.was_year, rules_dir)


def _check_was(rules: RuleSet, item: Item, previous: RuleSet | None, report: LintReport) -> None:
    if rules.was_year is not None and item.was is None:
        report.add("warning", f"item {item.id}",
                   f"ไม่มี was: ประวัติข้ามปีจะเทียบข้อนี้ไม่ได้ (no `was`: history cannot follow "
                   f"it from {rules.was_year}; write was = [] for a new item)")  # fmt: skip
    if previous is None or not item.was:
        return
    known = {it.id for it in previous.items}
    for old in item.was:
        if old not in known:
            report.add("error", f"item {item.id} was",
                       f"ปี {previous.year} ไม่มีข้อ {old} (no item {old} in {previous.year}; "
                       f"it has {previous.items[0].id}–{previous.items[-1].id})")  # fmt: skip


def _check_fix_years(rules: RuleSet, item: Item, report: LintReport) -> None:
    """A fix text copied from last year still naming last year's years misleads the officer."""
    allowed = {rules.year, rules.year - 1} if item.period != "covers_fy" else set()
    stray = sorted({int(y) for y in re.findall(r"(?<!\d)(25\d\d)(?!\d)", item.fix)} - allowed)
    if allowed and stray:
        report.add("warning", f"item {item.id} fix",
                   f"ข้อความ fix ระบุปี {', '.join(map(str, stray))} ไม่ใช่ {rules.year} หรือ "
                   f"{rules.year - 1} (the fix text names another year)")  # fmt: skip


def _check_generic_aliases(rules: RuleSet, report: LintReport) -> None:
    """An alias that sits inside the titles and aliases of several other items names them too:
    a link about any of them would become a candidate for this item."""
    names = {item.id: set(item.aliases) for item in rules.items}
    for item in rules.items:
        for alias in item.aliases:
            others = sorted(
                (other for other, theirs in names.items()
                 if other != item.id and any(alias in name for name in theirs)),
                key=lambda i: int(re.sub(r"\D", "", i) or 0),
            )  # fmt: skip
            if len(others) >= GENERIC_AFTER:
                report.add("warning", f"item {item.id} aliases",
                           f"{alias!r} กว้างเกินไป อยู่ในชื่อของข้อ {', '.join(others)} ด้วย "
                           f"(too generic: it is inside the names of {len(others)} other items)")  # fmt: skip


# ---- rules diff -----------------------------------------------------------------------------------


@dataclass
class RulesDiff:
    old: RuleSet
    new: RuleSet
    added: list[Item] = field(default_factory=list)
    removed: list[Item] = field(default_factory=list)
    merged: list[tuple[Item, list[Item]]] = field(default_factory=list)
    split: list[tuple[Item, list[Item]]] = field(default_factory=list)
    renamed: list[tuple[Item, Item, list[str]]] = field(default_factory=list)  # and what changed
    unchanged: list[tuple[Item, Item]] = field(default_factory=list)


def rules_diff(old: RuleSet, new: RuleSet) -> RulesDiff:
    """What changed from ``old`` to ``new``, from ``new``'s ``was`` links (which must name
    ``old``'s year): items added, removed, merged, split, and continued one to one (renamed
    or renumbered, with their period and component changes)."""
    if new.was_year != old.year:
        raise RuleError(
            f"{new.path}: was_year is {new.was_year}, not {old.year}: its `was` links do not "
            f"name {old.year} items (ไม่ได้อ้างถึงข้อของปี {old.year})"
        )
    diff = RulesDiff(old, new)
    old_items = {it.id: it for it in old.items}
    heirs: dict[str, list[Item]] = {}
    for item in new.items:
        for was in item.was or ():
            heirs.setdefault(was, []).append(item)
    diff.removed = [it for it in old.items if it.id not in heirs]
    diff.split = [
        (old_items[w], items) for w, items in heirs.items() if len(items) > 1 and w in old_items
    ]
    for item in new.items:
        parts = [old_items[w] for w in item.was or () if w in old_items]
        if not item.was:
            diff.added.append(item)
        elif len(parts) > 1:
            diff.merged.append((item, parts))
        elif len(parts) == 1 and len(heirs[parts[0].id]) == 1:
            changes = _item_changes(parts[0], item)
            if changes:
                diff.renamed.append((parts[0], item, changes))
            else:
                diff.unchanged.append((parts[0], item))
    return diff


def _item_changes(old: Item, new: Item) -> list[str]:
    changes = []
    if old.id != new.id:
        changes.append(f"เลขข้อ (number) {old.id} → {new.id}")
    if old.title != new.title:
        changes.append(f"ชื่อ (title) «{old.title}» → «{new.title}»")
    if old.period != new.period:
        changes.append(f"ช่วงเวลา (period) {old.period} → {new.period}")
    before, after = [c.name for c in old.components], [c.name for c in new.components]
    if gained := [n for n in after if n not in before]:
        changes.append(f"องค์ประกอบใหม่ (new components) {', '.join(gained)}")
    if lost := [n for n in before if n not in after]:
        changes.append(f"องค์ประกอบที่เลิกใช้ (dropped components) {', '.join(lost)}")
    return changes
