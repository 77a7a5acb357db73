"""Print a measurement on generated sites: overall figures, per mechanism, and disagreements."""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from oit_checker.generate.measure import Measurement, Tally
from oit_checker.rules import RuleSet

# Mechanisms reported: a tag needs this many items to get a row of its own.
MIN_ITEMS_PER_ROW = 5


def _row(name: str, tally: Tally) -> list[str]:
    return [
        name,
        str(tally.items),
        f"{tally.agreement:.1f}",
        str(tally.false_present),
        str(tally.false_absent),
        str(tally.items - tally.agree - tally.false_present - tally.false_absent),
        f"{tally.hit_rate:.1f}" if tally.present_pairs else "-",
    ]


def _table(title: str) -> Table:
    table = Table(title=title)
    for column in (
        "",
        "items",
        "agree %",
        "false present",
        "false absent",
        "other",
        "evidence hit %",
    ):
        if column:
            table.add_column(column, justify="right")
        else:
            table.add_column(column, no_wrap=True, min_width=26)
    return table


def print_measurement(m: Measurement, out: Console, details: bool = False) -> None:
    overall = m.overall()
    summary = _table(f"generated sites: {m.sites} sites, ITA {m.year}, {m.seconds:.0f} s")
    summary.add_row(*_row("all items", overall))
    out.print(summary)
    per = _table("per mechanism (worst agreement first)")
    tallies = sorted(m.by_mechanism().items(), key=lambda kv: (kv[1].agreement, kv[0]))
    for name, tally in tallies:
        if tally.items >= MIN_ITEMS_PER_ROW:
            per.add_row(*_row(name, tally))
    out.print(per)
    if details:
        for o in m.disagreements():
            kind = "evidence miss" if o.agree else f"truth {o.truth.status}, got {o.got}"
            out.print(
                f"[red]seed {o.seed} {o.truth.id}[/red] {kind} ({o.truth.note}); "
                f"evidence {o.evidence or '-'}; placed {o.truth.evidence[:2]}; {o.reason}"
            )


def run_generated(
    count: int, seed: int, rules: RuleSet, out: Console, err: Console, details: bool
) -> int:
    """``oit eval --generate N --seed S``: measure seeds S..S+N-1; exit 1 on a false present."""
    from oit_checker.generate.measure import evaluate_seeds

    seeds = range(seed, seed + count)
    if not err.is_terminal:
        measurement = evaluate_seeds(seeds, rules)
    else:
        with Progress(
            TextColumn("[bold]generated sites[/bold]"), BarColumn(), MofNCompleteColumn(),
            TimeElapsedColumn(), TextColumn("{task.description}", style="dim"),
            console=err, transient=True,
        ) as bar:  # fmt: skip
            task = bar.add_task("", total=count)

            def update(done: int, total: int, current: int) -> None:
                bar.update(task, completed=done, description=f"seed {current}")

            measurement = evaluate_seeds(seeds, rules, update)
    print_measurement(measurement, out, details)
    return 1 if measurement.overall().false_present else 0
