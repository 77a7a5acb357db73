"""What the commands print on a terminal: the audit report (one table per indicator, scores,
what to fix), how an item was decided, past runs, what changed between two runs, answers
checked, and a batch's summary. Thai first; the CLI only gathers the data and calls these.

Tables get the terminal's width; piped output (cron mail, logs) gets wide tables instead of cells
wrapped at rich's 80 columns.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from oit_checker.models import STATUSES, count_statuses
from oit_checker.output.labels import (
    COUNT_COLUMNS,
    STATUS_STYLE,
    STATUS_TH,
    RuleLabels,
    by_subindicator,
    rule_labels,
)
from oit_checker.output.prose import tidy
from oit_checker.urls import display_url

if TYPE_CHECKING:
    from oit_checker.batch import SiteOutcome
    from oit_checker.verify import Verdict

PIPED_WIDTH = 160


def print_report(result: dict, console: Console, labels: RuleLabels | None = None) -> None:
    """An audit's report from its result (the JSON contract): one table per indicator, each
    followed by its evidence URLs whole, then the scores, the counts and how the crawl went.
    ``labels`` default to the run's rule file."""
    labels = labels if labels is not None else rule_labels(result)
    rules, scores = result["rules"], result["scores"]
    console.print(
        f"[bold]OIT audit[/bold] {escape(display_url(result['site']))}  ปีงบประมาณ {result['year']}"
        f"  เกณฑ์ {escape(rules['title'])} ({rules['status']})  as of {result['as_of']}"
        f"  run #{result['run_id']}"
    )
    for ind_id, subs in by_subindicator(result).items():
        table = Table(
            title=f"ตัวชี้วัดที่ {ind_id} {labels.indicators.get(ind_id, '')}",
            show_lines=False,
            expand=True,
        )
        # The item's name heads its reason: one wide column wraps Thai at its spaces, where a
        # narrow name column at 80 terminal columns cut names or split them mid-syllable.
        table.add_column("ข้อ", no_wrap=True)
        table.add_column("ผล", no_wrap=True)
        table.add_column("รายการ / เหตุผล (URL หลักฐานอยู่ใต้ตาราง)", ratio=1, overflow="fold")
        for sub_id, items in subs.items():
            table.add_section()
            sub = f"{sub_id} {labels.subindicators.get(sub_id, '')}"
            score = score_text(scores["subindicators"].get(sub_id))
            table.add_row("", "", Text(f"{sub}  {score}", style="bold"))
            for item in items:
                label, style = STATUS_STYLE[item["status"]]
                detail = Text(item["title"], style="bold")
                detail.append("\n" + short_urls(tidy(item["reason"]), result["site"]))
                table.add_row(item["id"], Text(label, style=style), detail)
        console.print(table)
        _print_evidence([i for s in subs.values() for i in s], console)
    _print_scores(scores, console)
    _print_crawl(result, console)


def short_urls(text: str, site: str) -> str:
    """URLs of the audited site as their path (whole URLs are listed under the table)."""
    root = site.rstrip("/")
    return re.sub(
        r"https?://\S+",
        lambda m: (
            display_url(m.group())[len(root) :] or "/"
            if display_url(m.group()).startswith(root)
            else display_url(m.group())
        ),
        text,
    )


def _print_evidence(items: list[dict], console: Console) -> None:
    """Each item's first evidence URL, whole, on its own line and as a terminal hyperlink:
    what the officer copies into ITAS must not be cut to fit a table cell."""
    if any(item["evidence"] for item in items):
        console.print("หลักฐาน / แหล่งที่ตรวจ (evidence URLs):")
    for item in items:
        if not item["evidence"]:
            continue
        url = item["evidence"][0]["url"]
        shown = display_url(url)
        console.print(
            f"  {item['id']:<4} [link={escape(url)}]{escape(shown)}[/link]",
            soft_wrap=True,
            highlight=False,
        )


def _print_scores(s: dict, console: Console) -> None:
    console.print(
        "คะแนน: " + "  ".join(f"ตัวชี้วัดย่อย {k} = {v:.2f}" for k, v in s["subindicators"].items())
    )
    console.print(
        "  ".join(f"ตัวชี้วัดที่ {k} = {v:.2f}" for k, v in s["indicators"].items())
        + f"  [bold]OIT = {s['oit']:.2f}[/bold]  (ค่าเฉลี่ยรายข้อ {s['item_average']:.2f})"
    )
    ita = s.get("ita")
    if ita:
        console.print(f"[bold]ITA รวม = {ita['total']:.2f} ระดับ {ita['rating']}[/bold]")


