"""Store micro-benchmark: what an audit asks of the store, without the crawl or the checker.

One "audit" records N fetched resources (each with its extracted Page, a few KB of JSON, and the
site's HTTP-cache row), reads and writes the OCR text cache, and finishes with 28 verdicts; a
quick re-audit then reads the HTTP cache, carries the resources over and reads the verdicts
back; finally the history is listed. Run it against an SQLite file or a PostgreSQL URL:

    .venv/bin/python bench/store_bench.py --db /tmp/b.db --db postgresql://oit@127.0.0.1:5432/b

Prints seconds per phase (best of --repeat) so before/after and SQLite/PostgreSQL compare side
by side (BENCHMARKS.md).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from oit_checker.models import Evidence, Fetched, ItemResult, Link, Page
from oit_checker.store import Store


def _page(url: str, n: int) -> Page:
    links = [Link(url=f"{url}/l{k}", text=f"ลิงก์ที่ {k} ของหน้า {n}") for k in range(30)]
    return Page(url=url, kind="html", title=f"หน้า {n}", text="ข้อความภาษาไทย " * 150, links=links)


def _fetched(url: str, n: int) -> Fetched:
    body = f"<html><body>{n}</body></html>".encode()
    return Fetched(url=url, final_url=url, status=200, kind="html", body=body,
                   content_type="text/html", etag=f'"{n}"', depth=1)  # fmt: skip


def audit_like(store: Store, site: str, resources: int) -> dict[str, float]:
    took: dict[str, float] = {}
    t = time.perf_counter()
    run = store.start_run(site, 2568, "r.toml", "0" * 64, "2025-10-15", {"pages": resources})
    site_id = store.site_id(site)
    assert site_id is not None
    for n in range(resources):
        url = f"{site}p{n}"
        store.record_fetch(run, site_id, _fetched(url, n), page=_page(url, n), page_profile="b")
    took["record_fetch"] = time.perf_counter() - t
    t = time.perf_counter()
    for n in range(resources // 10):
        if store.get_text(f"{site}{n}", "ocr") is None:
            store.put_text(f"{site}{n}", "ocr", "ข้อความจาก OCR " * 100)
    took["text_cache"] = time.perf_counter() - t
    t = time.perf_counter()
    items = [
        ItemResult(id=f"O{k}", title=f"ข้อ {k}", subindicator="9.1", indicator="9",
                   status="present" if k % 3 else "absent", reason="พบ " * 20,
                   evidence=[Evidence(f"{site}p{k}", "page", "ตัวอย่าง " * 10, "")])  # fmt: skip
        for k in range(1, 29)
    ]
    store.finish_run(run, "complete", items, {"oit": 66.0}, {"pages": resources}, 1)
    took["finish_run"] = time.perf_counter() - t
    t = time.perf_counter()
    cache = store.http_cache(site_id)
    for url, cached in list(cache.items())[: resources // 2]:
        store.page(cached.page_key, url)
    later = store.start_run(site, 2568, "r.toml", "0" * 64, "2025-10-16", {})
    store.carry_resources(run, later, site_id, {})
    store.item_results(run)
    store.finish_run(later, "complete", items, {"oit": 66.0}, {}, 1)
    took["reaudit"] = time.perf_counter() - t
    t = time.perf_counter()
    for _ in range(20):
        store.runs_with_counts(store.site_ids(site))
    took["history_x20"] = time.perf_counter() - t
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", action="append", help="SQLite path or postgresql:// URL")
    parser.add_argument("--resources", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    targets = args.db or [str(Path(tempfile.mkdtemp()) / "bench.db")]
    for target in targets:
        best: dict[str, float] = {}
        cpu = float("inf")
        for k in range(args.repeat):
            store = Store(target)
            site = f"http://bench{os.getpid()}-{k}-{time.time_ns()}.example.go.th/"
            started = time.process_time()
            for phase, secs in audit_like(store, site, args.resources).items():
                best[phase] = min(best.get(phase, secs), secs)
            cpu = min(cpu, time.process_time() - started)
        shown = target if "://" not in target else target.split("@")[-1]
        total = sum(best.values())
        print(
            f"{shown}: {args.resources} resources, best of {args.repeat}: total {total:.2f} s"
            f" wall, {cpu:.2f} s CPU of this process"
        )
        for phase, secs in best.items():
            print(f"  {phase:14s} {secs:7.3f} s")


if __name__ == "__main__":
    main()
