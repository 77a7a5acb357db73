"""The `oit` command. Each sub-command is a thin shell over a module along the data path."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import json
import sys
import tomllib
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import click
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from typer.core import TyperGroup

from oit_checker import signals
from oit_checker.audit import AuditError, AuditOptions, AuditResult, audit, check_start_url
from oit_checker.batch import DEFAULT_PARALLEL, check_unique, resolve_rules, run_batch
from oit_checker.check.candidates import NOT_JUDGED
from oit_checker.config import (
    DB_ENV,
    AuditSettings,
    Config,
    NotifySettings,
    check_url,
    database,
    load_batch_file,
    load_config,
)
from oit_checker.errors import (
    EXIT_ALL_PRESENT,
    EXIT_INTERRUPTED,
    EXIT_SOME_MISSING,
    EXIT_TERMINATED,
    EXIT_UNCRAWLABLE,
    OitError,
)
from oit_checker.history import (
    HistoryError,
    as_subjects_of,
    complete_result,
    diff_runs,
    latest_complete_run,
    list_runs,
    previous_run,
    run_result,
    with_manual_checks,
)
from oit_checker.notify import build_summary, failure_summary, notify, record_outcome
from oit_checker.output.files import write_file, write_json
from oit_checker.output.html import render_html
from oit_checker.output.labels import RuleLabels
from oit_checker.output.progress import PhaseBars
from oit_checker.output.rules_text import print_rules_diff
from oit_checker.output.sheet import write_csv, write_xlsx
from oit_checker.output.terminal import (
    print_batch,
    print_batch_status,
    print_diff,
    print_explain,
    print_history,
    print_regressions,
    print_report,
    print_verify,
)
from oit_checker.paths import DEMO_DIR, FIXTURES_DIR
from oit_checker.rules import RuleError, RuleSet, YearChoice, load_rules, load_year, year_for
from oit_checker.serve import SiteServer
from oit_checker.settings import SETTINGS, check_settings, default
from oit_checker.store import CANNOT_READ, Store, open_store
from oit_checker.store_target import store_target
from oit_checker.urls import display_url, normalize_url


class _ReportingGroup(TyperGroup):
    """The one handler: any OitError a command raises becomes a message and its exit code.

    Commands (and the modules under them) raise; nothing else in the CLI turns an error into an
    exit code, so a new command gets the same bounded, explained outcome without a try block.
    """

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except OitError as exc:
            err.print(f"[red]ข้อผิดพลาด (error):[/red] {escape(exc.message)}", soft_wrap=True)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:  # click would print "Aborted!" and exit 1 ("items absent")
            err.print("[yellow]หยุดตามคำสั่ง (interrupted)[/yellow]")
            raise typer.Exit(EXIT_INTERRUPTED) from None


app = typer.Typer(
    cls=_ReportingGroup,
    help="Audit a Thai government agency website for the ITA open-data instrument (OIT).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console()
err = Console(stderr=True)


def _pick_rules(
    year: int | str | None, rules_file: Path | None, as_of: dt.date | None = None
) -> tuple[RuleSet, YearChoice | None]:
    """The rule file, else the year named (as people type it: 2569, ๒๕๖๙, 69), else the fiscal
    year of the audit date, with why (``_say_year`` prints it once the input is all checked,
    so that a usage error stays the first line on stderr)."""
    if rules_file is not None:
        return load_rules(rules_file), None
    if year is not None:
        return load_year(SETTINGS["year"].check(year, "--year")), None
    choice = year_for(as_of)
    return load_year(choice.year), choice


def _say_year(choice: YearChoice | None) -> None:
    """Which rules an audit uses and why, when the user did not name them."""
    if choice is not None:
        why = escape(choice.why)
        err.print(f"[yellow]{why}[/yellow]" if choice.fallback else why, soft_wrap=True)


def _rules(
    year: int | str | None, rules_file: Path | None, as_of: dt.date | None = None
) -> RuleSet:
    rules, choice = _pick_rules(year, rules_file, as_of)
    _say_year(choice)
    return rules


def _as_of(text: str | None) -> dt.date:
    return SETTINGS["as_of"].check(text or None, "--as-of") or dt.date.today()


def _setting(name: str, *aliases: str) -> Any:
    """A CLI option whose flag and help text come from the settings table (settings.py)."""
    setting = SETTINGS[name]
    if setting.kind is bool:
        return typer.Option(f"{setting.flag}/--no-{setting.flag[2:]}", help=setting.help)
    return typer.Option(setting.flag, *aliases, help=setting.help)


def _audit_settings(**values: Any) -> AuditSettings:
    """CLI option values, checked by the settings table under their flag names."""
    return AuditSettings(**check_settings(values, lambda setting: setting.flag))


YearOpt = Annotated[str | None, _setting("year", "-y")]
RulesOpt = Annotated[Path | None, _setting("rules")]
AsOfOpt = Annotated[str | None, _setting("as_of")]
DB_HELP = (
    "Where runs are kept: an SQLite file, or postgresql://user@host:port/dbname"
    f" (the fleet's shared store); default ${DB_ENV}, else ./oit.db"
)
DbOpt = Annotated[str, typer.Option("--db", help=DB_HELP, callback=lambda v: database(v))]


class FailOn(StrEnum):
    absent = "absent"
    regression = "regression"


class NotifyOn(StrEnum):
    regression = "regression"
    always = "always"


FailOnOpt = Annotated[
    FailOn | None,
    typer.Option(
        "--fail-on",
        help="absent: exit 1 when an item is absent or uncertain; regression: exit 1 only when "
        "an item present in the site's previous complete run is not present now",
    ),
]


@app.command()
def check(
    url: Annotated[
        str, typer.Argument(help="The agency's main website, e.g. https://www.example.go.th/")
    ],
    year: YearOpt = None,
    rules_file: RulesOpt = None,
    db: DbOpt = None,  # type: ignore[assignment]
    json_path: Annotated[
        Path | None, typer.Option("--json", help="Write the JSON result here")
    ] = None,
    as_of: AsOfOpt = None,
    max_pages: Annotated[int, _setting("max_pages")] = default("max_pages"),
    max_seconds: Annotated[float, _setting("max_seconds")] = default("max_seconds"),
    concurrency: Annotated[int, _setting("concurrency")] = default("concurrency"),
    timeout: Annotated[float, _setting("timeout")] = default("timeout"),
    max_file_mb: Annotated[float, _setting("max_file_mb")] = default("max_file_mb"),
    ocr: Annotated[bool, _setting("ocr")] = default("ocr"),
    ocr_seconds: Annotated[float, _setting("ocr_seconds")] = default("ocr_seconds"),
    render: Annotated[str, _setting("render")] = default("render"),
    rate: Annotated[float | None, _setting("rate")] = default("rate"),
    contact: Annotated[str, _setting("contact")] = default("contact"),
    fresh: Annotated[
        bool, typer.Option(help="Ignore the HTTP cache: download and extract everything again")
    ] = False,
    resume: Annotated[
        bool, typer.Option(help="Continue this site's interrupted run instead of starting anew")
    ] = False,
    revisit_days: Annotated[float | None, _setting("revisit_days")] = default("revisit_days"),
    ignore_robots: Annotated[bool, _setting("ignore_robots")] = default("ignore_robots"),
    insecure: Annotated[bool, _setting("insecure")] = default("insecure"),
    progress: Annotated[
        bool, typer.Option("--progress/--no-progress", help="Show crawl progress")
    ] = True,
    iit: Annotated[float | None, _setting("iit")] = default("iit"),
    eit1: Annotated[float | None, _setting("eit1")] = default("eit1"),
    eit2: Annotated[float | None, _setting("eit2")] = default("eit2"),
    fail_on: FailOnOpt = FailOn.absent,
    notify_webhook: Annotated[
        str | None,
        typer.Option("--notify-webhook", help="POST a JSON summary here (on a regression)"),
    ] = None,
    notify_on: Annotated[
        NotifyOn | None,
        typer.Option("--notify-on", help="Notify on a regression only (default), or always"),
    ] = None,
    notify_config: Annotated[
        Path | None,
        typer.Option(
            "--notify-config", help="A config.toml whose notify table to use (e-mail, webhook)"
        ),
    ] = None,
) -> None:
    """Crawl a site, decide every OIT item, score, store the run and print the report."""
    signals.install()
    # Every option that is an audit setting, checked by the settings table under its flag.
    settings = _audit_settings(**{k: v for k, v in locals().items() if k in SETTINGS})
    rules, year_choice = _pick_rules(settings.year, rules_file, settings.as_of)
    if resume and as_of:
        raise OitError("--resume keeps the interrupted run's audit date; drop --as-of")
    options = settings.audit_options()
    options.fresh, options.resume = fresh, resume
    notify_settings = _notify_settings(notify_config, notify_webhook, notify_on)
    check_start_url(url)  # a bad URL is reported before anything else is said
    _say_year(year_choice)
    try:
        result = _run_audit(url, rules, db, options, progress)
    except AuditError as exc:
        if notify_settings.enabled and exc.exit_code == EXIT_UNCRAWLABLE:
            _notify_failure(db, url, rules.year, str(exc), notify_settings)
        raise
    data = _report(result, json_path)
    diff = _compare_with_previous(db, result.run_id)
    if notify_settings.enabled:
        _send_notifications(db, notify_settings, build_summary(data, diff))
    if fail_on is FailOn.regression:
        regressed = diff and diff["regressions"]
        raise typer.Exit(EXIT_SOME_MISSING if regressed else EXIT_ALL_PRESENT)
    raise typer.Exit(result.exit_code)


def _notify_settings(
    config_path: Path | None, webhook: str | None, on: NotifyOn | None
) -> NotifySettings:
    settings = NotifySettings()
    if config_path is not None:
        settings = load_config(config_path).notify
    if webhook:
        settings.webhook = check_url(webhook, "--notify-webhook")
    if on is not None:
        settings.on = on.value
    return settings


def _compare_with_previous(db: str, run_id: int) -> dict | None:
    """Diff against the site's previous complete run, and say what regressed, under the report."""
    store = Store(db)
    previous = previous_run(store, run_id)
    if previous is None:
        return None
    diff = diff_runs(store, previous, run_id)
    print_regressions(diff, out)
    return diff


