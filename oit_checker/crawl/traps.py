"""Tell a query-routed CMS's pages from a crawler trap, by what each query parameter does.

Joomla (``index.php?option=com_content&view=article&id=N``), WordPress without permalinks
(``/?page_id=N``), Drupal (``?q=node/N``), ASP.NET (``.aspx?ID=N``) and download redirectors
(``ewt_dl_link.php?nid=N``) route every page of a site through one path, so a cap on query
variants per path loses their pages. Instead each parameter is classed by its name (and a value
shaped like a date) from ``[crawl.traps]`` of ``rules/common.toml``:

- *duplicate* parameters (printer view, ``tmpl=component``, ``format=pdf``, tracking tags) make
  a copy of the page without them: the copy is folded onto the page (one fetch for both);
- *browse* parameters (calendar, sort, filter, paging) walk a list: the walk goes on while its
  pages bring new content links or new text, and stops ``patience`` pages after they stop, so
  an endless calendar or the combinations of a faceted search stay bounded;
- every other parameter names content: unbounded within ``--max-pages``.

Session ids are removed earlier, by the URL identity itself. Whatever the class, a link that
names an item is fetched (the frontier's decision, see frontier.py).
"""

from __future__ import annotations

import functools
import html
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from oit_checker.rules import RULES_DIR, RuleError

BROWSE_CLASSES = ("calendar", "sort", "filter", "paging")
# Text between tags, for the novelty of a browse page: script and style bodies are not text.
TAG_OR_CODE_RE = re.compile(r"<script\b.*?</script\s*>|<style\b.*?</style\s*>|<[^>]*>", re.I | re.S)
# Digits change on every page of a calendar or pager; words are what is new.
DIGITS_SPACES_RE = re.compile(r"[\d๐-๙\s]+")
# Text hashes kept per family of browse pages (memory bound on huge archives).
MAX_TEXT_HASHES = 20_000


@dataclass(frozen=True)
class _Names:
    """Parameter names (and optionally one value) a rule list matches; "x*" is a prefix."""

    exact: frozenset[str] = frozenset()
    with_value: frozenset[tuple[str, str]] = frozenset()
    prefixes: tuple[str, ...] = ()

    @classmethod
    def parse(cls, entries: Iterable[str], where: str) -> _Names:
        exact, with_value, prefixes = set(), set(), []
        for entry in entries:
            if not isinstance(entry, str) or not entry.strip():
                raise RuleError(f"{where}: entries must be non-empty strings, not {entry!r}")
            name, eq, value = entry.strip().lower().partition("=")
            if eq:
                with_value.add((name, value))
            elif name.endswith("*"):
                prefixes.append(name[:-1])
            else:
                exact.add(name)
        return cls(frozenset(exact), frozenset(with_value), tuple(prefixes))

    def match(self, name: str, value: str) -> bool:
        return (
            name in self.exact
            or (name, value.lower()) in self.with_value
            or any(name.startswith(p) for p in self.prefixes)
        )


@dataclass(frozen=True)
class TrapRules:
    """``[crawl.traps]`` of the rules: which query parameters are what (see the module doc)."""

    duplicate: _Names
    duplicate_companions: _Names
    identifiers: _Names
    browse: dict[str, _Names]
    date_value: re.Pattern[str]
    paging_value: re.Pattern[str]
    patience: int
    patience_after_closed: int
    closed_families_to_learn: int
    novel_text_chars: int
    max_url_length: int
    max_segment_repeats: int

    @classmethod
    def from_section(cls, section: Mapping[str, Any], where: str = "[crawl.traps]") -> TrapRules:
        """Rules from a ``[crawl.traps]`` table; a bad entry is a RuleError naming it."""

        def names(key: str) -> _Names:
            value = section.get(key, [])
            if not isinstance(value, list):
                raise RuleError(f"{where} {key}: expected a list of parameter names")
            return _Names.parse(value, f"{where} {key}")

        def number(key: str, low: int) -> int:
            value = section.get(key)
            if not isinstance(value, int) or isinstance(value, bool) or value < low:
                raise RuleError(f"{where} {key}: expected a whole number >= {low}, not {value!r}")
            return value

        def pattern(key: str, default: str) -> re.Pattern[str]:
            try:
                return re.compile(str(section.get(key, default)))
            except re.error as exc:
                raise RuleError(f"{where} {key}: not a valid regular expression: {exc}") from exc

        return cls(
            duplicate=names("duplicate"),
            duplicate_companions=names("duplicate_companions"),
            identifiers=names("identifiers"),
            browse={kind: names(kind) for kind in BROWSE_CLASSES},
            date_value=pattern("date_value", "(?!)"),
            paging_value=pattern("paging_value", ".*"),
            patience=number("patience", 1),
            patience_after_closed=number("patience_after_closed", 1),
            closed_families_to_learn=number("closed_families_to_learn", 1),
            novel_text_chars=number("novel_text_chars", 1),
            max_url_length=number("max_url_length", 64),
            max_segment_repeats=number("max_segment_repeats", 1),
        )

    @classmethod
    def from_rules(cls, crawl: Mapping[str, Any]) -> TrapRules:
        """From a rule set's ``[crawl]`` table; the shipped defaults when it has no traps."""
        section = crawl.get("traps")
        if not section:
            return default_trap_rules()
        if not isinstance(section, Mapping):
            raise RuleError("[crawl] traps: expected a table ([crawl.traps])")
        return cls.from_section({**_shipped_section(), **section})  # keys not given: shipped

    def kind(self, name: str, value: str) -> str:
        """ "duplicate", a browse class, or "id" for one query parameter."""
        name = name.lower()
        if self.identifiers.match(name, value):
            return "id"
        if self.duplicate.match(name, value):
            return "duplicate"
        for browse_kind in BROWSE_CLASSES:
            if self.browse[browse_kind].match(name, value):
                if browse_kind == "paging" and not self.paging_value.fullmatch(value):
                    return "id"  # "index.php?page=about" names a page
                return browse_kind
        if self.date_value.fullmatch(value):
            return "calendar"
        return "id"


