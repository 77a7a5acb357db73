"""The printable HTML report for the web officer and their director: one self-contained file.

It reads the JSON contract (``RunResult.as_dict()`` or a ``--json`` file), so a stored run
renders like a fresh one. No external fonts, scripts or images: it must open offline, from an
e-mail attachment, and print on A4 without cutting tables. Item text comes from the audited
websites, so every value is escaped and only http(s) addresses become links.
"""

from __future__ import annotations

import datetime as dt
from html import escape
from urllib.parse import urlsplit

from oit_checker.models import count_statuses
from oit_checker.output.labels import (
    KIND_TH,
    RULE_STATUS_TH,
    RuleLabels,
    by_subindicator,
    rule_labels,
    status_th,
)
from oit_checker.output.prose import tidy
from oit_checker.urls import display_url, normalize_url

CSS = """
:root { --ok: #1b5e20; --ok-bg: #e3f4e4; --bad: #b71c1c; --bad-bg: #fde7e7;
  --warn: #7a4b00; --warn-bg: #fff3cd; --line: #c9ced6; --muted: #555; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1200px; padding: 16px 20px; color: #1a1a1a; background: #fff;
  font: 15px/1.6 "Leelawadee UI", "Noto Sans Thai", Tahoma, Loma, Garuda, sans-serif; }
h1 { font-size: 1.5em; margin: 0 0 .2em; }
h2 { font-size: 1.25em; margin: 1.4em 0 .4em; border-bottom: 2px solid #333; }
h3 { font-size: 1.05em; margin: 1em 0 .3em; }
a { color: #0b4f9c; overflow-wrap: anywhere; }
.meta { display: grid; grid-template-columns: max-content 1fr; gap: 0 12px; margin: 0; }
.meta dt { font-weight: bold; } .meta dd { margin: 0; overflow-wrap: anywhere; }
.note { color: var(--muted); font-size: .9em; }
.warning { border-left: 4px solid var(--warn); background: var(--warn-bg); padding: 6px 10px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 8px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 6px 10px; break-inside: avoid; }
.card .label { font-size: .85em; color: var(--muted); }
.card .value { font-size: 1.5em; font-weight: bold; }
.card.main { border: 2px solid #333; }
.card.main .value { font-size: 2em; }
table { width: 100%; border-collapse: collapse; table-layout: fixed; margin: .3em 0 1em; }
th, td { border: 1px solid var(--line); padding: 4px 6px; vertical-align: top; text-align: left;
  overflow-wrap: anywhere; }
th { background: #eef0f3; }
tr { break-inside: avoid; page-break-inside: avoid; }
thead { display: table-header-group; }
tr.absent td:first-child { border-left: 4px solid var(--bad); }
tr.uncertain td:first-child { border-left: 4px solid var(--warn); }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-weight: bold;
  border: 1px solid; white-space: nowrap; }
.badge.present { color: var(--ok); background: var(--ok-bg); }
.badge.absent { color: var(--bad); background: var(--bad-bg); }
.badge.uncertain { color: var(--warn); background: var(--warn-bg); }
.evidence { margin: 0; padding: 0; list-style: none; }
.evidence li { margin-bottom: 4px; }
.kind { font-size: .8em; color: var(--muted); }
.missing { color: var(--bad); }
.regression { color: var(--bad); font-weight: bold; }
.improved { color: var(--ok); font-weight: bold; }
col.c-id { width: 3.2em; } col.c-title { width: 16%; } col.c-status { width: 5.6em; }
col.c-evidence { width: 21%; } col.c-reason { width: 23%; }
col.c-was { width: 6.5em; } col.c-note { width: 24%; }
td:first-child { white-space: nowrap; }
.subtitle { margin: 0 0 .6em; font-size: 1.05em; }
h1 { overflow-wrap: anywhere; }
#fix-first ol { margin: .3em 0; padding-left: 1.6em; } #fix-first li { margin-bottom: .4em; }
#legend ul { margin: .2em 0; padding-left: 1.2em; } #legend li { margin-bottom: .2em; }
/* A phone (390 px): each item is a card, its cells one under the other, the fix visible. */
@media screen and (max-width: 640px) {
  body { padding: 10px; }
  .meta { grid-template-columns: 1fr; } .meta dt { margin-top: .3em; }
  table.items, table.items tbody, table.items tr, table.items td { display: block; width: auto; }
  table.items colgroup, table.items thead { display: none; }
  table.items tr { border: 1px solid var(--line); border-radius: 6px; margin: 0 0 10px;
    padding: 4px 0; }
  table.items td { border: 0; padding: 2px 8px; white-space: normal; }
  table.items td:nth-child(-n+3) { display: inline-block; font-weight: bold; }
  table.items td[data-label]::before { content: attr(data-label); display: block;
    font-size: .85em; font-weight: bold; color: var(--muted); }
  table.items tr.absent { border-left: 5px solid var(--bad); }
  table.items tr.uncertain { border-left: 5px solid var(--warn); }
  table.items tr td:first-child { border-left: 0; }
  table.items tr.present td[data-label="สิ่งที่ต้องแก้"] { display: none; }
}
@page { size: A4; margin: 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  h2 { break-after: avoid; } h3 { break-after: avoid; }
  .cards { grid-template-columns: repeat(4, 1fr); }
  a { color: #0b4f9c; text-decoration: none; }
}
"""


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _link(url: str, text: str | None = None, css: str = "") -> str:
    """A clickable link for http(s) only; anything else (javascript:, data:) stays plain text."""
    shown = _e(text if text is not None else display_url(url))
    if urlsplit(url).scheme not in ("http", "https"):
        return shown
    cls = f' class="{css}"' if css else ""
    return f'<a{cls} href="{_e(url)}" target="_blank" rel="noopener">{shown}</a>'


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _badge(status: str) -> str:
    return f'<span class="badge {_e(status)}">{_e(status_th(status))}</span>'


