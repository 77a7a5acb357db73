"""The terminal report: one table per indicator, scores, and what to fix, Thai first."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from oit_checker.audit import AuditResult

STATUS_STYLE = {
    "present": ("มี", "green"),
    "absent": ("ไม่มี", "red"),
    "uncertain": ("ไม่แน่ใจ", "yellow"),
}


def print_report(result: AuditResult, console: Console) -> None:
    rules = result.rules
    console.print(
        f"[bold]OIT audit[/bold] {result.site}  ปีงบประมาณ {result.year}  "
        f"rules: {rules.path} ({rules.status})  as of {result.as_of.isoformat()}  run #{result.run_id}"
    )
    for ind_id, ind_title in rules.indicators.items():
        table = Table(title=f"ตัวชี้วัดที่ {ind_id} {ind_title}", show_lines=False, expand=True)
        table.add_column("ข้อ", no_wrap=True)
        table.add_column("รายการ", ratio=3)
        table.add_column("ผล", no_wrap=True)
        table.add_column("หลักฐาน / เหตุผล", ratio=5)
        for sub_id, (sub_title, sub_ind) in rules.subindicators.items():
            if sub_ind != ind_id:
                continue
            sub_score = result.scores.subindicators.get(sub_id)
            table.add_section()
            table.add_row(
                "",
                Text(f"{sub_id} {sub_title}", style="bold"),
                "",
                Text(f"{sub_score:.2f}" if sub_score is not None else "-", style="bold"),
            )
            for item in result.items:
                if item.subindicator != sub_id:
                    continue
                label, style = STATUS_STYLE[item.status]
                url = item.evidence[0].url if item.evidence else ""
                detail = Text(url + "\n" if url else "", style="cyan")
                detail.append(item.reason)
                table.add_row(item.id, item.title, Text(label, style=style), detail)
        console.print(table)
    s = result.scores
    console.print(
        "คะแนน: " + "  ".join(f"ตัวชี้วัดย่อย {k} = {v:.2f}" for k, v in s.subindicators.items())
    )
    console.print(
        "  ".join(f"ตัวชี้วัดที่ {k} = {v:.2f}" for k, v in s.indicators.items())
        + f"  [bold]OIT = {s.oit:.2f}[/bold]  (ค่าเฉลี่ยรายข้อ {s.item_average:.2f})"
    )
    if s.ita:
        console.print(f"[bold]ITA รวม = {s.ita['total']:.2f} ระดับ {s.ita['rating']}[/bold]")
    counts = {k: sum(1 for r in result.items if r.status == k) for k in STATUS_STYLE}
    st = result.stats
    console.print(
        f"มี {counts['present']}  ไม่มี {counts['absent']}  ไม่แน่ใจ {counts['uncertain']}  |  "
        f"pages {st['pages']}, documents {st['documents']}, errors {len(st['errors'])}, {st['seconds']} s"
        + (f", stopped by {st['stopped_by']}" if st.get("stopped_by") else "")
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