def _print_crawl(result: dict, console: Console) -> None:
    """The verdict counts, what the crawl read, and whether a re-audit reused the last run."""
    counts = count_statuses(i["status"] for i in result["items"])
    st = result["stats"]
    console.print(
        f"มี {counts['present']}  ไม่มี {counts['absent']}  ไม่แน่ใจ {counts['uncertain']}  |  "
        f"pages {st['pages']}, documents {st['documents']}, errors {len(st['errors'])}, {st['seconds']} s"
        + (f", stopped by {st['stopped_by']}" if st.get("stopped_by") else "")
    )
    forbidden = (st.get("skipped") or {}).get("robots")
    if forbidden:
        console.print(
            f"robots.txt ห้ามเปิด {forbidden} URL: ข้อที่หลักฐานอยู่ในหน้าเหล่านั้นจึงเป็น ไม่แน่ใจ"
            f" (robots.txt forbade {forbidden} URLs; --ignore-robots if the agency allows it)"
        )
    revisit = st.get("revisit") or {}
    if revisit.get("quick"):
        console.print(
            f"ตรวจซ้ำแบบเร็ว: ถาม {revisit['asked']} URL ที่มีผลต่อคำตัดสินอีกครั้ง ไม่มีการเปลี่ยนแปลง "
            f"จึงใช้ผลของรอบ #{revisit['from_run']} ({revisit['trusted']} URL อื่นยังไม่ถึงรอบตรวจ; "
            "--fresh ตรวจทุกหน้าใหม่)"
        )
    elif revisit.get("why"):
        console.print(f"ตรวจซ้ำทั้งเว็บไซต์: {revisit['why']}")


def table_console(console: Console) -> Console:
    """The console itself on a terminal; a wide one for piped output."""
    return console if console.is_terminal else Console(width=PIPED_WIDTH)


def when(stamp: str) -> str:
    """A stored UTC timestamp in local time, to the minute: when did the nightly run happen."""
    try:
        return dt.datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return stamp


