"""Accuracy on generated agency sites, for BENCHMARKS.md: run a seed range, print the report of
``oit eval --generate`` and keep every outcome as JSON lines for per-mechanism analysis.

    .venv/bin/python bench/generated_accuracy.py --seed 10001 --count 200 --out /tmp/acc.jsonl
    .venv/bin/python bench/generated_accuracy.py --summarize /tmp/acc-*.jsonl   # runs in chunks
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rich.console import Console

from oit_checker.generate.measure import Measurement, Outcome, evaluate_seeds
from oit_checker.generate.report import print_measurement
from oit_checker.generate.truth import ItemTruth
from oit_checker.rules import load_year


def summarize(files: list[Path], year: int) -> Measurement:
    """One measurement from the JSON lines of several runs (a range measured in chunks)."""
    measurement = Measurement(year)
    seeds = set()
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            truth = ItemTruth(
                row["id"],
                row["status"],
                row["accept"],
                row["placed"],
                row["mechanisms"],
                row["note"],
            )
            measurement.outcomes.append(
                Outcome(row["seed"], truth, row["got"], row["evidence"], row["reason"])
            )
            seeds.add(row["seed"])
    measurement.sites = len(seeds)
    return measurement


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int)
    parser.add_argument("--count", type=int)
    parser.add_argument("--year", type=int, default=2568)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--summarize", type=Path, nargs="+", help="JSON lines of earlier runs")
    parser.add_argument("--details", action="store_true")
    args = parser.parse_args()
    if args.summarize:
        print_measurement(summarize(args.summarize, args.year), Console(width=140), args.details)
        return
    if args.seed is None or args.count is None or args.out is None:
        parser.error("--seed, --count and --out are needed to measure")
    rules = load_year(args.year)

    def progress(done: int, total: int, seed: int) -> None:
        print(f"{done}/{total} seed {seed}", file=sys.stderr, flush=True)

    with args.out.open("w", encoding="utf-8") as sink:
        measurement = evaluate_seeds(range(args.seed, args.seed + args.count), rules, progress)
        for o in measurement.outcomes:
            row = {
                "seed": o.seed, "id": o.truth.id, "status": o.truth.status,
                "accept": o.truth.accept, "got": o.got, "evidence": o.evidence,
                "hit": o.hit, "placed": o.truth.evidence, "mechanisms": o.truth.mechanisms,
                "note": o.truth.note, "reason": o.reason,
            }  # fmt: skip
            sink.write(json.dumps(row, ensure_ascii=False) + "\n")
    print_measurement(measurement, Console(width=140), details=False)


if __name__ == "__main__":
    main()