def agency_name(result: dict) -> str:
    """Who the report is about: the home page's title as the audit stored it, else the host."""
    name = " ".join(str(result.get("stats", {}).get("site_name") or "").split())
    return name or (urlsplit(result["site"]).hostname or result["site"])


def _header(result: dict) -> str:
    rules, stats = result["rules"], result.get("stats", {})
    rule_status = RULE_STATUS_TH.get(rules["status"], rules["status"])
    crawl = (
        f"หน้าเว็บ {stats.get('pages', 0)} หน้า, เอกสาร {stats.get('documents', 0)} ไฟล์, "
        f"ลิงก์ที่เปิดไม่ได้ {len(stats.get('errors', []))}, "
        f"ใช้เวลา {stats.get('seconds', 0)} วินาที"
    )
    rows = [
        ("เว็บไซต์", _link(result["site"])),
        ("ปีงบประมาณ", _e(result["year"])),
        # the rule set by name and year: where its file lies on the server is no reader's business
        ("เกณฑ์", f"{_e(rules['title'])} ({_e(rule_status)})"),
        ("วันที่ตรวจ", _e(result["as_of"])),
        ("รอบการตรวจ", f"#{_e(result['run_id'])}"),
        ("การเก็บข้อมูล", _e(crawl)),
    ]
    meta = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows)
    stopped = ""
    if stats.get("stopped_by"):
        stopped = (
            '<p class="warning">การเก็บข้อมูลหยุดก่อนครบ '
            f"({_e(stats['stopped_by'])}) ผลบางข้ออาจเป็น ไม่มี "
            "เพราะยังไม่ได้เปิดหน้าที่เกี่ยวข้อง</p>"
        )
    return (
        f'<header><h1 id="agency">{_e(agency_name(result))}</h1>'
        '<p class="subtitle">รายงานผลการตรวจแบบวัดการเปิดเผยข้อมูลสาธารณะ (OIT) '
        f"ปีงบประมาณ {_e(result['year'])}</p>"
        f'<dl class="meta">{meta}</dl>{stopped}</header>'
    )


def _fix_first(result: dict, labels: RuleLabels) -> str:
    """The few ไม่มี items to publish first: least work first (the rules' effort per period),
    each with what to publish."""
    absent = [i for i in result["items"] if i["status"] == "absent"]
    if not absent:
        return ""
    order = {item["id"]: n for n, item in enumerate(result["items"])}
    absent.sort(key=lambda i: (labels.effort.get(i["id"], 9), order[i["id"]]))
    shown = absent[: labels.fix_first_max]
    rows = "".join(
        f'<li data-id="{_e(i["id"])}"><b>{_e(i["id"])} {_e(i["title"])}</b>: '
        f"{_e(labels.fixes.get(i['id']) or tidy(i['reason']))}</li>"
        for i in shown
    )
    more = len(absent) - len(shown)
    rest = f'<p class="note">และอีก {more} ข้อในตารางด้านล่าง</p>' if more else ""
    return (
        '<section id="fix-first"><h2>สิ่งที่ควรแก้ก่อน</h2>'
        '<p class="note">ข้อที่ ไม่มี ซึ่งแก้ได้เร็วที่สุดก่อน (หน้าเว็บหรือข้อมูลที่มีอยู่แล้ว '
        f"ก่อนรายงานประจำปี) พร้อมสิ่งที่ต้องเผยแพร่</p><ol>{rows}</ol>{rest}</section>"
    )


