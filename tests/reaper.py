"""A process that outlives a killed test session just long enough to stop what it started.

A fixture's ``finally`` does not run when pytest is killed with SIGKILL (a CI job's timeout, a
``kill -9``): the PostgreSQL server tests/services.py started through ``pg_ctl`` is a daemon of
the ``postgres`` user and ran on, its folder left in /tmp, until someone noticed. The reaper is a
small Python process in a session of its own (so a signal to pytest's process group spares
it) holding the read end of a pipe whose write end only the test process holds. However that
process ends, the kernel closes its end, the reaper's read returns end-of-file, and it runs the
cleanup commands (each bounded by ``timeout``) and removes the folders: the server is gone a
second or two after pytest. The fixture's normal end closes the pipe the same way
(``dismiss``): one cleanup path for both. A child forked from pytest (multiprocessing's fork)
inherits the write end; the reaper then waits for that child to end too.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

_REAP = r"""
import json, os, shutil, subprocess, sys
fd, spec = int(sys.argv[1]), json.loads(sys.argv[2])
while os.read(fd, 4096):
    pass
for command in spec["commands"]:
    try:
        subprocess.run(command, capture_output=True, timeout=spec["timeout"])
    except (OSError, subprocess.SubprocessError):
        pass
for path in spec["paths"]:
    shutil.rmtree(path, ignore_errors=True)
"""


class Reaper:
    """Runs ``commands`` then removes ``paths`` once this process ends or ``dismiss`` is called."""

    def __init__(self, commands: list[list[str]], paths: list[Path], timeout: float = 60) -> None:
        read, self._write = os.pipe()  # both ends close-on-exec: no other child inherits them
        spec = json.dumps(
            {"commands": commands, "paths": [str(p) for p in paths], "timeout": timeout}
        )
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", _REAP, str(read), spec],
                pass_fds=[read],
                start_new_session=True,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        finally:
            os.close(read)

    def dismiss(self, wait: float = 120) -> None:
        """Clean up now (the fixture's normal end) and wait until it is done."""
        if self._write >= 0:
            os.close(self._write)
            self._write = -1
        self.proc.wait(timeout=wait)
