"""The `oit` command. Each sub-command is a thin shell over a module along the data path."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import sys
import tomllib
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from oit_checker.audit import EXIT_USAGE, AuditError, AuditOptions, AuditResult, audit
from oit_checker.crawl import CrawlOptions
from oit_checker.dates import parse_as_of
from oit_checker.extract.documents import OcrOptions
from oit_checker.report import print_report
from oit_checker.rules import RuleError, RuleSet, default_year, load_rules, load_year
from oit_checker.serve import SiteServer
from oit_checker.store import Store

app = typer.Typer(
    help="Audit a Thai government agency website for the ITA open-data instrument (OIT).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
out = Console()
err = Console(stderr=True)


def _fail(message: str, code: int) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}")
    return typer.Exit(code)


def _rules(year: int | None, rules_file: Path | None) -> RuleSet:
    try:
        if rules_file is not None:
            return load_rules(rules_file)
        return load_year(year if year is not None else default_year())
    except RuleError as exc:
        raise _fail(str(exc), EXIT_USAGE) from None


def _as_of(text: str | None) -> dt.date:
    if not text:
        return dt.date.today()
    try:
        return parse_as_of(text)
    except ValueError as exc:
        raise _fail(f"--as-of: {exc}", EXIT_USAGE) from None


YearOpt = Annotated[
    int | None,
    typer.Option("--year", "-y", help="Fiscal year (พ.ศ.); default: newest shipped rule set"),
]
RulesOpt = Annotated[
    Path | None, typer.Option("--rules", help="A rule file to use instead of the shipped year")
]
DbOpt = Annotated[Path, typer.Option("--db", help="SQLite database for runs")]


@app.command()
def check(
    url: Annotated[
        str, typer.Argument(help="The agency's main website, e.g. https://www.example.go.th/")
    ],
    year: YearOpt = None,
    rules_file: RulesOpt = None,
    db: DbOpt = Path("oit.db"),
    json_path: Annotated[
        Path | None, typer.Option("--json", help="Write the JSON result here")
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Audit date (default today): 2025-06-30 or 30/06/2568"),
    ] = None,
    max_pages: Annotated[int, typer.Option(help="Most resources to fetch")] = 400,
    max_seconds: Annotated[float, typer.Option(help="Crawl time budget")] = 600.0,
    concurrency: Annotated[int, typer.Option(help="Requests in flight per host")] = 4,
    timeout: Annotated[float, typer.Option(help="Per-request timeout, seconds")] = 20.0,
    ocr: Annotated[bool, typer.Option("--ocr/--no-ocr", help="OCR scanned documents")] = True,
    ignore_robots: Annotated[bool, typer.Option(help="Do not honour robots.txt")] = False,
    insecure: Annotated[bool, typer.Option(help="Accept invalid TLS certificates")] = False,
    progress: Annotated[
        bool, typer.Option("--progress/--no-progress", help="Show crawl progress")
    ] = True,
    iit: Annotated[float | None, typer.Option(help="IIT score, to compute the ITA total")] = None,
    eit1: Annotated[float | None, typer.Option(help="EIT part 1 score")] = None,
    eit2: Annotated[float | None, typer.Option(help="EIT part 2 score")] = None,
) -> None:
    """Crawl a site, decide every OIT item, score, store the run and print the report."""
    rules = _rules(year, rules_file)
    options = AuditOptions(as_of=_as_of(as_of), iit=iit, eit1=eit1, eit2=eit2)
    options.crawl = CrawlOptions(
        max_pages=max_pages,
        max_seconds=max_seconds,
        per_host_concurrency=concurrency,
        respect_robots=not ignore_robots,
    )
    options.crawl.fetch.timeout = timeout
    options.crawl.fetch.insecure = insecure
    options.ocr = OcrOptions(enabled=ocr)
    result = _run_audit(url, rules, db, options, progress)
    _finish(result, json_path)


def _run_audit(
    url: str, rules: RuleSet, db: Path, options: AuditOptions, show_progress: bool
) -> AuditResult:
    try:
        store = Store(db)
    except Exception as exc:  # an unwritable path or a file that is not SQLite
        raise _fail(f"cannot open database {db}: {exc}", EXIT_USAGE) from None
    live = show_progress and err.is_terminal
    try:
        if not live:
            return asyncio.run(audit(url, rules, store, options))
        with Progress(
            TextColumn("[bold]crawl[/bold]"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.description}", style="dim"),
            console=err,
            transient=True,
        ) as bar:
            task = bar.add_task("", total=options.crawl.max_pages)

            def update(message: str, done: int, total: int) -> None:
                bar.update(task, completed=done, description=message[-60:])

            return asyncio.run(audit(url, rules, store, options, update))
    except AuditError as exc:
        raise _fail(str(exc), exc.exit_code) from None
    except KeyboardInterrupt:
        err.print("[yellow]interrupted[/yellow]: the run is kept in the database marked incomplete")
        raise typer.Exit(130) from None


def _finish(result: AuditResult, json_path: Path | None, exit_code: int | None = None) -> None:
    print_report(result, out)
    if json_path is not None:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(
            json.dumps(result.as_dict(), ensure_ascii=False, indent=2), encoding="utf-8"
        )
        err.print(f"JSON written to {json_path}")
    raise typer.Exit(result.exit_code if exit_code is None else exit_code)


@app.command("rules")
def list_rules(year: YearOpt = None, rules_file: RulesOpt = None) -> None:
    """List the items of a fiscal year's rule set (or of a rule file)."""
    rules = _rules(year, rules_file)
    table = Table(title=f"{rules.title}  ({rules.path}, {rules.status})")
    for column in ("ข้อ", "รายการ", "ตัวชี้วัดย่อย", "ช่วงเวลา", "องค์ประกอบ", "สถานะ"):
        table.add_column(column)
    for item in rules.items:
        sub_title = rules.subindicators[item.subindicator][0]
        table.add_row(
            item.id,
            item.title,
            f"{item.subindicator} {sub_title}",
            item.period,
            ", ".join(c.label for c in item.components),
            item.status,
        )
    out.print(table)


