"""One-command benchmark: full audit, re-audit, crawl-only vs Scrapy, OCR cost per page.

Why: the figures in BENCHMARKS.md must be reproducible on any machine with one command. Every
measured program runs as its own subprocess against a synthetic site (bench/gensite.py) served
by `python -m http.server` (a threaded stdlib server) in another process on 127.0.0.1, so the
measured process's CPU and peak RSS come from os.wait4 on that one child. The three crawlers are
interleaved per repeat (oit-crawl, Scrapy, audit, oit-crawl, Scrapy, audit...) to cancel drift.

    .venv/bin/python bench/run.py --sizes 500,5000 --repeats 3
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gensite import DEMO_FILES, SCANNED_NAME, generate  # noqa: E402

BENCH = Path(__file__).resolve().parent
VENV_BIN = Path(sys.executable).parent
AUDIT_PAGE_SLACK = 500  # --max-pages = site size + this, so the budget never cuts the crawl


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def measure(cmd: list[str], cwd: Path | None = None) -> dict:
    """Run ``cmd``; wall seconds, CPU seconds and peak RSS (MB) of that child alone."""
    began = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # Read pipes fully, then reap with wait4 to get this child's own rusage.
    out, err = proc.stdout.read(), proc.stderr.read()  # type: ignore[union-attr]
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - began
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "rss_mb": usage.ru_maxrss / 1024,
        "rc": proc.returncode,
        "stdout": out.decode("utf-8", "replace"),
        "stderr": err.decode("utf-8", "replace")[-2000:],
    }


def oit_audit(url: str, db: Path, out_json: Path, max_pages: int, *extra: str) -> dict:
    cmd = [str(VENV_BIN / "oit"), "check", url, "--db", str(db), "--no-progress"]
    cmd += ["--max-pages", str(max_pages), "--render", "never", "--json", str(out_json), *extra]
    result = measure(cmd)
    if result["rc"] not in (0, 1):
        raise RuntimeError(f"oit check exited {result['rc']}: {result['stderr']}")
    stats = json.loads(out_json.read_text(encoding="utf-8"))["stats"]
    result.update(
        pages=stats["pages"],
        documents=stats["documents"],
        asked=stats["fetched"],
        quick=bool((stats.get("revisit") or {}).get("quick")),
    )
    return result


def oit_crawl(url: str, max_pages: int) -> dict:
    cmd = [sys.executable, str(BENCH / "crawl_only.py"), url, "--max-pages", str(max_pages)]
    result = measure(cmd)
    stats = json.loads(result["stdout"].strip().splitlines()[-1])
    result.update(pages=stats["pages"], documents=stats["documents"])
    return result


def scrapy_crawl(url: str, workdir: Path) -> dict:
    cmd = [str(VENV_BIN / "scrapy"), "runspider", str(BENCH / "scrapy_spider.py")]
    cmd += ["-a", f"start={url}", "-s", "LOG_LEVEL=ERROR", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=4"]
    result = measure(cmd, cwd=workdir)
    match = re.search(r"SCRAPY_STATS pages=(\d+) documents=(\d+)", result["stdout"])
    if not match:
        raise RuntimeError(f"scrapy printed no stats: {result['stderr']}")
    result.update(pages=int(match[1]), documents=int(match[2]))
    return result


def ocr_seconds_per_page(repeats: int) -> list[float]:
    """Extract the scanned demo PDF with no cache (so OCR really runs); seconds per page."""
    import pymupdf

    from oit_checker.extract.documents import extract_document

    body = next(DEMO_FILES.rglob(SCANNED_NAME)).read_bytes()
    pages = pymupdf.open(stream=body, filetype="pdf").page_count
    timings = []
    for _ in range(repeats):
        began = time.perf_counter()
        page = extract_document("http://127.0.0.1/scan.pdf", "pdf", body, cache=None)
        timings.append((time.perf_counter() - began) / pages)
        if page.text_source != "ocr":
            print(f"warning: scanned PDF text_source={page.text_source}", file=sys.stderr)
    return timings


def summary(values: list[float]) -> str:
    if not values:
        return "-"
    med = statistics.median(values)
    fmt = "{:.2f}" if med < 100 else "{:.0f}"
    return f"{fmt.format(med)} ({fmt.format(min(values))}–{fmt.format(max(values))})"


def bench_size(size: int, repeats: int, root: Path, skip_scrapy: bool) -> dict:
    site = root / f"site{size}"
    counts = generate(size, site)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=site,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    max_pages = size + AUDIT_PAGE_SLACK
    runs: dict[str, list[dict]] = {
        "crawl": [],
        "scrapy": [],
        "audit": [],
        "reaudit": [],
        "rejudge": [],
    }
    try:
        for _ in range(50):  # wait for the server to listen
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        for i in range(repeats):
            runs["crawl"].append(oit_crawl(url, max_pages + counts["pdfs"]))
            if not skip_scrapy:
                runs["scrapy"].append(scrapy_crawl(url, root))
            db = root / f"audit{size}-{i}.db"
            runs["audit"].append(oit_audit(url, db, root / "a.json", max_pages + counts["pdfs"]))
            budget = max_pages + counts["pdfs"]
            runs["reaudit"].append(oit_audit(url, db, root / "r.json", budget))
            # Every URL asked again and every item judged again: the whole incremental audit.
            runs["rejudge"].append(
                oit_audit(url, db, root / "j.json", budget, "--revisit-days", "0")
            )
            for name in ("crawl", "scrapy", "audit", "reaudit", "rejudge"):
                if runs[name] and len(runs[name]) == i + 1:
                    r = runs[name][-1]
                    print(
                        f"  size {size} run {i + 1} {name:8s} {r['wall']:7.2f}s wall "
                        f"{r['cpu']:7.2f}s cpu {r['rss_mb']:6.0f} MB "
                        f"{r['pages']} pages {r['documents']} docs",
                        flush=True,
                    )
    finally:
        server.terminate()
        server.wait()
    return {"size": size, "site": counts, "runs": runs}


def table(results: list[dict], ocr: list[float]) -> str:
    lines = ["| size | measure | median (min–max) |", "|---|---|---|"]
    for res in results:
        runs, size = res["runs"], res["size"]

        def row(label: str, values: list[float], size: int = size) -> None:
            lines.append(f"| {size} | {label} | {summary(values)} |")

        audit, reaudit = runs["audit"], runs["reaudit"]
        row("full audit wall s", [r["wall"] for r in audit])
        row("full audit CPU s", [r["cpu"] for r in audit])
        row("full audit peak RSS MB", [r["rss_mb"] for r in audit])
        row("full audit pages/s", [r["pages"] / r["wall"] for r in audit])
        row("full audit documents/s", [r["documents"] / r["wall"] for r in audit])
        lines.append(
            f"| {size} | pages, documents audited | {audit[0]['pages']}, {audit[0]['documents']} |"
        )
        rejudge = runs["rejudge"]
        lines.append(
            f"| {size} | quick re-audit: URLs asked of all, verdicts kept | "
            f"{reaudit[0]['asked']} of {audit[0]['pages'] + audit[0]['documents']}, "
            f"{all(r['quick'] for r in reaudit)} |"
        )
        row("quick re-audit wall s", [r["wall"] for r in reaudit])
        row("quick re-audit CPU s", [r["cpu"] for r in reaudit])
        row("quick re-audit peak RSS MB", [r["rss_mb"] for r in reaudit])
        row(
            "quick re-audit / full (wall)",
            [r["wall"] / a["wall"] for r, a in zip(reaudit, audit, strict=True)],
        )
        row("re-audit --revisit-days 0 wall s", [r["wall"] for r in rejudge])
        row(
            "re-audit --revisit-days 0 / full (wall)",
            [r["wall"] / a["wall"] for r, a in zip(rejudge, audit, strict=True)],
        )
        for name, label in (("crawl", "oit crawl-only"), ("scrapy", "Scrapy")):
            if runs[name]:
                row(f"{label} wall s", [r["wall"] for r in runs[name]])
                row(f"{label} pages/s", [r["pages"] / r["wall"] for r in runs[name]])
                row(f"{label} peak RSS MB", [r["rss_mb"] for r in runs[name]])
                row(f"{label} CPU s", [r["cpu"] for r in runs[name]])
        if runs["scrapy"]:
            pairs = list(zip(runs["crawl"], runs["scrapy"], strict=True))
            row(
                "oit/Scrapy pages/s",
                [(c["pages"] / c["wall"]) / (s["pages"] / s["wall"]) for c, s in pairs],
            )
            row("oit/Scrapy peak RSS", [c["rss_mb"] / s["rss_mb"] for c, s in pairs])
            row(
                "audit/Scrapy peak RSS",
                [a["rss_mb"] / s["rss_mb"] for a, (_, s) in zip(runs["audit"], pairs, strict=True)],
            )
    lines.append(f"| - | OCR s per scanned page | {summary(ocr)} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="500,5000", help="comma-separated site sizes (pages)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-scrapy", action="store_true", help="skip the Scrapy baseline")
    parser.add_argument("--json", type=Path, help="write raw measurements here")
    args = parser.parse_args()
    if not args.no_scrapy and not (VENV_BIN / "scrapy").exists():
        sys.exit("scrapy not installed: .venv/bin/pip install -e '.[bench]' (or pass --no-scrapy)")
    root = Path(tempfile.mkdtemp(prefix="oit-bench-"))
    try:
        results = []
        for size in (int(s) for s in args.sizes.split(",") if s.strip()):
            print(f"size {size}:", flush=True)
            results.append(bench_size(size, args.repeats, root, args.no_scrapy))
        ocr = ocr_seconds_per_page(args.repeats)
        print()
        print(f"{os.cpu_count()} CPUs, {args.repeats} repeats, medians (min–max)")
        print(table(results, ocr))
        if args.json:
            for res in results:
                for runs in res["runs"].values():
                    for r in runs:
                        r.pop("stdout", None)
                        r.pop("stderr", None)
            args.json.write_text(json.dumps({"results": results, "ocr": ocr}, indent=1))
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
