"""The fleet's timings, one place: the worker command sets them in the environment, which is
how they reach the processes Dramatiq forks (it imports the actors module there)."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields

ATTEMPTS = 3  # audits started per site and batch before it is recorded failed (poison guard)
QUEUE = "oit-audits"
ACTOR = "audit_job"


@dataclass(frozen=True)
class Tuning:
    # A worker silent this long is dead: its unfinished jobs go back to the queue. Dramatiq's
    # redelivery, not a visibility timeout: a live worker's long audit is never handed out twice.
    heartbeat: float = 60.0
    # A server's lock outlives a killed worker this long; refreshed every third of it.
    lock_seconds: float = 60.0
    # A job whose server another worker is crawling comes back after this (plus jitter).
    wait_seconds: float = 20.0
    # The first retry of a failed audit waits this long; each next one twice as long.
    backoff_seconds: float = 60.0

    def to_env(self) -> dict[str, str]:
        return {f"OIT_FLEET_{f.name.upper()}": str(getattr(self, f.name)) for f in fields(self)}

    @classmethod
    def from_env(cls) -> Tuning:
        values = {}
        for f in fields(cls):
            text = os.environ.get(f"OIT_FLEET_{f.name.upper()}")
            if text:
                values[f.name] = float(text)
        return cls(**values)


def time_limit_ms(max_seconds: float) -> int:
    """Dramatiq's hard stop for one audit: the audit's own budget (``max_seconds``, after which
    it judges what it has) twice over plus ten minutes for the checker and OCR; reached, the
    audit is interrupted, its run kept resumable, and the attempt counts as failed."""
    return int((2 * max_seconds + 600) * 1000)
