"""The fleet's notifications: what `oit batch` sends for a site (the ``[notify]`` webhook and
e-mail: on a regression or a failed audit, or always), sent by the worker that ends the site's
job, once per site and batch.

A job ends once (done, or failed after its last attempt), but its message may be delivered
again after a kill -9; the job's row is claimed in the store before anything is sent, so a
second delivery sends nothing. The cost is the other side: a worker killed while it sends
leaves the notice marked 'sending', not sent twice. A channel that fails is recorded in the
job row and the run's stats, as `oit batch` records it, and the job still ends done.

The settings reach Dramatiq's forked processes through the environment (``OIT_FLEET_NOTIFY``,
JSON), as the timings do; passwords stay in the variable that ``smtp_password_env`` names.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict

from oit_checker.config import NotifySettings
from oit_checker.history import diff_runs, previous_run, run_result
from oit_checker.notify import build_summary, failure_summary, notify, record_outcome
from oit_checker.store import Store

NOTIFY_ENV = "OIT_FLEET_NOTIFY"


def notify_to_env(settings: NotifySettings) -> dict[str, str]:
    """The environment that carries ``settings`` to the worker processes ({} when none)."""
    return {NOTIFY_ENV: json.dumps(asdict(settings))} if settings.enabled else {}


def notify_from_env() -> NotifySettings | None:
    text = os.environ.get(NOTIFY_ENV)
    return NotifySettings(**json.loads(text)) if text else None


def run_summary(store: Store, run_id: int, name: str) -> dict:
    """The summary `oit batch` sends for a complete run: compared with the site's previous
    complete run of the same year."""
    previous = previous_run(store, run_id)
    diff = diff_runs(store, previous, run_id) if previous else None
    return build_summary(run_result(store, run_id), diff, name)


def send_notice(
    store: Store,
    job: dict,
    settings: NotifySettings | None,
    run_id: int | None,
    failure: tuple[int, str] | None = None,
) -> dict[str, str]:
    """Notify for a job that ended: its complete run, or ``failure`` (rules year, reason).
    Per channel what happened; {} when nothing is configured or another delivery sent it."""
    if settings is None or not settings.enabled:
        return {}
    if not store.claim_notice(job["batch"], job["url"]):
        return {}
    name = job["name"] or ""
    try:
        if failure is not None:
            summary = failure_summary(job["url"], failure[0], failure[1], run_id, name)
        else:
            assert run_id is not None
            summary = run_summary(store, run_id, name)
        outcome = notify(settings, summary)
    except Exception as exc:  # noqa: BLE001 - a notice never undoes the audit it reports
        outcome = {"summary": f"failed: {type(exc).__name__}: {exc}"}
    store.record_notice(job["batch"], job["url"], outcome)
    if run_id is not None:
        record_outcome(store, run_id, outcome)
    return outcome