def _card(label: str, value: str, css: str = "card") -> str:
    return (
        f'<div class="{css}"><div class="label">{label}</div><div class="value">{value}</div></div>'
    )


def _scores(result: dict, labels: RuleLabels) -> str:
    scores = result["scores"]
    counts = count_statuses(i["status"] for i in result["items"])
    main = [_card("คะแนน OIT", _num(scores["oit"]), "card main")]
    for iid, value in scores["indicators"].items():
        name = labels.indicators.get(iid, "")
        main.append(_card(f"ตัวชี้วัดที่ {_e(iid)} {_e(name)}", _num(value)))
    main.append(_card("ค่าเฉลี่ยรายข้อ", _num(scores["item_average"])))
    ita = scores.get("ita")
    if ita:
        main.append(_card("ITA รวม", f"{_num(ita['total'])} <small>{_e(ita['rating'])}</small>"))
    subs = [
        _card(f"{_e(sid)} {_e(labels.subindicators.get(sid, ''))}", _num(value))
        for sid, value in scores["subindicators"].items()
    ]
    tally = (
        f"<p>{_badge('present')} {counts['present']} ข้อ &nbsp; {_badge('absent')} "
        f"{counts['absent']} ข้อ &nbsp; {_badge('uncertain')} {counts['uncertain']} ข้อ "
        f"จากทั้งหมด {len(result['items'])} ข้อ</p>"
    )
    return (
        f'<section id="scores"><h2>คะแนน</h2><div class="cards">{"".join(main)}</div>'
        f'<h3>ตัวชี้วัดย่อย</h3><div class="cards">{"".join(subs)}</div>{tally}</section>'
    )


def _short(url: str, site: str) -> str:
    """An address as shown: the path on the audited site (its host is in the header), else whole."""
    parts, home = urlsplit(url), urlsplit(site)
    if parts.netloc != home.netloc or parts.scheme != home.scheme:
        return display_url(url)
    if parts.path in ("", "/") and not parts.query:
        return "หน้าแรก"
    shown = urlsplit(display_url(url))
    return (shown.path or "/") + (f"?{shown.query}" if shown.query else "")


def _evidence(item: dict, site: str) -> str:
    if not item["evidence"]:
        return '<span class="note">ไม่พบ</span>'
    rows = []
    first_url = item["evidence"][0]["url"]
    for ev in item["evidence"]:
        via = ""
        if ev.get("via") and ev["via"] != first_url:  # documents of the page above: said once
            via_link = _link(ev["via"], _short(ev["via"], site), "via")
            via = f'<br><span class="kind">ลิงก์จาก {via_link}</span>'
        kind = KIND_TH.get(ev["kind"], ev["kind"])
        link = _link(ev["url"], _short(ev["url"], site), "evidence")
        rows.append(f'<li><span class="kind">{_e(kind)}:</span> {link}{via}</li>')
    return f'<ul class="evidence">{"".join(rows)}</ul>'


def _fix(item: dict, labels: RuleLabels) -> str:
    """What to fix: nothing when present; the rule's advice, or the reason, otherwise."""
    if item["status"] == "present":
        return '<span class="note">-</span>'
    advice = labels.fixes.get(item["id"], "")
    if item["status"] == "uncertain":
        check = "ตรวจสอบด้วยตนเองก่อนตอบ และให้ข้อมูลอยู่บนเว็บไซต์หลักของหน่วยงาน"
        return _e(f"{check}: {advice}" if advice else f"{check} ({tidy(item['reason'])})")
    return _e(advice or tidy(item["reason"]))


def _item_row(item: dict, labels: RuleLabels, site: str) -> str:
    missing = ""
    if item["missing"]:
        names = ", ".join(labels.component(item["id"], n) for n in item["missing"])
        missing = f'<div class="missing">องค์ประกอบที่ขาด: {_e(names)}</div>'
    status = _e(item["status"])
    return (
        f'<tr class="item {status}" data-id="{_e(item["id"])}" data-status="{status}">'
        f"<td>{_e(item['id'])}</td><td>{_e(item['title'])}</td><td>{_badge(item['status'])}</td>"
        f'<td data-label="หลักฐาน">{_evidence(item, site)}</td>'
        f'<td data-label="เหตุผล">{_e(tidy(item["reason"]))}{missing}</td>'
        f'<td data-label="สิ่งที่ต้องแก้">{_fix(item, labels)}</td></tr>'
    )


