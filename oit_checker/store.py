"""Every run into SQLite (sqlite-utils): sites, runs, fetched resources, item verdicts, evidence.

Rows are written as the crawl goes, each in its own transaction, so a run stopped half-way
leaves a consistent database: the run row says ``incomplete`` (or stays ``running`` with the pid
of a process that was killed) and what was fetched is kept, ready to be resumed.
All SQL of the tool lives here and in its mixins: ``store_fetched`` (fetched resources, extracted
pages, the HTTP and OCR caches), ``store_past`` (past runs read back for history, diff and
report), ``store_web`` (what `oit serve` started, items checked by hand) and ``store_fleet`` (the
nightly fleet's jobs); the schema is in ``store_schema``, as numbered migrations applied on open.
The store knows the records of ``models`` and nothing of the crawler or the checker.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg

from oit_checker.errors import EXIT_UNCRAWLABLE, EXIT_USAGE, OitError
from oit_checker.locking import SiteBusy, busy_message, site_lock
from oit_checker.models import Evidence, Fetched, FetchInfo, ItemResult
from oit_checker.store_fetched import (  # noqa: F401 - re-exported: the store's public names
    CachedResource,
    FetchedTables,
    _now,
    content_sha256,
    page_from_json,
    page_key,
    page_to_json,
    sha256,
)
from oit_checker.store_fleet import FleetTables
from oit_checker.store_past import PastRunTables
from oit_checker.store_pg import PgDatabase
from oit_checker.store_schema import open_database, open_postgres
from oit_checker.store_target import StoreTarget, store_target
from oit_checker.store_web import WebTables

# Run statuses a resume may continue; a ``running`` run only when its process is gone.
RESUMABLE_STATUSES = ("incomplete", "running")
CANNOT_READ = "อ่านฐานข้อมูลไม่ได้ (cannot read database)"


def loads_or(text: str | None, default: Any) -> Any:
    """A stored JSON column, or ``default`` when it is empty or not JSON (a damaged row must
    not hide the rest of a run)."""
    if not text:
        return default
    try:
        return json.loads(text)
    except ValueError:
        return default


def process_alive(pid: int | None, host: str | None) -> bool:
    """Whether the process that wrote a ``running`` run still runs. Another machine's process
    cannot be checked, so it counts as alive (resuming it would fight a live crawl)."""
    if not pid:
        return False  # a run from before pids were recorded: nobody can be running it
    if host and host != socket.gethostname():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: it exists
        return True
    try:  # a killed child its parent has not reaped yet is a zombie: dead for our purpose
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


class Store(FetchedTables, PastRunTables, WebTables, FleetTables):
    def __init__(self, path: Path | str | StoreTarget) -> None:
        """The store at ``path``: an SQLite file, or a ``postgresql://`` URL (store_target.py);
        for one with checked errors use ``open_store``."""
        where = store_target(path)
        if where.path is not None:
            self.path: Path | str = where.path
            self.db = open_database(where.path)
        else:
            self.path = where.shown()  # what messages name: the URL without its password
            self.db = open_postgres(where.url)  # type: ignore[assignment]

    def close(self) -> None:
        """Close the database's connections (on PostgreSQL a server slot each)."""
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @contextlib.contextmanager
    def site_lock(self, site: str) -> Iterator[None]:
        """Hold the site for one audit (raise SiteBusy when another holds it): per database,
        so on PostgreSQL across every worker of the fleet."""
        if not isinstance(self.db, PgDatabase):
            with site_lock(Path(self.path), site):
                yield
            return
        with self.db.site_lock(site) as holder:
            if holder:
                raise SiteBusy(busy_message(site, self.path, holder))
            yield

    def still_running(self, run: dict, site_url: str) -> bool:
        """Whether the process of a ``running`` run is still at it. On PostgreSQL the site's
        lock says so across machines (the server frees it when a worker dies); on SQLite only
        a local pid can be checked."""
        if isinstance(self.db, PgDatabase):
            return not self.db.site_free(site_url)
        return process_alive(run.get("pid"), run.get("host"))

    # ---- sites and runs ---------------------------------------------------------------------
    def site_id(self, site_url: str, create: bool = False) -> int | None:
        sites = self.db["sites"]
        found = list(sites.rows_where("url = ?", [site_url], limit=1))
        if found:
            return found[0]["id"]
        if not create:
            return None
        # or ignore: another worker may add the site between the look and the insert
        self.db.execute(
            "insert or ignore into sites (url, host, first_seen) values (?, ?, ?)",
            [site_url, urlsplit(site_url).hostname or "", _now()],
        )
        return self.site_id(site_url)

    def start_run(
        self, site_url: str, year: int, rules_path: str, rules_sha: str, as_of: str, options: dict
    ) -> int:
        site_id = self.site_id(site_url, create=True)
        return (
            self.db["runs"]
            .insert(
                {
                    "site_id": site_id,
                    "started_at": _now(),
                    "status": "running",
                    "year": year,
                    "rules_path": rules_path,
                    "rules_sha256": rules_sha,
                    "as_of": as_of,
                    "options": json.dumps(options, ensure_ascii=False),
                    "pid": os.getpid(),
                    "host": socket.gethostname(),
                    "resumed": 0,
                }
            )
            .last_pk
        )

    def resumable_run(self, site_url: str, year: int) -> tuple[dict | None, str]:
        """The run a resume continues: the newest run of the site and year when it is
        ``incomplete``, or ``running`` in a process that is gone. Else (None, why not)."""
        rows = list(
            self.db.query(
                "select runs.* from runs join sites on sites.id = runs.site_id"
                " where sites.url = ? and runs.year = ? order by runs.id desc limit 1",
                [site_url, year],
            )
        )
        if not rows:
            return None, f"no run of {site_url} for {year} in {self.path}"
        run = rows[0]
        where = f"the latest run #{run['id']} of {site_url} for {year}"
        if run["status"] == "running" and self.still_running(run, site_url):
            return None, f"{where} is still running (pid {run['pid']} on {run['host']})"
        if run["status"] not in RESUMABLE_STATUSES:
            return None, f"{where} is {run['status']}"
        return run, ""

    def reopen_run(self, run_id: int, rules_path: str, rules_sha: str) -> None:
        """Mark a run running again, in this process, judged by these rules."""
        run = self.db["runs"].get(run_id)
        self.db["runs"].update(
            run_id,
            {
                "status": "running",
                "rules_path": rules_path,
                "rules_sha256": rules_sha,
                "finished_at": None,
                "error": "",
                "pid": os.getpid(),
                "host": socket.gethostname(),
                "resumed": (run.get("resumed") or 0) + 1,
            },
        )

    def finish_run(
        self,
        run_id: int,
        status: str,
        items: list[ItemResult] | None = None,
        scores: dict | None = None,
        stats: dict | None = None,
        exit_code: int | None = None,
        error: str = "",
    ) -> None:
        with self._writing():
            if items is not None:
                self.db["items"].delete_where("run_id = ?", [run_id])
                self.db["evidence"].delete_where("run_id = ?", [run_id])
                self.db["items"].insert_all(
                    {
                        "run_id": run_id,
                        "item_id": r.id,
                        "position": n,
                        "title": r.title,
                        "subindicator": r.subindicator,
                        "indicator": r.indicator,
                        "status": r.status,
                        "reason": r.reason,
                        "found": json.dumps(r.found, ensure_ascii=False),
                        "missing": json.dumps(r.missing, ensure_ascii=False),
                        "candidates": json.dumps(r.candidates, ensure_ascii=False),
                    }
                    for n, r in enumerate(items)
                )
                self.db["evidence"].insert_all(
                    {
                        "run_id": run_id,
                        "item_id": r.id,
                        "position": k,
                        "url": e.url,
                        "kind": e.kind,
                        "excerpt": e.excerpt,
                        "via": e.via,
                    }
                    for r in items
                    for k, e in enumerate(r.evidence)
                )
            update: dict[str, Any] = {"status": status, "finished_at": _now(), "error": error}
            if scores is not None:
                update["scores"] = json.dumps(scores, ensure_ascii=False)
            if stats is not None:
                update["stats"] = json.dumps(stats, ensure_ascii=False)
            if exit_code is not None:
                update["exit_code"] = exit_code
            self.db["runs"].update(run_id, update)

    def latest_complete_run(self, site_url: str, year: int) -> dict | None:
        rows = list(
            self.db.query(
                "select runs.* from runs join sites on sites.id = runs.site_id"
                " where sites.url = ? and runs.year = ? and runs.status = 'complete'"
                " order by runs.id desc limit 1",
                [site_url, year],
            )
        )
        return rows[0] if rows else None

    def item_results(self, run_id: int) -> list[ItemResult]:
        """A run's verdicts as the checker made them (evidence and candidates included)."""
        evidence: dict[str, list[Evidence]] = {}
        for e in self.db.query(
            "select * from evidence where run_id = ? order by item_id, position", [run_id]
        ):
            evidence.setdefault(e["item_id"], []).append(
                Evidence(e["url"], e["kind"], e["excerpt"] or "", e["via"] or "")
            )
        return [
            ItemResult(
                id=row["item_id"],
                title=row["title"],
                subindicator=row["subindicator"],
                indicator=row["indicator"],
                status=row["status"],
                reason=row["reason"] or "",
                evidence=evidence.get(row["item_id"], []),
                found=loads_or(row["found"], []),
                missing=loads_or(row["missing"], []),
                candidates=loads_or(row["candidates"], []),
            )
            for row in self.items(run_id)
        ]

    def carry_resources(
        self, from_run: int, to_run: int, site_id: int, asked: dict[str, Fetched]
    ) -> None:
        """A quick re-audit's resources: the previous run's, each URL asked again recorded
        with its answer (304: "revalidated", same content: "unchanged", same failure: ""),
        the rest "trusted" (not asked, fetched_at kept). Asked URLs count as validated now."""
        now = _now()
        rows = []
        for row in self.resources(from_run):
            row = {**row, "run_id": to_run}
            fetched = asked.get(row["url"])
            if fetched is None:
                row["cache"] = "trusted"
            else:
                if not FetchInfo.from_row(row).ok:
                    row["cache"] = ""
                else:
                    row["cache"] = "revalidated" if fetched.status == 304 else "unchanged"
                row["etag"] = fetched.etag or row["etag"]
                row["last_modified"] = fetched.last_modified or row["last_modified"]
                row["fetched_at"] = now
            rows.append(row)
        with self._writing():
            self.db["resources"].insert_all(rows, pk=("run_id", "url"), replace=True)
            self.confirm_cached(
                to_run, site_id, {u: f for u, f in asked.items() if f.ok or f.status == 304}
            )

    def run(self, run_id: int) -> dict:
        return self.db["runs"].get(run_id)

    def latest_run(self, site_url: str | None = None) -> dict | None:
        sql = "select runs.* from runs join sites on sites.id = runs.site_id"
        args: list[Any] = []
        if site_url:
            sql += " where sites.url = ?"
            args.append(site_url)
        rows = list(self.db.query(sql + " order by runs.id desc limit 1", args))
        return rows[0] if rows else None

    def items(self, run_id: int) -> list[dict]:
        return list(
            self.db.query("select * from items where run_id = ? order by position", [run_id])
        )

    def evidence(self, run_id: int, item_id: str) -> list[dict]:
        return list(
            self.db.query(
                "select * from evidence where run_id = ? and item_id = ? order by position",
                [run_id, item_id],
            )
        )

    def mark_verify_run(self, run_id: int) -> None:
        """The run was made by `oit verify`: listed, but not a default for report/sheet/diff."""
        self.db["runs"].update(run_id, {"purpose": "verify"})

    def merge_stats(self, run_id: int, extra: dict) -> None:
        """Add keys to a finished run's stats (what happened to its notifications)."""
        with self._writing():
            row = self.db.execute("select stats from runs where id = ?", [run_id]).fetchone()
            stats = loads_or(row[0] if row else None, {})
            stats.update(extra)
            self.db.execute(
                "update runs set stats = ? where id = ?",
                [json.dumps(stats, ensure_ascii=False), run_id],
            )


