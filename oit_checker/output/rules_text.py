"""What changed between two years' rules, for the terminal (``oit rules diff``)."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape

from oit_checker.rules import Item
from oit_checker.rules_kit import RulesDiff


def _named(item: Item) -> str:
    return f"{item.id} {escape(item.title)}"


def print_rules_diff(diff: RulesDiff, console: Console) -> None:
    old, new = diff.old.year, diff.new.year
    console.print(
        f"[bold]ITA {old} → ITA {new}[/bold]: {len(diff.old.items)} → {len(diff.new.items)} ข้อ "
        f"(items), จากลิงก์ was ของ {escape(diff.new.path.name)}",
        soft_wrap=True,
    )
    sections: list[tuple[str, str, list[str]]] = [
        ("green", f"เพิ่มใหม่ (added) ในปี {new}", [_named(i) for i in diff.added]),
        ("red", f"ตัดออก (removed): ข้อของปี {old} ที่ไม่มีข้อใดสืบต่อ", [_named(i) for i in diff.removed]),
        ("cyan", "รวมข้อ (merged)", [
            f"{'+'.join(p.id for p in parts)} → {_named(item)}" for item, parts in diff.merged
        ]),
        ("cyan", "แยก (split)", [
            f"{_named(item)} → {', '.join(n.id for n in heirs)}" for item, heirs in diff.split
        ]),
        ("yellow", "เปลี่ยนเลข ชื่อ ช่วงเวลา หรือองค์ประกอบ (renamed, renumbered or changed)", [
            f"{o.id} → {n.id}: " + "; ".join(escape(c) for c in changes)
            for o, n, changes in diff.renamed
        ]),
    ]  # fmt: skip
    for colour, heading, lines in sections:
        console.print(f"[bold {colour}]{heading}: {len(lines)}[/bold {colour}]")
        for line in lines:
            console.print(f"  {line}", soft_wrap=True)
    same = ", ".join(f"{o.id}" if o.id == n.id else f"{o.id}→{n.id}" for o, n in diff.unchanged)
    console.print(f"ไม่เปลี่ยน (unchanged): {len(diff.unchanged)}" + (f" ({same})" if same else ""))
