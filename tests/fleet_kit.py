"""Generated agency sites served on loopback addresses, a config listing them, and `oit worker`
processes, for the fleet's tests and benchmark: every part real (Redis, HTTP, the store)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from contextlib import ExitStack, suppress
from pathlib import Path

from oit_checker.generate import generate_site
from oit_checker.rules import load_year
from oit_checker.serve import SiteServer
from oit_checker.store import open_store

OIT = str(Path(sys.executable).parent / "oit")
# Short enough for a test: a killed worker's jobs come back in 2 s, its server lock frees in 3.
FAST = ["--heartbeat", "2", "--lock-seconds", "3", "--wait-seconds", "0.5"]
FAST += ["--backoff-seconds", "1"]


def serve_sites(
    stack: ExitStack, root: Path, seeds: list[int], hosts: list[str], delay: float
) -> list[tuple[SiteServer, dict]]:
    """Seeded generated sites, site n served on ``hosts[n]`` (127.x.y.z), with their truth."""
    rules = load_year(2568)
    served = []
    for seed, host in zip(seeds, hosts, strict=True):
        folder = root / f"gen{seed}"
        if not (folder / "truth.json").exists():
            generate_site(seed, rules, folder)
        truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
        server = stack.enter_context(SiteServer(folder / "site", host=host, delay=delay))
        served.append((server, truth))
    return served


def write_config(
    path: Path,
    served: list[tuple[SiteServer, dict]],
    extra: str = "",
    max_seconds: float = 120,
    ocr_seconds: float = 60,
) -> Path:
    """A config.toml of the served sites, as `oit batch` and `oit enqueue` read it. A test
    that compares verdicts gives clocks that cannot bind (``max_seconds``, ``ocr_seconds``):
    on a loaded machine a clock's cut is a different verdict, rightly."""
    text = (
        f'[defaults]\nyear = 2568\nrender = "never"\nmax_seconds = {max_seconds:g}\n'
        f"ocr_seconds = {ocr_seconds:g}\n{extra}\n"
    )
    for server, truth in served:
        text += (
            f'[[site]]\nurl = "{server.url}"\nname = "seed {truth["seed"]}"\n'
            f'as_of = "{truth["as_of"]}"\n\n'
        )
    path.write_text(text, encoding="utf-8")
    return path


def oit(*args: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([OIT, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout)


def start_worker(broker: str, db: str, log: Path, *extra: str) -> subprocess.Popen:
    """`oit worker` in its own process group (killed whole with ``kill_worker``)."""
    handle = open(log, "ab")  # noqa: SIM115 - the worker writes to it until it ends
    return subprocess.Popen(
        [OIT, "worker", "--broker", broker, "--db", str(db), *FAST, *extra],
        stdout=handle,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def kill_worker(proc: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    """The worker's whole process group (Dramatiq's main process and its workers)."""
    with suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)
    proc.wait(timeout=30)


def _query(db: str, sql: str, args: list | None = None) -> list[dict]:
    """Rows from the fleet's store, SQLite file or PostgreSQL alike; none before it exists."""
    try:
        with open_store(db, create=False) as store:
            return list(store.db.query(sql, args or []))
    except Exception:  # not created yet by the first command
        return []


def job_states(db: str) -> dict[str, str]:
    return {r["url"]: r["state"] for r in _query(db, "select url, state from fleet_jobs")}


def wait_until(check, timeout: float, what: str, every: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def resources_of_running(db: str) -> int:
    """Resources stored so far by the newest running run (0 when none runs)."""
    rows = _query(
        db,
        "select count(*) as n from resources where run_id ="
        " (select max(id) from runs where status = 'running')",
    )
    return rows[0]["n"] if rows else 0


def verdicts(db: str) -> dict[str, dict[str, str]]:
    """Per site URL, its complete run's verdicts (item -> status)."""
    rows = _query(
        db,
        "select sites.url as url, items.item_id as item, items.status as status from items"
        " join runs on runs.id = items.run_id join sites on sites.id = runs.site_id"
        " where runs.status = 'complete'",
    )
    found: dict[str, dict[str, str]] = {}
    for row in rows:
        found.setdefault(row["url"], {})[row["item"]] = row["status"]
    return found


def complete_runs(db: str) -> dict[str, int]:
    rows = _query(
        db,
        "select sites.url as url, count(*) as n from runs join sites on sites.id = runs.site_id"
        " where runs.status = 'complete' group by sites.url",
    )
    return {r["url"]: r["n"] for r in rows}


def overlapping(a: SiteServer, b: SiteServer) -> list[tuple[float, float]]:
    """From the two servers' request logs: the moments both were answering a request."""
    return [
        (max(s[0], t[0]), min(s[1], t[1]))
        for s in a.log.spans
        for t in b.log.spans
        if s[0] < t[1] and t[0] < s[1]
    ]


def differences(a: str, b: str) -> list[str]:
    """Per site and item, verdicts that differ between two stores' complete runs, with both
    reasons (a failing equality says why, e.g. which clock cut what)."""
    left, right = _reasons(a), _reasons(b)
    out = []
    for site in sorted(set(left) | set(right)):
        one, other = left.get(site, {}), right.get(site, {})
        for item in sorted(set(one) | set(other)):
            if one.get(item, ("",))[0] != other.get(item, ("",))[0]:
                out.append(f"{site} {item}: {one.get(item)} vs {other.get(item)}")
    return out


def _reasons(db: str) -> dict[str, dict[str, tuple[str, str]]]:
    rows = _query(
        db,
        "select sites.url as url, items.item_id as item, items.status as status,"
        " items.reason as reason from items join runs on runs.id = items.run_id"
        " join sites on sites.id = runs.site_id where runs.status = 'complete'",
    )
    found: dict[str, dict[str, tuple[str, str]]] = {}
    for row in rows:
        found.setdefault(row["url"], {})[row["item"]] = (row["status"], row["reason"])
    return found
