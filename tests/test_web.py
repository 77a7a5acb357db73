"""`oit serve` driven as an officer would, in a real headless Chromium (Debian's), against the demo
อบต. site on loopback: paste the address without http, watch the progress, read the results,
try the what-if score, mark the uncertain item as checked by hand, download the ITAS sheet (it
opens in openpyxl and carries the hand check), upload it to be verified, then audit again after
a PDF was deleted and find the regression in the history.

The server is the real `oit serve` process; each audit is its own `oit check` process.
Screenshots at 1280 and 390 px go to $OIT_SCREENSHOTS when set (looked at by hand).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from http.server import ThreadingHTTPServer
from pathlib import Path
from statistics import mean

import httpx
import openpyxl
import pytest
import web_kit
from playwright.sync_api import Page
from services import free_port
from slow_site import SlowSite

from oit_checker.serve import SiteServer

ROOT = Path(__file__).resolve().parent.parent
OIT = str(Path(sys.executable).parent / "oit")
DEMO = ROOT / "fixtures" / "demo" / "site"
AS_OF = "2025-10-15"
AUDIT_SECONDS = 120_000  # ms, an audit of the demo site under a loaded CI machine


def start_server(db: Path, *args: str) -> tuple[subprocess.Popen, str]:
    return web_kit.start_server(db.parent, "--db", str(db), *args)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("site") / "site"
    shutil.copytree(DEMO, root)
    with SiteServer(root) as server:
        yield root, server.url


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("db") / "oit.db"


@pytest.fixture(scope="module")
def server(database):
    process, base = start_server(database)
    yield base
    process.terminate()
    process.wait(10)


def shoot(page: Page, name: str) -> None:
    folder = os.environ.get("OIT_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def start_audit(page: Page, base: str, address: str) -> None:
    page.goto(base + "/")
    page.fill("#url", address)
    page.select_option("#year", "2568")
    page.fill("#as_of", AS_OF)
    page.click("button[type=submit]")


def wait_for_result(page: Page) -> None:
    page.wait_for_selector("#oit", timeout=AUDIT_SECONDS)


def oit_of(items: list[dict], subindicator_of_indicator: dict[str, str]) -> float:
    """OIT as the README defines it (each level rounded to 2 places, as reported), computed here
    independently of score.py."""
    subs: dict[str, list[float]] = {}
    for item in items:
        subs.setdefault(item["subindicator"], []).append(
            100.0 if item["status"] == "present" else 0.0
        )
    inds: dict[str, list[float]] = {}
    for sid, values in subs.items():
        inds.setdefault(subindicator_of_indicator[sid], []).append(round(mean(values), 2))
    return round(mean(round(mean(v), 2) for v in inds.values()), 2)


def test_an_officer_audits_reads_fixes_verifies_and_sees_the_regression(
    site, server, database, browser, tmp_path
):
    root, site_url = site
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    address = site_url.removeprefix("http://")  # pasted without http, as officers do

    start_audit(page, server, address)
    assert page.url.startswith(server + "/audits/")
    audit_url = page.url
    # Live progress: the panel counts pages as the crawl stores them, then the page shows the result.
    page.wait_for_function(
        "document.querySelector('#oit') || +(document.querySelector('.pages') || {}).textContent > 0",
        timeout=AUDIT_SECONDS,
    )
    # A second ตรวจ of the same site while it runs goes to the audit already running.
    second = context.new_page()
    start_audit(second, server, site_url)
    if "#oit" not in second.content():  # not yet finished: it must be the same audit
        assert second.url == audit_url
    second.close()
    wait_for_result(page)

    data = page.request.get(audit_url + ".json").json()
    assert data["state"] == "complete"
    assert data["site"] == site_url and data["as_of"] == AS_OF and len(data["items"]) == 28
    assert page.inner_text("#oit") == f"{data['scores']['oit']:.2f}"
    rows = page.locator("tr.item")
    assert rows.count() == 28
    for item in data["items"]:
        row = page.locator(f"tr.item[data-id='{item['id']}']")
        assert row.get_attribute("data-status") == item["status"]
        hrefs = row.locator("a.evidence").evaluate_all("els => els.map(a => a.href)")
        assert len(hrefs) == len(item["evidence"])
    assert page.locator("#fix-first li").count() > 0
    shoot(page, "result-1280")

    # What-if: fixing two absent items gives the OIT score.py would give for them present.
    subs = {i["subindicator"]: i["indicator"] for i in data["items"]}
    absent = [i["id"] for i in data["items"] if i["status"] == "absent"][:2]
    for item_id in absent:
        page.check(f"#whatif input[value='{item_id}']")
    fixed = [dict(i, status="present") if i["id"] in absent else i for i in data["items"]]
    expected = f"{oit_of(fixed, subs):.2f}"
    page.wait_for_function(
        f"(document.querySelector('.whatif-oit') || {{}}).textContent === '{expected}'"
    )
    assert oit_of(data["items"], subs) == data["scores"]["oit"]

    # The uncertain item, checked by hand, is answered มี in the sheet, with the officer's note.
    uncertain = next(i for i in data["items"] if i["status"] == "uncertain")
    row = page.locator(f"tr.item[data-id='{uncertain['id']}']")
    row.locator("details.manual summary").click()
    row.locator("input[value=present]").check()
    row.locator("textarea[name=note]").fill("ตรวจแล้ว เปิดจาก Google Drive ได้ ย้ายขึ้นเว็บแล้ว")
    moved = site_url + "ita/stat-2567.html"  # where the officer put it, after the audit
    row.locator("input[name=url]").fill(moved)
    row.locator("button[type=submit]").click()
    page.wait_for_selector(f"tr.item[data-id='{uncertain['id']}'] .manual-done")
    with page.expect_download() as download:
        page.click("#downloads a[href$='sheet.xlsx']")
    sheet = tmp_path / "sheet.xlsx"
    download.value.save_as(sheet)
    answers = {r[0]: r for r in openpyxl.load_workbook(sheet).active.iter_rows(values_only=True)}
    assert answers[uncertain["id"]][2] == "มี"
    assert "ย้ายขึ้นเว็บแล้ว" in answers[uncertain["id"]][4]
    assert answers[uncertain["id"]][3] == moved  # the URL ITAS is given
    present = [i["id"] for i in data["items"] if i["status"] == "present"]
    assert all(answers[i][2] == "มี" for i in present)
    again = {i["id"]: i for i in page.request.get(audit_url + ".json").json()["items"]}
    assert again[uncertain["id"]]["manual"]["answer"] == "present"  # the JSON says so too
    csv_path = tmp_path / "sheet.csv"  # and so does the CLI's sheet of the same run
    subprocess.run([OIT, "sheet", "--db", str(database), "-o", str(csv_path)], check=True)
    assert f"{uncertain['id']},{uncertain['title']},มี," in csv_path.read_text("utf-8-sig")

    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shoot(page, "result-390")
    page.set_viewport_size({"width": 1280, "height": 900})

    # Check the sheet before submitting: upload it, the verify audit runs, each answer is judged.
    page.set_input_files("#verify input[type=file]", str(sheet))
    page.click("#verify button[type=submit]")
    page.wait_for_selector("table.verify", timeout=AUDIT_SECONDS)
    verdicts = page.locator("table.verify tr.item")
    assert verdicts.count() == 28
    ok = page.locator("table.verify tr.item[data-status=ok]").count()
    assert ok >= len(present) - 2, page.inner_text("table.verify")
    shoot(page, "verify-1280")

    # The agency deletes a PDF that counted; the next audit finds the regression.
    manual = next(i for i in data["items"] if i["id"] == "O8")
    assert manual["status"] == "present"
    (root / "files" / "2568" / "manual-revenue.pdf").unlink()
    start_audit(page, server, address)
    wait_for_result(page)
    page.goto(server + "/sites")
    block = page.locator("section.site-block").first
    assert block.locator("svg.trend circle").count() == 2
    latest = block.locator("tr.run").first
    assert latest.locator("td.fell").count() == 1
    shoot(page, "sites-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shoot(page, "sites-390")
    page.set_viewport_size({"width": 1280, "height": 900})
    latest.locator("td.fell a").click()
    regressions = page.locator("table.regressions tr.change")
    assert "O8" in regressions.evaluate_all("rows => rows.map(r => r.dataset.id)")
    assert "manual-revenue.pdf" in page.inner_text("ul.dead")
    shoot(page, "diff-1280")
    context.close()


def _csrf(client: httpx.Client, base: str) -> str:
    client.get(base + "/")
    return client.cookies["oit_csrf"]


def test_forms_from_another_site_are_refused_and_a_failed_audit_leaves_the_server_up(server):
    with httpx.Client() as client:
        token = _csrf(client, server)
        assert client.post(server + "/audits", data={"url": "example.go.th"}).status_code == 403
        forged = client.post(
            server + "/audits",
            data={"url": "example.go.th", "csrf": token},
            headers={"Sec-Fetch-Site": "cross-site"},
        )
        assert forged.status_code == 403
        assert client.post(server + "/audits", data={"url": "", "csrf": token}).status_code == 400
        closed = f"http://127.0.0.1:{free_port()}/"
        started = client.post(server + "/audits", data={"url": closed, "csrf": token})
        assert started.status_code == 303
        state = ""
        for _ in range(600):
            data = client.get(server + started.headers["location"] + ".json").json()
            state = data["state"]
            if state not in ("queued", "running"):
                break
            time.sleep(0.1)
        assert state == "failed" and data["error"]
        assert client.get(server + "/").status_code == 200  # the server is still up
        big = {"sheet": ("a.csv", b"x" * (3 * 1024 * 1024), "text/csv")}
        upload = client.post(server + "/runs/1/verify", data={"csrf": token}, files=big)
        assert upload.status_code == 413


def test_beyond_loopback_a_token_is_required(tmp_path):
    refused = subprocess.run(
        [OIT, "serve", "--db", str(tmp_path / "oit.db"), "--host", "0.0.0.0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode == 2 and "--token" in refused.stderr
    process, base = start_server(tmp_path / "oit.db", "--token", "s3cret")
    try:
        assert httpx.get(base + "/").status_code == 401
        with httpx.Client(follow_redirects=True) as client:
            assert client.get(base + "/?token=s3cret").status_code == 200  # via 303, cookie set
            assert client.get(base + "/sites").status_code == 200
        bearer = httpx.get(base + "/sites", headers={"Authorization": "Bearer s3cret"})
        assert bearer.status_code == 200
    finally:
        process.terminate()
        process.wait(10)


def _state(client: httpx.Client, base: str, audit: str, wanted, seconds: float = 60) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        data = client.get(base + audit + ".json").json()
        if wanted(data):
            return data
        time.sleep(0.2)
    raise AssertionError(f"{audit}: still {data['state']} {data['progress']}")


def test_an_audit_is_stopped_and_continued_from_the_page(server):
    slow = ThreadingHTTPServer(("127.0.0.1", 0), SlowSite)  # endless, 0.2 s a page
    threading.Thread(target=slow.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{slow.server_address[1]}/"
    try:
        with httpx.Client() as client:
            token = _csrf(client, server)
            audit = client.post(server + "/audits", data={"url": url, "csrf": token})
            first = audit.headers["location"]
            running = _state(client, server, first, lambda d: d["progress"]["pages"] >= 3)
            assert running["state"] == "running"
            client.post(server + first + "/cancel", data={"csrf": token})
            stopped = _state(client, server, first, lambda d: d["state"] != "running")
            assert stopped["state"] == "incomplete"
            assert "ตรวจต่อจากที่ค้างไว้" in client.get(server + first).text
            resumed = client.post(server + first + "/resume", data={"csrf": token})
            second = resumed.headers["location"]
            assert second != first
            again = _state(
                client,
                server,
                second,
                lambda d: d["progress"]["pages"] > stopped["progress"]["pages"],
            )
            assert again["state"] == "running" and again["run_id"] == stopped["run_id"]
            client.post(server + second + "/cancel", data={"csrf": token})
            assert _state(client, server, second, lambda d: d["state"] != "running")["state"] == (
                "incomplete"
            )
    finally:
        slow.shutdown()
