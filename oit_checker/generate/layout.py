"""How the OIT section is organised (real-sites.md §1.1): a table hub, a multi-year accordion,
an index of one page per item, a vendor template of fixed "เปิด" slots, menus only, or
Google-Sites-like pages per sub-indicator. A layout turns rows (an item label and the anchors the
site builder wrote for it) into hub pages and menu entries.
"""

from __future__ import annotations

import html
import json
import random
from dataclasses import dataclass, field

from oit_checker.generate.content import THAI_DIGITS

LAYOUTS = {
    "table": 26, "accordion": 17, "per_item": 16, "vendor": 11, "menus": 11, "gsites": 11,
    "jsapp": 8,
}  # fmt: skip
# The vendor template's fixed slots under the pre-2567 group headings (real-sites.md §1.1 E).
VENDOR_GROUPS = [
    ("ข้อมูลพื้นฐาน", 6), ("การประชาสัมพันธ์", 1), ("การปฏิสัมพันธ์ข้อมูล", 3), ("การดำเนินงาน", 3),
    ("การปฏิบัติงาน", 1), ("การให้บริการ", 4), ("การจัดซื้อจัดจ้าง", 4), ("การบริหารทรัพยากรบุคคล", 4),
    ("การจัดการเรื่องร้องเรียน", 3), ("การเปิดโอกาสให้เกิดการมีส่วนร่วม", 1), ("การป้องกันการทุจริต", 3),
    ("การประเมินความเสี่ยง", 2), ("แผนป้องกันการทุจริต", 3), ("จริยธรรม", 3), ("ความโปร่งใสภายใน", 2),
]  # fmt: skip
GENERIC_TEXTS = ("คลิกลิงค์ข้อมูล", "คลิกที่นี่", "รายละเอียด", "ดาวน์โหลดเอกสาร", "ลิงก์")


@dataclass
class Row:
    item_id: str
    title: str
    group: str  # sub-indicator id
    group_title: str
    anchors: list[str]  # HTML of the links (may be empty: the item is not published)


@dataclass
class HubPages:
    pages: list[tuple[str, str, str]] = field(default_factory=list)  # path, title, body HTML
    menu: list[tuple[str, str]] = field(default_factory=list)  # (href, text) in the main menu
    dropdowns: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)
    files: list[tuple[str, bytes, str]] = field(default_factory=list)  # path, bytes, type


def label(item_id: str, title: str, rng: random.Random, tags: list[str]) -> str:
    """An item label as sites write it: O1, o1, O1 :, O๑, 1., or the title alone."""
    number = item_id[1:]
    style = rng.choice(("O", "O", "o", "colon", "thai", "dot", "none"))
    tags.append(f"label:{style}")
    return {
        "O": f"O{number} {title}",
        "o": f"o{number} {title}",
        "colon": f"O{number} : {title}",
        "thai": f"O{number.translate(THAI_DIGITS)} {title}",
        "dot": f"{number}. {title}",
        "none": title,
    }[style]


def _esc(text: str) -> str:
    return html.escape(text)


def table_hub(rows: list[Row], fy: int, path: str) -> HubPages:
    body = [
        f"<p>การเปิดเผยข้อมูลสาธารณะ (Open Data Integrity and Transparency Assessment: OIT) ปี {fy}</p>"
    ]
    body.append('<table border="1"><tr><th>ข้อ</th><th>ข้อมูล</th><th>ลิงก์</th></tr>')
    for row in rows:
        links = "<br>".join(row.anchors) or "-"
        body.append(f"<tr><td>{row.item_id}</td><td>{_esc(row.title)}</td><td>{links}</td></tr>")
    body.append("</table>")
    title = f"การประเมินคุณธรรมและความโปร่งใส (ITA) ประจำปี {fy}"
    return HubPages([(path, title, "\n".join(body))], [(path, f"ITA {fy}")])


def accordion_hub(rows: list[Row], old_rows: list[Row], fy: int, path: str) -> HubPages:
    body = []
    for year, section, shown in ((fy, rows, True), (fy - 1, old_rows, False)):
        if not section:
            continue
        body.append(
            f'<div class="accordion-item"><h3 class="accordion-header">การประเมิน ITA ปี {year}</h3>'
        )
        body.append(f'<div class="collapse{" show" if shown else ""}">')
        for row in section:
            body.append(f"<p><strong>{_esc(row.title)}</strong></p>")
            body.extend(f"<p>– {a}</p>" for a in row.anchors)
        body.append("</div></div>")
    title = "ITA การประเมินคุณธรรมและความโปร่งใส"
    return HubPages([(path, title, "\n".join(body))], [(path, "ITA")])


