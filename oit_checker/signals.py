"""Stop requests from outside: SIGTERM (what systemd sends on stop and on a timeout) is handled
like Ctrl-C. During an audit it cancels the work, so the run is kept marked ``incomplete``
(resumable), and the command exits 143 (128 + SIGTERM), as a shell reports a terminated job.
Outside an audit it simply exits 143.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Coroutine
from typing import Any, TypeVar

from oit_checker.errors import EXIT_TERMINATED

T = TypeVar("T")


class Terminated(Exception):
    """SIGTERM arrived while ``run`` was running its coroutine (which was cancelled)."""


def _exit_terminated(signum: int, frame: object) -> None:
    raise SystemExit(EXIT_TERMINATED)


def install() -> None:
    """SIGTERM ends the process with exit 143 (running ``finally`` blocks on the way)."""
    signal.signal(signal.SIGTERM, _exit_terminated)


def run(coro: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(coro)``; SIGTERM cancels it as Ctrl-C would and raises Terminated."""
    received: list[bool] = []

    async def main() -> T:
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        assert task is not None

        def on_term() -> None:
            received.append(True)
            task.cancel()

        loop.add_signal_handler(signal.SIGTERM, on_term)
        try:
            return await coro
        except asyncio.CancelledError:
            if received:
                raise Terminated from None
            raise
        finally:
            loop.remove_signal_handler(signal.SIGTERM)

    try:
        return asyncio.run(main())
    finally:
        install()  # the loop left SIGTERM at its default (die without a word)
