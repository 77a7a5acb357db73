"""What one message of the fleet does: audit one site of a batch, exactly once.

The broker may deliver a message twice (a killed worker's job comes back through heartbeats; an
enqueue stopped half-way is run again), so the job's row in the store decides: a done or failed
job is left alone; a job marked running whose server lock is free lost its worker, and its run
is resumed (the store's ``--resume``) rather than started again. Attempts are counted in the
store *before* each audit starts, so a site that kills its worker every time is recorded failed
after ``ATTEMPTS`` starts instead of being handed out forever. The audit itself is
``batch.audit_one``: the same code as ``oit batch`` and ``oit check``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import random
import socket
from collections.abc import Callable
from dataclasses import dataclass, fields

import redis
from dramatiq.middleware.time_limit import TimeLimitExceeded

from oit_checker.batch import audit_one, resolve_rules
from oit_checker.config import AuditSettings, Config, NotifySettings, SiteEntry
from oit_checker.fleet.notices import send_notice
from oit_checker.fleet.politeness import ServerLock, server_ip
from oit_checker.fleet.tuning import ATTEMPTS, Tuning, time_limit_ms
from oit_checker.settings import SETTINGS, check_settings
from oit_checker.store import Store, open_store

log = logging.getLogger(__name__)


class AuditFailed(Exception):
    """A failed attempt with attempts left: Dramatiq's Retries sends the job again later."""


@dataclass
class Context:
    """What a worker thread needs besides the message."""

    db: str
    client: redis.Redis
    tuning: Tuning
    requeue: Callable[[int, int], None]  # send this job again: delay, time limit (ms)
    notify: NotifySettings | None = None  # the [notify] of the config the worker was given

    @property
    def worker(self) -> str:
        return f"{socket.gethostname()}:{os.getpid()}"


def settings_json(settings: AuditSettings) -> str:
    """A site's settings for its job row; ``settings_from_json`` reads them back."""
    values = {f.name: getattr(settings, f.name) for f in fields(settings)}
    if values["as_of"] is not None:
        values["as_of"] = values["as_of"].isoformat()
    return json.dumps(values, ensure_ascii=False, sort_keys=True)


def settings_from_json(text: str) -> AuditSettings:
    values = json.loads(text)
    present = {k: v for k, v in values.items() if v is not None and k in SETTINGS}
    return AuditSettings(**{**values, **check_settings(present, lambda s: s.name)})


def run_job(batch: str, url: str, ctx: Context) -> str:
    """Audit the job's site once its server is free; what happened, in a word (for the log)."""
    with open_store(ctx.db) as store:  # on PostgreSQL a server connection: given back after
        return _run_job(store, batch, url, ctx)


def _run_job(store: Store, batch: str, url: str, ctx: Context) -> str:
    job = store.job(batch, url)
    if job is None:
        log.warning("no job %s in batch %s (enqueued into another database?)", url, batch)
        return "unknown"
    if job["state"] in ("done", "failed"):
        return f"already {job['state']}"
    lock = ServerLock(ctx.client, server_ip(url), ctx.tuning.lock_seconds, ctx.worker)
    if not lock.acquire():
        wait = ctx.tuning.wait_seconds * (1 + random.random())  # jitter: waiters spread out
        log.info("%s: server busy (%s), back in %.0f s", url, lock.holder(), wait)
        settings = settings_from_json(job["settings"])
        ctx.requeue(int(wait * 1000), time_limit_ms(settings.max_seconds))
        return "busy"
    with lock:
        return _run_locked(store, batch, url, ctx)


def _run_locked(store: Store, batch: str, url: str, ctx: Context) -> str:
    job = store.job(batch, url)  # again: another worker may have finished it meanwhile
    assert job is not None
    if job["state"] in ("done", "failed"):
        return f"already {job['state']}"
    entry = SiteEntry(url, job["name"] or "", settings_from_json(job["settings"]))
    rules = resolve_rules(Config(sites=[entry]))[0]
    end = _Ending(store, job, ctx, rules.year)
    before = job["before_run_id"]
    if before is None:
        latest = store.latest_run(url)
        before = latest["id"] if latest else 0
    finished = next(store.runs_since(url, before), None)
    if finished is not None and finished["status"] == "complete":
        return end.done(finished["id"])  # its worker died after the audit, before the end
    if (job["attempts"] or 0) >= ATTEMPTS:
        error = (
            f"started {job['attempts']} times and never finished (its worker died or was"
            f" stopped each time; last {job['worker']}): not retried"
        )
        return end.failed(None, error, "poisoned")
    resume = _continue_lost_run(store, url, before)
    attempt = store.start_job(batch, url, ctx.worker, before)
    try:
        outcome = asyncio.run(audit_one(entry, rules, ctx.db, None, resume=resume))
    except TimeLimitExceeded:
        error = "time limit exceeded: the audit was stopped (its run is kept, resumable)"
        return end.attempt_failed(attempt, None, error)
    if outcome.audited:
        assert outcome.run_id is not None
        return end.done(outcome.run_id)
    return end.attempt_failed(attempt, outcome.run_id, outcome.error)


@dataclass
class _Ending:
    """How a job ends: done, failed for good (each notified once), or queued for a retry."""

    store: Store
    job: dict
    ctx: Context
    year: int

    def done(self, run_id: int) -> str:
        send_notice(self.store, self.job, self.ctx.notify, run_id)
        self.store.end_job(self.job["batch"], self.job["url"], "done", run_id=run_id)
        return "done"

    def failed(self, run_id: int | None, error: str, word: str = "failed") -> str:
        send_notice(self.store, self.job, self.ctx.notify, run_id, (self.year, error))
        self.store.end_job(self.job["batch"], self.job["url"], "failed", run_id, error)
        return word

    def attempt_failed(self, attempt: int, run_id: int | None, error: str) -> str:
        if attempt >= ATTEMPTS:
            return self.failed(run_id, error)
        self.store.end_job(self.job["batch"], self.job["url"], "queued", run_id, error)
        raise AuditFailed(f"{self.job['url']}: attempt {attempt} of {ATTEMPTS} failed: {error}")


def _continue_lost_run(store: Store, url: str, before: int) -> bool:
    """Whether this job already has a run to continue: one left running by a worker that is
    gone (we hold its server's lock, so nobody else runs it: it is marked incomplete, as a
    killed `oit check` would be) or left incomplete."""
    run = next(store.runs_since(url, before), None)
    if run is None or run["status"] not in ("running", "incomplete"):
        return False
    if run["status"] == "running":
        store.finish_run(run["id"], "incomplete", error="its worker was lost")
    return True
