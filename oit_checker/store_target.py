"""Where the store lives, from a ``--db`` value: a path (or ``sqlite:///path``) is an SQLite
file, the embedded default; ``postgresql://user@host:port/db`` is the fleet's shared server.

One parser for every command and the fleet's workers, so a typo in a URL is refused the same
way everywhere (exit 2, with what was understood) instead of creating a file named after it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from oit_checker.errors import EXIT_USAGE, OitError

SQLITE_PREFIX = "sqlite:///"  # as SQLAlchemy: sqlite:///relative.db, sqlite:////absolute.db
POSTGRES_SCHEMES = ("postgresql", "postgres")


@dataclass(frozen=True)
class StoreTarget:
    """A parsed ``--db``: ``path`` for SQLite, else ``url`` for PostgreSQL."""

    path: Path | None = None
    url: str = ""

    @property
    def is_postgres(self) -> bool:
        return bool(self.url)

    def shown(self) -> str:
        """For messages: the path, or the URL without its password."""
        if self.path is not None:
            return str(self.path)
        parts = urlsplit(self.url)
        if parts.password:
            netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
            return parts._replace(netloc=netloc).geturl()
        return self.url


def store_target(target: str | Path | StoreTarget) -> StoreTarget:
    """Parse a ``--db`` value; raise OitError (exit 2) for a scheme the store does not speak."""
    if isinstance(target, StoreTarget):
        return target
    if isinstance(target, Path):
        return StoreTarget(path=target)
    text = target.strip()
    if text.startswith(SQLITE_PREFIX):
        rest = text[len(SQLITE_PREFIX) :]
        if not rest:
            raise OitError(f"no file in {text!r}: write sqlite:///oit.db or sqlite:////abs/oit.db")
        return StoreTarget(path=Path(rest))
    if "://" not in text:
        if not text:
            raise OitError("--db is empty: give a file path or a postgresql:// URL")
        return StoreTarget(path=Path(text))
    scheme = text.split("://", 1)[0].lower()
    if scheme.split("+", 1)[0] in POSTGRES_SCHEMES:
        return StoreTarget(url=_postgres_url(text))
    raise OitError(
        f"ฐานข้อมูลชนิดนี้ใช้ไม่ได้ (unsupported database) {scheme}://...: --db takes a file path,"
        " sqlite:///path or postgresql://user@host:port/dbname",
        EXIT_USAGE,
    )


def _postgres_url(text: str) -> str:
    """libpq's URL, checked enough to fail here rather than deep in a connection attempt."""
    scheme, rest = text.split("://", 1)
    parts = urlsplit("postgresql://" + rest)
    try:
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        raise OitError(f"bad port in database URL {text!r}", EXIT_USAGE) from None
    if not parts.path.strip("/"):
        raise OitError(
            f"no database name in {text!r}: write postgresql://user@host:port/dbname", EXIT_USAGE
        )
    return parts.geturl()
