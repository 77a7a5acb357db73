"""Where the fleet meets: the broker and the store, from the command line, else the
environment (OIT_BROKER, OIT_DB: the names every fleet command and the store share), else
config.toml's ``[fleet]`` table."""

from __future__ import annotations

import os

from oit_checker.config import BROKER_ENV, DB_ENV, Config, broker, first_given
from oit_checker.errors import OitError

__all__ = ["BROKER_ENV", "DB_ENV", "broker_url", "db_target"]


def broker_url(given: str | None, config: Config | None = None) -> str:
    url = broker(given, config)
    if not url:
        raise OitError(
            f"no broker: pass --broker redis://host:6379/0, set {BROKER_ENV},"
            " or write broker in config.toml's [fleet]"
        )
    return url


def db_target(given: str | None, config: Config | None = None) -> str:
    """The store: a path (made relative to the config when it came from there, by
    config.py) or a URL. No default: a fleet must name its shared store."""
    db = first_given(given, os.environ.get(DB_ENV), config.fleet.db if config else "")
    if not db:
        raise OitError(
            f"no database: pass --db PATH|URL, set {DB_ENV}, or write db in config.toml's [fleet]"
        )
    return db