@app.command()
def demo(
    db: DbOpt = Path("oit-demo.db"),
    json_path: Annotated[
        Path | None, typer.Option("--json", help="Write the JSON result here")
    ] = None,
    progress: Annotated[bool, typer.Option("--progress/--no-progress")] = True,
    serve_only: Annotated[bool, typer.Option(help="Only serve the demo site until Ctrl-C")] = False,
) -> None:
    """Serve the bundled demo อบต. website on 127.0.0.1 and audit it, end to end."""
    site_dir = FIXTURES / "demo" / "site"
    expected_file = FIXTURES / "demo" / "expected.toml"
    if not site_dir.is_dir():
        raise _fail(f"demo site not found at {site_dir}", EXIT_USAGE)
    expected = (
        tomllib.loads(expected_file.read_text(encoding="utf-8")) if expected_file.exists() else {}
    )
    rules = _rules(expected.get("year"), None)
    options = AuditOptions(as_of=_as_of(expected.get("as_of")))
    with SiteServer(site_dir) as server:
        if serve_only:
            err.print(f"serving the demo site at {server.url} (Ctrl-C to stop)")
            try:
                while True:
                    asyncio.run(asyncio.sleep(3600))
            except KeyboardInterrupt:
                raise typer.Exit(0) from None
        err.print(
            f"demo site served at {server.url}; auditing for fiscal year {rules.year} as of {options.as_of}"
        )
        result = _run_audit(server.url, rules, db, options, progress)
    _finish(result, json_path, exit_code=0)  # the demo site lacks items on purpose


