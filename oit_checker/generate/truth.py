"""The truth of a generated site: per item, the verdict an assessor gives and why, decided from
what the generator placed, never by running the checker.

Mapping (docs in oit_checker/generate/__init__.py): ``present`` when the main site holds every
component for the right period; ``absent`` when a component, the right year, or the whole item is
missing or its only link is dead; ``uncertain`` when the only evidence is off-site or behind a
login (an assessor scores such evidence 0, the checker is built to say uncertain: both ``absent``
and ``uncertain`` agree). ``accept`` lists the checker verdicts that agree with the truth.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass
class ItemTruth:
    id: str
    status: str  # present | absent | uncertain
    accept: list[str]
    evidence: list[str] = field(default_factory=list)  # decoded site paths holding the item
    mechanisms: list[str] = field(default_factory=list)  # e.g. "layout:accordion", "doc:pdf"
    note: str = ""


@dataclass
class SiteTruth:
    seed: int
    year: int
    as_of: str  # ISO date
    agency: str
    mechanisms: list[str] = field(default_factory=list)  # site-wide: cms, layout, charset, traps
    items: list[ItemTruth] = field(default_factory=list)

    @property
    def as_of_date(self) -> dt.date:
        return dt.date.fromisoformat(self.as_of)

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), ensure_ascii=False, indent=1), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> SiteTruth:
        data = json.loads(path.read_text(encoding="utf-8"))
        items = [ItemTruth(**item) for item in data.pop("items")]
        return cls(**data, items=items)
