"""Audit many sites in one go (the nightly job): a few at a time, each polite, one database.

Sites run concurrently up to ``parallel``; each audit keeps its own per-host request limit, so
running more sites never means hitting one server harder. A site that cannot be audited
(unreachable, not a web page, a crawler error) is recorded as failed and the others carry on.
After each audit the run is compared with the site's previous complete run; regressions go
into the outcome and, when configured, into a webhook / e-mail notification.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from oit_checker.audit import AuditError, audit, check_start_url
from oit_checker.config import Config, ConfigError, NotifySettings, SiteEntry
from oit_checker.errors import EXIT_UNCRAWLABLE
from oit_checker.history import diff_runs, previous_run
from oit_checker.models import count_statuses
from oit_checker.notify import (
    build_summary,
    failure_summary,
    failures,
    notify,
    record_outcome,
)
from oit_checker.rules import RuleError, RuleSet, default_year, load_rules, load_year
from oit_checker.store import Store

DEFAULT_PARALLEL = 2  # sites audited at once; each still keeps its own per-host request limit

Report = Callable[[str], None]  # one progress line (stderr in the CLI)


@dataclass
class SiteOutcome:
    site: SiteEntry
    status: str  # complete | failed | incomplete
    run_id: int | None = None
    previous_run_id: int | None = None
    oit: float | None = None
    counts: dict[str, int] = field(default_factory=dict)
    regressions: list[str] = field(default_factory=list)  # item ids present before, not now
    seconds: float = 0.0
    error: str = ""
    notify: dict[str, str] = field(default_factory=dict)

    @property
    def audited(self) -> bool:
        return self.status == "complete"


def resolve_rules(config: Config) -> dict[int, RuleSet]:
    """Load every rule set the sites need before the first request (a typo fails at once).

    Keyed by the index of the site in ``config.sites``.
    """
    cache: dict[tuple[int | None, str | None, Any], RuleSet] = {}
    chosen: dict[int, RuleSet] = {}
    for n, entry in enumerate(config.sites):
        key = (entry.settings.year, entry.settings.rules, entry.settings.as_of)
        if key not in cache:
            try:
                if entry.settings.rules:
                    rules_path = Path(entry.settings.rules)
                    if not rules_path.is_absolute() and config.path is not None:
                        rules_path = config.path.parent / rules_path
                    cache[key] = load_rules(rules_path)
                else:
                    year = entry.settings.year or default_year(entry.settings.as_of)
                    cache[key] = load_year(year)
            except RuleError as exc:
                raise ConfigError(f"site {entry.label}: {exc}") from None
        chosen[n] = cache[key]
    return chosen


def check_unique(config: Config) -> None:
    """One run per site: the same URL twice would audit it twice and muddle its history."""
    seen: dict[str, str] = {}
    for entry in config.sites:
        try:
            start = check_start_url(entry.url)
        except AuditError as exc:
            raise ConfigError(f"site {entry.label}: {exc}") from None
        if start in seen:
            raise ConfigError(f"site {entry.url} is listed twice ({seen[start]} and {entry.label})")
        seen[start] = entry.label


async def run_batch(
    config: Config,
    db: Path,
    parallel: int = DEFAULT_PARALLEL,
    report: Report | None = None,
    notify_settings: NotifySettings | None = None,
) -> list[SiteOutcome]:
    """Audit every site of ``config`` into ``db``; outcomes in the config's order."""
    check_unique(config)
    rules = resolve_rules(config)
    gate = asyncio.Semaphore(max(1, parallel))
    total = len(config.sites)
    say = report or (lambda line: None)

    async def one(n: int, entry: SiteEntry) -> SiteOutcome:
        async with gate:
            say(f"[{n + 1}/{total}] start  {entry.label}")
            outcome = await audit_one(entry, rules[n], db, notify_settings)
            say(f"[{n + 1}/{total}] {_finish_line(outcome)}")
            return outcome

    return list(await asyncio.gather(*(one(n, e) for n, e in enumerate(config.sites))))


def _finish_line(o: SiteOutcome) -> str:
    if not o.audited:
        return f"failed {o.site.label}: {o.error} ({o.seconds:.1f} s)"
    line = f"done   {o.site.label}: run #{o.run_id} OIT {o.oit:.2f} ({o.seconds:.1f} s)"
    if o.regressions:
        line += f", regressions {', '.join(o.regressions)}"
    for problem in failures(o.notify):
        line += f"; notification failed: {problem}"
    return line


async def audit_one(
    entry: SiteEntry,
    rules: RuleSet,
    db: Path,
    notify_settings: NotifySettings | None,
    resume: bool = False,
) -> SiteOutcome:
    """One site of a batch (here, or a fleet worker's job): audited, or continued with
    ``resume``; any failure becomes a failed outcome with its reason, never an exception."""
    began = time.monotonic()
    store = Store(db)  # a connection per site: audits interleave, each commits row by row
    start = check_start_url(entry.url)
    before = store.latest_run(start)
    options = entry.settings.audit_options()
    options.resume = resume
    try:
        result = await audit(entry.url, rules, store, options)
    except Exception as exc:  # a crawler or extractor bug must not stop the other sites either
        error = str(exc) if isinstance(exc, AuditError) else f"{type(exc).__name__}: {exc}"
        failed = _failed(store, start, before, entry, error, began)
        if notify_settings is not None and notify_settings.enabled:
            summary = failure_summary(start, rules.year, error, failed.run_id, entry.name)
            failed.notify = await asyncio.to_thread(notify, notify_settings, summary)
            if failed.run_id is not None:
                record_outcome(store, failed.run_id, failed.notify)
        return failed
    outcome = SiteOutcome(
        entry,
        "complete",
        run_id=result.run_id,
        oit=result.scores.oit,
        counts=count_statuses(r.status for r in result.items),
        seconds=round(time.monotonic() - began, 2),
    )
    previous = previous_run(store, result.run_id)
    diff = diff_runs(store, previous, result.run_id) if previous else None
    if diff:
        outcome.previous_run_id = previous
        outcome.regressions = [r["id"] for r in diff["regressions"]]
    if notify_settings is not None and notify_settings.enabled:
        summary = build_summary(result.as_dict(), diff, entry.name)
        outcome.notify = await asyncio.to_thread(notify, notify_settings, summary)
        record_outcome(store, result.run_id, outcome.notify)
    return outcome


def _failed(
    store: Store, start: str, before: dict | None, entry: SiteEntry, error: str, began: float
) -> SiteOutcome:
    run = store.latest_run(start)
    run_id = None
    if run is not None and (before is None or run["id"] != before["id"]):
        run_id = run["id"]
        if run["status"] == "running":  # audit() did not get to close it
            store.finish_run(run_id, "failed", exit_code=EXIT_UNCRAWLABLE, error=error)
    return SiteOutcome(
        entry, "failed", run_id=run_id, error=error, seconds=round(time.monotonic() - began, 2)
    )
