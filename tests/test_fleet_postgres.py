"""The fleet on its shared PostgreSQL store: `oit enqueue` records the batch there (twice:
nothing new), a worker's job audits its site into it, `oit batch-status` reads it back."""

from __future__ import annotations

import json
from contextlib import ExitStack

import redis
from fleet_kit import oit, serve_sites, write_config

from oit_checker.fleet.tuning import Tuning
from oit_checker.fleet.worker import Context, run_job
from oit_checker.store import open_store


def test_a_batch_enqueued_into_postgres_is_audited_and_reported_from_it(tmp_path, redis_server, pg_url):
    redis_server.flush()
    broker = redis_server.url
    with ExitStack() as stack:
        served = serve_sites(stack, tmp_path, [93101], ["127.0.0.4"], delay=0)
        config = write_config(tmp_path / "sites.toml", served, f'\n[fleet]\ndb = "{pg_url}"')
        args = ("enqueue", str(config), "--broker", broker, "--batch", "pg")
        first, again = oit(*args, cwd=tmp_path), oit(*args, cwd=tmp_path)
        assert first.returncode == 0 and "1 new jobs" in first.stderr, first.stderr
        assert again.returncode == 0 and "0 new jobs" in again.stderr, again.stderr
        url = served[0][0].url
        ctx = Context(pg_url, redis.Redis.from_url(broker), Tuning(lock_seconds=5), lambda *a: None)
        run_job("pg", url, ctx)
    assert not (tmp_path / "oit.db").exists()
    store = open_store(pg_url, create=False)
    job = store.job("pg", url)
    assert job["state"] == "done" and store.run(job["run_id"])["status"] == "complete"
    status = oit("batch-status", "--db", pg_url, "--batch", "pg", "--json", cwd=tmp_path)
    assert json.loads(status.stdout)["counts"]["done"] == 1, status.stderr
