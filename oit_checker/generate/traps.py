"""Crawler traps a real agency site has (real-sites.md §4.1, §5 item 29): an event calendar
with endless month pages, Joomla print duplicates, a faceted search, ASP.NET session ids in the
path. None holds evidence; they cost crawl budget and must not change a verdict.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from oit_checker.generate.site import Build

TRAPS = {"calendar": 30, "faceted": 25, "print": 20, "session": 15}
CALENDAR_MONTHS = 18


def _calendar(build: Build) -> str:
    year = build.profile.year - 543
    for i in range(CALENDAR_MONTHS):
        y, m = year + (i // 12), 1 + i % 12
        nxt_y, nxt_m = (y, m + 1) if m < 12 else (y + 1, 1)
        body = (
            f"<p>ปฏิทินกิจกรรม {m:02d}/{y}</p>"
            f'<a href="/calendar.php?month={nxt_y}-{nxt_m:02d}">เดือนถัดไป</a> '
            f'<a href="/calendar.php?month={y}-{m:02d}&view=week">สัปดาห์</a>'
        )
        build.write_page(f"/calendar.php?month={y}-{m:02d}", "ปฏิทินกิจกรรม", body)
    return f'<a href="/calendar.php?month={year}-01">ปฏิทินกิจกรรม</a>'


def _faceted(build: Build) -> str:
    cats, sorts = ("news", "procurement", "job"), ("date", "title")
    for cat in cats:
        for sort in sorts:
            others = " ".join(
                f'<a href="/search.php?cat={c}&sort={s}">{c}/{s}</a>' for c in cats for s in sorts
            )
            build.write_page(
                f"/search.php?cat={cat}&sort={sort}", "ค้นหา", f"<p>ผลการค้นหา</p>{others}"
            )
    return '<a href="/search.php?cat=news&sort=date">ค้นหาข่าว</a>'


def _session(build: Build) -> str:
    token = f"{build.rng.getrandbits(60):015x}"
    build.write_page(f"/(S({token}))/default.aspx", "หน้าหลัก", '<a href="/">หน้าหลัก</a>')
    return f'<a href="/(S({token}))/default.aspx">เข้าสู่ระบบเดิม</a>'


def add_traps(build: Build) -> None:
    """Pick 0-2 traps for the site and link them from the menu footer."""
    names = sorted(TRAPS)
    chosen = [n for n in names if build.rng.random() < TRAPS[n] / 100]
    if build.shape.cms == "aspnet" and "session" not in chosen:
        chosen.append("session")  # cookieless ASP.NET sessions come with the platform
    entries = []
    for name in chosen:
        build.site_tags.append(f"trap:{name}")
        if name == "calendar":
            entries.append(_calendar(build))
        elif name == "faceted":
            entries.append(_faceted(build))
        elif name == "session":
            entries.append(_session(build))
    build.trap_links = entries  # "print" links sit on each query-routed page (Build.flush)
