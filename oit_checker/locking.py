"""One audit of a site per database at a time.

Two audits of one site into one database would double the load on the agency's server and
interleave two runs in its history, so the second refuses at once and says who holds the site
(rather than waiting: a nightly batch must not stall behind a manual check). The lock is an
advisory ``flock`` on a small file beside the database, one per site; the kernel releases it
when its process ends, however it ends, so a killed audit never leaves a site locked.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

from oit_checker.errors import EXIT_UNCRAWLABLE, OitError


class SiteBusy(OitError):
    """Another process is auditing this site into this database: the site cannot be audited
    now (exit 3), which a nightly job must tell from a bad argument (2)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, EXIT_UNCRAWLABLE)


def busy_message(site: str, db: object, holder: str) -> str:
    return (
        f"มีการตรวจเว็บไซต์นี้อยู่แล้วในฐานข้อมูลเดียวกัน ({holder}) รอให้เสร็จก่อน"
        f" / another audit of {site} into {db} is running ({holder}): this one refuses"
        f" rather than load the agency's server twice; wait for it, or use another --db"
    )


@contextlib.contextmanager
def site_lock(db: Path, site: str) -> Iterator[None]:
    """Hold the site's lock for the duration; raise SiteBusy when another process holds it."""
    if str(db) == ":memory:":
        yield
        return
    folder = Path(f"{db}.locks")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (hashlib.sha256(site.encode()).hexdigest()[:16] + ".lock")
    with open(path, "a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise SiteBusy(busy_message(site, db, holder)) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}\n")
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)