@app.command("eval")
def eval_fixtures(
    root: Annotated[Path, typer.Argument(help="A fixtures folder, or one fixture site")] = FIXTURES,
    db: Annotated[
        Path | None, typer.Option("--db", help="Keep the runs here (default: a temp file)")
    ] = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Show every disagreement")
    ] = True,
) -> None:
    """Audit every fixture site and compare with its expected verdicts (the accuracy suite)."""
    import tempfile

    from oit_checker.evaluate import evaluate_fixture, fixture_sites

    folders = fixture_sites(root)
    if not folders:
        raise _fail(
            f"no fixture sites (folders with site/ and expected.toml) under {root}", EXIT_USAGE
        )
    table = Table(title="accuracy on fixture sites")
    for column in ("site", "items", "agree", "false present", "false absent", "other"):
        table.add_column(column, justify="right" if column != "site" else "left")
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        for folder in folders:
            try:
                ev, _ = evaluate_fixture(folder, db or Path(tmp) / f"{folder.name}.db")
            except (AuditError, RuleError) as exc:
                raise _fail(f"{folder.name}: {exc}", EXIT_USAGE) from None
            failed |= not ev.ok
            table.add_row(
                ev.site,
                str(ev.total),
                str(ev.agree),
                str(ev.false_present),
                str(ev.false_absent),
                str(ev.other),
            )
            if verbose:
                for d in ev.disagreements:
                    err.print(
                        f"[red]{folder.name} {d.item_id}[/red]: expected {d.expected}, got {d.got}: {d.detail}"
                    )
    out.print(table)
    raise typer.Exit(1 if failed else 0)


@app.command()
def explain(
    item_id: Annotated[str, typer.Argument(help="Item id, e.g. O12")],
    run: Annotated[int | None, typer.Option("--run", help="Run id (default: the latest)")] = None,
    db: DbOpt = Path("oit.db"),
) -> None:
    """Show how an item was decided: every candidate considered, why it was accepted or rejected,
    and what to publish to fix it."""
    if not db.exists():
        raise _fail(f"no database at {db}; run `oit check` first or pass --db", EXIT_USAGE)
    store = Store(db)
    row = store.run(run) if run is not None else store.latest_run()
    if not row:
        raise _fail(
            f"no run {run if run is not None else ''} in {db}".replace("  ", " "), EXIT_USAGE
        )
    items = {i["item_id"].upper(): i for i in store.items(row["id"])}
    item = items.get(item_id.strip().upper())
    if item is None:
        raise _fail(
            f"run #{row['id']} has no item {item_id!r} (it has {', '.join(items) or 'no items'})",
            EXIT_USAGE,
        )
    label, style = {"present": ("มี", "green"), "absent": ("ไม่มี", "red")}.get(
        item["status"], ("ไม่แน่ใจ", "yellow")
    )
    out.print(
        f"[bold]{item['item_id']} {item['title']}[/bold]  run #{row['id']} ({row['year']}, as of {row['as_of']})"
    )
    out.print(f"ผล: [{style}]{label}[/{style}] — {item['reason']}")
    candidates = json.loads(item["candidates"] or "[]")
    out.print(f"\nพิจารณา {len(candidates)} แหล่ง (candidates considered, best first):")
    outcome_style = {"pass": "green", "uncertain": "yellow"}
    for n, cand in enumerate(candidates, start=1):
        style = outcome_style.get(cand["outcome"], "red")
        out.print(
            f"{n}. [{style}]{cand['outcome']}[/{style}] {cand['url'] or '(ลิงก์ว่าง)'}", soft_wrap=True
        )
        if cand.get("via"):
            out.print(f"   named by {cand['named_by']} on {cand['via']}", soft_wrap=True)
        if cand["found"] or cand["missing"]:
            out.print(
                f"   found: {', '.join(cand['found']) or '-'}   missing: {', '.join(cand['missing']) or '-'}"
            )
        out.print(f"   {cand['reason']}", soft_wrap=True)
    fix = _fix_text(row["rules_path"], item["item_id"])
    if item["status"] != "present" and fix:
        out.print(f"[bold]สิ่งที่ต้องเผยแพร่:[/bold] {fix}")


def _fix_text(rules_path: str, item_id: str) -> str:
    try:
        return load_rules(rules_path).item(item_id).fix
    except (RuleError, KeyError):
        return ""


def main() -> None:  # pragma: no cover - console entry for python -m
    sys.exit(app())


if __name__ == "__main__":  # pragma: no cover
    main()
