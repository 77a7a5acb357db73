"""Real services for the tests, started once per session on free loopback ports.

PostgreSQL comes from Debian's ``postgresql`` package (scripts/setup installs it). CI runs as
root and ``initdb`` refuses root, so the cluster is made and run by the ``postgres`` user in a
folder it owns. Nothing is skipped: without the binaries a test that needs them fails and says
how to install them.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from reaper import Reaper

PG_BIN_GLOB = "/usr/lib/postgresql/*/bin"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postgres_bin() -> Path:
    """The newest installed server's bin folder; a clear failure when there is none."""
    found = sorted(glob.glob(PG_BIN_GLOB), key=lambda p: int(Path(p).parent.name))
    found = [p for p in found if os.access(Path(p) / "initdb", os.X_OK)]
    if not found:
        pytest.fail(
            f"PostgreSQL server binaries not found ({PG_BIN_GLOB}/initdb): run ./scripts/setup"
            " (it installs Debian's postgresql package)",
            pytrace=False,
        )
    return Path(found[-1])


def _as_owner(args: list[str]) -> list[str]:
    """The command as the ``postgres`` user when we are root (initdb refuses root)."""
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


@dataclass
class Postgres:
    """One running cluster; ``database()`` makes a fresh, empty database and gives its URL."""

    port: int
    folder: Path
    user: str = "oit"
    made: list[str] = field(default_factory=list)

    @property
    def admin_url(self) -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/postgres"

    def database(self, name: str = "") -> str:
        import psycopg

        name = name or f"oit_{len(self.made) + 1}"
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'create database "{name}"')
        self.made.append(name)
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{name}"


@contextlib.contextmanager
def running_postgres() -> Iterator[Postgres]:
    """initdb, start on a free port (TCP on 127.0.0.1 only, trust auth, no fsync: test data),
    yield, stop. The folder is under /tmp itself: pytest's tmp folders are root's, mode 700,
    which the postgres user cannot enter. The stop and the folder's removal are a Reaper's
    (tests/reaper.py): they happen at the end, and also when pytest is killed (SIGKILL)."""
    bindir = postgres_bin()
    folder = Path(tempfile.mkdtemp(prefix="oit-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    data, log = folder / "data", folder / "server.log"
    run = {"check": True, "capture_output": True, "text": True, "timeout": 120}
    server = Postgres(port=free_port(), folder=folder)
    stop = _as_owner([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"])
    reaper = Reaper([stop], [folder])
    try:
        subprocess.run(
            _as_owner([str(bindir / "initdb"), "-D", str(data), "-U", server.user,
                       "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]),
            **run,
        )  # fmt: skip
        options = (
            f"-p {server.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''"
            " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            " -c max_connections=200"
        )
        started = time.monotonic()
        subprocess.run(
            _as_owner([str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options,
                       "-w", "-t", "60", "start"]),
            **run,
        )  # fmt: skip
        server.started_in = time.monotonic() - started  # type: ignore[attr-defined]
        yield server
    except subprocess.CalledProcessError as exc:
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        pytest.fail(f"PostgreSQL did not start: {exc.stderr or exc.stdout}\n{tail}", pytrace=False)
    finally:
        reaper.dismiss()