ITEM_TABLE_HEAD = (
    '<colgroup><col class="c-id"><col class="c-title"><col class="c-status">'
    '<col class="c-evidence"><col class="c-reason"><col class="c-fix"></colgroup>'
    "<thead><tr><th>ข้อ</th><th>รายการ</th><th>ผล</th><th>หลักฐาน / สิ่งที่พบ</th><th>เหตุผล</th>"
    "<th>สิ่งที่ต้องแก้</th></tr></thead>"
)


def _items(result: dict, labels: RuleLabels) -> str:
    """Per indicator, per sub-indicator: a table of its items, in rule order."""
    scores = result["scores"]
    parts = []
    for iid, subs in by_subindicator(result).items():
        ind_score = _num(scores["indicators"].get(iid))
        name = labels.indicators.get(iid, "")
        parts.append(f"<h2>ตัวชี้วัดที่ {_e(iid)} {_e(name)} — {ind_score} คะแนน</h2>")
        for sid, items in subs.items():
            sub_score = _num(scores["subindicators"].get(sid))
            sub_name = labels.subindicators.get(sid, "")
            rows = "".join(_item_row(i, labels, result["site"]) for i in items)
            parts.append(
                f"<h3>ตัวชี้วัดย่อย {_e(sid)} {_e(sub_name)} — {sub_score} คะแนน</h3>"
                f'<table class="items">{ITEM_TABLE_HEAD}<tbody>{rows}</tbody></table>'
            )
    return f'<section id="items">{"".join(parts)}</section>'


def _delta(now: float | None, before: float | None) -> str:
    if now is None or before is None:
        return _num(now)
    diff = now - before
    css = "regression" if diff < 0 else "improved" if diff > 0 else ""
    return f'{_num(before)} → {_num(now)} <span class="{css}">({diff:+.2f})</span>'


def _score_changes(now: dict, before: dict) -> str:
    rows = [("OIT", now["oit"], before.get("oit"))]
    rows += [
        (f"ตัวชี้วัดที่ {iid}", value, before.get("indicators", {}).get(iid))
        for iid, value in now["indicators"].items()
    ]
    rows.append(("ค่าเฉลี่ยรายข้อ", now["item_average"], before.get("item_average")))
    body = "".join(f"<tr><td>{_e(k)}</td><td>{_delta(v, b)}</td></tr>" for k, v, b in rows)
    return f"<h3>คะแนน</h3><table><tbody>{body}</tbody></table>"


def _status_changes(result: dict, before_items: dict[str, dict]) -> str:
    """Items whose verdict changed; a lost มี is a regression, shown in red and in words."""
    rows = []
    for item in result["items"]:
        old = before_items.get(item["id"])
        if old is None or old["status"] == item["status"]:
            continue
        note = ""
        if old["status"] == "present":
            note = '<span class="regression">ถดถอย: เคยมี ตอนนี้ไม่ผ่าน</span>'
        elif item["status"] == "present":
            note = '<span class="improved">ดีขึ้น</span>'
        rows.append(
            f'<tr class="change"><td>{_e(item["id"])}</td><td>{_e(item["title"])}</td>'
            f"<td>{_badge(old['status'])}</td><td>{_badge(item['status'])}</td>"
            f"<td>{note}</td></tr>"
        )
    if not rows:
        return "<h3>ข้อที่ผลเปลี่ยน</h3><p>ไม่มีข้อที่ผลเปลี่ยน</p>"
    head = (
        '<colgroup><col class="c-id"><col><col class="c-was"><col class="c-was">'
        '<col class="c-note"></colgroup>'
        "<thead><tr><th>ข้อ</th><th>รายการ</th><th>ครั้งก่อน</th><th>ครั้งนี้</th>"
        "<th>หมายเหตุ</th></tr></thead>"
    )
    return f"<h3>ข้อที่ผลเปลี่ยน</h3><table>{head}<tbody>{''.join(rows)}</tbody></table>"


def _gone_evidence(result: dict, before_items: dict[str, dict]) -> str:
    """Evidence URLs of the previous run that this run no longer names (moved or deleted)."""
    rows = []
    for item in result["items"]:
        old = before_items.get(item["id"])
        urls_now = {normalize_url(e["url"]) for e in item["evidence"]}
        for ev in old["evidence"] if old else []:
            if normalize_url(ev["url"]) not in urls_now:
                rows.append(
                    f'<tr class="gone"><td>{_e(item["id"])}</td><td>{_link(ev["url"])}</td></tr>'
                )
    if not rows:
        return "<h3>หลักฐานที่หายไป</h3><p>หลักฐานเดิมยังพบครบ</p>"
    head = (
        '<colgroup><col class="c-id"><col></colgroup>'
        "<thead><tr><th>ข้อ</th><th>URL ที่เคยเป็นหลักฐาน แต่ครั้งนี้ไม่พบ</th></tr></thead>"
    )
    return f"<h3>หลักฐานที่หายไป</h3><table>{head}<tbody>{''.join(rows)}</tbody></table>"


