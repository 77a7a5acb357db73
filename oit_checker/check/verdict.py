"""A judged candidate's outcome and the Thai reason an officer reads, from what was found.

Once a candidate was opened and its components and period read (judging.py), what it ends as
follows from those alone: a wrong year or a missing component fails it, a year read only by OCR
or no year at all leaves it uncertain, everything present for the right year passes. Merged
items whose parts live on two pages pass by several candidates together (``combine``).
"""

from __future__ import annotations

from oit_checker.check.candidates import Candidate
from oit_checker.rules import Item
from oit_checker.urls import display_url


def conclude(item: Item, cand: Candidate) -> Candidate:
    """Set the outcome and reason of an opened candidate from its components and period."""
    period = cand.period
    assert period is not None
    labels = {c.name: c.label for c in item.components}
    helper_detail = f" ({cand.reason})" if cand.reason else ""
    found_at = f"พบ{item.title}ที่ {display_url(cand.url)}"
    problems = []
    if period.state == "wrong-year":
        problems.append(f"เป็นปี {years(period.seen)} ไม่ใช่ปีงบประมาณ {years(period.targets)}")
    if cand.missing:
        missing = ", ".join(labels[m] for m in cand.missing)
        problems.append(f"ขาด: {missing}{helper_detail}")
    if period.state == "wrong-year":
        cand.missing.append("period")
    if problems:
        cand.outcome = "fail"
        cand.reason = f"{found_at} แต่" + " และ".join(problems)
        return cand
    if period.state == "ocr-unsure":
        cand.outcome = "uncertain"
        cand.missing.append("period")
        cand.reason = (
            f"{found_at} แต่ปีที่อ่านจากเอกสารสแกนด้วย OCR ({years(period.seen)}) อาจอ่านเลขไทยผิด "
            f"ต้องเป็นปีงบประมาณ {years(period.targets)} ควรตรวจด้วยตา"
        )
        return cand
    if period.state == "not-the-item":  # no year, and the page is about something else
        cand.outcome = "fail"
        cand.missing.append("period")
        cand.reason = (
            f"{display_url(cand.url)} ไม่ใช่{item.title} (หน้านี้ไม่ได้ระบุว่าเป็นเรื่องนี้) "
            f"และไม่ระบุปี ต้องเป็นของปีงบประมาณ {years(period.targets)}"
        )
        return cand
    if period.state == "no-year":
        cand.outcome = "uncertain"
        cand.missing.append("period")
        cand.reason = f"{found_at} แต่ไม่ระบุปี ต้องเป็นของปีงบประมาณ {years(period.targets)}"
        return cand
    cand.outcome = "pass"
    shown = [y for y in period.seen if y in period.targets] or period.targets
    year_note = f" ปีงบประมาณ {years(shown)}" if period.targets else ""
    ocr_note = " (ปีอ่านจากเอกสารสแกนด้วย OCR ควรตรวจด้วยตา)" if period.ocr_only else ""
    cand.reason = f"{found_at} ครบทุกองค์ประกอบ{year_note}{ocr_note}"
    return cand


def combine(item: Item, judged: list[Candidate]) -> Candidate | None:
    """Merged items (structure + duties, declaration + culture activity, plan + progress)
    often live on two pages. When no single candidate has every component, candidates of
    the right period that together cover them all make the item present, each URL cited."""
    timeless = {c.name for c in item.components if (c.period or item.period) == "current"}
    pool = [
        c
        for c in judged
        if c.outcome == "fail"
        and c.found
        and c.period is not None
        and (c.period.ok or set(c.found) <= timeless)
    ]
    needed = {c.name for c in item.components}
    chosen: list[Candidate] = []
    covered: set[str] = set()
    while pool and covered != needed:
        pick = max(pool, key=lambda c: len(set(c.found) - covered))
        if not set(pick.found) - covered:
            break
        chosen.append(pick)
        covered |= set(pick.found)
        pool.remove(pick)
    if covered != needed or len(chosen) < 2:
        return None
    labels = {c.name: c.label for c in item.components}
    parts = [f"{display_url(c.url)} ({', '.join(labels[n] for n in c.found)})" for c in chosen]
    return Candidate(
        url=chosen[0].url,
        via=chosen[0].via,
        naming=chosen[0].naming,
        outcome="pass",
        reason=f"พบ{item.title}ครบทุกองค์ประกอบจาก {len(chosen)} แหล่ง: " + "; ".join(parts),
        found=[c.name for c in item.components],
        evidence=[c.evidence[0] for c in chosen if c.evidence],
    )


def publish_here(item: Item) -> str:
    """What to publish, and that it goes on the main website (criteria §6)."""
    fix = item.fix or f"เผยแพร่{item.title}"
    return f"ควร{fix}" + ("" if "เว็บไซต์หลัก" in fix else " บนเว็บไซต์หลักของหน่วยงาน")


def years(seen: list[int]) -> str:
    return ", ".join(str(y) for y in sorted(set(seen)))
