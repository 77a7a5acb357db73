"""How a batch stands (``oit batch-status`` and the web page's section): how many jobs are
queued, running, done and failed, why each failed one failed, and which notifications failed."""

from __future__ import annotations

from dataclasses import dataclass, field

from oit_checker.errors import OitError
from oit_checker.notify import failures
from oit_checker.store import Store, loads_or


@dataclass
class BatchStatus:
    batch: str
    counts: dict[str, int]
    failed: list[dict] = field(default_factory=list)  # url, name, attempts, error
    running: list[dict] = field(default_factory=list)  # url, name, worker, started_at
    notices_failed: list[dict] = field(default_factory=list)  # url, name, error

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def as_dict(self) -> dict:
        return {
            "batch": self.batch,
            "counts": self.counts,
            "total": self.total,
            "failed": self.failed,
            "running": self.running,
            "notices_failed": self.notices_failed,
        }


def batch_status(store: Store, batch: str | None = None) -> BatchStatus | None:
    """The named batch, else the newest; None when the store holds no batch at all."""
    names = store.batches()
    if batch is None:
        if not names:
            return None
        batch = names[0]
    elif batch not in names:
        raise OitError(f"no batch {batch!r} in this database (batches: {', '.join(names) or '-'})")
    keep = ("url", "name", "attempts", "worker", "error", "run_id", "started_at", "finished_at")

    def rows(state: str) -> list[dict]:
        return [{k: job[k] for k in keep} for job in store.batch_jobs(batch, state)]

    notices = [
        {"url": job["url"], "name": job["name"], "error": "; ".join(problems)}
        for job in store.batch_jobs(batch)
        if (problems := notice_problems(job))
    ]
    return BatchStatus(batch, store.job_counts(batch), rows("failed"), rows("running"), notices)


LOST_NOTICE = "its worker stopped while sending it: not known to have arrived, not sent again"


def notice_problems(job: dict) -> list[str]:
    """Why a job's notification did not arrive: a channel that failed, or, for a job that
    ended, a send its worker never finished (claimed 'sending', then killed)."""
    if job.get("notified") == "sending":
        return [LOST_NOTICE] if job["state"] in ("done", "failed") else []
    outcome = loads_or(job.get("notified"), {})
    return failures(outcome) if isinstance(outcome, dict) else []
