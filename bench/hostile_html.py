"""Time to read hostile HTML, 100 KB to 10 MB: is it linear and bounded?

For each shape and size it builds the page, runs what every fetched page goes through
(decode_html + flatten_html in fetch.py, then parse_html) in a fresh subprocess, and prints wall
seconds and peak RSS. Shapes: unclosed <div> and <ul><li> (deep trees that made the HTML parser
quadratic), unclosed <span> around links (deep ancestor walks in the extractor), flat table rows
of links and closed divs (ordinary big pages, for comparison).

    .venv/bin/python bench/hostile_html.py [--sizes 100,1000,10000] [--shapes div,ul]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

SHAPES = {
    "div": "<div>",
    "ul": "<ul><li>",
    "span-links": "<span><a href=/x>x</a>",
    "chrome-divs": '<div class="menu"><a href=/m>เมนู</a>',
    "table-rows": "<tr><td><a href=/x/1>ลิงก์ ข้อมูล</a></td></tr>\n",
    "closed-divs": "<div class=a><p>ข้อความ</p></div>\n",
}

CHILD = """
import json, sys, time
from oit_checker.fetch import decode_html
from oit_checker.bounds import flatten_html
from oit_checker.extract.html import parse_html
unit, size = sys.argv[1], int(sys.argv[2])
body = ("<html><body>" + unit * (size // len(unit.encode()))).encode()
began = time.perf_counter()
flat = flatten_html(decode_html(body, "text/html; charset=utf-8"))
page = parse_html(flat.html, "http://127.0.0.1/")
print(json.dumps({"seconds": time.perf_counter() - began, "links": len(page.links),
                  "dropped": flat.dropped, "cut": flat.cut}))
"""


def measure(unit: str, size: int) -> dict:
    began = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, unit, str(size)], stdout=subprocess.PIPE, text=True
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - began
    out = json.loads(proc.stdout.read() if proc.stdout else "{}")
    return {**out, "wall": wall, "rss_mb": usage.ru_maxrss / 1024, "status": status}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000", help="page sizes in KB")
    parser.add_argument("--shapes", default=",".join(SHAPES), help="which shapes")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"{'shape':12} {'KB':>6} {'read s':>7} {'RSS MB':>7} {'links':>7} {'flattened':>10} cut")
    for shape in args.shapes.split(","):
        for kb in sizes:
            r = measure(SHAPES[shape], kb * 1024)
            print(
                f"{shape:12} {kb:6} {r['seconds']:7.2f} {r['rss_mb']:7.0f} {r['links']:7} "
                f"{r['dropped']:10} {'yes' if r['cut'] else ''}",
                flush=True,
            )


if __name__ == "__main__":
    main()