def score_text(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _transition(change: dict) -> str:
    return f"{STATUS_TH[change['before']]} → {STATUS_TH[change['after']]}"


def print_regressions(diff: dict, console: Console) -> None:
    """Under a fresh audit's report: what regressed since the site's previous complete run, with
    why, and what improved."""
    previous = diff["a"]["run_id"]
    if diff["regressions"]:
        console.print(f"[red bold]ถดถอยจากรอบ #{previous}[/red bold] (regressions):")
        for r in diff["regressions"]:
            console.print(f"  {r['id']} {_transition(r)}: {r['reason']}", soft_wrap=True)
    else:
        console.print(f"ไม่มีข้อที่ถดถอยจากรอบ #{previous} (no regressions)")
    if diff["improvements"]:
        console.print(
            f"[green bold]ดีขึ้นจากรอบ #{previous}[/green bold] (improvements): "
            + ", ".join(f"{r['id']} {_transition(r)}" for r in diff["improvements"]),
            soft_wrap=True,
        )


def print_explain(
    run: dict, item: dict, candidates: list[dict], unopened: int, fix: str, console: Console
) -> None:
    """How one item was decided: the verdict, every candidate judged (best first), what to fix.

    ``unopened`` candidates were never judged because a better-ranked one passed."""
    label, style = STATUS_STYLE.get(item["status"], STATUS_STYLE["uncertain"])
    console.print(
        f"[bold]{item['item_id']} {item['title']}[/bold]  run #{run['id']} ({run['year']}, as of {run['as_of']})"
    )
    console.print(f"ผล: [{style}]{label}[/{style}] — {escape(tidy(item['reason']))}")
    console.print(f"\nพิจารณา {len(candidates)} แหล่ง (candidates considered, best first):")
    outcome_style = {"pass": "green", "uncertain": "yellow"}
    for n, cand in enumerate(candidates, start=1):
        style = outcome_style.get(cand["outcome"], "red")
        console.print(
            f"{n}. [{style}]{cand['outcome']}[/{style}] {display_url(cand['url']) or '(ลิงก์ว่าง)'}",
            soft_wrap=True,
        )
        if cand.get("via"):
            console.print(
                f"   named by {cand['named_by']} on {display_url(cand['via'])}", soft_wrap=True
            )
        if cand["found"] or cand["missing"]:
            console.print(
                f"   found: {', '.join(cand['found']) or '-'}   missing: {', '.join(cand['missing']) or '-'}"
            )
        console.print(f"   {escape(tidy(cand['reason']))}", soft_wrap=True)
    if unopened:
        console.print(
            f"อีก {unopened} แหล่งไม่ได้เปิดตรวจ เพราะแหล่งที่ดีกว่าผ่านแล้ว"
            f" ({unopened} more not opened: a better-ranked candidate passed)",
            soft_wrap=True,
        )
    if item["status"] != "present" and fix:
        console.print(f"[bold]สิ่งที่ต้องเผยแพร่:[/bold] {fix}")


def print_verify(verdicts: Sequence[Verdict], console: Console) -> None:
    """Each answer of a sheet as an assessor would take it, and a better URL where one was found;
    then the items the sheet leaves out, which ITAS would count absent."""
    styles = {"ok": "green", "wrong": "red", "uncertain": "yellow", "missing-url": "red"}
    answered = [v for v in verdicts if v.status != "not-answered"]
    left_out = [v for v in verdicts if v.status == "not-answered"]
    for v in answered:
        style = styles.get(v.status, "white")
        console.print(
            f"[bold]{v.item_id}[/bold] {v.title}: [{style}]{v.status}[/{style}] {display_url(v.url) or '-'}",
            soft_wrap=True,
        )
        console.print(f"   {v.reason}", soft_wrap=True)
        if v.better_url:
            console.print(f"   URL ที่ดีกว่า: {display_url(v.better_url)}", soft_wrap=True)
    if left_out:
        console.print(
            f"[red]ยังไม่ได้ตอบ {len(left_out)} ข้อ[/red] (items not answered; ITAS counts them absent):"
        )
        for v in left_out:
            console.print(f"[bold]{v.item_id}[/bold] {v.title}: {v.reason}", soft_wrap=True)
    good = sum(1 for v in answered if v.status == "ok")
    console.print(
        f"ใช้ได้ {good} จาก {len(verdicts)} ข้อ ({good} of {len(verdicts)} items hold up: "
        f"{len(answered)} answered, {len(left_out)} not answered)"
    )


RUN_STATUS_STYLE = {
    "complete": "",
    "failed": "red",
    "incomplete": "yellow",
    "running": "yellow",
    "interrupted": "yellow",
}


def print_history(runs: list[dict], title: str, console: Console) -> None:
    """Stored runs, newest first, under the site they audited (its URL whole on its own line:
    a site column was cut to "http://12…" at 80 columns): when it began, status, OIT, verdict
    counts; 80 columns wide (the end time went: `oit diff` and the report give each run's date)."""
    console.print(f"[bold]{escape(title)}[/bold]", soft_wrap=True)
    by_site: dict[str, list[dict]] = {}
    for r in runs:
        by_site.setdefault(r["site"], []).append(r)
    for site, site_runs in by_site.items():
        console.print(f"เว็บไซต์ (site): {escape(display_url(site))}", soft_wrap=True)
        table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
        for column in ("run", "เริ่ม (started)", "status", "year", "OIT"):
            table.add_column(
                column,
                justify="right" if column in ("run", "OIT") else "left",
                no_wrap=column != "status",  # "complete (verify)" may take two lines
            )
        for column in COUNT_COLUMNS:
            table.add_column(column, justify="right")
        for r in site_runs:
            table.add_row(
                str(r["id"]),
                when(r["started"]),
                Text(
                    r["status"] + (" (verify)" if r.get("verify") else ""),
                    style=RUN_STATUS_STYLE.get(r["status"], ""),
                ),
                str(r["year"]),
                score_text(r["oit"]),
                *(str(r[s]) for s in STATUSES),
            )
        console.print(table)


DIFF_SECTIONS = (
    ("regressions", "ถดถอย (regressions: เคยมี ตอนนี้ไม่ผ่าน)", "red"),
    ("improvements", "ดีขึ้น (improvements)", "green"),
    ("other_changes", "เปลี่ยนแปลงอื่น (other changes)", "yellow"),
)


def print_diff(changes: dict, console: Console) -> None:
    """Two runs compared: scores, then regressions first (red), improvements, dead evidence."""
    a, b = changes["a"], changes["b"]
    console.print(
        f"[bold]run #{a['run_id']} → run #{b['run_id']}[/bold]  {escape(display_url(b['site']))}  "
        f"ปีงบประมาณ {b['year']}  ({a['as_of']} → {b['as_of']})",
        soft_wrap=True,
    )
    _print_score_changes(changes["scores"], console)
    for key, heading, colour in DIFF_SECTIONS:
        if not changes[key]:
            if key == "regressions":
                console.print("[green]ไม่มีข้อที่ถดถอย (no regressions)[/green]")
            continue
        console.print(f"[bold {colour}]{heading}: {len(changes[key])}[/bold {colour}]")
        for r in changes[key]:
            console.print(
                f"  [{colour}]{r['id']}[/{colour}] {escape(r['title'])}: {_transition(r)}",
                soft_wrap=True,
            )
            console.print(f"     {escape(tidy(r['reason']))}", soft_wrap=True, style="dim")
    if changes["dead_evidence"]:
        console.print(
            f"[bold red]หลักฐานที่หายไป (dead evidence): {len(changes['dead_evidence'])}[/bold red]"
        )
        for d in changes["dead_evidence"]:
            console.print(
                f"  {d['item']} {escape(display_url(d['url']))} ({escape(d['why'])})",
                soft_wrap=True,
            )


def _print_score_changes(scores: dict, console: Console) -> None:
    oit = scores["oit"]
    change = oit["change"] or 0.0
    colour = "red" if change < 0 else "green" if change > 0 else ""
    console.print(
        f"OIT {score_text(oit['before'])} → {score_text(oit['after'])} "
        + (f"[{colour}]({change:+.2f})[/{colour}]" if colour else "(±0)")
    )
    for iid, c in scores["indicators"].items():
        if c["change"]:
            console.print(
                f"  ตัวชี้วัดที่ {iid}: {score_text(c['before'])} → {score_text(c['after'])} "
                f"({c['change']:+.2f})"
            )


def print_batch_status(status: dict, console: Console) -> None:
    """A fleet batch (fleet/status.py): counts per state, then each failed site and why."""
    counts = status["counts"]
    line = ", ".join(f"{state} {counts[state]}" for state in counts)
    console.print(f"batch {escape(status['batch'])}: {status['total']} sites: {line}")
    for job in status["running"]:
        console.print(f"running {escape(job['url'])} on {escape(job['worker'] or '?')}")
    for job in status["failed"]:
        label = job["name"] or job["url"]
        console.print(
            f"[red]failed[/red] {escape(label)} ({job['attempts']} attempts): "
            + escape(job["error"] or ""),
            soft_wrap=True,
        )
    for job in status.get("notices_failed", []):
        label = job["name"] or job["url"]
        console.print(
            f"[yellow]notification failed[/yellow] {escape(label)}: {escape(job['error'])}",
            soft_wrap=True,
        )


def print_batch(outcomes: Sequence[SiteOutcome], console: Console) -> None:
    """A batch's summary table (site, run, status, OIT, counts, regressions), then each failure."""
    table = Table(title="batch summary")
    for column in ("site", "run", "status", "OIT", *COUNT_COLUMNS, "regressions", "seconds"):
        table.add_column(
            column, justify="left" if column in ("site", "status", "regressions") else "right"
        )
    for o in outcomes:
        status = Text("complete", style="green") if o.audited else Text("failed", style="red")
        table.add_row(
            o.site.label,
            str(o.run_id or "-"),
            status,
            score_text(o.oit),
            *(str(o.counts[s]) if o.audited else "-" for s in STATUSES),
            Text(", ".join(o.regressions), style="red") if o.regressions else Text("-"),
            f"{o.seconds:.1f}",
        )
    table_console(console).print(table)
    for o in outcomes:
        if not o.audited:
            console.print(
                f"[red]failed[/red] {escape(o.site.label)}: {escape(o.error)}", soft_wrap=True
            )
    audited = sum(1 for o in outcomes if o.audited)
    console.print(f"{audited} of {len(outcomes)} sites audited")