def per_item_hub(rows: list[Row], fy: int, path: str) -> HubPages:
    items = "".join(f"<li>{a}</li>" for row in rows for a in row.anchors)
    title = f"OIT {fy} การเปิดเผยข้อมูลสาธารณะ"
    return HubPages([(path, title, f"<ul>{items}</ul>")], [(path, f"OIT {fy}")])


def vendor_hub(rows: list[Row], fy: int, path: str) -> HubPages:
    """43 fixed slots; items fill them in order under headings that do not match them. A slot
    holds every link of its item (twelve monthly files are twelve "เปิด" buttons): the truth
    counts each placed file, so none may be left unlinked."""
    body, queue = [], list(rows)
    for group, slots in VENDOR_GROUPS:
        body.append(f'<h4 class="ita-group">{group}</h4><table class="table">')
        for _ in range(slots):
            row = queue.pop(0) if queue else None
            name = _esc(row.title) if row else ""
            button = (
                " ".join(row.anchors)
                if row and row.anchors
                else '<a class="btn" href="" target="_blank">เปิด</a>'
            )
            body.append(f"<tr><td>{name}</td><td>{button}</td></tr>")
        body.append("</table>")
    for row in queue:  # more items than slots: appended at the end, as staff do
        body.append(f"<p>{_esc(row.title)} {''.join(row.anchors)}</p>")
    title = f"ITA ปี {fy}"
    return HubPages([(path, title, "\n".join(body))], [(path, f"ITA ปี {fy}")])


def menus_only(rows: list[Row]) -> HubPages:
    """No ITA page: the items sit in the main menu's dropdowns, grouped by sub-indicator."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for row in rows:
        for a in row.anchors:
            groups.setdefault(row.group_title, []).append(("", a))
    return HubPages([], [], sorted(groups.items()))


def gsites_hub(rows: list[Row], fy: int, path: str, group_path: dict[str, str]) -> HubPages:
    """A Google-Sites-like tree: one page per sub-indicator, "คลิกที่นี่" per item."""
    hub = HubPages()
    by_group: dict[str, list[Row]] = {}
    for row in rows:
        by_group.setdefault(row.group, []).append(row)
    index = []
    for group, members in by_group.items():
        sub_path = group_path[group]
        index.append(
            f'<li><a href="{_esc(sub_path)}">ตัวชี้วัดย่อยที่ {group} {_esc(members[0].group_title)}</a></li>'
        )
        body = "".join(
            f'<div class="tyJCtd"><p>{_esc(r.title)}</p><p>{" ".join(r.anchors)}</p></div>'
            for r in members
        )
        hub.pages.append((sub_path, f"ตัวชี้วัดย่อยที่ {group} {members[0].group_title}", body))
    hub.pages.insert(0, (path, f"ITA {fy}", f"<ul>{''.join(index)}</ul>"))
    hub.menu.append((path, f"ITA {fy}"))
    return hub


JSAPP_SCRIPT = """
fetch('/api/ita.json?year=' + document.getElementById('ita-app').dataset.year)
  .then(function (r) { return r.json(); })
  .then(function (data) {
    var html = '';
    data.groups.forEach(function (g) {
      html += '<h3>' + g.title + '</h3>';
      g.items.forEach(function (it) { html += '<p><b>' + it.label + '</b> ' + it.links.join(' ') + '</p>'; });
    });
    document.getElementById('ita-app').innerHTML = html;
  });
"""


def jsapp_hub(rows: list[Row], fy: int, path: str) -> HubPages:
    """A JavaScript app: the hub is an empty shell; its items come from a JSON API."""
    groups: dict[str, dict] = {}
    for row in rows:
        group = groups.setdefault(
            row.group, {"title": f"ตัวชี้วัดย่อยที่ {row.group} {row.group_title}", "items": []}
        )
        group["items"].append({"label": row.title, "links": row.anchors})
    data = json.dumps({"year": fy, "groups": list(groups.values())}, ensure_ascii=False)
    shell = (
        f'<div id="ita-app" data-year="{fy}">กำลังโหลดข้อมูล...</div>'
        '<noscript>โปรดเปิดใช้งาน JavaScript</noscript><script src="/static/js/ita.js"></script>'
    )
    hub = HubPages([(path, f"ITA {fy}", shell)], [(path, f"ITA {fy}")])
    hub.files.append(("/static/js/ita.js", JSAPP_SCRIPT.encode(), "application/javascript"))
    hub.files.append((f"/api/ita.json?year={fy}", data.encode(), "application/json"))
    return hub
