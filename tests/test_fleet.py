"""The nightly fleet (oit_checker/fleet): `oit enqueue`, `oit worker`, `oit batch-status` on a
real redis-server (conftest's fixture), real loopback sites (generated, each on its own
127.x address, or two sharing one) and a real SQLite store shared by the worker processes.
"""

from __future__ import annotations

import json
import signal
import sqlite3
from contextlib import ExitStack

import pytest
import redis
from fleet_kit import (
    complete_runs,
    differences,
    job_states,
    kill_worker,
    oit,
    overlapping,
    resources_of_running,
    serve_sites,
    start_worker,
    verdicts,
    wait_until,
    write_config,
)
from receivers import free_port
from redis_service import RedisServer

from oit_checker.fleet.politeness import ServerLock, server_ip
from oit_checker.fleet.tuning import ATTEMPTS, QUEUE, Tuning
from oit_checker.fleet.worker import Context, run_job
from oit_checker.store import Store, open_store

SEEDS = [93101, 93102, 93103]


@pytest.fixture
def broker(redis_server):
    redis_server.flush()
    return redis_server.url


@pytest.fixture
def fleet_db(pg_url) -> str:
    """The store the workers share: PostgreSQL (conftest's server), as across machines."""
    return pg_url


def _queued_messages(url: str) -> int:
    return redis.Redis.from_url(url).llen(f"dramatiq:{QUEUE}")


