"""Compare an audit with a fixture site's expected verdicts: agreement, false present, false absent.

An expected file (``fixtures/<site>/expected.toml``) states, as an assessor would judge it, each
item's status and the site paths an assessor would accept as its URL. A present verdict must
also point at one of those paths, or the officer would submit the wrong URL.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit


@dataclass
class Disagreement:
    item_id: str
    expected: str
    got: str
    detail: str


@dataclass
class Evaluation:
    site: str
    total: int = 0
    agree: int = 0
    false_present: int = 0
    false_absent: int = 0
    other: int = 0  # uncertain vs a definite verdict, or a present with the wrong URL
    disagreements: list[Disagreement] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.disagreements


def load_expected(path: Path) -> dict:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def site_path(url: str) -> str:
    """The path and query of a URL, percent-decoded, so /ไฟล์.pdf and /%E0%B9%84… compare equal."""
    parts = urlsplit(url)
    return unquote(parts.path + (f"?{parts.query}" if parts.query else ""))


def evaluate(result: dict, expected: dict, name: str = "") -> Evaluation:
    """``result`` is the JSON contract of an audit; ``expected`` the parsed expected.toml."""
    got = {item["id"]: item for item in result["items"]}
    ev = Evaluation(site=name or expected.get("site", ""))
    for want in expected["item"]:
        ev.total += 1
        item = got.get(want["id"])
        status = item["status"] if item else "missing"
        if status != want["status"]:
            if status == "present":
                ev.false_present += 1
            elif status == "absent" and want["status"] == "present":
                ev.false_absent += 1
            else:
                ev.other += 1
            reason = item["reason"] if item else "item not in result"
            ev.disagreements.append(Disagreement(want["id"], want["status"], status, reason))
            continue
        if status == "present" and want.get("evidence"):
            paths = [site_path(e["url"]) for e in item["evidence"][:1]]
            if not set(paths) & {unquote(p) for p in want["evidence"]}:
                ev.other += 1
                ev.disagreements.append(
                    Disagreement(
                        want["id"],
                        want["status"],
                        status,
                        f"evidence {paths} not in {want['evidence']}",
                    )
                )
                continue
        ev.agree += 1
    return ev


def fixture_sites(root: Path) -> list[Path]:
    """Fixture folders under root (or root itself) that hold a site and its expected verdicts."""
    if (root / "expected.toml").exists():
        return [root]
    return sorted(p.parent for p in root.glob("*/expected.toml") if (p.parent / "site").is_dir())


def fixture_cases(root: Path) -> list[Path]:
    """Every expected file of every fixture site: ``expected.toml``, and one per further year
    the site is judged under (``expected-2569.toml``: the same site, another year's rules)."""
    order = lambda f: (f.name != "expected.toml", f.name)  # noqa: E731
    return [f for d in fixture_sites(root) for f in sorted(d.glob("expected*.toml"), key=order)]


def case_name(expected: Path) -> str:
    """``demo`` for a site's expected.toml, ``demo 2569`` for its expected-2569.toml."""
    extra = expected.stem.removeprefix("expected").strip("-_ ")
    return f"{expected.parent.name} {extra}".strip()


def evaluate_fixture(case: Path, db: Path) -> tuple[Evaluation, dict]:
    """Serve one fixture site on loopback, audit it as of its expected date, compare. ``case``
    is a fixture folder (its expected.toml) or one of its expected files."""
    import asyncio

    from oit_checker.audit import AuditOptions, audit
    from oit_checker.dates import parse_as_of
    from oit_checker.rules import load_year
    from oit_checker.serve import SiteServer
    from oit_checker.store import Store

    expected_file = case / "expected.toml" if case.is_dir() else case
    expected = load_expected(expected_file)
    options = AuditOptions(as_of=parse_as_of(str(expected["as_of"])))
    with SiteServer(expected_file.parent / "site") as server:
        result = asyncio.run(
            audit(server.url, load_year(int(expected["year"])), Store(db), options)
        )
    data = result.as_dict()
    return evaluate(data, expected, case_name(expected_file)), data