def _notify_failure(db: str, url: str, year: int, error: str, settings: NotifySettings) -> None:
    """A site that could not be audited is news to whoever watches it, like a regression."""
    start = check_start_url(url)
    try:
        run = open_store(db, create=False).latest_run(start)
    except OitError:  # no database yet, or it cannot be reached either
        run = None
    run_id = run["id"] if run and run["status"] in ("failed", "incomplete") else None
    _send_notifications(db, settings, failure_summary(start, year, error, run_id))


def _send_notifications(db: str, settings: NotifySettings, summary: dict) -> None:
    outcome = notify(settings, summary)
    for channel, state in outcome.items():
        if state.startswith("failed"):
            err.print(
                f"[yellow]notification failed[/yellow] ({channel}): "
                + escape(state.removeprefix("failed: ")),
                soft_wrap=True,
            )
        else:
            err.print(f"notification {state} ({channel})")
    if summary["run_id"] is not None:
        record_outcome(Store(db), summary["run_id"], outcome)


def _run_audit(
    url: str, rules: RuleSet, db: str, options: AuditOptions, show_progress: bool
) -> AuditResult:
    store = _writable_store(db)
    live = show_progress and err.is_terminal
    try:
        if not live:
            return signals.run(audit(url, rules, store, options))
        with PhaseBars(err) as bars:
            return signals.run(audit(url, rules, store, options, bars))
    except KeyboardInterrupt:
        err.print("[yellow]interrupted[/yellow]: the run is kept in the database marked incomplete")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except signals.Terminated:
        err.print(
            "[yellow]ถูกสั่งหยุด (SIGTERM)[/yellow] / terminated: the run is kept in the database marked incomplete; continue it with --resume"
        )
        raise typer.Exit(EXIT_TERMINATED) from None


