"""What an audit is doing, on the terminal: one bar per phase as it begins (crawl, documents,
OCR, judging; a quick re-audit's re-check), each with its real total.

The crawl's total is what is fetched plus what is still queued, within the page budget, so the
bar ends full when the crawl does (it was the page budget alone: a 40-page site stopped at
15 % of 300 and looked hung). Phases arrive from ``audit.Progress`` callbacks.
"""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from oit_checker.urls import display_url

# phase -> what the officer reads (Thai first)
PHASES = {
    "revisit": "ตรวจซ้ำ URL เดิม (re-check)",
    "crawl": "เก็บหน้าเว็บ (crawl)",
    "documents": "อ่านเอกสาร (documents)",
    "ocr": "OCR หน้าสแกน",
    "judging": "ตัดสินรายข้อ (judging)",
}
NOTE_CHARS = 28


class PhaseBars:
    """A rich Progress with a bar per phase; call it as ``audit``'s progress callback."""

    def __init__(self, console: Console) -> None:
        self.progress = Progress(
            TextColumn("{task.fields[phase]}", style="bold"),
            BarColumn(bar_width=None),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.description}", style="dim"),
            console=console,
            transient=True,
            expand=True,
        )
        self.tasks: dict[str, TaskID] = {}

    def __enter__(self) -> PhaseBars:
        self.progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.__exit__(*exc)  # type: ignore[arg-type]

    def __call__(self, phase: str, done: int, total: int, note: str = "") -> None:
        task = self.tasks.get(phase)
        if task is None:
            if phase == "judging":  # everything read: the bars before it are full
                for earlier in self.tasks.values():
                    self.progress.update(earlier, completed=self.progress.tasks[earlier].total)
            task = self.progress.add_task("", total=total, phase=PHASES.get(phase, phase))
            self.tasks[phase] = task
        shown = display_url(note) if "://" in note else note
        self.progress.update(
            task, completed=done, total=max(total, done), description=shown[-NOTE_CHARS:]
        )
