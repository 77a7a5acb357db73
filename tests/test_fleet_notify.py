"""A fleet worker notifies as `oit batch` does (the config's [notify]), once per site and batch:
a real redis-server, real PostgreSQL, real loopback sites and a real webhook receiver."""

from __future__ import annotations

import json
import shutil
import signal
from contextlib import ExitStack
from pathlib import Path

import redis
from fleet_kit import (
    complete_runs,
    job_states,
    kill_worker,
    oit,
    resources_of_running,
    serve_sites,
    start_worker,
    wait_until,
    write_config,
)
from receivers import WebhookReceiver, free_port

from oit_checker.config import NotifySettings, load_config
from oit_checker.fleet.queue import job_rows
from oit_checker.fleet.tuning import Tuning
from oit_checker.fleet.worker import Context, run_job
from oit_checker.serve import SiteServer
from oit_checker.store import open_store

DEMO = Path(__file__).resolve().parent.parent / "fixtures" / "demo" / "site"


def _posts_by_site(hook: WebhookReceiver) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for post in hook.posts:
        body = json.loads(post.body)
        found.setdefault(body["site"], []).append(body)
    return found


def test_a_killed_workers_site_is_notified_once_by_the_worker_that_ends_it(
    tmp_path, redis_server, pg_url
):
    redis_server.flush()
    broker, db = redis_server.url, pg_url
    with ExitStack() as stack:
        hook = stack.enter_context(WebhookReceiver())
        served = serve_sites(stack, tmp_path, [93101, 93102], ["127.0.0.7", "127.0.0.8"], 0.05)
        notify = f'[notify]\nwebhook = "{hook.url}"\non = "always"\n'
        config = write_config(tmp_path / "sites.toml", served, notify)
        assert (
            oit("enqueue", str(config), "--broker", broker, "--db", db, cwd=tmp_path).returncode
            == 0
        )
        log = tmp_path / "workers.log"
        first = start_worker(broker, db, log, "--threads", "1", "--config", str(config))
        try:
            wait_until(lambda: resources_of_running(db) >= 8, 90, "an audit half-way")
        finally:
            kill_worker(first)
        killed = [url for url, state in job_states(db).items() if state == "running"]
        assert len(killed) == 1 and killed[0] not in _posts_by_site(hook)
        second = start_worker(broker, db, log, "--threads", "2", "--config", str(config))
        try:
            wait_until(lambda: set(job_states(db).values()) <= {"done", "failed"}, 150, "the batch")
            wait_until(lambda: len(hook.posts) >= 2, 10, "the notices")
        finally:
            kill_worker(second, signal.SIGTERM)
    urls = [server.url for server, _ in served]
    assert set(job_states(db).values()) == {"done"}, log.read_text()[-3000:]
    assert complete_runs(db) == dict.fromkeys(urls, 1)
    posts = _posts_by_site(hook)
    assert sorted(posts) == sorted(urls) and all(len(p) == 1 for p in posts.values())
    store = open_store(db)
    batch = store.batches()[0]
    for url in urls:
        job, body = store.job(batch, url), posts[url][0]
        assert body["status"] == "complete" and body["run_id"] == job["run_id"]
        assert body["name"] == job["name"] and len(body["counts"]) == 3
        assert json.loads(job["notified"]) == {"webhook": "sent"}
        assert json.loads(store.run(job["run_id"])["stats"])["notify"] == {"webhook": "sent"}
    assert "Traceback" not in log.read_text()


def _enqueue(store, config_path: Path, batch: str) -> None:
    rows = job_rows(load_config(config_path))
    for row in rows:
        row.pop("max_seconds")
    store.add_jobs(batch, rows)


def test_a_regression_is_sent_a_dead_webhook_recorded_and_a_redelivery_sends_nothing(
    tmp_path, redis_server, pg_url
):
    """As `oit batch`: a first audit with no regression sends nothing (on = regression), the
    next one that lost an item sends it; a webhook that is down is recorded, the job still
    done; a job delivered again after its notice (a kill before its end was written) neither
    audits again nor sends again."""
    redis_server.flush()
    site = tmp_path / "site"
    shutil.copytree(DEMO, site)
    client = redis.Redis.from_url(redis_server.url)
    store = open_store(pg_url)
    with SiteServer(site) as server, WebhookReceiver() as hook:
        config = tmp_path / "sites.toml"
        config.write_text(
            f'[defaults]\nyear = 2568\nas_of = "2025-10-15"\n\n[[site]]\nurl = "{server.url}"\n'
            'name = "อบต.ทดสอบ"\n',
            encoding="utf-8",
        )
        settings = NotifySettings(webhook=hook.url)  # on = "regression", the default

        def run(batch: str, notify: NotifySettings) -> str:
            context = Context(pg_url, client, Tuning(lock_seconds=5), lambda *a: None, notify)
            return run_job(batch, server.url, context)

        _enqueue(store, config, "night-1")
        assert run("night-1", settings) == "done" and hook.posts == []
        assert json.loads(store.job("night-1", server.url)["notified"]) == {}
        (site / "files" / "2568" / "manual-revenue.pdf").unlink()  # O8's evidence
        _enqueue(store, config, "night-2")
        assert run("night-2", settings) == "done"
        assert len(hook.posts) == 1
        body = json.loads(hook.posts[0].body)
        assert body["name"] == "อบต.ทดสอบ" and "O8" in [r["id"] for r in body["regressions"]]
        assert body["run_id"] == store.job("night-2", server.url)["run_id"]

        dead = NotifySettings(webhook=f"http://127.0.0.1:{free_port()}/hook", on="always")
        _enqueue(store, config, "night-3")
        assert run("night-3", dead) == "done"
        job = store.job("night-3", server.url)
        assert json.loads(job["notified"])["webhook"].startswith("failed: webhook")
        assert "failed" in json.loads(store.run(job["run_id"])["stats"])["notify"]["webhook"]
        status = oit("batch-status", "--db", pg_url, "--batch", "night-3", cwd=tmp_path)
        assert "notification failed อบต.ทดสอบ: webhook http://127.0.0.1:" in status.stdout

        runs = complete_runs(pg_url)[server.url]
        store.db.execute("update fleet_jobs set state = 'running' where batch = 'night-3'")
        assert run("night-3", NotifySettings(webhook=hook.url, on="always")) == "done"
        assert len(hook.posts) == 1 and complete_runs(pg_url)[server.url] == runs
        assert store.job("night-3", server.url)["run_id"] == job["run_id"]

        # A worker killed while sending: the notice is not sent again, and batch-status says so.
        store.db.execute("update fleet_jobs set notified = 'sending' where batch = 'night-2'")
        status = oit("batch-status", "--db", pg_url, "--batch", "night-2", cwd=tmp_path)
        assert "notification failed อบต.ทดสอบ: its worker stopped while sending" in status.stdout
