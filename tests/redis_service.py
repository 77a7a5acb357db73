"""A real ``redis-server`` (Debian's) on a free loopback port, for the fleet's tests.

Append-only file on (``appendonly yes``, fsync every write) so a test can restart it in the
middle of a batch and see that nothing queued was lost. A missing binary fails the test with
what to install: the fleet is never tested against a fake. The server runs in a session of its
own (a test's signals spare it), so a Reaper (tests/reaper.py) shuts it down when pytest is
killed; a restart keeps the port, hence the same Reaper.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import redis
from reaper import Reaper
from receivers import free_port


class RedisServer:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self._reaper: Reaper | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError(
                "redis-server is not installed: run ./scripts/setup (apt-get install redis-server)"
            )
        self.folder.mkdir(parents=True, exist_ok=True)
        if self._reaper is None:
            shutdown = ["redis-cli", "-p", str(self.port), "shutdown", "nosave"]
            self._reaper = Reaper([shutdown], [], timeout=10)
        args = [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder)]
        args += ["--appendonly", "yes", "--appendfsync", "always", "--save", ""]
        self.proc = subprocess.Popen(
            args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=1)
        deadline = time.monotonic() + 10
        while True:
            try:
                if client.ping():
                    return self
            except redis.RedisError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server did not start on port {self.port}") from None
                time.sleep(0.05)

    def stop(self, kill: bool = False) -> None:
        self._end(kill)
        if self._reaper is not None:
            self._reaper.dismiss()
            self._reaper = None

    def _end(self, kill: bool) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill() if kill else self.proc.terminate()
            self.proc.wait(timeout=10)

    def restart(self, down_seconds: float = 0.0) -> None:
        """Kill -9 (no chance to save anything more), stay down a moment, start again on the
        same port and folder: what was acknowledged comes back from the append-only file."""
        self._end(kill=True)
        time.sleep(down_seconds)
        self.start()

    def flush(self) -> None:
        redis.Redis(port=self.port).flushall()
