"""A page is judged as what its own title says it is (an assessor reads the title first).

The complaint-statistics page holds statistics and counts too, but offered for the service-
statistics item it is another item's page: absent, with the reason naming what the page is.
"""

from __future__ import annotations

import pytest
from sitekit import audit_site, hub, page

STATS_BODY = (
    "<table><tr><th>เดือน</th><th>จำนวน</th></tr>"
    "<tr><td>ตุลาคม 2566</td><td>12 เรื่อง</td></tr><tr><td>พฤศจิกายน 2566</td><td>8 เรื่อง</td></tr>"
    "<tr><td>ธันวาคม 2566</td><td>15 เรื่อง</td></tr></table>"
    "<p>สถิติการให้บริการและผู้รับบริการ รวม 35 ราย ปีงบประมาณ พ.ศ. 2567</p>"
)


def _site(title: str) -> dict[str, str]:
    return {
        "index.html": page('<a href="/ita.html">ITA 2568</a>'),
        "ita.html": hub([("O11", "ข้อมูลสถิติการให้บริการ", "/stats.html")]),
        "stats.html": page(f"<h1>{title}</h1>{STATS_BODY}", title=title),
    }


@pytest.mark.parametrize(
    ("title", "status"),
    [
        ("ข้อมูลสถิติเรื่องร้องเรียนการทุจริตและประพฤติมิชอบ ประจำปีงบประมาณ พ.ศ. 2567", "absent"),
        ("ข้อมูลสถิติการให้บริการ ประจำปีงบประมาณ พ.ศ. 2567", "present"),
    ],
)
def test_a_page_titled_as_another_item_is_not_this_items_evidence(tmp_path, title, status):
    o11 = audit_site(tmp_path, _site(title))["O11"]
    assert o11.status == status, o11.reason
    if status == "absent":
        assert "ไม่ใช่ข้อมูลสถิติการให้บริการ" in o11.reason and "ร้องเรียน" in o11.reason
