"""``oit enqueue``: one message per site of a batch, idempotent.

The jobs are written to the store first, then each unsent job's message goes to the broker and
is marked sent: running it again (a timer firing twice, an enqueue that stopped half-way) sends
only what was never sent, and a message sent twice anyway is harmless (the worker reads the
job's row). The config is checked as ``oit batch`` checks it, before anything is written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path

import dramatiq

from oit_checker.audit import check_start_url
from oit_checker.batch import check_unique, resolve_rules
from oit_checker.config import Config
from oit_checker.fleet.broker import make_broker
from oit_checker.fleet.tuning import ACTOR, QUEUE, Tuning, time_limit_ms
from oit_checker.fleet.worker import settings_json
from oit_checker.store import Store


@dataclass
class Enqueued:
    batch: str
    sites: int  # in the config
    added: int  # jobs new to the batch
    sent: int  # messages sent now


def default_batch(config: Config, today: dt.date | None = None) -> str:
    """The night's batch: the config's name and the date, so a timer that fires twice on one
    night adds nothing, and the next night starts a new batch."""
    stem = config.path.stem if config.path else "sites"
    return f"{stem}-{(today or dt.date.today()).isoformat()}"


def job_rows(config: Config) -> list[dict]:
    """The batch's jobs: start URL, place, name and settings (a relative rules file made
    absolute, since workers run elsewhere)."""
    check_unique(config)
    resolve_rules(config)  # a typo in a rules setting fails here, not in every worker
    rows = []
    for n, entry in enumerate(config.sites):
        settings = entry.settings
        if settings.rules and config.path is not None:
            rules = Path(settings.rules)
            settings = replace(settings, rules=str((config.path.parent / rules).resolve()))
        rows.append(
            {
                "url": check_start_url(entry.url),
                "position": n,
                "name": entry.name,
                "settings": settings_json(settings),
                "max_seconds": settings.max_seconds,
            }
        )
    return rows


def enqueue(config: Config, batch: str, broker_url: str, store: Store) -> Enqueued:
    rows = job_rows(config)
    limits = {row["url"]: time_limit_ms(row.pop("max_seconds")) for row in rows}
    added = store.add_jobs(batch, rows)
    broker = make_broker(broker_url, Tuning())
    broker.declare_queue(QUEUE)
    sent = 0
    for job in store.unsent_jobs(batch):
        options = {"time_limit": limits.get(job["url"], time_limit_ms(600))}
        message = dramatiq.Message(
            queue_name=QUEUE, actor_name=ACTOR, args=(batch, job["url"]), kwargs={}, options=options
        )
        broker.enqueue(message)
        store.mark_sent(batch, job["url"])
        sent += 1
    broker.close()
    return Enqueued(batch, len(rows), added, sent)