def _writable_store(db: str) -> Store:
    return open_store(db)


def _report(result: AuditResult, json_path: Path | None) -> dict:
    """Print the audit's report and write its JSON: both from the one result shape."""
    data = result.as_dict()
    print_report(data, out, RuleLabels.of(result.rules))
    if json_path is not None:
        write_json(json_path, data)
        err.print(f"JSON written to {json_path}")
    return data


def _finish(result: AuditResult, json_path: Path | None, exit_code: int | None = None) -> None:
    _report(result, json_path)
    raise typer.Exit(result.exit_code if exit_code is None else exit_code)


rules_app = typer.Typer(
    help="The rule sets: list a year's items; write, check and compare a year's rule file.",
    no_args_is_help=False,
)
app.add_typer(rules_app, name="rules")


@rules_app.callback(invoke_without_command=True)
def list_rules(ctx: typer.Context, year: YearOpt = None, rules_file: RulesOpt = None) -> None:
    """List the items of a fiscal year's rule set (or of a rule file)."""
    if ctx.invoked_subcommand is not None:
        return
    rules = _rules(year, rules_file)
    table = Table(title=f"{rules.title}  ({rules.path}, {rules.status})")
    columns = ["ข้อ", "รายการ", "ตัวชี้วัดย่อย", "ช่วงเวลา", "องค์ประกอบ", "สถานะ"]
    if rules.was_year:
        columns.append(f"ข้อเดิมปี {rules.was_year}")
    for column in columns:
        table.add_column(column)
    for item in rules.items:
        sub_title = rules.subindicators[item.subindicator][0]
        row = [
            item.id,
            item.title,
            f"{item.subindicator} {sub_title}",
            item.period,
            ", ".join(c.label for c in item.components),
            item.status,
        ]
        if rules.was_year:
            row.append("+".join(item.was or ()) or "ใหม่ (new)")
        table.add_row(*row)
    out.print(table)
    if rules.note:
        out.print(f"[yellow]หมายเหตุ (note):[/yellow] {escape(rules.note)}", soft_wrap=True)


def _year_or_file(text: str) -> RuleSet:
    """A shipped year as people type it (2569, ๒๕๖๙, 69) or a rule file's path."""
    path = Path(text)
    if path.suffix == ".toml" or path.exists():
        return load_rules(path)
    return load_year(SETTINGS["year"].check(text, "year"))


@rules_app.command("new")
def rules_new(
    year: Annotated[str, typer.Argument(help="The new fiscal year, e.g. 2570")],
    base: Annotated[str, typer.Option("--from", help="Start from this year (2569) or rule file")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Where to write (default ita-YEAR.toml)")
    ] = None,
) -> None:
    """Write a new year's rule file to edit, from last year's: year moved on, a `was` per item."""
    from oit_checker.rules_kit import new_rule_file

    new_year = SETTINGS["year"].check(year, "year")
    rules = _year_or_file(base)
    target = new_rule_file(new_year, rules, output or Path(f"ita-{new_year}.toml"))
    out.print(
        f"เขียน {target} จากกฎปี {rules.year} แล้ว: แก้ตามคู่มือปี {new_year} แล้วตรวจด้วย "
        f"`oit rules check {target}` (written {target} from the {rules.year} rules; edit it, "
        "then check it)",
        soft_wrap=True,
    )


@rules_app.command("check")
def rules_check(
    rules_file: Annotated[Path, typer.Argument(help="The rule file to check")],
    demo_site: Annotated[
        bool, typer.Option("--demo/--no-demo", help="Also show what it matches on the demo site")
    ] = True,
) -> None:
    """Check a rule file: what the loader refuses (exit 2), what would mislead an audit (exit 1:
    unknown helpers, `was` ids that do not exist, aliases that name many items), and what each
    item matches on the bundled demo site."""
    from oit_checker.rules_kit import lint

    rules = load_rules(rules_file)
    report = lint(rules)
    out.print(f"[bold]{escape(str(rules.path))}[/bold]: ITA {rules.year}, {len(rules.items)} ข้อ")
    for finding in report.findings:
        colour = "red" if finding.level == "error" else "yellow"
        out.print(
            f"[{colour}]{finding.level}[/{colour}] {escape(finding.where)}: "
            f"{escape(finding.message)}",
            soft_wrap=True,
        )
    if not report.errors:
        warned = len(report.findings)
        out.print(f"[green]ไม่พบข้อผิดพลาด (no errors)[/green]; คำเตือน (warnings): {warned}")
    if demo_site:
        _match_on_demo(rules)
    raise typer.Exit(EXIT_SOME_MISSING if report.errors else EXIT_ALL_PRESENT)


