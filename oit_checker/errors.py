"""One error type for everything a user can get wrong, and the exit codes, each defined once.

Modules along the data's path raise an ``OitError`` subclass (``AuditError``, ``ConfigError``,
``RuleError``, ...) whose message is for the person at the terminal and whose ``exit_code`` is
for the shell; the CLI has one handler that prints the message and exits with the code. A cron
job tells "the site lacks items" (1) from "the config is wrong" (2) from "the site is down" (3)
by these codes, so nothing else may pick a number: a Python traceback exits 1, which would read
as "some item absent", hence bad input must always end as an ``OitError``.
"""

from __future__ import annotations

EXIT_ALL_PRESENT = 0  # every item present (or, with --fail-on regression, no regression)
EXIT_SOME_MISSING = 1  # some item absent or uncertain, a regression, a site of a batch failed
EXIT_USAGE = 2  # a bad argument, config, rule file, answer sheet or database
EXIT_UNCRAWLABLE = 3  # the site could not be crawled (unreachable, not a web page, TLS)
EXIT_SERVICE = 4  # the fleet's broker (Redis) cannot be reached
EXIT_INTERRUPTED = 130  # Ctrl-C: the run is kept, marked incomplete
EXIT_TERMINATED = 143  # SIGTERM (systemd's stop, 128 + 15): the run is kept, marked incomplete


class OitError(Exception):
    """A bounded, explained failure: ``message`` for the user, ``exit_code`` for the shell."""

    def __init__(self, message: str, exit_code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.exit_code = exit_code

    @property
    def message(self) -> str:
        return str(self)
