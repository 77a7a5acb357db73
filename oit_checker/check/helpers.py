"""The few checks that rule data cannot express, each small and named after what it checks.

A component with ``helper = "executives"`` or ``helper = "procurement_months"`` in a rule file
calls the function of that name here.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from oit_checker.check.people import PeopleRules, executives_of
from oit_checker.dates import THAI_MONTH_NAMES, find_months, months_due
from oit_checker.models import Page
from oit_checker.rules import RuleSet

MONTH_HEAD_CHARS = 400


@dataclass
class Bundle:
    """What an assessor sees from one candidate URL: the page and the files it links to."""

    target: Page
    docs: list[Page] = field(default_factory=list)
    link_texts: list[str] = field(default_factory=list)  # texts of the links inside the bundle

    def pages(self) -> list[Page]:
        return [self.target, *self.docs]


@dataclass
class HelperContext:
    rules: RuleSet
    fiscal_year: int
    as_of: dt.date


@dataclass
class HelperResult:
    found: bool
    detail: str = ""  # Thai, for the reason
    evidence_urls: list[str] = field(default_factory=list)


def _pattern(ctx: HelperContext, name: str, fallback: str) -> re.Pattern[str]:
    return re.compile(ctx.rules.patterns.get(name, fallback))


def executives(bundle: Bundle, ctx: HelperContext) -> HelperResult:
    """Each executive needs a name, a position, a photo and a phone or e-mail (criteria §5).

    A photo is an image whose surrounding block names a person; that block must also hold a
    contact. People named with a position but without any photo block are missing a photo.
    Board members and vacant posts are not executives (check/people.py).
    """
    board = ctx.rules.patterns.get("board_heading")
    executive = ctx.rules.patterns.get("executive_heading")
    rules = PeopleRules(
        person=_pattern(ctx, "person", r"(?:นางสาว|นาง|นาย|ดร\.)\s?[ก-๙]{2,}\s+[ก-๙]{2,}"),
        position=_pattern(ctx, "position", r"นายก|ปลัด|ผู้อำนวยการ|รองนายก|หัวหน้า|อธิบดี|เลขาธิการ"),
        board=re.compile(board) if board else None,
        executive=re.compile(executive) if executive else None,
    )
    contact = re.compile(
        ctx.rules.patterns.get("phone", r"0\d[\d\- ]{7,11}")
        + "|"
        + ctx.rules.patterns.get("email", r"\S+@\S+")
    )
    people = executives_of(bundle.pages(), rules)
    cards = people.cards
    if not cards:
        return HelperResult(False, "ไม่พบรูปถ่ายพร้อมชื่อและตำแหน่งของผู้บริหาร")
    no_photo = sorted(n for n in people.named if n not in cards)
    no_contact = sorted(name for name, text in cards.items() if not contact.search(text))
    problems = []
    if no_photo:
        problems.append("ไม่มีรูปถ่าย: " + ", ".join(no_photo))
    if no_contact:
        problems.append("ไม่มีช่องทางติดต่อ (โทรศัพท์/อีเมล): " + ", ".join(no_contact))
    if problems:
        return HelperResult(False, "; ".join(problems))
    return HelperResult(True, f"ผู้บริหาร {len(cards)} คน มีชื่อ ตำแหน่ง รูปถ่าย และช่องทางติดต่อ")


def procurement_months(bundle: Bundle, ctx: HelperContext) -> HelperResult:
    """One procurement summary per month of the fiscal year that has ended by the audit date."""
    due = months_due(ctx.fiscal_year, ctx.as_of)
    texts = [*bundle.link_texts, bundle.target.title, bundle.target.text]
    for doc in bundle.docs:
        texts.extend([doc.title, doc.text[:MONTH_HEAD_CHARS]])
    found = {ym for text in texts if text for ym in find_months(text)}
    missing = [ym for ym in due if ym not in found]
    if not due:
        return HelperResult(True, "ยังไม่มีเดือนที่ต้องรายงาน")
    if missing:
        names = ", ".join(f"{THAI_MONTH_NAMES[m][0]} {y}" for y, m in missing)
        return HelperResult(False, f"ขาดรายงานสรุปผลการจัดซื้อจัดจ้างเดือน {names}")
    return HelperResult(True, f"มีรายงานครบ {len(due)} เดือน")


HELPERS: dict[str, Callable[[Bundle, HelperContext], HelperResult]] = {
    "executives": executives,
    "procurement_months": procurement_months,
}
