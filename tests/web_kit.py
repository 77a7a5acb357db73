"""A real `oit serve` process for the web tests, on a free loopback port."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
from services import free_port

OIT = str(Path(sys.executable).parent / "oit")


def start_server(cwd: Path, *args: str, **env: str) -> tuple[subprocess.Popen, str]:
    """`oit serve ARGS` in ``cwd`` with ``env`` added; its process and base URL once it answers."""
    port = free_port()
    process = subprocess.Popen(
        [OIT, "serve", "--port", str(port), *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, **env},
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(400):
        try:
            httpx.get(base + "/static/app.js", timeout=1)
            return process, base
        except httpx.HTTPError:
            if process.poll() is not None:
                raise RuntimeError(process.stdout.read().decode()) from None
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("oit serve did not start")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(15)
