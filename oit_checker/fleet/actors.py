"""The module Dramatiq's worker processes import (``oit worker`` starts them): the broker and
the one actor, configured from the environment ``oit worker`` set (OIT_BROKER, OIT_DB, the
OIT_FLEET_* timings and notifications), since that is what reaches a forked process."""

from __future__ import annotations

import logging
import os

import dramatiq

from oit_checker.fleet.broker import make_broker, redis_client
from oit_checker.fleet.notices import notify_from_env
from oit_checker.fleet.tuning import ACTOR, ATTEMPTS, QUEUE, Tuning
from oit_checker.fleet.where import BROKER_ENV, DB_ENV
from oit_checker.fleet.worker import Context, run_job

TUNING = Tuning.from_env()
NOTIFY = notify_from_env()  # the [notify] of `oit worker --config`, None without
broker = make_broker(os.environ[BROKER_ENV], TUNING)
dramatiq.set_broker(broker)
_client = redis_client(os.environ[BROKER_ENV])
logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per request drowns the jobs
log = logging.getLogger(__name__)


@dramatiq.actor(
    actor_name=ACTOR,
    queue_name=QUEUE,
    # Retries of a failed audit (a site down at 2 a.m. may be up at 3): the worker decides when
    # to stop (after ATTEMPTS starts), Dramatiq only spaces them out, doubling each time.
    max_retries=ATTEMPTS + 2,
    min_backoff=int(TUNING.backoff_seconds * 1000),
    max_backoff=int(TUNING.backoff_seconds * 1000 * 2**ATTEMPTS),
)
def audit_job(batch: str, url: str) -> None:
    def requeue(delay_ms: int, time_limit: int) -> None:
        audit_job.send_with_options(args=(batch, url), delay=delay_ms, time_limit=time_limit)

    what = run_job(batch, url, Context(os.environ[DB_ENV], _client, TUNING, requeue, NOTIFY))
    log.info("%s %s: %s", batch, url, what)
