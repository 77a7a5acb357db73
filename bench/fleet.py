"""The nightly fleet's throughput: sites per hour per worker core, 1 vs 2 worker processes,
first night and the next, on generated agency sites served like real ones.

Why: the projection for 8,300 agencies (how many 2-core workers fit a 6-hour window) must come
from the fleet's own path (`oit enqueue`, `oit worker`, the shared store), not from one audit.
Each site is a generated agency site (oit_checker.generate, real PDFs, some scanned) on its own
127.0.x.y address (its own server for the per-IP politeness), answering each request after a
latency drawn per site from 0.2-1 s, and audited at a rate drawn per site from 1-4 requests/s.
A redis-server is started on a free port. For each worker setting, a fresh store gets the first
night (an empty cache) and the next night (the same sites again: the quick re-audit).
Wall time, and the CPU seconds of the whole worker process tree (os.wait4 of `oit worker`,
which reaps its Dramatiq processes), give sites/hour and CPU seconds per site.

    .venv/bin/python bench/fleet.py --sites 30 --workers 1x4,2x4 --json /tmp/fleet.json
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from oit_checker.generate import generate_site
from oit_checker.rules import load_year
from oit_checker.serve import SiteServer

OIT = str(Path(sys.executable).parent / "oit")
SEED0 = 94001  # a seed range nobody else measures with


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_redis(folder: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder)]
        + ["--appendonly", "yes", "--save", ""],
        stdout=subprocess.DEVNULL,
    )
    time.sleep(0.5)
    return proc, f"redis://127.0.0.1:{port}/0"


def serve(stack: ExitStack, root: Path, n: int, rng: random.Random) -> str:
    """Generate and serve n sites; the config.toml text listing them."""
    rules = load_year(2568)
    text = "[defaults]\nyear = 2568\n\n"
    for k in range(n):
        folder = root / f"gen{SEED0 + k}"
        if not (folder / "truth.json").exists():
            generate_site(SEED0 + k, rules, folder)
        truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
        delay, rate = rng.uniform(0.2, 1.0), rng.uniform(1.0, 4.0)
        host = f"127.0.{1 + k // 250}.{2 + k % 250}"
        server = stack.enter_context(SiteServer(folder / "site", host=host, delay=delay))
        text += f'[[site]]\nurl = "{server.url}"\nas_of = "{truth["as_of"]}"\nrate = {rate:.2f}\n\n'
    return text


def night(config: Path, broker: str, db: Path, batch: str, processes: int, threads: int) -> dict:
    """Enqueue a batch, run a worker until every job is done or failed; wall and CPU."""
    subprocess.run(
        [OIT, "enqueue", str(config), "--broker", broker, "--db", str(db), "--batch", batch],
        check=True,
        capture_output=True,
    )
    began = time.monotonic()
    worker = subprocess.Popen(
        [OIT, "worker", "--broker", broker, "--db", str(db), "--processes", str(processes)]
        + ["--threads", str(threads), "--heartbeat", "20", "--wait-seconds", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    while True:
        time.sleep(1)
        with sqlite3.connect(db) as conn:
            states = dict(
                conn.execute(
                    "select state, count(*) from fleet_jobs where batch = ? group by state",
                    [batch],
                ).fetchall()
            )
        if not states.get("queued") and not states.get("running"):
            break
    wall = time.monotonic() - began
    worker.send_signal(signal.SIGTERM)
    _, _, usage = os.wait4(worker.pid, 0)
    cpu = usage.ru_utime + usage.ru_stime
    sites = sum(states.values())
    return {
        "batch": batch,
        "processes": processes,
        "threads": threads,
        "sites": sites,
        "done": states.get("done", 0),
        "failed": states.get("failed", 0),
        "wall_s": round(wall, 1),
        "cpu_s": round(cpu, 1),
        "cpu_s_per_site": round(cpu / sites, 2),
        "sites_per_hour": round(sites / wall * 3600, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", type=int, default=30)
    parser.add_argument("--workers", default="1x4,2x4", help="processes x threads, comma list")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--keep", type=Path, help="generated sites folder (reused when there)")
    args = parser.parse_args()
    if shutil.which("redis-server") is None:
        sys.exit("redis-server is not installed (./scripts/setup)")
    work = Path(tempfile.mkdtemp(prefix="oit-fleet-bench-"))
    sites_root = args.keep or work / "sites"
    sites_root.mkdir(parents=True, exist_ok=True)
    results = []
    redis_proc, broker = start_redis(work)
    try:
        with ExitStack() as stack:
            config = work / "sites.toml"
            config.write_text(serve(stack, sites_root, args.sites, random.Random(7)), "utf-8")
            for setting in args.workers.split(","):
                processes, threads = (int(x) for x in setting.split("x"))
                db = work / f"fleet-{setting}.db"
                for name in ("first", "next"):
                    result = night(config, broker, db, f"{setting}-{name}", processes, threads)
                    result["night"] = name
                    print(json.dumps(result), flush=True)
                    results.append(result)
    finally:
        redis_proc.terminate()
        redis_proc.wait()
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