def _match_on_demo(rules: RuleSet) -> None:
    """Audit the demo site with these rules, during their fiscal year, and show per item what
    it found: proof that each title and alias finds a page (the demo's content is for 2568)."""
    import tempfile

    from oit_checker.dates import fy_bounds

    start, end = fy_bounds(rules.year)
    as_of = min(max(dt.date.today(), start), end)
    with tempfile.TemporaryDirectory() as tmp, SiteServer(DEMO_DIR / "site") as server:
        result = signals.run(
            audit(server.url, rules, Store(Path(tmp) / "check.db"), AuditOptions(as_of=as_of))
        )
    table = Table(title=f"บนเว็บไซต์ตัวอย่าง (on the demo site), as of {as_of}")
    for column in ("ข้อ", "ผล", "URL", "เหตุผล"):
        table.add_column(column, overflow="fold")
    for item in result.items:
        url = item.evidence[0].url if item.evidence else ""
        shown = display_url(url).removeprefix(server.url.rstrip("/")) if url else "-"
        table.add_row(item.id, item.status, shown, item.reason[:120])
    out.print(table)


@rules_app.command("diff")
def rules_diff_command(
    old: Annotated[str, typer.Argument(help="The earlier year (2568) or rule file")],
    new: Annotated[str, typer.Argument(help="The later year (2569) or rule file")],
) -> None:
    """What changed between two years' rules, from the later one's `was` links: items added,
    removed, merged, split, renamed or renumbered."""
    from oit_checker.rules_kit import rules_diff

    print_rules_diff(rules_diff(_year_or_file(old), _year_or_file(new)), out)


@app.command()
def doctor() -> None:
    """Which system parts this machine has (Chromium, Tesseract with Thai, Thai fonts, poppler,
    LibreOffice), and what each missing one disables. Exit 0 when all are there, else 1."""
    from oit_checker.doctor import diagnose

    table = Table(title="oit doctor: ส่วนประกอบของระบบ (system parts)")
    for column in ("ส่วน (part)", "สถานะ (status)", "ใช้ทำอะไร / ถ้าไม่มี (what it does)"):
        table.add_column(column, overflow="fold")
    missing = []
    for part, problem in diagnose():
        status = "[green]มี (ok)[/green]" if not problem else f"[red]{escape(problem)}[/red]"
        table.add_row(part.name, status, escape(part.needed_for))
        if problem:
            missing.append(part)
    out.print(table)
    if missing:
        packages = " ".join(p.package for p in missing if p.package != "oit-checker")
        if packages:
            out.print(f"ติดตั้งด้วย (install with): sudo apt-get install {packages}", soft_wrap=True)
    raise typer.Exit(EXIT_SOME_MISSING if missing else EXIT_ALL_PRESENT)


@app.command()
def demo(
    db: DbOpt = None,  # type: ignore[assignment]
    json_path: Annotated[
        Path | None, typer.Option("--json", help="Write the JSON result here")
    ] = None,
    progress: Annotated[bool, typer.Option("--progress/--no-progress")] = True,
    serve_only: Annotated[bool, typer.Option(help="Only serve the demo site until Ctrl-C")] = False,
) -> None:
    """Serve the bundled demo อบต. website on 127.0.0.1 and audit it, end to end."""
    site_dir = DEMO_DIR / "site"
    expected_file = DEMO_DIR / "expected.toml"
    if not site_dir.is_dir():
        raise OitError(f"demo site not found at {site_dir}")
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
    _report(result, json_path)
    err.print(
        f"เก็บผลไว้ใน {db} (run #{result.run_id} saved in {db}): "
        "`oit report`, `oit sheet` and `oit history` read it",
        soft_wrap=True,
    )
    raise typer.Exit(
        0
    )  # the demo site lacks items on purpose  # the demo site lacks items on purpose


@app.command("eval")
def eval_fixtures(
    root: Annotated[
        Path, typer.Argument(help="A fixtures folder, or one fixture site")
    ] = FIXTURES_DIR,
    db: Annotated[
        Path | None, typer.Option("--db", help="Keep the runs here (default: a temp file)")
    ] = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Show every disagreement")
    ] = True,
    generate: Annotated[
        int, typer.Option("--generate", help="Measure on N generated sites instead", min=0)
    ] = 0,
    seed: Annotated[int, typer.Option("--seed", help="First seed of --generate")] = 1,
    year: YearOpt = None,
    details: Annotated[
        bool, typer.Option("--details", help="--generate: list the disagreements")
    ] = False,
) -> None:
    """Audit every fixture site and compare with its expected verdicts (the accuracy suite);
    with --generate N, build N seeded sites with known truth and measure on them."""
    import tempfile

    if generate:
        from oit_checker.generate.report import run_generated

        rules = _rules(year, None)
        raise typer.Exit(run_generated(generate, seed, rules, out, err, details))

    from oit_checker.evaluate import case_name, evaluate_fixture, fixture_cases

    cases = fixture_cases(root)
    if not cases:
        raise OitError(f"no fixture sites (folders with site/ and expected.toml) under {root}")
    table = Table(title="accuracy on fixture sites")
    for column in ("site", "items", "agree", "false present", "false absent", "other"):
        table.add_column(column, justify="right" if column != "site" else "left")
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        for case in cases:
            name = case_name(case)
            try:
                ev, _ = evaluate_fixture(case, db or Path(tmp) / f"{name}.db")
            except OitError as exc:  # a broken fixture is a usage error, whatever its cause
                raise OitError(f"{name}: {exc}") from None
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
                        f"[red]{name} {d.item_id}[/red]: expected {d.expected}, got {d.got}: {d.detail}"
                    )
    out.print(table)
    raise typer.Exit(1 if failed else 0)


