"""`oit serve` over the fleet's PostgreSQL store (issue 18): the nightly batch's page, an audit
started from the page and its results, answer sheet and hand check, all read and written on
the server; the server's own files (logs, uploads) in its data directory. Real `oit serve`
processes, real PostgreSQL (conftest), real Chromium for what the officer sees."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import openpyxl
import pytest
from services import free_port
from web_kit import start_server, stop

from oit_checker.serve import SiteServer
from oit_checker.store import open_store

OIT = str(Path(sys.executable).parent / "oit")
DEMO = Path(__file__).resolve().parent.parent / "fixtures" / "demo" / "site"
AS_OF = "2025-10-15"
AUDIT_MS = 180_000  # the demo audited on a loaded 2-core machine


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_the_batch_page_shows_a_fleet_batch_from_either_store(backend, request, tmp_path, browser):
    """/batches: what `oit batch-status` says, for whoever watches the fleet from the page."""
    db = request.getfixturevalue("pg_url") if backend == "postgres" else str(tmp_path / "f.db")
    store = open_store(db)
    jobs = [
        {"url": f"http://10.0.0.{n}/", "position": n, "name": f"อบต.{n}", "settings": "{}"}
        for n in range(1, 6)
    ]
    store.add_jobs("night-1", jobs)
    store.start_job("night-1", "http://10.0.0.1/", "worker-a", 0)
    store.end_job("night-1", "http://10.0.0.2/", "done")
    store.end_job("night-1", "http://10.0.0.3/", "failed", error="connection refused")
    assert store.claim_notice("night-1", "http://10.0.0.2/")
    store.record_notice("night-1", "http://10.0.0.2/", {"webhook": "failed: webhook: HTTP 500"})
    store.close()
    data = tmp_path / "serve-data"
    process, base = start_server(tmp_path, "--db", db, "--data-dir", str(data))
    try:
        page = browser.new_page()
        page.goto(base + "/")
        page.click("nav.top a[href='/batches']")
        page.wait_for_selector("#batch-counts")
        counts = {
            cell.get_attribute("data-state"): cell.inner_text()
            for cell in page.query_selector_all("#batch-counts td[data-state]")
        }
        assert counts == {"queued": "2", "running": "1", "done": "1", "failed": "1"}
        failed = page.inner_text("#batch-failed")
        assert "อบต.3" in failed and "connection refused" in failed
        assert page.inner_text("#batch-notices") == "อบต.2: webhook: HTTP 500"
        page.close()
    finally:
        stop(process)
    assert data.is_dir()  # its files go to --data-dir, whichever the store
    if backend == "postgres":  # and nothing lands beside the working directory
        assert [p.name for p in tmp_path.iterdir()] == ["serve-data"]


def _audit_from_the_page(browser, base: str, site_url: str) -> tuple[str, dict]:
    page = browser.new_page(accept_downloads=True)
    page.goto(base + "/")
    page.fill("#url", site_url)
    page.select_option("#year", "2568")
    page.fill("#as_of", AS_OF)
    page.click("button[type=submit]")
    page.wait_for_selector("#oit", timeout=AUDIT_MS)
    audit_url = page.url.split("#")[0]
    data = page.request.get(audit_url + ".json").json()
    assert data["state"] == "complete" and len(data["items"]) == 28
    assert page.inner_text("#oit") == f"{data['scores']['oit']:.2f}"
    assert page.locator("tr.item").count() == 28
    for item in data["items"]:
        row = page.locator(f"tr.item[data-id='{item['id']}']")
        assert row.get_attribute("data-status") == item["status"]
    page.close()
    return audit_url, data


def test_an_audit_started_from_the_page_lands_in_postgres_with_its_sheet(pg_url, tmp_path, browser):
    data_dir = tmp_path / "data"
    # The store from $OIT_DB, as a systemd unit's EnvironmentFile gives it.
    process, base = start_server(tmp_path, "--data-dir", str(data_dir), OIT_DB=pg_url)
    try:
        with SiteServer(DEMO) as site:
            audit_url, data = _audit_from_the_page(browser, base, site.url)
        run_id = data["run_id"]
        store = open_store(pg_url, create=False)
        assert store.run(run_id)["status"] == "complete"  # the run is on the server
        # A hand check written through the page is on the server, and the sheet follows it.
        uncertain = next(i for i in data["items"] if i["status"] != "present")
        with httpx.Client(base_url=base) as client:
            client.get("/")
            form = {
                "answer": "present",
                "note": "ตรวจด้วยตนเองแล้ว",
                "csrf": client.cookies["oit_csrf"],
            }
            posted = client.post(f"/runs/{run_id}/items/{uncertain['id']}/manual", data=form)
            assert posted.status_code == 303
            assert store.manual_checks(run_id)[uncertain["id"]]["answer"] == "present"
            run_page = client.get(f"/runs/{run_id}")
            assert run_page.status_code == 200 and 'id="oit"' in run_page.text
            sheet = client.get(f"/runs/{run_id}/sheet.xlsx")
            assert sheet.status_code == 200
        (tmp_path / "s.xlsx").write_bytes(sheet.content)
        rows = openpyxl.load_workbook(tmp_path / "s.xlsx").active.iter_rows(values_only=True)
        answers = {r[0]: r[2] for r in rows}
        assert answers[uncertain["id"]] == "มี"
        present = [i["id"] for i in data["items"] if i["status"] == "present"]
        assert present and all(answers[i] == "มี" for i in present)
    finally:
        stop(process)
    assert not (tmp_path / "oit.db").exists()  # $OIT_DB, not ./oit.db
    audit_id = audit_url.rsplit("/", 1)[1]
    assert (data_dir / f"audit-{audit_id}.log").exists()


def test_an_unreachable_postgres_is_one_line_and_the_exit_code_of_oit_check(tmp_path):
    db = f"postgresql://oit@127.0.0.1:{free_port()}/oit"
    run = {"cwd": tmp_path, "capture_output": True, "text": True, "timeout": 120}
    served = subprocess.run([OIT, "serve", "--db", db, "--port", str(free_port())], **run)
    checked = subprocess.run([OIT, "check", "http://127.0.0.1:9/", "--db", db], **run)
    assert served.returncode == checked.returncode == 3, (served.stderr, checked.stderr)
    assert "cannot connect to database" in served.stderr and "Traceback" not in served.stderr
    assert len(served.stderr.strip().splitlines()) == 1, served.stderr
