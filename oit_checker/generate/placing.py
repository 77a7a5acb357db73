"""Place the planned items on the site: store their pages and files, write the links to them
(the layout's hub, menus, an older year's section), apply link faults, and derive each item's
truth from what was placed.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from oit_checker.generate import distractors, documents, layout, links
from oit_checker.generate.blocks import to_html
from oit_checker.generate.content import Ctx
from oit_checker.generate.documents import EXTENSIONS
from oit_checker.generate.items import Carrier, ItemPlan
from oit_checker.generate.layout import GENERIC_TEXTS, Row
from oit_checker.generate.shapes import slug
from oit_checker.generate.truth import ItemTruth

if TYPE_CHECKING:
    from oit_checker.generate.site import Build

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "png": "image/png",
}
# Verdicts that agree with each truth (truth.py): off-site or login-only evidence scores 0 with
# an assessor and is reported uncertain by design, so both agree; a dead link likewise.
ACCEPT = {
    "none": ["present"], "missing_component": ["absent"], "wrong_year": ["absent"],
    "not_published": ["absent"], "placeholder": ["absent"], "dead_link": ["absent", "uncertain"],
    "offsite": ["uncertain", "absent"], "login": ["uncertain", "absent"],
}  # fmt: skip
STATUS = {"none": "present", "offsite": "uncertain", "login": "uncertain"}
READ_BY_OCR = {"pdf_scanned", "png"}


def _store_docs(build: Build, plan: ItemPlan) -> None:
    """Give every document a path (and a redirector link) and write it unless a dead link
    fault means its link must lead nowhere."""
    for doc in plan.docs:
        n = build.next()
        ext = EXTENSIONS[doc.kind]
        name = slug(doc.title, 50) if build.rng.random() < 0.6 else f"doc{n:03d}"
        if build.rng.random() < 0.2:
            name = doc.title[:50]  # raw title with spaces, as uploaded
        doc.path = build.unique(build.shape.file(n, name, ext))
        redirector = build.shape.doc_link(n)
        doc.link = redirector or doc.path
        data = documents.render(doc.kind, doc.blocks, doc.title)
        build.writer.add(doc.path, data, CONTENT_TYPES[ext])
        if redirector:
            build.writer.redirect(redirector, doc.path)


def _store_page(build: Build, plan: ItemPlan, tags: list[str]) -> None:
    page = plan.page
    assert page is not None
    page.path = page.link = build.unique(build.shape.page(build.next(), page.title, "ita"))
    body = to_html(page.blocks)
    if plan.docs:
        anchors = [links.anchor(d.link, d.title, page.path, build.rng, tags) for d in plan.docs]
        body += "\n<ul>" + "".join(f"<li>{a}</li>" for a in anchors) + "</ul>"
    build.write_page(page.path, page.title, body)


def _targets(plan: ItemPlan) -> list[tuple[str, str]]:
    """(link, text) of what the hub points at for this item."""
    if plan.page is not None:
        return [(plan.page.link, plan.page.title)]
    return [(d.link, d.title) for d in plan.docs]


def _hub_anchor(build: Build, target: str, text: str, hub_path: str, tags: list[str]) -> str:
    rng = build.rng
    if build.layout == "vendor":
        tags.append("anchor:button")
        return f'<a class="btn" href="{html.escape(target)}" target="_blank">เปิด</a>'
    if build.layout in ("table", "gsites") and rng.random() < 0.6:
        text = "คลิกที่นี่" if build.layout == "gsites" else rng.choice(GENERIC_TEXTS)
        tags.append("linktext:generic")
    return links.anchor(target, text, hub_path, rng, tags)


def _row_anchors(
    build: Build, plan: ItemPlan, label: str, hub_path: str, tags: list[str]
) -> list[str]:
    fault, rng = plan.fault, build.rng
    if fault == "not_published":
        return []
    if fault == "placeholder":
        return [links.dead_anchor(label, rng)]
    if fault == "offsite":
        return [f'<a href="{html.escape(plan.offsite)}" target="_blank">{html.escape(label)}</a>']
    if fault == "login":
        return [f'<a href="/member/login.php?return={build.next()}">{html.escape(label)}</a>']
    out = []
    for target, text in _targets(plan):
        shown = label if build.layout in ("per_item", "menus") else text
        out.append(_hub_anchor(build, target, shown, hub_path, tags))
    return out


def _store(build: Build, plan: ItemPlan, tags: list[str]) -> list[str]:
    """Write the item's resources; the evidence paths an assessor would accept."""
    if plan.fault in ("not_published", "placeholder", "offsite"):
        return []
    if plan.fault == "login":
        title = "เข้าสู่ระบบสมาชิก"
        form = '<form method="post"><p>ชื่อผู้ใช้ <input name="username"></p><p>รหัสผ่าน <input type="password" name="password"></p><button>เข้าสู่ระบบ</button></form>'
        build.write_page("/member/login.php", title, f"<p>กรุณาเข้าสู่ระบบเพื่อดูเอกสาร</p>{form}")
        return []
    if build.layout in ("per_item", "menus") and plan.page is None:
        plan.page = Carrier(plan.docs[0].title, [], "html")
    if plan.direct and build.layout not in ("per_item", "menus") and plan.docs:
        plan.page = None
    _store_docs(build, plan)
    if plan.page is not None:
        _store_page(build, plan, tags)
    evidence = [c.path for c in ([plan.page] if plan.page else []) + plan.docs]
    evidence += [d.link for d in plan.docs if d.link != d.path]
    if plan.page is not None and "?" in plan.page.path and "trap:print" in build.site_tags:
        evidence.append(plan.page.path + "&tmpl=component&print=1")
    if plan.fault == "dead_link":
        for target, _ in _targets(plan):
            build.writer.status(target, 404)
        return []
    blocks = [b for c in ([plan.page] if plan.page else []) + plan.docs for b in c.blocks]
    evidence += [b.href for b in blocks if b.kind == "link" and b.href]  # its on-site forms
    return evidence