@app.command()
def explain(
    item_id: Annotated[str, typer.Argument(help="Item id, e.g. O12")],
    run: Annotated[int | None, typer.Option("--run", help="Run id (default: the latest)")] = None,
    db: DbOpt = None,  # type: ignore[assignment]
) -> None:
    """Show how an item was decided: every candidate considered, why it was accepted or rejected,
    and what to publish to fix it."""
    store = _open_store(db)
    row = store.run(_pick_run(store, run, None)) if run is not None else store.latest_run()
    if not row:
        raise OitError(f"ไม่มีรอบการตรวจใน {db} (no run in {db})")
    items = {i["item_id"].upper(): i for i in store.items(row["id"])}
    item = items.get(item_id.strip().upper())
    if item is None:
        raise OitError(
            f"run #{row['id']} has no item {item_id!r} (it has {', '.join(items) or 'no items'})"
        )
    candidates = _one_per_url(json.loads(item["candidates"] or "[]"))
    judged = [c for c in candidates if c["outcome"] != NOT_JUDGED]
    unopened = len(candidates) - len(judged)
    fix = _fix_text(row["rules_path"], item["item_id"])
    print_explain(row, item, judged, unopened, fix, out)


def _one_per_url(candidates: list[dict]) -> list[dict]:
    """Each page once, where it first stands (judged best first, then unjudged). A run stored
    before URLs had one identity may hold a page twice, raw Thai and percent-encoded: the copy
    that was opened and judged is the one shown."""
    groups: dict[str, list[dict]] = {}
    for n, cand in enumerate(candidates):
        key = normalize_url(cand["url"]) if cand["url"] else f"#{n}"
        groups.setdefault(key, []).append(cand)

    def unjudged(cand: dict) -> tuple[bool, bool]:
        return cand["outcome"] == NOT_JUDGED, cand["reason"].startswith("ยังไม่ได้เปิด")

    return [min(group, key=unjudged) for group in groups.values()]


def _fix_text(rules_path: str, item_id: str) -> str:
    try:
        return load_rules(rules_path).item(item_id).fix
    except (RuleError, KeyError):
        return ""


# ---- stored runs: history, diff, answer sheet, HTML report ----------------------------------------


def _open_store(db: str) -> Store:
    """An existing database only: reading commands must not create an empty one by mistake."""
    store = open_store(db, create=False)
    try:
        store.is_readable()
    except Exception as exc:  # not SQLite, or not an oit database
        raise OitError(f"{CANNOT_READ} {db}: {exc}") from None
    return store


def _pick_run(store: Store, run: int | None, site: str | None) -> int:
    """The run asked for, or the newest complete one (of the site, when named)."""
    if run is not None:
        if not store.has_run(run):
            raise OitError(f"ไม่มีรอบ #{run} (no run #{run}) in {store.path}")
        return run
    latest = latest_complete_run(store, site)
    if latest is None:
        where = f" for {site}" if site else ""
        raise OitError(f"ไม่มีรอบที่ตรวจครบ (no complete run){where} in {store.path}")
    return latest


SiteOpt = Annotated[
    str | None, typer.Option("--site", help="Latest complete run of this site (URL or host)")
]
RunArg = Annotated[
    int | None, typer.Argument(help="Run id (see `oit history`); default: the latest complete run")
]


@app.command()
def verify(
    answers: Annotated[
        Path, typer.Argument(help="The answer sheet: CSV or XLSX (item, url[, explanation])")
    ],
    url: Annotated[str, typer.Option("--site", help="The agency's main website")],
    year: YearOpt = None,
    rules_file: RulesOpt = None,
    db: DbOpt = None,  # type: ignore[assignment]
    as_of: AsOfOpt = None,
    progress: Annotated[bool, typer.Option("--progress/--no-progress")] = True,
    json_path: Annotated[
        Path | None, typer.Option("--json", help="Also write the verdicts as JSON here")
    ] = None,
) -> None:
    """Check the URLs an officer intends to submit, as an assessor would, and suggest better ones."""
    import asyncio

    from oit_checker.verify import read_answers
    from oit_checker.verify import verify as verify_answers

    options = AuditOptions(as_of=_as_of(as_of))
    rules, year_choice = _pick_rules(year, rules_file, options.as_of)
    rows = read_answers(answers)
    _say_year(year_choice)
    store = _writable_store(db)
    verdicts = asyncio.run(verify_answers(rows, url, rules, store, options))
    print_verify(verdicts, out)
    if json_path is not None:
        write_json(json_path, {"verdicts": [dataclasses.asdict(v) for v in verdicts]})
    bad = any(v.status != "ok" for v in verdicts)
    raise typer.Exit(EXIT_SOME_MISSING if bad else EXIT_ALL_PRESENT)


