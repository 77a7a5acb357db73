"""Last year's OIT section beside this year's (real-sites.md §1.1 B, §5 items 1 and 21): an
accordion or an older hub page that links the previous assessment's evidence. None of it may
satisfy an item of the assessed year, so each older document is written for a year the item's
period refuses, and an item of period ``current`` links this year's target only when that target
is complete (otherwise last year's copy would make the item present).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from oit_checker.generate import documents, layout, links
from oit_checker.generate.content import Ctx
from oit_checker.generate.items import ItemPlan, item_blocks
from oit_checker.generate.layout import Row
from oit_checker.generate.shapes import slug

if TYPE_CHECKING:
    from oit_checker.generate.site import Build

MAX_OLD_DOCS = 6


def old_year(plan: ItemPlan, fy: int) -> int | None:
    """The year of last assessment's evidence for this item, or None to leave it out."""
    period = plan.item.period
    if period in ("covers_fy", "monthly"):
        return None  # a 5-year plan of last year still covers this one; 12 files is too many
    if period in ("prev_fy", "fy_or_prev"):
        return fy - 2
    return fy - 1


def old_rows(build: Build, plans: list[ItemPlan], ctx: Ctx, page: str) -> list[Row]:
    """Rows of the previous year's section; stores the older documents they link."""
    fy, rng = build.profile.year, build.rng
    rows, docs_left = [], MAX_OLD_DOCS
    for plan in plans:
        item = plan.item
        sub = build.rules.subindicators[item.subindicator][0]
        if item.period == "current":
            target = plan.page or (plan.docs[0] if plan.docs else None)
            if plan.fault != "none" or target is None or not target.path:
                continue
            anchors = [links.anchor(target.link, target.title, page, rng, [])]
        else:
            year = old_year(plan, fy)
            if year is None or docs_left == 0 or rng.random() < 0.5:
                continue
            docs_left -= 1
            ctx.year = year
            blocks, _ = item_blocks(item, ctx, "")
            title = blocks[0].text
            path = build.unique(build.shape.file(build.next(), slug(title, 50), "pdf"))
            build.writer.add(path, documents.render("pdf", blocks, title), "application/pdf")
            anchors = [links.anchor(path, title, page, rng, [])]
        text = layout.label(item.id, item.title, rng, [])
        rows.append(Row(item.id, text, item.subindicator, sub, anchors))
    return rows