def _across_years(result: dict, previous: dict) -> str:
    """Runs of two fiscal years are compared by subject (the rules' ``was``), not by number."""
    if previous.get("year") == result.get("year"):
        return ""
    pairs = [
        f"{i['id']} = {previous['year']} {'+'.join(i['was'])}"
        for i in previous["items"]
        if i.get("was") and i["was"] != [i["id"]]
    ]
    return (
        f" (ปีงบประมาณ {_e(previous.get('year'))}: เทียบตามเรื่องของข้อ ไม่ใช่ตามเลขข้อ; "
        f"{_e(', '.join(pairs))})"
    )


def _changes(result: dict, previous: dict) -> str:
    """What changed since the previous run: scores, item verdicts, evidence that disappeared."""
    before_items = {i["id"]: i for i in previous["items"]}
    return (
        '<section id="changes"><h2>เปลี่ยนแปลงจากครั้งก่อน</h2>'
        f"<p class=note>เทียบกับรอบการตรวจ #{_e(previous.get('run_id', '?'))} "
        f"วันที่ {_e(previous.get('as_of', '?'))}{_across_years(result, previous)}</p>"
        + _score_changes(result["scores"], previous["scores"])
        + _status_changes(result, before_items)
        + _gone_evidence(result, before_items)
        + "</section>"
    )


LEGEND = [
    ("present", "พบข้อมูลบนเว็บไซต์หลักครบทุกองค์ประกอบ และเป็นของปีที่ถูกต้อง"),
    (
        "absent",
        "ไม่พบข้อมูล หรือพบแต่ผิดปี ขาดองค์ประกอบ หรือลิงก์เปิดไม่ได้ ดูคอลัมน์ สิ่งที่ต้องแก้",
    ),
    (
        "uncertain",
        "ข้อมูลอยู่นอกเว็บไซต์หลัก (เช่น Google Drive, Facebook) ต้องเข้าสู่ระบบ "
        "เปิดไม่ได้ชั่วคราว หรือไม่ระบุปี ต้องตรวจด้วยตนเอง "
        "ผู้ประเมินมักไม่นับข้อมูลนอกเว็บไซต์หลัก",
    ),
    (
        "",
        "คะแนนรายข้อ 100 หรือ 0; ตัวชี้วัดย่อย = ค่าเฉลี่ยของข้อ; "
        "ตัวชี้วัด = ค่าเฉลี่ยของตัวชี้วัดย่อย; OIT = ค่าเฉลี่ยของตัวชี้วัดที่ 9 และ 10 "
        "และแสดงค่าเฉลี่ยรายข้อด้วย เพราะการจัดกลุ่มตัวชี้วัดย่อยของปีล่าสุดยังเป็นฉบับร่าง",
    ),
    (
        "",
        "หลักฐาน: สำหรับข้อที่ มี ลิงก์แรกคือ URL ที่ควรกรอกในระบบ ITAS; ลิงก์จาก = หน้าที่มีลิงก์ไปยังเอกสารนั้น",
    ),
    (
        "",
        "ผลนี้เป็นการตรวจเบื้องต้นด้วยโปรแกรม ผลการประเมินจริงขึ้นกับผู้ประเมินของสำนักงาน ป.ป.ช.",
    ),
]


def _legend() -> str:
    rows = "".join(
        f"<li>{_badge(status) + ' ' if status else ''}{_e(text)}</li>" for status, text in LEGEND
    )
    return f'<section id="legend"><h2>วิธีอ่านรายงาน</h2><ul>{rows}</ul></section>'


def render_html(result: dict, previous: dict | None = None) -> str:
    """The whole report as one HTML string (UTF-8, inline CSS, no external resources)."""
    labels = rule_labels(result)
    title = f"รายงาน OIT {agency_name(result)} ปีงบประมาณ {result['year']}"
    sections = [_header(result), _fix_first(result, labels), _legend(), _scores(result, labels)]
    if previous is not None:
        sections.append(_changes(result, previous))
    sections.append(_items(result, labels))
    made = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    return (
        '<!DOCTYPE html>\n<html lang="th"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{CSS}</style></head><body>"
        + "".join(sections)
        + f'<footer class="note">สร้างโดย oit-checker เมื่อ {_e(made)}</footer></body></html>\n'
    )
