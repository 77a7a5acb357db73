"""One item's evidence as the seed places it: its fault, its content blocks, its carriers
(an HTML page, documents) and its truth.

The period kind of the rule item decides the year written into the evidence (``fy``: the assessed
year, ``prev_fy``: the year before, ``covers_fy``: a multi-year plan around it, ``half_year``: the
plan plus a six-month progress report, ``monthly``: one procurement summary per month due). A
fault then changes what is placed, and the truth follows what was placed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from oit_checker.dates import months_due
from oit_checker.generate import content
from oit_checker.generate.blocks import Block, h, p
from oit_checker.generate.content import DROPPABLE, MONTHS, WRITERS, Ctx
from oit_checker.generate.draw import weighted
from oit_checker.generate.profile import Profile
from oit_checker.rules import Item

# Fault -> weight. "none" dominates, as on real sites (10-20 % bad rows, real-sites.md §2.2).
FAULTS = {
    "none": 66, "missing_component": 9, "wrong_year": 7, "offsite": 5, "dead_link": 4,
    "not_published": 5, "placeholder": 2, "login": 2,
}  # fmt: skip
# Items whose evidence is a web page by nature (people cards, a contact page, a form, news).
HTML_ONLY = {"executives", "address", "online_service", "dated", "qa_channel", "online_channel"}
DOC_KINDS = {"pdf": 60, "docx": 12, "xlsx": 8, "pdf_legacy": 10, "png": 4, "pdf_scanned": 6}
OFFSITE = (
    "https://drive.google.com/drive/folders/1{code}?usp=sharing",
    "https://sites.google.com/view/ita-{code}/home",
    "https://www.facebook.com/{code}/posts/1029",
)


@dataclass
class Carrier:
    """One resource that holds (part of) an item's evidence."""

    title: str
    blocks: list[Block]
    kind: str  # "html" or a documents.RENDERERS kind
    path: str = ""  # where it is stored (set by the site builder)
    link: str = ""  # what links point at (a redirector, or the path)


@dataclass
class ItemPlan:
    item: Item
    fault: str
    year: int  # the year the content is for
    page: Carrier | None  # the item's own HTML page, when it has one
    docs: list[Carrier] = field(default_factory=list)
    direct: bool = False  # the hub links the documents directly, not the page
    dropped: str = ""
    offsite: str = ""
    tags: list[str] = field(default_factory=list)


def content_year(item: Item, fy: int, rng: random.Random, wrong: bool) -> int:
    """The year the evidence is written for; a wrong-year fault picks one the period refuses."""
    if wrong:
        return fy - 3 if item.period in ("prev_fy", "covers_fy") else fy - 2
    if item.period in ("prev_fy",):
        return fy - 1
    if item.period == "fy_or_prev":
        return rng.choice((fy, fy - 1))
    return fy


def year_phrase(item: Item, year: int, ctx: Ctx) -> str:
    if item.period == "current":
        return ""
    if item.period == "covers_fy":
        return f"พ.ศ. {ctx.num(year - 2)} - {ctx.num(year + 2)}"
    return ctx.fy(year)


def choose_fault(item: Item, rng: random.Random) -> str:
    fault = weighted(rng, FAULTS)
    droppable = [c.name for c in item.components if c.name in DROPPABLE]
    if fault == "wrong_year" and item.period == "current":
        fault = "missing_component"
    if fault == "missing_component" and (not droppable or len(item.components) < 2):
        fault = "not_published"
    return fault


def _component_blocks(writer: content.Writer, period: str, ctx: Ctx) -> list[Block]:
    """A component with its own period (2569: last year's gift report inside a FY item) is
    written for that period's year."""
    if period not in ("prev_fy",):
        return writer(ctx)
    year, ctx.year = ctx.year, ctx.year - 1
    try:
        return writer(ctx)
    finally:
        ctx.year = year


