"""How a batch stands (``oit batch-status`` and the web page's section): how many jobs are
queued, running, done and failed, and why each failed one failed."""

from __future__ import annotations

from dataclasses import dataclass, field

from oit_checker.errors import OitError
from oit_checker.store import Store


@dataclass
class BatchStatus:
    batch: str
    counts: dict[str, int]
    failed: list[dict] = field(default_factory=list)  # url, name, attempts, error
    running: list[dict] = field(default_factory=list)  # url, name, worker, started_at

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

    return BatchStatus(batch, store.job_counts(batch), rows("failed"), rows("running"))