def _truth(plan: ItemPlan, evidence: list[str], tags: list[str]) -> ItemTruth:
    status = STATUS.get(plan.fault, "absent")
    accept = list(ACCEPT[plan.fault])
    if status == "present" and any(d.kind in READ_BY_OCR for d in plan.docs):
        accept.append("uncertain")  # a year read only by OCR is uncertain by design (rules)
    kinds = {d.kind for d in plan.docs} or {"html"}
    tags = [*tags, f"fault:{plan.fault}", f"period:{plan.item.period}", *plan.tags]
    tags += [f"doc:{k}" for k in sorted(kinds)]
    tags += ["target:direct"] if plan.page is None and plan.docs else ["target:page"]
    note = f"{plan.fault}" + (f" ({plan.dropped})" if plan.dropped else "") + f", year {plan.year}"
    return ItemTruth(plan.item.id, status, accept, evidence, sorted(set(tags)), note)


def place_items(build: Build, plans: list[ItemPlan], ctx: Ctx) -> list[ItemTruth]:
    hub_path = build.shape.page(build.next(), f"ita-{build.profile.year}", "ita")
    rows, truths = [], []
    listing: list[tuple[ItemTruth, str]] = []  # items whose files the hub lists one by one
    for plan in plans:
        tags: list[str] = []
        evidence = _store(build, plan, tags)
        text = layout.label(plan.item.id, plan.item.title, build.rng, tags)
        anchors = _row_anchors(build, plan, text, hub_path, tags)
        sub = build.rules.subindicators[plan.item.subindicator][0]
        rows.append(Row(plan.item.id, text, plan.item.subindicator, sub, anchors))
        truths.append(_truth(plan, evidence, tags))
        if evidence and plan.page is None and len(plan.docs) > 1:
            listing.append((truths[-1], plan.item.subindicator))
    _listing_evidence(build, listing, hub_path)
    _forms(build, ctx, plans)
    older = build.layout in ("accordion", "table") and build.rng.random() < 0.6
    old = distractors.old_rows(build, plans, ctx, hub_path) if older else []
    if old:
        build.site_tags.append("distractor:previous_year")
    _hubs(build, rows, hub_path, old)
    return truths


def _listing_evidence(build: Build, listing: list[tuple[ItemTruth, str]], hub_path: str) -> None:
    """An item shown as a list of files on the hub (monthly สขร.1, plan + progress): the page
    holding that list is a URL an assessor accepts too (menus and app shells excepted)."""
    for truth, group in listing:
        if build.layout in ("table", "accordion", "vendor"):
            truth.evidence.append(hub_path)
        elif build.layout == "gsites":
            truth.evidence.append(build.group_paths.setdefault(group, _group_path(build, group)))


def _group_path(build: Build, group: str) -> str:
    return build.shape.page(build.next(), f"ita-{group}", "ita")


def _forms(build: Build, ctx: Ctx, plans: list[ItemPlan]) -> None:
    """On-site forms (Q&A board, e-service, complaint form) that placed evidence links to."""
    placed = " ".join(
        to_html(c.blocks)
        for plan in plans
        if plan.fault in ("none", "missing_component", "wrong_year", "dead_link")
        for c in ([plan.page] if plan.page else []) + plan.docs
    )
    titles = {
        "qa": "กระดานถาม-ตอบ",
        "eservice": "ยื่นคำร้องออนไลน์",
        "complaint": "แจ้งเรื่องร้องเรียนการทุจริต",
    }
    for role, path in sorted(ctx.forms.items()):
        if html.escape(path) not in placed:
            continue
        form = '<form method="post"><p>ชื่อ-นามสกุล <input name="name"></p><p>รายละเอียด <textarea name="detail"></textarea></p><button>ส่งข้อมูล</button></form>'
        build.write_page(path, titles.get(role, role), form)


def _hubs(build: Build, rows: list[Row], hub_path: str, old: list[Row]) -> None:
    fy, kind = build.profile.year, build.layout
    if kind == "table":
        hub = layout.table_hub(rows, fy, hub_path)
        if old:  # last year's table on its own page, linked from the menu
            old_path = build.shape.page(build.next(), f"ita-{fy - 1}", "ita")
            previous = layout.table_hub(old, fy - 1, old_path)
            hub.pages += previous.pages
            hub.menu += previous.menu
    elif kind == "jsapp":
        hub = layout.jsapp_hub(rows, fy, hub_path)
    elif kind == "accordion":
        hub = layout.accordion_hub(rows, old, fy, hub_path)
    elif kind == "per_item":
        hub = layout.per_item_hub(rows, fy, hub_path)
    elif kind == "vendor":
        hub = layout.vendor_hub(rows, fy, hub_path)
    elif kind == "gsites":
        groups = {
            r.group: build.group_paths.setdefault(r.group, _group_path(build, r.group))
            for r in rows
        }
        hub = layout.gsites_hub(rows, fy, hub_path, groups)
    else:
        hub = layout.menus_only(rows)
    build.menu = [("/", "หน้าหลัก"), *hub.menu]
    build.dropdowns = hub.dropdowns
    for path, title, body in hub.pages:
        build.write_page(path, title, body)
    for path, data, ctype in hub.files:
        build.writer.add(path, data, ctype)
