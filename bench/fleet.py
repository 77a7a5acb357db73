"""The nightly fleet's throughput: sites per hour per worker core, 1 vs 2 worker processes,
first night and the next, on generated agency sites served like real ones; and the shared OCR
cache's saving on a fleet whose sites publish the same ministry documents.

Why: the projection for 8,300 agencies (how many 2-core workers fit a 6-hour window) must come
from the fleet's own path (`oit enqueue`, `oit worker`, the shared store), not from one audit.
Each site is a generated agency site (oit_checker.generate, real PDFs, some scanned) on its own
127.0.x.y address (its own server for the per-IP politeness), answering each request after a
latency drawn per site from 0.2-1 s, and audited at a rate drawn per site from 1-4 requests/s.
A redis-server and (by default) a PostgreSQL server, the fleet's shared store, are started on
free loopback ports. For each worker setting a fresh database gets the first night (empty
caches) and the next night (the same sites again: the quick re-audit). Wall time, the CPU of the
whole worker process tree (os.wait4 of `oit worker`, which reaps its Dramatiq processes and
their tesseract and Chromium children) and the database server's CPU give sites/hour and CPU
seconds per site; the store's runs give per-site medians, its extracted pages what was OCR'd.

``--shared F`` makes a share F of the sites list some of the same ministry circulars (mostly
scans; oit_checker/generate/shared.py). ``--compare-cache`` then audits the same fleet's first
night twice per worker setting, each into a fresh database: the text cache as shipped (shared by
every site and worker), and the cache kept off (a trigger drops every row written to ``texts``,
so each site OCRs what it fetches, as if it had a store of its own), side by side.

    .venv/bin/python bench/fleet.py --sites 100 --workers 1x10,2x10 --json /tmp/fleet100.json
    .venv/bin/python bench/fleet.py --sites 16 --shared 0.75 --compare-cache --workers 1x4
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, closing
from dataclasses import dataclass
from pathlib import Path

from oit_checker.generate import generate_site
from oit_checker.rules import load_year
from oit_checker.serve import SiteServer
from oit_checker.store import open_store

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pg import Postgres, running_postgres  # noqa: E402  (bench/ is no package)

OIT = str(Path(sys.executable).parent / "oit")
SEED0 = 94001  # a seed range nobody else measures with
AGENCIES = 8300
WINDOW_S = 6 * 3600
OCR_RUN = re.compile(r"ocr: (\d+) pages?, ([\d.]+) s")
OCR_CACHED = re.compile(r"ocr: (\d+) pages? from cache")
CACHE_OFF = {
    "postgresql": (
        "create function keep_no_text() returns trigger language plpgsql as"
        " 'begin return null; end';"
        " create trigger texts_off before insert on texts for each row"
        " execute function keep_no_text()"
    ),
    "sqlite": "create trigger texts_off before insert on texts begin select raise(ignore); end",
}


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


def serve(stack: ExitStack, root: Path, n: int, rng: random.Random, share: float) -> str:
    """Generate and serve n sites; the config.toml text listing them."""
    rules = load_year(2568)
    text = "[defaults]\nyear = 2568\n\n"
    for k in range(n):
        folder = root / (f"gen{SEED0 + k}" + (f"-shared{share:g}" if share else ""))
        if not (folder / "truth.json").exists():
            generate_site(SEED0 + k, rules, folder, shared_share=share)
        truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
        delay, rate = rng.uniform(0.2, 1.0), rng.uniform(1.0, 4.0)
        host = f"127.0.{1 + k // 250}.{2 + k % 250}"
        server = stack.enter_context(SiteServer(folder / "site", host=host, delay=delay))
        text += f'[[site]]\nurl = "{server.url}"\nas_of = "{truth["as_of"]}"\nrate = {rate:.2f}\n\n'
    return text


@dataclass
class Databases:
    """Fresh databases for the nights: PostgreSQL (the fleet's shared store) or SQLite files."""

    work: Path
    pg: Postgres | None

    def new(self, name: str, text_cache: bool = True) -> str:
        target = self.pg.database(name) if self.pg else str(self.work / f"{name}.db")
        open_store(target).close()  # the schema, so the trigger has its table
        if text_cache:
            return target
        if self.pg:
            import psycopg

            with psycopg.connect(target, autocommit=True) as conn:
                conn.execute(CACHE_OFF["postgresql"])
        else:
            with closing(sqlite3.connect(target)) as conn, conn:
                conn.execute(CACHE_OFF["sqlite"])
        return target

    def cpu_seconds(self) -> float:
        return self.pg.cpu_seconds() if self.pg else 0.0


def _query(db: str, sql: str, args: list) -> list[dict]:
    with open_store(db) as store:
        return [dict(row) for row in store.db.query(sql, args)]


def _run_worker(broker: str, db: str, batch: str, processes: int, threads: int) -> tuple:
    """Start `oit worker`, wait until the batch has no queued or running job, stop it; wall,
    the worker tree's CPU seconds and the job counts."""
    began = time.monotonic()
    worker = subprocess.Popen(
        [OIT, "worker", "--broker", broker, "--db", db, "--processes", str(processes)]
        + ["--threads", str(threads), "--heartbeat", "20", "--wait-seconds", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    while True:
        time.sleep(2)
        with open_store(db) as store:
            counts = store.job_counts(batch)
        if not counts.get("queued") and not counts.get("running"):
            break
    wall = time.monotonic() - began
    worker.send_signal(signal.SIGTERM)
    _, _, usage = os.wait4(worker.pid, 0)
    return wall, usage.ru_utime + usage.ru_stime, counts


def ocr_figures(db: str, before: set[str]) -> dict:
    """What the night extracted (pages rows new since ``before``): pages OCR'd and their
    tesseract seconds, pages read from the text cache, documents each way."""
    fig = dict.fromkeys(("ocr_pages", "ocr_docs", "cached_pages", "cached_docs"), 0)
    fig["ocr_s"] = 0.0
    for row in _query(db, "select key, page from pages", []):
        if row["key"] in before:
            continue
        notes = " ".join(json.loads(row["page"]).get("notes", []))
        runs, cached = OCR_RUN.findall(notes), OCR_CACHED.findall(notes)
        fig["ocr_pages"] += sum(int(n) for n, _ in runs)
        fig["ocr_s"] += sum(float(s) for _, s in runs)
        fig["ocr_docs"] += bool(runs)
        fig["cached_pages"] += sum(int(n) for n in cached)
        fig["cached_docs"] += bool(cached)
    fig["ocr_s"] = round(fig["ocr_s"], 1)
    return fig


def site_medians(db: str, batch: str) -> dict:
    """Per-site medians from the batch's runs: audit seconds and requests."""
    sql = "select r.stats from fleet_jobs j join runs r on r.id = j.run_id where j.batch = ?"
    stats = [json.loads(row["stats"] or "{}") for row in _query(db, sql, [batch])]
    seconds = [s["seconds"] for s in stats if "seconds" in s]
    fetched = [s["fetched"] for s in stats if "fetched" in s]
    return {
        "median_site_s": round(statistics.median(seconds), 1) if seconds else None,
        "median_requests": statistics.median(fetched) if fetched else None,
        "quick": sum(1 for s in stats if (s.get("revisit") or {}).get("quick")),
    }


def night(cfg: Path, broker: str, dbs: Databases, db: str, batch: str, setting: str) -> dict:
    """Enqueue a batch and run a worker until every job is done or failed."""
    processes, threads = (int(x) for x in setting.split("x"))
    subprocess.run(
        [OIT, "enqueue", str(cfg), "--broker", broker, "--db", db, "--batch", batch],
        check=True,
        capture_output=True,
    )
    before = {row["key"] for row in _query(db, "select key from pages", [])}
    load0, db_cpu0 = os.getloadavg()[0], dbs.cpu_seconds()
    wall, cpu, counts = _run_worker(broker, db, batch, processes, threads)
    db_cpu = dbs.cpu_seconds() - db_cpu0
    sites = sum(counts.values())
    return {
        "batch": batch, "processes": processes, "threads": threads, "sites": sites,
        "done": counts.get("done", 0), "failed": counts.get("failed", 0),
        "wall_s": round(wall, 1), "cpu_s": round(cpu, 1), "db_cpu_s": round(db_cpu, 1),
        "cpu_s_per_site": round((cpu + db_cpu) / sites, 2),
        "sites_per_hour": round(sites / wall * 3600, 1),
        "sites_per_hour_per_process": round(sites / wall * 3600 / processes, 1),
        "cores_busy": round((cpu + db_cpu) / wall, 2),
        "load": [round(load0, 1), round(os.getloadavg()[0], 1)],
        **site_medians(db, batch), **ocr_figures(db, before),
    }  # fmt: skip


def projection(result: dict) -> dict:
    """8,300 agencies at this night's measured cost: core-hours (workers' and database CPU),
    the cores a 6-hour window keeps busy, 2-core workers for them, and the audits that must be
    in flight at once for the wall time to fit (each audit waits on its site most of the time)."""
    core_hours = AGENCIES * result["cpu_s_per_site"] / 3600
    cores = core_hours / (WINDOW_S / 3600)
    in_flight = AGENCIES * (result["median_site_s"] or 0) / WINDOW_S
    return {
        "core_hours": round(core_hours, 1),
        "cores_busy_6h": round(cores, 2),
        "two_core_workers": max(1, math.ceil(cores / 2)),
        "audits_in_flight": math.ceil(in_flight),
    }


COLUMNS = (
    ("setting", 8), ("night", 6), ("sites", 5), ("wall s", 7), ("sites/h", 7),
    ("/h/proc", 7), ("CPU s/site", 10), ("db CPU s", 8), ("med site s", 10), ("med req", 7),
    ("quick", 5), ("OCR pages", 9), ("OCR s", 6), ("OCR docs", 8), ("cache docs", 10),
    ("load", 9),
)  # fmt: skip


def print_table(results: list[dict]) -> None:
    print(" ".join(f"{name:>{width}}" for name, width in COLUMNS))
    for r in results:
        values = (
            f"{r['processes']}x{r['threads']}", r["night"], r["sites"], r["wall_s"],
            r["sites_per_hour"], r["sites_per_hour_per_process"], r["cpu_s_per_site"],
            r["db_cpu_s"], r["median_site_s"], r["median_requests"], r["quick"],
            r["ocr_pages"], r["ocr_s"], r["ocr_docs"], r["cached_docs"],
            "-".join(str(x) for x in r["load"]),
        )  # fmt: skip
        print(" ".join(f"{v!s:>{w}}" for v, (_, w) in zip(values, COLUMNS, strict=True)))
    for r in results:
        if r["night"] in ("first", "next", "shared"):
            p = projection(r)
            print(
                f"{AGENCIES} agencies at {r['processes']}x{r['threads']} {r['night']} night: "
                f"{p['core_hours']} core-hours, {p['cores_busy_6h']} cores busy over 6 h -> "
                f"{p['two_core_workers']} two-core worker(s), {p['audits_in_flight']} audits "
                "in flight"
            )


def nights(cfg: Path, broker: str, dbs: Databases, args: argparse.Namespace) -> list[dict]:
    """Per worker setting: first and next night in one fresh database, or (compare) the first
    night twice, the text cache shared and kept off."""
    plan = [("shared", True), ("no-cache", False)] if args.compare_cache else [("first", True)]
    results = []
    for setting in args.workers.split(","):
        for name, text_cache in plan:
            db = dbs.new(f"fleet_{setting}_{name}".replace("-", "_"), text_cache)
            names = [name, "next"] if not args.compare_cache and not args.first_only else [name]
            for night_name in names:
                result = night(cfg, broker, dbs, db, f"{setting}-{night_name}", setting)
                result["night"] = night_name
                result["projection"] = projection(result)
                print(json.dumps(result), flush=True)
                results.append(result)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", type=int, default=30)
    parser.add_argument("--workers", default="1x4,2x4", help="processes x threads, comma list")
    parser.add_argument("--store", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--shared", type=float, default=0.0, help="share of sites that list "
                        "the same ministry documents (generate/shared.py)")  # fmt: skip
    parser.add_argument("--compare-cache", action="store_true",
                        help="first night twice per setting: text cache shared vs kept off")  # fmt: skip
    parser.add_argument("--first-only", action="store_true", help="skip the next night")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--keep", type=Path, help="generated sites folder (reused when there)")
    args = parser.parse_args()
    if shutil.which("redis-server") is None:
        sys.exit("redis-server is not installed (./scripts/setup)")
    work = Path(tempfile.mkdtemp(prefix="oit-fleet-bench-"))
    sites_root = args.keep or work / "sites"
    sites_root.mkdir(parents=True, exist_ok=True)
    began = time.monotonic()
    redis_proc, broker = start_redis(work)
    try:
        with ExitStack() as stack:
            pg = stack.enter_context(running_postgres()) if args.store == "postgresql" else None
            cfg = work / "sites.toml"
            cfg.write_text(
                serve(stack, sites_root, args.sites, random.Random(7), args.shared), "utf-8"
            )
            print(f"{args.sites} sites generated and served in {time.monotonic() - began:.0f} s")
            results = nights(cfg, broker, Databases(work, pg), args)
    finally:
        redis_proc.terminate()
        redis_proc.wait()
        shutil.rmtree(work, ignore_errors=True)
    print_table(results)
    print(f"total {time.monotonic() - began:.0f} s")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
