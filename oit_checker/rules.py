"""Load and validate rule sets: the OIT items of one fiscal year, as data.

A rule file (``rules/ita-2568.toml``) lists the items with their group, period kind, aliases
and the components that make them present. It may ``extends = "common.toml"`` to share named
patterns, crawl hints and thresholds. Errors name the file, the item and the field, because the
people who correct provisional rules are not the people who wrote the code.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from oit_checker.dates import fiscal_year
from oit_checker.errors import OitError
from oit_checker.paths import RULES_DIR
from oit_checker.thai import compact

PERIOD_KINDS = ("current", "fy", "prev_fy", "fy_or_prev", "covers_fy", "half_year", "monthly")
COMPONENT_PLACES = ("text", "title", "links", "images", "any")
ITEM_STATUSES = ("confirmed", "inferred", "provisional")

# Every key a rule file may hold, per table: what the loader and the checker read. A key not
# listed is a typo (``aliasses``) that would silently change nothing, so it is refused.
TRAP_KEYS = (
    "duplicate", "duplicate_companions", "identifiers", "calendar", "sort", "filter", "paging",
    "paging_value", "date_value", "patience", "patience_after_closed", "closed_families_to_learn",
    "novel_text_chars", "max_url_length", "max_segment_repeats",
)  # fmt: skip
KEYS: dict[str, tuple[str, ...]] = {
    "": ("extends", "ruleset", "indicators", "subindicators", "items", "patterns", "crawl",
         "thresholds", "scoring"),
    "ruleset": ("year", "title", "status", "source", "was_year", "note"),
    "subindicators.*": ("title", "indicator"),
    "items": ("id", "title", "subindicator", "period", "status", "aliases", "exclude", "numbers",
              "fix", "period_terms", "components", "was"),
    "items.components": ("name", "label", "any", "regex", "not_within", "min", "place", "helper",
                         "period"),
    "crawl": ("revisit_days", "hub_terms", "generic_link_texts", "login_terms", "traps",
              "image_pages", "image_components"),
    "crawl.traps": TRAP_KEYS,
    # min_text_chars_static and ocr_year_weak are documented settings of common.toml.
    "thresholds": ("min_text_chars_static", "fuzzy_alias", "hub_min_items", "ocr_year_weak",
                   "ocr_thai_digits", "offsite_min_fit", "images_per_page", "image_min_text",
                   "token_cover", "token_min_weight",
                   "fix_first_effort", "fix_first_max"),  # the last two: the HTML report's fix-first list
    "scoring": ("weights", "bands"),
}  # fmt: skip


class RuleError(OitError, ValueError):
    """A rule file is unusable; the message says where and why."""


@dataclass(frozen=True)
class Component:
    """One thing an item needs, e.g. a phone number on the contact page."""

    name: str
    label: str  # Thai, shown to the officer
    any: tuple[str, ...] = ()  # phrases, compared after compact() (spaces and spelling folded)
    regex: tuple[re.Pattern[str], ...] = ()  # on normalised text
    # Phrases inside which the component's words do not count ("หัวหน้ากลุ่มงาน…" is a position,
    # not a listed unit); on normalised text, masked before matching (check/own_words.py).
    not_within: tuple[re.Pattern[str], ...] = ()
    min: int = 1  # distinct matches needed
    place: str = "text"  # where to look in the evidence bundle
    helper: str = ""  # named helper in checks/helpers.py when data is not enough
    period: str = ""  # overrides the item's period for this component ("current" for a code)


@dataclass(frozen=True)
class Item:
    id: str
    title: str
    subindicator: str
    indicator: str
    period: str
    status: str
    aliases: tuple[str, ...]  # compacted phrases that name the item in link texts and titles
    exclude: tuple[str, ...]  # compacted phrases that mean a different item
    numbers: tuple[str, ...]  # labels like "o1" that hint this item in this year's numbering
    components: tuple[Component, ...]
    fix: str = ""  # what to publish, in Thai
    period_terms: tuple[str, ...] = ()  # phrases that show the half-year / monthly coverage
    # The previous year's item(s) this one continues (ruleset ``was_year``); None: not stated.
    was: tuple[str, ...] | None = None


@dataclass(frozen=True)
class RuleSet:
    year: int
    title: str
    path: Path
    status: str
    indicators: dict[str, str]
    subindicators: dict[str, tuple[str, str]]  # id -> (title, indicator id)
    items: tuple[Item, ...]
    patterns: dict[str, str] = field(default_factory=dict)
    crawl: dict[str, Any] = field(default_factory=dict)
    thresholds: dict[str, Any] = field(default_factory=dict)
    scoring: dict[str, Any] = field(default_factory=dict)
    was_year: int | None = None  # the year the items' ``was`` links name
    note: str = ""  # shown with the item list (e.g. why the rule set is provisional)

    def item(self, item_id: str) -> Item:
        key = item_id.strip().upper()
        for it in self.items:
            if it.id.upper() == key:
                return it
        raise KeyError(item_id)


def shipped_years(rules_dir: Path = RULES_DIR) -> list[int]:
    years = []
    for p in rules_dir.glob("ita-*.toml"):
        m = re.fullmatch(r"ita-(\d{4})\.toml", p.name)
        if m:
            years.append(int(m.group(1)))
    return sorted(years)


@dataclass(frozen=True)
class YearChoice:
    """The rule year an audit uses when none is named, and why (Thai first, then English)."""

    year: int
    why: str
    fallback: bool = False  # no rule set for the audit date's fiscal year: a nearby one is used


def year_for(as_of: dt.date | None = None, rules_dir: Path = RULES_DIR) -> YearChoice:
    """The fiscal year of the audit date (today by default) when a rule set exists for it, else
    the newest shipped year before it (the oldest when the date precedes them all), saying so:
    in December 2569 the ITA 2570 rules do not exist yet, and a silent 2569 audit would look
    like a 2570 one."""
    day = as_of or dt.date.today()
    fy = fiscal_year(day)
    years = shipped_years(rules_dir)
    if not years:
        raise RuleError(f"ไม่พบชุดกฎใน {rules_dir} (no rule sets found in {rules_dir})")
    if fy in years:
        return YearChoice(
            fy,
            f"ใช้กฎ ITA {fy} ตามปีงบประมาณของวันที่ตรวจ {day.isoformat()} "
            f"(rules: FY{fy}, the fiscal year of the audit date)",
        )
    use = max((y for y in years if y < fy), default=years[0])
    return YearChoice(
        use,
        f"ยังไม่มีชุดกฎของปีงบประมาณ {fy} (วันที่ตรวจ {day.isoformat()}): ตรวจด้วยกฎปี {use}; "
        f"เขียนชุดกฎใหม่ด้วย `oit rules new {fy} --from {use}` "
        f"(no rule set for FY{fy} yet: auditing with {use} rules; "
        f"`oit rules new {fy} --from {use}` to write one)",
        fallback=True,
    )


def default_year(as_of: dt.date | None = None, rules_dir: Path = RULES_DIR) -> int:
    """The rule year for an audit on ``as_of`` (today): see ``year_for``."""
    return year_for(as_of, rules_dir).year


def load_year(year: int, rules_dir: Path = RULES_DIR) -> RuleSet:
    path = rules_dir / f"ita-{year}.toml"
    if not path.exists():
        known = ", ".join(map(str, shipped_years(rules_dir))) or "none"
        raise RuleError(f"no rule set for fiscal year {year} (shipped: {known}); use --rules FILE")
    return load_rules(path)


def load_rules(path: Path | str) -> RuleSet:
    """The rule set in ``path`` (and the file it extends). Parsed once per content: one `oit
    check` reads its rules three times, and parsing compiles every pattern (45 ms)."""
    path = Path(path)
    text = _read_text(path)
    base = _read_toml(path, text).get("extends")
    parent_text = _read_text(path.parent / base) if base else ""
    return _load_cached(path, text, parent_text)


def run_rules(rules_path: str) -> RuleSet | None:
    """The rule file a stored run was judged by: where it was, else the shipped file of that
    name (a database moved to another machine); None when neither loads. A run keeps only the
    path, so titles and labels come from the file when it is still there."""
    raw = Path(rules_path or "")
    for path in (raw, RULES_DIR / raw.name):
        if not raw.name or not path.is_file():
            continue
        try:
            return load_rules(path)
        except RuleError:
            continue
    return None


@functools.lru_cache(maxsize=16)
def _load_cached(path: Path, text: str, parent_text: str) -> RuleSet:
    data = _read_toml(path, text)
    base = data.get("extends")
    if base:
        parent = _read_toml(path.parent / base, parent_text)
        _check_tables(parent, str(path.parent / base))
        for key in ("patterns", "crawl", "thresholds", "scoring"):
            data[key] = {**parent.get(key, {}), **data.get(key, {})}
    return _build(path, data)


def _read_text(path: Path) -> str:
    if not path.exists():
        raise RuleError(f"{path}: file not found")
    if path.is_dir():
        raise RuleError(f"{path}: เป็นโฟลเดอร์ ไม่ใช่ไฟล์กฎ (a folder, not a rule file)")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise RuleError(f"{path}: not UTF-8 text: {exc}") from exc
    except OSError as exc:  # unreadable: permissions, a device
        raise RuleError(f"{path}: อ่านไม่ได้ (cannot read): {exc.strerror or exc}") from exc


def _read_toml(path: Path, text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RuleError(f"{path}: not valid TOML: {exc}") from exc


def check_keys(data: dict[str, Any], table: str, at: str) -> None:
    """Refuse a key the table does not have, suggesting the nearest one (a typo)."""
    allowed = KEYS[table]
    for key in data:
        if key in allowed:
            continue
        near = difflib.get_close_matches(str(key), allowed, n=1)
        hint = f"; did you mean {near[0]!r}?" if near else f" (known: {', '.join(allowed)})"
        raise RuleError(f"{at}: ไม่รู้จักช่อง {key!r} (unknown field {key!r}{hint})")


def _check_tables(data: dict[str, Any], where: str) -> None:
    check_keys(data, "", where)
    for table in ("ruleset", "crawl", "thresholds", "scoring"):
        if isinstance(data.get(table), dict):
            check_keys(data[table], table, f"{where} [{table}]")
    traps = data.get("crawl", {}).get("traps") if isinstance(data.get("crawl"), dict) else None
    if isinstance(traps, dict):
        check_keys(traps, "crawl.traps", f"{where} [crawl.traps]")


def _build(path: Path, data: dict[str, Any]) -> RuleSet:
    where = str(path)
    _check_tables(data, where)
    head = _need(data, "ruleset", dict, where)
    year = _need(head, "year", int, f"{where} [ruleset]")
    was_year = head.get("was_year")
    if was_year is not None and (not isinstance(was_year, int) or isinstance(was_year, bool)):
        raise RuleError(f"{where} [ruleset]: field 'was_year' must be int, not {was_year!r}")
    indicators = {str(k): str(v) for k, v in _need(data, "indicators", dict, where).items()}
    subs: dict[str, tuple[str, str]] = {}
    for sid, sub in _need(data, "subindicators", dict, where).items():
        at = f"{where} [subindicators.{sid}]"
        if not isinstance(sub, dict):
            raise RuleError(f"{at}: must be a table {{ title = …, indicator = … }}")
        check_keys(sub, "subindicators.*", at)
        ind = str(_need(sub, "indicator", str, at))
        if ind not in indicators:
            raise RuleError(f"{at}: indicator {ind!r} is not in [indicators]")
        subs[str(sid)] = (_need(sub, "title", str, at), ind)
    patterns = {str(k): str(v) for k, v in data.get("patterns", {}).items()}
    for name, rx in patterns.items():
        _compile(rx, f"{where} [patterns] {name}")
    items = []
    seen: set[str] = set()
    for n, raw in enumerate(_need(data, "items", list, where), start=1):
        item = _item(raw, f"{where} item #{n}", subs, patterns)
        if item.id in seen:
            raise RuleError(f"{where} item {item.id}: duplicate id")
        seen.add(item.id)
        items.append(item)
    if not items:
        raise RuleError(f"{where}: no items")
    return RuleSet(
        year=year,
        title=str(head.get("title", f"ITA {year}")),
        path=path,
        status=str(head.get("status", "provisional")),
        indicators=indicators,
        subindicators=subs,
        items=tuple(items),
        patterns=patterns,
        crawl=dict(data.get("crawl", {})),
        thresholds=dict(data.get("thresholds", {})),
        scoring=dict(data.get("scoring", {})),
        was_year=was_year,
        note=str(head.get("note", "")),
    )


def _item(raw: Any, at: str, subs: dict[str, tuple[str, str]], patterns: dict[str, str]) -> Item:
    if not isinstance(raw, dict):
        raise RuleError(f"{at}: each [[items]] entry must be a table")
    item_id = _need(raw, "id", str, at)
    at = f"{at.rsplit(' item', 1)[0]} item {item_id}"
    check_keys(raw, "items", at)
    sub = _need(raw, "subindicator", str, at)
    if sub not in subs:
        raise RuleError(f"{at}: field 'subindicator': {sub!r} is not in [subindicators]")
    period = _need(raw, "period", str, at)
    if period not in PERIOD_KINDS:
        raise RuleError(f"{at}: field 'period': {period!r} is not one of {', '.join(PERIOD_KINDS)}")
    status = str(raw.get("status", "provisional"))
    if status not in ITEM_STATUSES:
        raise RuleError(
            f"{at}: field 'status': {status!r} is not one of {', '.join(ITEM_STATUSES)}"
        )
    title = _need(raw, "title", str, at)
    comps = tuple(
        _component(c, f"{at} component #{i}", patterns)
        for i, c in enumerate(raw.get("components", []), start=1)
    )
    aliases = tuple(dict.fromkeys(compact(a) for a in [title, *_strings(raw, "aliases", at)]))
    return Item(
        id=item_id,
        title=title,
        subindicator=sub,
        indicator=subs[sub][1],
        period=period,
        status=status,
        aliases=tuple(a for a in aliases if a),
        exclude=tuple(compact(a) for a in _strings(raw, "exclude", at)),
        numbers=tuple(n.lower() for n in _strings(raw, "numbers", at)) or (item_id.lower(),),
        components=comps,
        fix=str(raw.get("fix", "")),
        period_terms=tuple(compact(a) for a in _strings(raw, "period_terms", at)),
        was=tuple(w.strip().upper() for w in _strings(raw, "was", at)) if "was" in raw else None,
    )


def _regexes(raw: dict, key: str, at: str, patterns: dict[str, str]) -> list[re.Pattern[str]]:
    """A component's list of regexes; "@name" refers to a shared pattern."""
    out = []
    for rx in _strings(raw, key, at):
        if rx.startswith("@"):
            if rx[1:] not in patterns:
                raise RuleError(f"{at}: field '{key}': unknown pattern {rx!r} (see [patterns])")
            rx = patterns[rx[1:]]
        out.append(_compile(rx, f"{at}: field '{key}'"))
    return out


