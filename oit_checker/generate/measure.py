"""Measure the checker on generated sites: build, serve on loopback, audit as ``oit check``
does, compare with the truth, and count agreement, false present, false absent and evidence hit,
overall and per mechanism tag.

Evidence hit: of the items the checker rightly calls present, the share whose first evidence
URL is one the generator placed for that item (the page, a document, its redirector).
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from oit_checker.audit import AuditOptions, audit
from oit_checker.evaluate import site_path
from oit_checker.generate.site import generate_site
from oit_checker.generate.truth import ItemTruth, SiteTruth
from oit_checker.rules import RuleSet
from oit_checker.serve import SiteServer
from oit_checker.store import Store


@dataclass
class Outcome:
    """One item of one generated site: truth against the checker's verdict."""

    seed: int
    truth: ItemTruth
    got: str
    evidence: str  # the checker's first evidence URL, as a site path
    reason: str

    @property
    def agree(self) -> bool:
        return self.got in self.truth.accept

    @property
    def false_present(self) -> bool:
        return self.got == "present" and self.truth.status != "present"

    @property
    def false_absent(self) -> bool:
        return self.got == "absent" and self.truth.status == "present"

    @property
    def hit(self) -> bool | None:
        """Evidence hit, for items rightly present; None otherwise."""
        if self.got != "present" or self.truth.status != "present":
            return None
        return self.evidence in self.truth.evidence


@dataclass
class Tally:
    items: int = 0
    agree: int = 0
    false_present: int = 0
    false_absent: int = 0
    present_pairs: int = 0
    hits: int = 0

    def add(self, outcome: Outcome) -> None:
        self.items += 1
        self.agree += outcome.agree
        self.false_present += outcome.false_present
        self.false_absent += outcome.false_absent
        if outcome.hit is not None:
            self.present_pairs += 1
            self.hits += outcome.hit

    @property
    def agreement(self) -> float:
        return 100.0 * self.agree / self.items if self.items else 0.0

    @property
    def hit_rate(self) -> float:
        return 100.0 * self.hits / self.present_pairs if self.present_pairs else 100.0


@dataclass
class Measurement:
    year: int
    sites: int = 0
    seconds: float = 0.0
    outcomes: list[Outcome] = field(default_factory=list)

    def overall(self) -> Tally:
        tally = Tally()
        for outcome in self.outcomes:
            tally.add(outcome)
        return tally

    def by_mechanism(self) -> dict[str, Tally]:
        tallies: dict[str, Tally] = defaultdict(Tally)
        for outcome in self.outcomes:
            for tag in outcome.truth.mechanisms:
                tallies[tag].add(outcome)
        return dict(sorted(tallies.items()))

    def disagreements(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.agree or o.hit is False]


def compare(seed: int, truth: SiteTruth, result: dict) -> list[Outcome]:
    got = {item["id"]: item for item in result["items"]}
    outcomes = []
    for want in truth.items:
        want.mechanisms = sorted({*want.mechanisms, *truth.mechanisms})  # site-wide tags too
        item = got.get(want.id, {})
        evidence = item.get("evidence") or []
        first = site_path(evidence[0]["url"]) if evidence else ""
        outcomes.append(
            Outcome(seed, want, item.get("status", "missing"), first, item.get("reason", ""))
        )
    return outcomes


def audit_generated(folder: Path, truth: SiteTruth, rules: RuleSet, db: Path) -> dict:
    """Serve ``folder/site`` and audit it for the truth's year and date, as ``oit check`` does."""
    options = AuditOptions(as_of=truth.as_of_date)
    with SiteServer(folder / "site") as server:
        result = asyncio.run(audit(server.url, rules, Store(db), options))
    return result.as_dict()


def evaluate_seeds(
    seeds: Iterable[int],
    rules: RuleSet,
    progress: Callable[[int, int, int], None] | None = None,
    keep: Path | None = None,
) -> Measurement:
    """Generate, serve, audit and compare each seed's site; ``progress(done, total, seed)``."""
    seeds = list(seeds)
    measurement = Measurement(rules.year)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="oit-generated-") as tmp:
        root = keep or Path(tmp)
        for done, seed in enumerate(seeds):
            if progress:
                progress(done, len(seeds), seed)
            folder = root / f"seed-{seed}"
            truth = generate_site(seed, rules, folder)
            result = audit_generated(folder, truth, rules, folder / "oit.db")
            measurement.outcomes.extend(compare(seed, truth, result))
            measurement.sites += 1
    measurement.seconds = time.monotonic() - started
    return measurement