def test_enqueue_twice_sends_nothing_new(tmp_path, broker):
    with ExitStack() as stack:
        served = serve_sites(stack, tmp_path, SEEDS, ["127.0.0.1"] * 3, delay=0)
        config = write_config(tmp_path / "sites.toml", served)
        db = tmp_path / "fleet.db"
        first = oit("enqueue", str(config), "--broker", broker, "--db", str(db), cwd=tmp_path)
        again = oit("enqueue", str(config), "--broker", broker, "--db", str(db), cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "3 new jobs, 3 messages sent" in first.stderr
    assert again.returncode == 0, again.stderr
    assert "0 new jobs, 0 messages sent" in again.stderr
    assert _queued_messages(broker) == 3
    assert set(job_states(db).values()) == {"queued"}
    status = oit("batch-status", "--db", str(db), "--json", cwd=tmp_path)
    counts = json.loads(status.stdout)["counts"]
    assert counts == {"queued": 3, "running": 0, "done": 0, "failed": 0}


def test_broker_down_or_wrong_is_a_message_not_a_traceback(tmp_path, broker):
    (tmp_path / "sites.csv").write_text("url\nhttp://127.0.0.1:9/\n", encoding="utf-8")
    down = RedisServer(tmp_path / "r").url  # a free port nobody listens on
    for url, code in ((down, 4), ("http://127.0.0.1:6379/", 2), ("redis://127.0.0.1:x/", 2)):
        proc = oit("enqueue", "sites.csv", "--broker", url, "--db", "f.db", cwd=tmp_path)
        assert proc.returncode == code, (url, proc.stderr)
        assert "Traceback" not in proc.stderr and "broker" in proc.stderr
        proc = oit("worker", "--broker", url, "--db", "f.db", cwd=tmp_path, timeout=60)
        assert proc.returncode == code, (url, proc.stderr)
        assert "Traceback" not in proc.stderr
    proc = oit("enqueue", "sites.csv", "--db", "f.db", cwd=tmp_path)
    assert proc.returncode == 2 and "OIT_BROKER" in proc.stderr


def test_fleet_urls_from_config_and_environment(tmp_path, broker):
    (tmp_path / "sites.toml").write_text(
        f'[fleet]\nbroker = "{broker}"\ndb = "shared.db"\n\n[[site]]\nurl = "http://127.0.0.1:9/"\n',
        encoding="utf-8",
    )
    proc = oit("enqueue", "sites.toml", "--batch", "n1", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert job_states(tmp_path / "shared.db") == {"http://127.0.0.1:9/": "queued"}
    (tmp_path / "bad.toml").write_text('[fleet]\nbrokr = "x"\n', encoding="utf-8")
    proc = oit("enqueue", "bad.toml", cwd=tmp_path)
    assert proc.returncode == 2 and "unknown key 'brokr'" in proc.stderr


def _context(db, broker: str, sent: list) -> Context:
    def requeue(delay_ms: int, time_limit: int) -> None:
        sent.append(delay_ms)

    return Context(str(db), redis.Redis.from_url(broker), Tuning(lock_seconds=5), requeue)


def test_busy_server_requeues_and_poison_is_failed(tmp_path, broker):
    """A job whose server another worker holds comes back later (not dropped, not run); a job
    started ATTEMPTS times without finishing is recorded failed without a new audit."""
    with ExitStack() as stack:
        served = serve_sites(stack, tmp_path, SEEDS[:2], ["127.0.0.2", "127.0.0.2"], delay=0)
        config = write_config(tmp_path / "sites.toml", served)
        db = tmp_path / "fleet.db"
        assert oit("enqueue", str(config), "--broker", broker, "--db", str(db), "--batch", "b",
                   cwd=tmp_path).returncode == 0  # fmt: skip
        first, second = (server.url for server, _ in served)
        sent: list[int] = []
        ctx = _context(db, broker, sent)
        other = ServerLock(ctx.client, server_ip(first), 5, "another worker")
        assert other.acquire()
        assert run_job("b", first, ctx) == "busy"
        assert len(sent) == 1 and sent[0] >= 500
        assert job_states(db)[first] == "queued" and not served[0][0].log.entries
        with sqlite3.connect(db) as conn:
            conn.execute("update fleet_jobs set state = 'running', attempts = ? where url = ?",
                         [ATTEMPTS, second])  # fmt: skip
        ctx.client.delete(other.key)
        assert run_job("b", second, ctx) == "poisoned"
    job = Store(db).job("b", second)
    assert job["state"] == "failed" and "never finished" in job["error"]
    assert not served[1][0].log.entries  # not audited a fourth time
    status = oit("batch-status", "--db", str(db), "--batch", "b", cwd=tmp_path)
    assert "failed 1" in status.stdout and "never finished" in status.stdout


def test_killed_worker_job_is_resumed_by_another(tmp_path, broker, fleet_db):
    """kill -9 of a worker mid-audit: another worker takes the job back (heartbeat), resumes the
    run; exactly one complete run per site, verdicts as `oit batch` gives them, and the two
    sites sharing one server IP never crawled at the same moment."""
    hosts = ["127.0.0.2", "127.0.0.3", "127.0.0.2"]
    with ExitStack() as stack:
        served = serve_sites(stack, tmp_path, SEEDS, hosts, delay=0.05)
        # Verdicts are compared with a single-process batch: no clock may cut either.
        config = write_config(tmp_path / "sites.toml", served, max_seconds=3600, ocr_seconds=3600)
        db = fleet_db
        proc = oit("enqueue", str(config), "--broker", broker, "--db", db, cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        log = tmp_path / "workers.log"
        first = start_worker(broker, db, log, "--threads", "1")
        try:
            wait_until(lambda: resources_of_running(db) >= 8, 90, "an audit half-way")
        finally:
            kill_worker(first)
        killed = [url for url, state in job_states(db).items() if state == "running"]
        assert len(killed) == 1
        second = start_worker(broker, db, log, "--threads", "2")
        try:
            wait_until(lambda: set(job_states(db).values()) <= {"done", "failed"}, 150, "the batch")
        finally:
            kill_worker(second, signal.SIGTERM)
        same_ip = overlapping(served[0][0], served[2][0])
        batch_db = str(tmp_path / "single.db")
        single = oit("batch", str(config), "--db", batch_db, "--parallel", "3", cwd=tmp_path)
    assert single.returncode in (0, 1), single.stderr
    assert set(job_states(db).values()) == {"done"}, log.read_text()[-3000:]
    urls = [server.url for server, _ in served]
    assert complete_runs(db) == dict.fromkeys(urls, 1)
    store = open_store(db)
    job = store.job(store.batches()[0], killed[0])
    assert job["attempts"] == 2
    assert store.run(job["run_id"])["resumed"] == 1  # the killed run went on, not a new one
    assert differences(db, batch_db) == []
    assert verdicts(db) == verdicts(batch_db)
    assert not same_ip, f"two workers crawled 127.0.0.2 at once: {same_ip[:3]}"
    assert "Traceback" not in log.read_text()


def test_redis_restarted_during_a_batch_loses_nothing(tmp_path, fleet_db):
    """Redis killed and started again (append-only file) while a worker audits: every site
    ends done, once."""
    own = RedisServer(tmp_path / "redis").start()
    try:
        with ExitStack() as stack:
            served = serve_sites(
                stack, tmp_path, SEEDS, ["127.0.0.4", "127.0.0.5", "127.0.0.6"], delay=0.05
            )
            config = write_config(tmp_path / "sites.toml", served)
            db = fleet_db
            assert oit("enqueue", str(config), "--broker", own.url, "--db", db,
                       cwd=tmp_path).returncode == 0  # fmt: skip
            log = tmp_path / "worker.log"
            worker = start_worker(own.url, db, log, "--threads", "1")
            try:
                wait_until(lambda: resources_of_running(db) >= 5, 90, "an audit under way")
                own.restart(down_seconds=1.0)
                wait_until(lambda: set(job_states(db).values()) == {"done"}, 150, "the batch")
            finally:
                kill_worker(worker, signal.SIGTERM)
    finally:
        own.stop()
    assert complete_runs(db) == dict.fromkeys((s.url for s, _ in served), 1)


def test_a_site_that_stays_down_is_retried_then_failed_with_its_reason(tmp_path, broker):
    """Retries with backoff (Dramatiq's Retries), then `failed` after ATTEMPTS starts, with the
    reason in batch-status: the batch ends instead of retrying for ever."""
    closed = f"http://127.0.0.1:{free_port()}/"
    (tmp_path / "sites.csv").write_text(f"url\n{closed}\n", encoding="utf-8")
    db = str(tmp_path / "fleet.db")
    proc = oit("enqueue", "sites.csv", "--broker", broker, "--db", db, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    log = tmp_path / "worker.log"
    worker = start_worker(broker, db, log, "--backoff-seconds", "0.2")
    try:
        wait_until(lambda: set(job_states(db).values()) == {"failed"}, 90, "the site failed")
    finally:
        kill_worker(worker, signal.SIGTERM)
    status = json.loads(oit("batch-status", "--db", db, "--json", cwd=tmp_path).stdout)
    assert status["counts"]["failed"] == 1
    assert status["failed"][0]["attempts"] == ATTEMPTS
    assert "connection refused" in status["failed"][0]["error"].lower()