@functools.cache
def _shipped_section() -> dict[str, Any]:
    path = RULES_DIR / "common.toml"
    return tomllib.loads(path.read_text(encoding="utf-8"))["crawl"]["traps"]


@functools.cache
def default_trap_rules() -> TrapRules:
    """The ``[crawl.traps]`` shipped in rules/common.toml (crawls made without a rule set)."""
    return TrapRules.from_section(_shipped_section(), f"{RULES_DIR / 'common.toml'} [crawl.traps]")


@dataclass(frozen=True)
class QueryShape:
    """What a URL's query does: its page (duplicates folded away) and the list it browses."""

    key: str  # the URL without duplicate parameters: one key per page
    family: str  # the URL without duplicate and browse parameters: the list being browsed
    browse: tuple[str, ...]  # names of the browse parameters present, sorted


def query_shape(url: str, rules: TrapRules) -> QueryShape:
    parts = urlsplit(url)
    if not parts.query:
        return QueryShape(url, url, ())
    pairs = []
    for raw in parts.query.split("&"):
        if raw:
            name, _, value = raw.partition("=")
            pairs.append((raw, unquote(name).lower(), unquote(value)))
    kinds = [rules.kind(name, value) for _, name, value in pairs]
    folded = "duplicate" in kinds
    page, family, browse = [], [], set()
    for (raw, name, value), kind in zip(pairs, kinds, strict=True):
        if kind == "duplicate":
            continue
        if folded and (not value or rules.duplicate_companions.match(name, value)):
            continue
        page.append(raw)
        if kind == "id":
            family.append(raw)
        else:
            browse.add(name)

    def with_query(items: list[str]) -> str:
        return urlunsplit((parts.scheme, parts.netloc, parts.path, "&".join(items), ""))

    return QueryShape(with_query(page), with_query(family), tuple(sorted(browse)))


def structural_trap(url: str, rules: TrapRules) -> bool:
    """Too long, or a path repeating one segment ("/a/b/a/b/a/b/" from a relative-link loop)."""
    if len(url) > rules.max_url_length:
        return True
    segments = [s for s in urlsplit(url).path.split("/") if s]
    return bool(segments) and max(map(segments.count, set(segments))) > rules.max_segment_repeats


def new_text_chars(page_html: str, seen: set[int]) -> int:
    """Characters of text runs (digits and spaces removed) not in ``seen``; adds them."""
    new = 0
    for run in TAG_OR_CODE_RE.split(page_html):
        words = DIGITS_SPACES_RE.sub(" ", html.unescape(run)).strip()
        if len(words) < 3:
            continue
        digest = hash(words)
        if digest not in seen:
            if len(seen) < MAX_TEXT_HASHES:
                seen.add(digest)
            new += len(words)
    return new


@dataclass
class _Walk:
    """One browse parameter within one family: pages in a row that brought nothing new."""

    misses: int = 0
    closed: bool = False


@dataclass
class TrapPolicy:
    """Per-crawl memory of which browse walks still bring something new."""

    rules: TrapRules
    _walks: dict[tuple[str, str], _Walk] = field(default_factory=dict, init=False)
    _texts: dict[str, set[int]] = field(default_factory=dict, init=False)
    # (scheme://host/path, parameter) -> families of that path where the walk was closed
    _closed_on_path: dict[tuple[str, str], int] = field(default_factory=dict, init=False)

    def shape(self, url: str) -> QueryShape:
        return query_shape(url, self.rules)

    def structural_trap(self, url: str) -> bool:
        return structural_trap(url, self.rules)

    def closed(self, shape: QueryShape) -> bool:
        """True when a browse parameter of this URL stopped bringing anything new."""
        return any(
            (walk := self._walks.get((shape.family, name))) is not None and walk.closed
            for name in shape.browse
        )

    def learn(self, shape: QueryShape, new_links: int, page_html: str) -> None:
        """A browse page was fetched: it brought ``new_links`` new content links and its text."""
        if not shape.browse:
            return
        seen = self._texts.setdefault(shape.family, set())
        novel = new_links > 0 or new_text_chars(page_html, seen) >= self.rules.novel_text_chars
        path = _path_of(shape.family)
        for name in shape.browse:
            walk = self._walks.setdefault((shape.family, name), _Walk())
            if walk.closed:
                continue
            if novel:
                walk.misses = 0
                continue
            walk.misses += 1
            learned = self._closed_on_path.get((path, name), 0)
            patience = (
                self.rules.patience_after_closed
                if learned >= self.rules.closed_families_to_learn
                else self.rules.patience
            )
            if walk.misses >= patience:
                walk.closed = True
                self._closed_on_path[(path, name)] = learned + 1


def _path_of(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
