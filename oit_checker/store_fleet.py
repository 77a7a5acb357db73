"""The SQL of the nightly fleet (`oit enqueue`, `oit worker`, `oit batch-status`): one job row
per site of a batch. A mixin of ``Store``, like ``store_web``, so all SQL stays in the store.

The row, not the broker, is the truth about a job: a message delivered twice (a killed worker's
job coming back, an enqueue run again) finds the row done and does nothing, and the number of
audits started is counted here before each start, so a site that kills its worker stops being
retried. Plain SQL (``on conflict do nothing``, no SQLite-only functions) that PostgreSQL reads
the same way.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from oit_checker.store_fetched import _now

JOB_STATES = ("queued", "running", "done", "failed")


class FleetTables:
    db: Any  # sqlite_utils.Database, set by Store
    _writing: Any  # Store's write transaction (store_fetched)

    def add_jobs(self, batch: str, jobs: list[dict]) -> int:
        """Record the batch's jobs (url, position, name, settings); those already there are
        kept as they are. Returns how many were new."""
        now, added = _now(), 0
        with self._writing():
            for job in jobs:
                cursor = self.db.execute(
                    "insert into fleet_jobs (batch, url, position, name, settings, state,"
                    " attempts, enqueued_at) values (?, ?, ?, ?, ?, 'queued', 0, ?)"
                    " on conflict (batch, url) do nothing",
                    [batch, job["url"], job["position"], job["name"], job["settings"], now],
                )
                added += cursor.rowcount
        return added

    def unsent_jobs(self, batch: str) -> list[dict]:
        """Jobs whose message has not reached the broker (new, or an enqueue that stopped)."""
        sql = "select * from fleet_jobs where batch = ? and sent_at is null order by position"
        return list(self.db.query(sql, [batch]))

    def mark_sent(self, batch: str, url: str) -> None:
        with self._writing():
            self.db.execute(
                "update fleet_jobs set sent_at = ? where batch = ? and url = ?",
                [_now(), batch, url],
            )

    def job(self, batch: str, url: str) -> dict | None:
        sql = "select * from fleet_jobs where batch = ? and url = ?"
        return next(iter(self.db.query(sql, [batch, url])), None)

    def start_job(self, batch: str, url: str, worker: str, before_run_id: int) -> int:
        """Count one more audit started by ``worker``; the attempt's number."""
        with self._writing():
            self.db.execute(
                "update fleet_jobs set state = 'running', attempts = coalesce(attempts, 0) + 1,"
                " worker = ?, started_at = ?, finished_at = null,"
                " before_run_id = coalesce(before_run_id, ?) where batch = ? and url = ?",
                [worker, _now(), before_run_id, batch, url],
            )
            row = self.db.execute(
                "select attempts from fleet_jobs where batch = ? and url = ?", [batch, url]
            ).fetchone()
        return int(row[0])

    def end_job(
        self, batch: str, url: str, state: str, run_id: int | None = None, error: str = ""
    ) -> None:
        """``done`` or ``failed`` for good, or ``queued`` again (a retry is coming)."""
        assert state in JOB_STATES
        finished = _now() if state in ("done", "failed") else None
        with self._writing():
            self.db.execute(
                "update fleet_jobs set state = ?, run_id = coalesce(?, run_id), error = ?,"
                " finished_at = ? where batch = ? and url = ?",
                [state, run_id, error, finished, batch, url],
            )

    def claim_notice(self, batch: str, url: str) -> bool:
        """Whether this delivery of the job is the one that notifies: the first to mark it
        (one statement, so two workers cannot both win). A job redelivered after its notice
        was sent, or begun, sends none: at most one per site and batch."""
        with self._writing():
            cursor = self.db.execute(
                "update fleet_jobs set notified = 'sending'"
                " where batch = ? and url = ? and notified is null",
                [batch, url],
            )
            return cursor.rowcount == 1

    def record_notice(self, batch: str, url: str, outcome: dict[str, str]) -> None:
        """What each channel did ("sent", "failed: why"); {} when nothing was wanted."""
        with self._writing():
            self.db.execute(
                "update fleet_jobs set notified = ? where batch = ? and url = ?",
                [json.dumps(outcome, ensure_ascii=False), batch, url],
            )

    def job_counts(self, batch: str) -> dict[str, int]:
        sql = "select state, count(*) as n from fleet_jobs where batch = ? group by state"
        counts = dict.fromkeys(JOB_STATES, 0)
        counts.update({r["state"]: r["n"] for r in self.db.query(sql, [batch])})
        return counts

    def batch_jobs(self, batch: str, state: str | None = None) -> list[dict]:
        sql, args = "select * from fleet_jobs where batch = ?", [batch]
        if state:
            sql, args = sql + " and state = ?", [batch, state]
        return list(self.db.query(sql + " order by position", args))

    def batches(self) -> list[str]:
        """Batch names, the newest enqueued first."""
        sql = "select batch, max(enqueued_at) as at from fleet_jobs group by batch order by at desc"
        return [r["batch"] for r in self.db.query(sql)]

    def runs_since(self, url: str, after_run_id: int) -> Iterator[dict]:
        """The site's runs newer than ``after_run_id``, newest first: those of one job."""
        return iter(
            self.db.query(
                "select runs.* from runs join sites on sites.id = runs.site_id"
                " where sites.url = ? and runs.id > ? order by runs.id desc",
                [url, after_run_id],
            )
        )