@app.command()
def history(
    site: Annotated[
        str | None, typer.Argument(help="Only this site (URL, host or part of the URL)")
    ] = None,
    db: DbOpt = None,  # type: ignore[assignment]
) -> None:
    """List stored runs, newest first: status, OIT score and verdict counts."""
    store = _open_store(db)
    runs = list_runs(store, site)
    if not runs:
        out.print(f"no runs{f' for {site}' if site else ''} in {db}")
        raise typer.Exit(0)
    print_history(runs, f"runs in {db}", out)


@app.command()
def diff(
    run_a: Annotated[
        int | None, typer.Argument(help="The older run; alone: compare it with its previous run")
    ] = None,
    run_b: Annotated[int | None, typer.Argument(help="The newer run")] = None,
    site: SiteOpt = None,
    db: DbOpt = None,  # type: ignore[assignment]
    json_path: Annotated[
        Path | None, typer.Option("--json", help="Also write the diff as JSON here")
    ] = None,
) -> None:
    """What changed between two runs: regressions first, improvements, dead evidence, scores.

    With no runs named: the latest complete run and the complete run before it (same site and
    year, else the site's last run of an earlier year). With one run: that run and the one
    before it. Runs of different years are compared by subject, through the rules' `was`.
    """
    store = _open_store(db)
    if run_b is None:
        run_b = _pick_run(store, run_a, site)
        run_a = previous_run(store, run_b, across_years=True)
        if run_a is None:
            raise OitError(
                f"รอบ #{run_b} ไม่มีรอบก่อนหน้าที่ตรวจครบของเว็บไซต์เดียวกัน (run #{run_b} has no "
                "earlier complete run of the same site to compare with)"
            )
    else:
        _pick_run(store, run_a, None)
        _pick_run(store, run_b, None)
    assert run_a is not None
    changes = diff_runs(store, run_a, run_b)
    print_diff(changes, out)
    if json_path is not None:
        write_json(json_path, changes)


def _previous_result(store: Store, run_id: int, result: dict) -> dict | None:
    """The run to show changes against: the previous one of the year, else the last one of an
    earlier year with its items re-keyed by subject to this year's (``as_subjects_of``)."""
    previous = previous_run(store, run_id, across_years=True)
    if previous is None:
        return None
    try:
        return as_subjects_of(run_result(store, previous), result)
    except HistoryError:
        return None  # years whose rules do not link: no comparison rather than a wrong one


class SheetFormat(StrEnum):
    csv = "csv"
    xlsx = "xlsx"


@app.command()
def sheet(
    run: RunArg = None,
    format_: Annotated[
        SheetFormat | None,
        typer.Option("--format", "-f", help="csv or xlsx (default: from --output, else csv)"),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="File to write (default: oit-sheet-RUN.FORMAT)"),
    ] = None,
    site: SiteOpt = None,
    db: DbOpt = None,  # type: ignore[assignment]
) -> None:
    """The ITAS answer sheet of a stored run: per item มี/ไม่มี, one URL and an explanation."""
    if format_ is None:
        suffix = output.suffix.lower().lstrip(".") if output else ""
        format_ = SheetFormat.xlsx if suffix == "xlsx" else SheetFormat.csv
    store = _open_store(db)
    run_id = _pick_run(store, run, site)
    result = with_manual_checks(store, complete_result(store, run_id))
    target = output or Path(f"oit-sheet-{run_id}.{format_.value}")
    writer = write_xlsx if format_ is SheetFormat.xlsx else write_csv
    write_file(target, lambda path: writer(result, path))
    err.print(f"answer sheet of run #{run_id} written to {target}")


@app.command()
def report(
    run: RunArg = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="The HTML file to write")] = Path(
        "report.html"
    ),
    site: SiteOpt = None,
    db: DbOpt = None,  # type: ignore[assignment]
) -> None:
    """A printable, self-contained HTML report of a stored run, with changes since the last."""
    store = _open_store(db)
    run_id = _pick_run(store, run, site)
    result = complete_result(store, run_id)
    html = render_html(result, _previous_result(store, run_id, result))
    write_file(output, html)
    err.print(f"report of run #{run_id} written to {output}")


# ---- the officer's web page ----------------------------------------------------------------------


SERVE_DATA_HELP = (
    "Folder for the server's own files (uploaded sheets, each audit's log and JSON); default"
    " DB.web beside an SQLite file, for PostgreSQL ~/.local/share/oit-checker/serve/HOST-PORT-DB"
    " ($XDG_DATA_HOME)"
)