def item_blocks(item: Item, ctx: Ctx, dropped: str) -> tuple[list[Block], list[str]]:
    """The content of the item: a title line with its year, then each component's text."""
    tags: list[str] = []
    title = f"{item.title} {year_phrase(item, ctx.year, ctx)}".strip()
    blocks = [h(title)]
    names = {c.name for c in item.components}
    for component in item.components:
        if component.name == dropped or component.name == "progress":
            continue
        writer = WRITERS.get(component.name)
        if component.name == "steps" and "timeframe" in names:
            writer = content.COMPLAINT_ITEMS_STEPS
        if component.name == "dated" and dropped == "dated":
            continue
        if writer is None:
            tags.append("content:fallback")
            blocks.append(p(component.label))
            continue
        if component.name == "executives" and dropped == "executives":
            continue
        blocks.extend(_component_blocks(writer, component.period, ctx))
    if dropped == "executives":
        blocks.extend(content._executives(ctx, contact=False))
    if dropped == "dated" and "dated" in names:
        blocks.extend(content._news(ctx, dated=False))
    if ctx.rng.random() < 0.3:  # the covering memo many posted files end with
        blocks.append(p(f"{ctx.profile.units[0]} จึงเรียนมาเพื่อโปรดทราบ"))
    return blocks, tags


def _doc_kind(rng: random.Random, allow_scan: bool) -> str:
    kinds = dict(DOC_KINDS)
    if not allow_scan:
        kinds.pop("pdf_scanned")
    return weighted(rng, kinds)


def plan_item(
    item: Item, profile: Profile, rng: random.Random, ctx: Ctx, allow_scan: bool, force: str = ""
) -> ItemPlan:
    """``force`` ("fault" or "missing_component:NAME") overrides the drawn fault, for tests that
    change one placement and watch the truth follow; the rng is drawn from all the same."""
    fault = choose_fault(item, rng)
    ctx.year = content_year(item, profile.year, rng, fault == "wrong_year")
    droppable = sorted(c.name for c in item.components if c.name in DROPPABLE)
    dropped = rng.choice(droppable) if fault == "missing_component" else ""
    if force:
        fault, _, dropped = force.partition(":")
        ctx.year = content_year(item, profile.year, random.Random(0), fault == "wrong_year")
    blocks, tags = item_blocks(item, ctx, dropped)
    plan = ItemPlan(item, fault, ctx.year, None, dropped=dropped, tags=tags)
    html_only = any(c.name in HTML_ONLY for c in item.components)
    title = blocks[0].text
    if item.period == "monthly":
        _monthly_docs(plan, ctx, profile, rng, title)
    elif html_only or rng.random() < 0.45:
        plan.page = Carrier(title, blocks, "html")
    else:
        kind = _doc_kind(rng, allow_scan)
        plan.docs.append(Carrier(title, blocks, kind))
        plan.direct = rng.random() < 0.6
    if any(c.name == "progress" for c in item.components) and dropped != "progress":
        progress = [h(f"รายงานผลการดำเนินงาน รอบ 6 เดือน {ctx.fy()}"), *content._progress(ctx)]
        plan.docs.append(Carrier(progress[0].text, progress, _doc_kind(rng, False)))
    if plan.page is None and (plan.direct is False or not plan.docs):
        intro = [h(title), p("ดาวน์โหลดเอกสารได้ที่ลิงก์ด้านล่าง")]
        plan.page = Carrier(title, intro, "html")
    if fault == "offsite":
        code = f"{rng.getrandbits(40):010x}"
        plan.offsite = rng.choice(OFFSITE).format(code=code)
    return plan


def _monthly_docs(
    plan: ItemPlan, ctx: Ctx, profile: Profile, rng: random.Random, title: str
) -> None:
    """One สขร.1 summary per month due; a "months" fault leaves one out."""
    due = months_due(ctx.year, profile.as_of) if ctx.year == profile.year else ctx.fy_months()
    if plan.dropped == "months" and len(due) > 1:
        left_out = rng.choice(due[:-1])  # drawn once: exactly one month is missing
        due = [m for m in due if m != left_out]
    kind = rng.choice(("pdf", "pdf", "xlsx", "pdf_legacy"))
    for year, month in due:
        fields = plan.dropped != "summary_fields"
        blocks = content.procurement_month(ctx, year, month, fields=fields)
        name = f"{len(plan.docs) + 1}.สขร.เดือน {MONTHS[month - 1]} {ctx.num(year)}"
        plan.docs.append(Carrier(name, blocks, kind))
    plan.page = Carrier(title, [h(title), p("สรุปผลการจัดซื้อจัดจ้างรายเดือน (สขร.1)")], "html")
    plan.direct = rng.random() < 0.5
