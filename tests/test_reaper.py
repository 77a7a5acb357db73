"""The test services do not outlive a killed test session (tests/reaper.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def _postgres_of(folder: str) -> list[int]:
    """Processes whose command line names the cluster in ``folder``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if f"{folder}/data" in cmdline:
                found.append(int(entry.name))
    return found


def _hold(tmp_path: Path, body: str) -> tuple[subprocess.Popen, str]:
    """A pytest session in its own process group that starts a service, prints READY and what
    names it, then sleeps: the caller kills it with SIGKILL."""
    (tmp_path / "test_hold.py").write_text(
        f"import sys, time\nsys.path.insert(0, {str(TESTS)!r})\n" + body, encoding="utf-8"
    )
    session = subprocess.Popen(
        [sys.executable, "-m", "pytest", "-s", "-q", "-p", "no:cacheprovider", "test_hold.py"],
        cwd=tmp_path, stdout=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    assert session.stdout is not None
    ready = next((line for line in session.stdout if line.startswith("READY")), "")
    return session, ready


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except OSError:
        return False
    return state != "Z"


def test_a_killed_pytest_leaves_no_redis_server_behind(tmp_path):
    """kill -9 of a pytest holding a RedisServer: its redis-server (own session, so the kill
    of pytest's group spares it) is shut down within seconds."""
    session, ready = _hold(
        tmp_path,
        "from pathlib import Path\nfrom redis_service import RedisServer\n\n"
        "def test_hold(tmp_path):\n"
        "    server = RedisServer(tmp_path / 'r').start()\n"
        "    print('READY', server.proc.pid, flush=True)\n"
        "    time.sleep(300)\n",
    )
    try:
        assert ready, "the held session did not start redis-server"
        pid = int(ready.split()[1])
        assert _alive(pid)
    finally:
        os.kill(session.pid, signal.SIGKILL)
        session.wait(30)
    deadline = time.monotonic() + 30
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _alive(pid), "redis-server outlived its killed test session"


def test_a_killed_pytest_leaves_no_postgres_server_behind(tmp_path):
    """kill -9 of a pytest holding the session's PostgreSQL: within seconds no process of that
    cluster runs and its folder is gone (the fixture's ``finally`` never ran)."""
    (tmp_path / "test_hold.py").write_text(
        "import sys, time\n"
        f"sys.path.insert(0, {str(TESTS)!r})\n"
        "from services import running_postgres\n\n"
        "def test_hold():\n"
        "    with running_postgres() as server:\n"
        "        print('READY', server.folder, flush=True)\n"
        "        time.sleep(300)\n",
        encoding="utf-8",
    )
    session = subprocess.Popen(
        [sys.executable, "-m", "pytest", "-s", "-q", "-p", "no:cacheprovider", "test_hold.py"],
        cwd=tmp_path, stdout=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    try:
        assert session.stdout is not None
        ready = next((line for line in session.stdout if line.startswith("READY")), "")
        assert ready, "the held session did not start PostgreSQL"
        folder = ready.split()[1]
        assert _postgres_of(folder), "no server of that cluster runs"
    finally:
        os.kill(session.pid, signal.SIGKILL)
        session.wait(30)
    deadline = time.monotonic() + 30
    while (_postgres_of(folder) or Path(folder).exists()) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _postgres_of(folder), "the server outlived its killed test session"
    assert not Path(folder).exists()
