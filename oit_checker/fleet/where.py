"""Where the fleet meets: the broker and the store, from the command line, else the
environment (OIT_BROKER, OIT_DB: the names every fleet command and the store share), else
config.toml's ``[fleet]`` table."""

from __future__ import annotations

import os
from pathlib import Path

from oit_checker.config import Config
from oit_checker.errors import OitError

BROKER_ENV, DB_ENV = "OIT_BROKER", "OIT_DB"


def broker_url(given: str | None, config: Config | None = None) -> str:
    url = given or os.environ.get(BROKER_ENV) or (config.fleet.broker if config else "")
    if not url:
        raise OitError(
            f"no broker: pass --broker redis://host:6379/0, set {BROKER_ENV},"
            " or write broker in config.toml's [fleet]"
        )
    return url


def db_target(given: str | None, config: Config | None = None) -> str:
    """The store: a path (relative to the config when it came from there) or a URL."""
    if given:
        return given
    if os.environ.get(DB_ENV):
        return os.environ[DB_ENV]
    db = config.fleet.db if config else ""
    if not db:
        raise OitError(
            f"no database: pass --db PATH|URL, set {DB_ENV}, or write db in config.toml's [fleet]"
        )
    if "://" not in db and config is not None and config.path is not None:
        path = Path(db).expanduser()
        return str(path if path.is_absolute() else config.path.parent / path)
    return db

