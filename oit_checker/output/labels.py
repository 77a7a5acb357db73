"""Every word a person reads for a verdict, and the Thai names a rule file gives its items.

One table, so the terminal, the HTML report, the answer sheet and the e-mail never disagree on
what a status is called (they once defined it in five places). The names of indicators,
sub-indicators and components are not stored with a run; they come from its rule file, or are
empty when that file is gone (a run copied from another machine).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from oit_checker.models import STATUSES
from oit_checker.rules import RuleSet, run_rules

# status -> (Thai label, terminal colour)
STATUS_STYLE: dict[str, tuple[str, str]] = {
    "present": ("มี", "green"),
    "absent": ("ไม่มี", "red"),
    "uncertain": ("ไม่แน่ใจ", "yellow"),
}
STATUS_TH: dict[str, str] = {status: label for status, (label, _) in STATUS_STYLE.items()}
# What ITAS is answered: it knows only มี and ไม่มี, and assessors do not count what the checker
# could not confirm, so an uncertain item is answered ไม่มี until the officer checks it.
ANSWER_TH: dict[str, str] = {"present": "มี", "absent": "ไม่มี", "uncertain": "ไม่มี"}
# The verdict columns of tables that count verdicts (history, batch summary).
COUNT_COLUMNS: tuple[str, ...] = tuple(STATUS_TH[s] for s in STATUSES)

KIND_TH = {
    "page": "หน้าเว็บ",
    "pdf": "PDF",
    "docx": "Word",
    "doc": "Word",
    "xlsx": "Excel",
    "xls": "Excel",
    "image": "รูปภาพ",
    "external": "นอกเว็บไซต์หลัก",
    "link": "ลิงก์ (เปิดไม่ได้)",
}
RULE_STATUS_TH = {
    "confirmed": "ยืนยันแล้ว",
    "inferred": "อนุมานจากแหล่งข้อมูล",
    "provisional": "ฉบับร่าง ควรตรวจกับคู่มือของสำนักงาน ป.ป.ช.",
}


def status_th(status: str) -> str:
    """The Thai word for a verdict; an unknown status (a newer database) is shown as it is."""
    return STATUS_TH.get(status, status)


@dataclass
class RuleLabels:
    """Thai names the JSON leaves out (indicator titles, component labels, what to publish)."""

    indicators: dict[str, str] = field(default_factory=dict)
    subindicators: dict[str, str] = field(default_factory=dict)
    components: dict[str, dict[str, str]] = field(default_factory=dict)  # item id -> name -> label
    fixes: dict[str, str] = field(default_factory=dict)  # item id -> what to publish
    effort: dict[str, int] = field(default_factory=dict)  # item id -> work to publish (rules)
    fix_first_max: int = 5

    @classmethod
    def of(cls, rules: RuleSet) -> RuleLabels:
        return cls(
            indicators=dict(rules.indicators),
            subindicators={sid: title for sid, (title, _) in rules.subindicators.items()},
            components={it.id: {c.name: c.label for c in it.components} for it in rules.items},
            fixes={it.id: it.fix for it in rules.items if it.fix},
            effort={
                it.id: int(rules.thresholds.get("fix_first_effort", {}).get(it.period, 9))
                for it in rules.items
            },
            fix_first_max=int(rules.thresholds.get("fix_first_max", 5)),
        )

    def component(self, item_id: str, name: str) -> str:
        if name == "period":
            return "ปีหรือช่วงเวลาที่ถูกต้อง"
        return self.components.get(item_id, {}).get(name, name)


def rule_labels(result: dict) -> RuleLabels:
    """Labels from the run's rule file, or empty ones when it is gone (a run from elsewhere)."""
    rules = run_rules(result.get("rules", {}).get("path", ""))
    return RuleLabels.of(rules) if rules is not None else RuleLabels()


def by_subindicator(result: dict) -> dict[str, dict[str, list[dict]]]:
    """The items grouped as every report shows them: per indicator, per sub-indicator, in rule
    order (from the result itself, so a run whose rule file is gone shows the same way)."""
    groups: dict[str, dict[str, list[dict]]] = {}
    for item in result["items"]:
        groups.setdefault(item["indicator"], {}).setdefault(item["subindicator"], []).append(item)
    return groups