@app.command()
def serve(
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="An SQLite file or postgresql://user@host:port/dbname (default: $OIT_DB, the"
            " --config's \\[fleet] db, its \\[defaults] db, else ./oit.db)",
        ),
    ] = None,
    config_file: Annotated[
        Path | None,
        typer.Option("--config", help="A config.toml whose \\[fleet] db is the store (see --db)"),
    ] = None,
    data_dir: Annotated[
        Path | None, typer.Option("--data-dir", envvar="OIT_SERVE_DATA", help=SERVE_DATA_HELP)
    ] = None,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on; beyond loopback needs --token")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port")] = 8765,
    token: Annotated[
        str | None,
        typer.Option("--token", envvar="OIT_SERVE_TOKEN", help="Secret asked of every visitor"),
    ] = None,
    max_upload_mb: Annotated[
        float, typer.Option("--max-upload-mb", help="Largest answer sheet accepted (MB)")
    ] = 2.0,
    open_browser: Annotated[
        bool, typer.Option("--open/--no-open", help="Open the page in the browser")
    ] = False,
) -> None:
    """The officer's local web page: audit a site, follow it live, read the results in Thai,
    download the ITAS sheet, check a sheet before submitting, see every site's history."""
    import uvicorn

    from oit_checker.web.app import create_app
    from oit_checker.web.jobs import data_dir as serve_data_dir
    from oit_checker.web.security import is_loopback

    if not is_loopback(host) and not token:
        raise OitError(
            f"--host {host} ให้คนอื่นในเครือข่ายเปิดได้ ต้องตั้ง --token ด้วย "
            f"(listening beyond loopback requires --token SECRET or OIT_SERVE_TOKEN)"
        )
    if not 0 < port < 65536 or max_upload_mb <= 0:
        raise OitError("--port must be 1-65535 and --max-upload-mb above 0")
    db = database(db, load_config(config_file) if config_file else None)
    _writable_store(db).close()  # made and migrated here; unreachable is one line, exit 3
    folder = serve_data_dir(store_target(db), data_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OitError(f"--data-dir {folder}: {exc.strerror or exc}") from None
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/" + (f"?token={token}" if token else "")
    err.print(f"เปิดหน้าเว็บ (open): {url}  (Ctrl-C to stop)", soft_wrap=True)
    if open_browser:
        import webbrowser

        webbrowser.open(url)
    uvicorn.run(
        create_app(db, token or "", max_upload_mb, folder),
        host=host,
        port=port,
        log_level="warning",
    )


# ---- many sites ----------------------------------------------------------------------------------


@app.command()
def batch(
    sites_file: Annotated[
        Path, typer.Argument(help="config.toml (see README) or sites.csv (url[,name] per line)")
    ],
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="An SQLite file or postgresql:// URL (default: $OIT_DB, the config's \\[fleet]"
            " db, its \\[defaults] db, else ./oit.db)",
        ),
    ] = None,
    parallel: Annotated[
        int, typer.Option("--parallel", "-p", help="Sites audited at the same time")
    ] = DEFAULT_PARALLEL,
    fail_on: FailOnOpt = None,
    notify_enabled: Annotated[
        bool,
        typer.Option(
            "--notify/--no-notify", help="Send the notifications of the config's notify table"
        ),
    ] = True,
    notify_webhook: Annotated[
        str | None, typer.Option("--notify-webhook", help="POST a JSON summary here")
    ] = None,
) -> None:
    """Audit every site of a config.toml or sites.csv, a few at a time, into one database.

    Exit 0 when every site was audited, 1 when some site failed (or, with --fail-on regression,
    regressed; with --fail-on absent, has an absent or uncertain item), 2 on a config error.
    """
    signals.install()
    if parallel < 1:
        raise OitError("--parallel: must be at least 1")
    config = load_batch_file(sites_file)
    check_unique(config)
    resolve_rules(config)
    undated = [e for e in config.sites if not (e.settings.year or e.settings.rules)]
    for why in sorted({year_for(e.settings.as_of).why for e in undated}):
        err.print(escape(why), soft_wrap=True, highlight=False)  # which rules, and why
    notify_settings = _config_notify(config, notify_enabled, notify_webhook)
    db_path = database(db, config)
    _writable_store(db_path)

    def say(line: str) -> None:
        err.print(line, markup=False, highlight=False, soft_wrap=True)

    err.print(f"auditing {len(config.sites)} sites, {parallel} at a time, into {db_path}")
    try:
        outcomes = signals.run(run_batch(config, db_path, parallel, say, notify_settings))
    except KeyboardInterrupt:
        err.print("[yellow]interrupted[/yellow]: unfinished runs are kept marked incomplete")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except signals.Terminated:
        err.print(
            "[yellow]ถูกสั่งหยุด (SIGTERM)[/yellow] / terminated: unfinished runs are kept marked incomplete"
        )
        raise typer.Exit(EXIT_TERMINATED) from None
    print_batch(outcomes, out)
    failed = any(not o.audited for o in outcomes)
    if fail_on is FailOn.regression:
        failed |= any(o.regressions for o in outcomes)
    elif fail_on is FailOn.absent:
        failed |= any(o.counts.get("absent") or o.counts.get("uncertain") for o in outcomes)
    raise typer.Exit(EXIT_SOME_MISSING if failed else EXIT_ALL_PRESENT)


def _config_notify(config: Config | None, enabled: bool, webhook: str | None) -> NotifySettings:
    """The config's [notify] unless --no-notify, with --notify-webhook's URL (oit batch, worker)."""
    settings = config.notify if config is not None and enabled else NotifySettings()
    if webhook:
        settings.webhook = check_url(webhook, "--notify-webhook")
    return settings


# ---- the national nightly audit on many machines (oit_checker/fleet) ---------------------------

BrokerOpt = Annotated[
    str | None,
    typer.Option("--broker", help="Redis URL, redis://host:6379/0 (else OIT_BROKER, \\[fleet])"),
]
FleetDbOpt = Annotated[
    str | None,
    typer.Option("--db", help="The shared store: a path or URL (else OIT_DB, \\[fleet])"),
]