def _component(raw: Any, at: str, patterns: dict[str, str]) -> Component:
    if not isinstance(raw, dict):
        raise RuleError(f"{at}: must be a table")
    name = _need(raw, "name", str, at)
    at = f"{at.rsplit(' component', 1)[0]} component {name!r}"
    check_keys(raw, "items.components", at)
    regexes = _regexes(raw, "regex", at, patterns)
    masks = _regexes(raw, "not_within", at, patterns)
    place = str(raw.get("place", "text"))
    if place not in COMPONENT_PLACES:
        raise RuleError(
            f"{at}: field 'place': {place!r} is not one of {', '.join(COMPONENT_PLACES)}"
        )
    phrases = tuple(compact(a) for a in _strings(raw, "any", at))
    helper = str(raw.get("helper", ""))
    if not (phrases or regexes or helper):
        raise RuleError(f"{at}: needs at least one of 'any', 'regex' or 'helper'")
    period = str(raw.get("period", ""))
    if period and period not in PERIOD_KINDS:
        raise RuleError(f"{at}: field 'period': {period!r} is not one of {', '.join(PERIOD_KINDS)}")
    minimum = raw.get("min", 1)
    if not isinstance(minimum, int) or minimum < 1:
        raise RuleError(f"{at}: field 'min' must be a whole number ≥ 1")
    return Component(
        name=name,
        label=str(raw.get("label", name)),
        any=phrases,
        regex=tuple(regexes),
        not_within=tuple(masks),
        min=minimum,
        place=place,
        helper=helper,
        period=period,
    )


def _compile(rx: str, at: str) -> re.Pattern[str]:
    try:
        return re.compile(rx)
    except re.error as exc:
        raise RuleError(f"{at}: bad regular expression {rx!r}: {exc}") from exc


def _need(data: dict[str, Any], key: str, kind: type, at: str) -> Any:
    if key not in data:
        raise RuleError(f"{at}: missing field {key!r}")
    value = data[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise RuleError(f"{at}: field {key!r} must be {kind.__name__}, not {type(value).__name__}")
    return value


def _strings(data: dict[str, Any], key: str, at: str) -> list[str]:
    value = data.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RuleError(f"{at}: field {key!r} must be a list of strings")
    return value