def open_store(target: str | Path | StoreTarget, create: bool = True) -> Store:
    """The store named by a ``--db`` value (store_target.py): a path or ``sqlite:///path`` is
    SQLite, ``postgresql://...`` the fleet's shared server. ``create=False`` (the reading
    commands) refuses a missing SQLite file rather than create an empty one. Every failure is
    an OitError (exit 2) naming the database: a worker or a cron job never sees a traceback."""
    where = store_target(target)
    if where.path is None:
        return _open_postgres(where)
    if not create and str(where.path) != ":memory:" and not where.path.exists():
        raise OitError(
            f"ไม่พบฐานข้อมูล (no database at) {where.path}; run `oit check` first or pass --db"
        )
    try:
        return Store(where.path)
    except Exception as exc:  # an unwritable path, a file that is not SQLite
        said = "เปิดฐานข้อมูลไม่ได้ (cannot open database)" if create else CANNOT_READ
        raise OitError(f"{said} {where.path}: {exc}") from None


def _open_postgres(where: StoreTarget) -> Store:
    """A PostgreSQL store, or an OitError that says what went wrong: an unreachable server
    (exit 3, like an unreachable site: worth retrying) or a refused login or database (2)."""
    try:
        return Store(where)
    except psycopg.OperationalError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        down = any(w in first for w in ("Connection refused", "timeout", "resolve", "translate"))
        raise OitError(
            f"เชื่อมต่อฐานข้อมูลไม่ได้ (cannot connect to database) {where.shown()}: {first}",
            EXIT_UNCRAWLABLE if down else EXIT_USAGE,
        ) from None
    except psycopg.Error as exc:
        raise OitError(f"เปิดฐานข้อมูลไม่ได้ (cannot open database) {where.shown()}: {exc}") from None