@app.command()
def enqueue(
    sites_file: Annotated[
        Path, typer.Argument(help="config.toml (see README) or sites.csv, as for `oit batch`")
    ],
    broker: BrokerOpt = None,
    db: FleetDbOpt = None,
    batch_name: Annotated[
        str | None,
        typer.Option("--batch", help="The batch's name (default: the file's name and the date)"),
    ] = None,
) -> None:
    """Queue one audit per site for `oit worker`s; running it again queues nothing new."""
    from oit_checker.fleet.broker import check_broker, shown
    from oit_checker.fleet.queue import default_batch
    from oit_checker.fleet.queue import enqueue as send_jobs
    from oit_checker.fleet.where import broker_url, db_target

    config = load_batch_file(sites_file)
    url = broker_url(broker, config)
    store = open_store(db_target(db, config))
    check_broker(url)
    name = batch_name or default_batch(config)
    done = send_jobs(config, name, url, store)
    err.print(
        f"batch {escape(done.batch)}: {done.sites} sites, {done.added} new jobs,"
        f" {done.sent} messages sent to {escape(shown(url))}",
        soft_wrap=True,
    )
    if config.notify.enabled:
        err.print(
            f"notifications ([notify]): sent by workers started with --config {sites_file}",
            markup=False,
        )


@app.command()
def worker(
    broker: BrokerOpt = None,
    db: FleetDbOpt = None,
    processes: Annotated[int, typer.Option("--processes", help="Worker processes")] = 1,
    threads: Annotated[
        int, typer.Option("--threads", help="Audits at once per process (each polite)")
    ] = 2,
    heartbeat: Annotated[
        float, typer.Option(help="Seconds of silence after which a worker's jobs come back")
    ] = 60.0,
    lock_seconds: Annotated[
        float, typer.Option(help="Life of a server's lock when its worker dies, seconds")
    ] = 60.0,
    wait_seconds: Annotated[
        float, typer.Option(help="A job whose server is busy comes back after this, seconds")
    ] = 20.0,
    backoff_seconds: Annotated[
        float, typer.Option(help="First retry of a failed audit after this (then doubling)")
    ] = 60.0,
    config_file: Annotated[
        Path | None,
        typer.Option("--config", help="A config.toml: its \\[notify] (as oit batch), \\[fleet]"),
    ] = None,
    notify_enabled: Annotated[
        bool, typer.Option("--notify/--no-notify", help="Send the config's notifications")
    ] = True,
    notify_webhook: Annotated[
        str | None, typer.Option("--notify-webhook", help="POST each site's JSON summary here")
    ] = None,
) -> None:
    """Audit the queued sites (Dramatiq worker processes); stop with Ctrl-C or SIGTERM.
    Each site's notification (the --config's notify table) is sent once, by the worker that
    ends it."""
    import os

    # A message per free thread, no more: an audit takes minutes, and a message held back in
    # one worker's prefetch waits there while other workers are idle. Read at import.
    os.environ.setdefault("dramatiq_queue_prefetch", str(threads))
    from dramatiq.cli import main as dramatiq_main
    from dramatiq.cli import make_argument_parser

    from oit_checker.fleet.broker import check_broker
    from oit_checker.fleet.notices import notify_to_env
    from oit_checker.fleet.tuning import QUEUE, Tuning
    from oit_checker.fleet.where import BROKER_ENV, DB_ENV, broker_url, db_target

    if processes < 1 or threads < 1:
        raise OitError("--processes and --threads: at least 1")
    tuning = Tuning(heartbeat, lock_seconds, wait_seconds, backoff_seconds)
    if min(heartbeat, lock_seconds, wait_seconds, backoff_seconds) <= 0:
        raise OitError("--heartbeat, --lock-seconds, --wait-seconds, --backoff-seconds: above 0")
    config = load_config(config_file) if config_file else None
    notices = _config_notify(config, notify_enabled, notify_webhook)
    url, target = broker_url(broker, config), db_target(db, config)
    check_broker(url)
    open_store(target)  # made and migrated once, here, not by every process at once
    os.environ.update({BROKER_ENV: url, DB_ENV: target, **tuning.to_env()})
    os.environ.update(notify_to_env(notices))
    args = make_argument_parser().parse_args(
        ["oit_checker.fleet.actors", "--processes", str(processes), "--threads", str(threads)]
        + ["--queues", QUEUE]
    )
    raise typer.Exit(dramatiq_main(args))


@app.command("batch-status")
def batch_status_command(
    batch_name: Annotated[
        str | None, typer.Option("--batch", help="The batch (default: the newest)")
    ] = None,
    db: FleetDbOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """How a fleet batch stands: queued, running, done, failed, and why each failure failed."""
    from oit_checker.fleet.status import batch_status
    from oit_checker.fleet.where import db_target

    status = batch_status(open_store(db_target(db), create=False), batch_name)
    if status is None:
        raise OitError("no batch in this database: run `oit enqueue` first")
    if as_json:
        out.print_json(json.dumps(status.as_dict(), ensure_ascii=False))
        return
    print_batch_status(status.as_dict(), out)


def main() -> None:  # pragma: no cover - console entry for python -m
    sys.exit(app())


if __name__ == "__main__":  # pragma: no cover
    main()
