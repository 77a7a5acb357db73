"""`oit batch`: many sites into one database, a few at a time, one failure never stopping the rest.

Real loopback sites (the demo, served several times on different ports, and a degraded copy)
plus one URL on a closed port, audited through the real `oit` command.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from demo_changes import DEMO_SITE, REGRESSED, degrade
from receivers import WebhookReceiver, free_port

from oit_checker.serve import SiteServer

OIT = str(Path(sys.executable).parent / "oit")
PROGRESS = re.compile(r"^\[(\d+)/(\d+)\] (start|done|failed)\s+(.*)$")


def _oit(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([OIT, *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def _most_in_flight(stderr: str) -> tuple[int, set[int], set[int]]:
    """From the progress lines: most sites running at once, sites started, sites finished."""
    running, most, started, finished = 0, 0, set(), set()
    for line in stderr.splitlines():
        m = PROGRESS.match(line.strip())
        if not m:
            continue
        n = int(m.group(1))
        if m.group(3) == "start":
            started.add(n)
            running += 1
            most = max(most, running)
        else:
            finished.add(n)
            running -= 1
    return most, started, finished


def test_batch_of_five_sites_with_one_unreachable(tmp_path):
    degraded = tmp_path / "degraded"
    shutil.copytree(DEMO_SITE, degraded)
    degrade(degraded)
    closed = f"http://127.0.0.1:{free_port()}/"
    with (
        SiteServer(DEMO_SITE) as a,
        SiteServer(DEMO_SITE) as b,
        SiteServer(DEMO_SITE) as c,
        SiteServer(degraded) as d,
    ):
        sites = [(a.url, "อบต.หนองบัวทอง"), (b.url, "site-b"), (closed, "unreachable")]
        sites += [(c.url, "site-c"), (d.url, "site-d")]
        entries = "".join(f'[[site]]\nurl = "{u}"\nname = "{n}"\n\n' for u, n in sites)
        (tmp_path / "sites.toml").write_text(
            '[defaults]\nyear = 2568\nas_of = "2025-10-15"\ndb = "nightly.db"\ntimeout = 2\n\n'
            + entries,
            encoding="utf-8",
        )
        proc = _oit("batch", "sites.toml", "--parallel", "2", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr  # a site failed
    assert "Traceback" not in proc.stderr
    summary = {}
    for line in proc.stdout.splitlines():
        for _, name in sites:
            if name in line and ("complete" in line or "failed" in line):
                summary[name] = line
    assert set(summary) == {name for _, name in sites}  # every site has its row
    assert "failed" in summary["unreachable"]
    for name in ("อบต.หนองบัวทอง", "site-b", "site-c", "site-d"):
        assert "complete" in summary[name]
    assert "connection refused" in proc.stdout  # the failure says why
    assert "4 of 5 sites audited" in proc.stdout
    most, started, finished = _most_in_flight(proc.stderr)
    assert started == finished == {1, 2, 3, 4, 5}  # a line per site start and finish
    assert most == 2  # --parallel 2: never more, and it did run two at once
    with sqlite3.connect(tmp_path / "nightly.db") as conn:  # db relative to the config file
        statuses = conn.execute("select status from runs order by id").fetchall()
        oits = conn.execute(
            "select json_extract(scores, '$.oit') from runs where status = 'complete'"
        ).fetchall()
    assert sorted(s for (s,) in statuses) == ["complete"] * 4 + ["failed"]
    assert len({o for (o,) in oits}) == 2  # three identical sites and the degraded one


def test_csv_batch_fails_on_regression_and_posts_the_webhook(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(DEMO_SITE, site)
    with SiteServer(site) as server, WebhookReceiver() as hook:
        (tmp_path / "sites.csv").write_text(
            f"url,name\n# nightly list\n{server.url},หนองบัวทอง\n", encoding="utf-8"
        )
        args = ["batch", "sites.csv", "--db", "n.db", "--fail-on", "regression"]
        args += ["--notify-webhook", hook.url]
        first = _oit(*args, cwd=tmp_path)
        degrade(site)
        second = _oit(*args, cwd=tmp_path)
        posts = list(hook.posts)
    assert first.returncode == 0, first.stderr + first.stdout
    assert second.returncode == 1, second.stderr + second.stdout
    row = next(line for line in second.stdout.splitlines() if "หนองบัวทอง" in line)
    assert "O3" in row and "O8" in row  # the regressions column
    assert "regressions O3, O8" in second.stderr  # and the progress line
    assert len(posts) == 1
    body = json.loads(posts[0].body)
    assert body["name"] == "หนองบัวทอง" and body["previous_run_id"] == 1
    assert {r["id"] for r in body["regressions"]} == REGRESSED


def test_a_site_that_cannot_be_audited_notifies_with_the_reason(tmp_path):
    """A nightly audit that failed must not look like a quiet night: down sites notify like a
    regression does, from `oit check` and from `oit batch`."""
    dead = f"http://127.0.0.1:{free_port()}/"
    with WebhookReceiver() as hook:
        check = _oit("check", dead, "--notify-webhook", hook.url, "--no-progress", cwd=tmp_path)
        (tmp_path / "sites.csv").write_text(f"url,name\n{dead},ปิดปรับปรุง\n", encoding="utf-8")
        batch = _oit("batch", "sites.csv", "--notify-webhook", hook.url, cwd=tmp_path)
        posts = [json.loads(p.body) for p in hook.posts]
    assert check.returncode == 3 and batch.returncode == 1, check.stderr + batch.stderr
    assert "notification sent (webhook)" in check.stderr
    assert [p["status"] for p in posts] == ["failed", "failed"]
    assert all("connection refused" in p["error"] for p in posts)
    assert posts[1]["name"] == "ปิดปรับปรุง" and posts[0]["site"] == dead
