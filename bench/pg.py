"""A throw-away PostgreSQL server on loopback for the fleet benchmark (bench/fleet.py).

The minimum of tests/services.py without pytest (that module is the tests' own): Debian's
server binaries, ``initdb`` and ``pg_ctl`` run as the ``postgres`` user when we are root
(initdb refuses root) in a folder it owns, TCP on 127.0.0.1 only, trust auth, no fsync (the data
is thrown away). ``cpu_seconds()`` is the server's CPU so far (the postmaster, the backends it
reaped and those still running), so the shared store's own cost can be counted beside the
workers'.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PG_BIN_GLOB = "/usr/lib/postgresql/*/bin"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def postgres_bin() -> Path | None:
    found = sorted(glob.glob(PG_BIN_GLOB), key=lambda p: int(Path(p).parent.name))
    found = [p for p in found if os.access(Path(p) / "initdb", os.X_OK)]
    return Path(found[-1]) if found else None


def _as_owner(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _ticks(pid: int, children: bool) -> int:
    """utime + stime (and the reaped children's, for the postmaster) of one process."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    own = int(fields[11]) + int(fields[12])
    return own + (int(fields[13]) + int(fields[14]) if children else 0)


@dataclass
class Postgres:
    port: int
    data: Path
    user: str = "oit"

    def database(self, name: str) -> str:
        import psycopg

        admin = f"postgresql://{self.user}@127.0.0.1:{self.port}/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'create database "{name}"')
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{name}"

    def cpu_seconds(self) -> float:
        pid = int((self.data / "postmaster.pid").read_text().split()[0])
        kids = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
        ticks = _ticks(pid, True) + sum(_ticks(int(k), False) for k in kids.split())
        return ticks / CLOCK_TICKS


@contextlib.contextmanager
def running_postgres() -> Iterator[Postgres]:
    bindir = postgres_bin()
    if bindir is None:
        raise SystemExit(f"PostgreSQL server binaries not found ({PG_BIN_GLOB}): ./scripts/setup")
    folder = Path(tempfile.mkdtemp(prefix="oit-bench-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    server = Postgres(_free_port(), folder / "data")
    run = {"check": True, "capture_output": True, "text": True, "timeout": 120}
    options = (
        f"-p {server.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''"
        " -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300"
    )
    try:
        subprocess.run(
            _as_owner([str(bindir / "initdb"), "-D", str(server.data), "-U", server.user,
                       "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]),
            **run,
        )  # fmt: skip
        subprocess.run(
            _as_owner([str(bindir / "pg_ctl"), "-D", str(server.data), "-l",
                       str(folder / "server.log"), "-o", options, "-w", "-t", "60", "start"]),
            **run,
        )  # fmt: skip
        yield server
    finally:
        if server.data.exists():
            subprocess.run(
                _as_owner([str(bindir / "pg_ctl"), "-D", str(server.data), "-m", "fast", "stop"]),
                capture_output=True,
                timeout=60,
            )
        shutil.rmtree(folder, ignore_errors=True)
