"""The real `oit` in a real 80-column terminal (a pseudo-terminal, COLUMNS=80), over the demo
site served on loopback: nothing the officer needs is cut. Evidence URLs are printed whole on
their own line, `oit history` names the site of its runs, and the progress shows each phase
(crawl, documents, judging) with a total that is reached, not a page budget."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest
from rich.cells import cell_len

from oit_checker.serve import SiteServer

ROOT = Path(__file__).resolve().parent.parent
OIT = str(Path(sys.executable).parent / "oit")
COLUMNS = 80
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\]8;[^\x1b\x07]*(?:\x1b\\|\x07)")


def in_terminal(args: list[str], cwd: Path, timeout: float = 180) -> str:
    """Run ``oit`` on a pseudo-terminal 80 columns wide; everything it wrote, escapes kept."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, COLUMNS, 0, 0))
    env = {**os.environ, "COLUMNS": str(COLUMNS), "LINES": "50", "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    proc = subprocess.Popen(
        [OIT, *args], stdin=slave, stdout=slave, stderr=slave, env=env, cwd=cwd, close_fds=True
    )
    os.close(slave)
    out, deadline = b"", time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            out += chunk
        elif proc.poll() is not None:
            break
    proc.kill() if proc.poll() is None else None
    proc.wait()
    os.close(master)
    return out.decode("utf-8", "replace")


def plain(text: str) -> list[str]:
    """The screen's lines without colours or hyperlink escapes."""
    return [line.rstrip() for line in ANSI.sub("", text).replace("\r", "\n").split("\n")]


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    """`oit check` of the demo site at 80 columns, its --json, and `oit history` after it."""
    tmp = tmp_path_factory.mktemp("term")
    db, out = tmp / "oit.db", tmp / "audit.json"
    with SiteServer(ROOT / "fixtures" / "demo" / "site") as server:
        shown = in_terminal(
            ["check", server.url, "--year", "2568", "--as-of", "2025-10-15", "--db", str(db),
             "--json", str(out)],
            tmp,
        )  # fmt: skip
    history = in_terminal(["history", "--db", str(db)], tmp, timeout=60)
    return shown, json.loads(out.read_text("utf-8")), history


def test_every_evidence_url_is_printed_whole_on_its_own_line(checked):
    shown, result, _ = checked
    lines = plain(shown)
    urls = [i["evidence"][0]["url"] for i in result["items"] if i["evidence"]]
    assert len(urls) > 20
    for url in urls:
        assert any(line.split()[-1:] == [url] for line in lines), f"{url} is cut or wrapped"


def test_history_names_the_site_of_its_runs_whole(checked):
    _, result, history = checked
    lines = plain(history)
    assert any(result["site"] in line for line in lines), "\n".join(lines)
    assert not any("…" in line for line in lines), "\n".join(lines)  # nothing cut to fit
    assert max(cell_len(line) for line in lines) <= COLUMNS  # Thai marks take no cell


def test_progress_shows_each_phase_and_reaches_its_total(checked):
    shown, result, _ = checked
    frames = "\n".join(plain(shown))
    for phase in ("crawl", "documents", "judging"):
        counts = re.findall(rf"\({phase}\)\S*\s+\S*?\s*(\d+)/(\d+)", frames)
        assert counts, f"no {phase} bar"
        done, total = map(int, counts[-1])
        assert done == total, f"{phase} ends at {done}/{total}"
    judged = re.findall(r"\(judging\)\S*\s+\S*?\s*(\d+)/(\d+)", frames)
    assert judged[-1] == (str(len(result["items"])),) * 2
    crawled = re.findall(r"\(crawl\)\S*\s+\S*?\s*(\d+)/(\d+)", frames)
    assert int(crawled[-1][1]) == result["stats"]["fetched"]  # not the 300-page budget
