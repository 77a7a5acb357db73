"""Every run into SQLite (sqlite-utils): sites, runs, fetched resources, item verdicts, evidence.

Rows are written as the crawl goes, each in its own transaction, so a run stopped half-way
leaves a consistent database: the run row says ``incomplete`` (or stays ``running`` with the pid
of a process that was killed) and what was fetched is kept, ready to be resumed.
The ``texts`` table caches extracted text by content hash (OCR is slow; never do it twice).
The ``http_cache`` and ``pages`` tables make nightly re-audits cheap: per site and URL the last
good fetch's validators and content hash, and the Page extracted from that content, so an
unchanged resource is revalidated with a conditional request and never parsed again.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import socket
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import sqlite_utils

from oit_checker.check.site import FetchInfo
from oit_checker.models import Evidence, Fetched, Image, ItemResult, Link, Page

SCHEMA_VERSION = 2
# Run statuses a resume may continue; a ``running`` run only when its process is gone.
RESUMABLE_STATUSES = ("incomplete", "running")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def content_sha256(fetched: Fetched) -> str:
    """Hash of what a resource is extracted from: the decoded (or rendered) text of a page,
    whose body hash would not show a charset or a script's change, else the body."""
    if fetched.kind == "html":
        return sha256(fetched.text.encode("utf-8", "surrogatepass"))
    return sha256(fetched.body)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def page_key(content_sha: str, base_url: str, profile: str) -> str:
    """Key of one extracted Page: the hash of what was extracted (a document's bytes, a page's
    decoded or rendered HTML), the URL its relative links were resolved against (the same bytes
    at another address give other absolute links), and the extractor profile (extractor code
    and settings such as OCR: other settings give another Page)."""
    return sha256(f"{content_sha}\n{base_url}\n{profile}".encode())


def page_to_json(page: Page) -> str:
    # Shallow dicts, not dataclasses.asdict (which deep-copies every string: 0.6 s per 1,000
    # pages in a profile).
    data = dict(vars(page))
    data["links"] = [vars(link) for link in page.links]
    data["images"] = [vars(image) for image in page.images]
    data.pop("url")  # the requester's URL; several may share one stored Page
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def page_from_json(text: str, url: str) -> Page:
    data = json.loads(text)
    data["links"] = [Link(**link) for link in data.get("links", [])]
    data["images"] = [Image(**image) for image in data.get("images", [])]
    return Page(url=url, **data)


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


@dataclass
class CachedResource:
    """The last successful fetch of one URL of a site, as re-audits need it."""

    url: str
    final_url: str
    status: int
    kind: str
    content_type: str
    etag: str
    last_modified: str
    sha256: str  # of the body
    size: int
    content_sha256: str  # of what was extracted: the body, or the HTML text as parsed
    rendered: int  # 1: the Page came from a JavaScript-rendered DOM the validators do not cover
    page_key: str  # "" when the resource has no Page (kind "other")
    validated_at: str = ""  # the last time the server confirmed it (ISO, UTC)

    def validators(self) -> dict[str, str]:
        return {"etag": self.etag, "last_modified": self.last_modified}

    def conditional(self, usable: bool) -> dict[str, str] | None:
        """Validators for a conditional request, when a 304 could be answered (``usable``: its
        Page is stored for today's extractor). Never for a page whose text came from
        JavaScript: the validators of its HTML shell say nothing about what its scripts load."""
        if self.rendered or not (self.etag or self.last_modified) or not usable:
            return None
        return self.validators()


class Store:
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.db = sqlite_utils.Database(self.path)
        self.db.execute("PRAGMA journal_mode=WAL")
        # In WAL mode NORMAL still commits atomically and survives a killed process (what
        # --resume relies on); only a power cut may lose the last commits. FULL synced the
        # disk on each of an audit's ~1,000 commits: 1.5 s per 1,000 resources.
        self.db.execute("PRAGMA synchronous=NORMAL")
        self._create()

    def _create(self) -> None:
        db = self.db
        if "sites" not in db.table_names():
            db["sites"].create({"id": int, "url": str, "host": str, "first_seen": str}, pk="id")
            db["sites"].create_index(["url"], unique=True)
        if "runs" not in db.table_names():
            db["runs"].create(
                {
                    "id": int,
                    "site_id": int,
                    "started_at": str,
                    "finished_at": str,
                    "status": str,  # running | complete | incomplete | failed
                    "year": int,
                    "rules_path": str,
                    "rules_sha256": str,
                    "as_of": str,
                    "options": str,
                    "scores": str,
                    "stats": str,
                    "exit_code": int,
                    "error": str,
                    "pid": int,  # the process running it, so a killed run can be told apart
                    "host": str,  # the machine of that pid
                    "resumed": int,  # how many times it was resumed
                },
                pk="id",
                foreign_keys=[("site_id", "sites", "id")],
            )
        if "resources" not in db.table_names():
            db["resources"].create(
                {
                    "run_id": int,
                    "url": str,
                    "final_url": str,
                    "status": int,
                    "kind": str,
                    "content_type": str,
                    "sha256": str,
                    "size": int,
                    "error": str,
                    "etag": str,
                    "last_modified": str,
                    "depth": int,
                    "fetched_at": str,
                    # new | changed | unchanged | revalidated (HTTP 304; status, kind, sha256
                    # and size are then the cached copy's) | "" (failed or not cached)
                    "cache": str,
                    "page_key": str,  # pages.key of its extracted Page, "" when none
                },
                pk=("run_id", "url"),
                foreign_keys=[("run_id", "runs", "id")],
            )
        if "items" not in db.table_names():
            db["items"].create(
                {
                    "run_id": int,
                    "item_id": str,
                    "position": int,
                    "title": str,
                    "subindicator": str,
                    "indicator": str,
                    "status": str,
                    "reason": str,
                    "found": str,
                    "missing": str,
                    "candidates": str,
                },
                pk=("run_id", "item_id"),
                foreign_keys=[("run_id", "runs", "id")],
            )
        if "evidence" not in db.table_names():
            db["evidence"].create(
                {
                    "run_id": int,
                    "item_id": str,
                    "position": int,
                    "url": str,
                    "kind": str,
                    "excerpt": str,
                    "via": str,
                },
                pk=("run_id", "item_id", "position"),
                foreign_keys=[("run_id", "runs", "id")],
            )
        if "texts" not in db.table_names():
            db["texts"].create(
                {"sha256": str, "method": str, "text": str, "created_at": str},
                pk=("sha256", "method"),
            )
        if "pages" not in db.table_names():
            db["pages"].create(
                {
                    "key": str,  # page_key(sha256, base_url, profile)
                    "sha256": str,  # of what was extracted (body, or HTML text as parsed)
                    "base_url": str,
                    "profile": str,
                    "kind": str,
                    "page": str,  # the Page as JSON, without its url
                    "created_at": str,
                },
                pk="key",
            )
        if "http_cache" not in db.table_names():
            db["http_cache"].create(
                {
                    "site_id": int,
                    "url": str,  # as requested (normalised), what the crawler asks about
                    "final_url": str,
                    "status": int,
                    "kind": str,
                    "content_type": str,
                    "etag": str,
                    "last_modified": str,
                    "sha256": str,  # of the body
                    "size": int,
                    "content_sha256": str,  # of what was extracted (see CachedResource)
                    "rendered": int,
                    "page_key": str,
                    "fetched_at": str,  # last full download
                    "validated_at": str,  # last time the server said it was unchanged
                    "run_id": int,  # the run that last saw it
                },
                pk=("site_id", "url"),
                foreign_keys=[("site_id", "sites", "id")],
            )
        self._migrate()

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """One write transaction, taking the write lock at once: a deferred one that reads
        first can fail outright (SQLITE_BUSY, no wait) when another connection writes, as
        extraction threads and other audits of a batch do."""
        if self.db.conn.in_transaction:
            with self.db.atomic():
                yield
            return
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.rollback()
            raise
        self.db.commit()

    def _migrate(self) -> None:
        """Columns added after schema 1: databases of older versions gain them in place."""
        added = {
            "runs": {"pid": int, "host": str, "resumed": int},
            "resources": {"cache": str, "page_key": str},
            "http_cache": {"content_sha256": str, "rendered": int},
        }
        for table, columns in added.items():
            have = self.db[table].columns_dict
            for name, kind in columns.items():
                if name not in have:
                    self.db[table].add_column(name, kind)
        self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    # ---- sites and runs ---------------------------------------------------------------------
    def site_id(self, site_url: str, create: bool = False) -> int | None:
        sites = self.db["sites"]
        found = list(sites.rows_where("url = ?", [site_url], limit=1))
        if found:
            return found[0]["id"]
        if not create:
            return None
        return sites.insert(
            {"url": site_url, "host": urlsplit(site_url).hostname or "", "first_seen": _now()}
        ).last_pk

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
        if run["status"] == "running" and process_alive(run.get("pid"), run.get("host")):
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

    def add_resource(
        self,
        run_id: int,
        fetched: Fetched,
        *,
        body_sha: str | None = None,
        size: int | None = None,
        cache: str = "",
        key: str = "",
    ) -> None:
        """One fetched URL of a run. ``body_sha``/``size`` override the body's (a 304 has
        none: the cached copy's are recorded)."""
        with self._writing():  # alone, or inside record_fetch's transaction
            self._replace(
                "resources",
                {
                    "run_id": run_id,
                    "url": fetched.url,
                    "final_url": fetched.final_url,
                    "status": fetched.status,
                    "kind": fetched.kind,
                    "content_type": fetched.content_type,
                    "sha256": body_sha
                    if body_sha is not None
                    else (sha256(fetched.body) if fetched.body else ""),
                    "size": size if size is not None else len(fetched.body),
                    "error": fetched.error,
                    "etag": fetched.etag,
                    "last_modified": fetched.last_modified,
                    "depth": fetched.depth,
                    "fetched_at": _now(),
                    "cache": cache,
                    "page_key": key,
                },
            )

    def _replace(self, table: str, row: dict[str, Any]) -> None:
        """Insert or replace one whole row. Plain SQL: sqlite-utils' upsert reads the schema
        (12 statements) for every row, which was most of the SQLite time of an audit."""
        columns = ", ".join(f'"{name}"' for name in row)
        marks = ", ".join("?" for _ in row)
        self.db.execute(
            f'insert or replace into "{table}" ({columns}) values ({marks})', list(row.values())
        )

    def resources(self, run_id: int) -> list[dict]:
        return list(
            self.db.query("select * from resources where run_id = ? order by rowid", [run_id])
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
        results = []
        for row in self.items(run_id):
            evidence = [
                Evidence(e["url"], e["kind"], e["excerpt"] or "", e["via"] or "")
                for e in self.evidence(run_id, row["item_id"])
            ]
            results.append(
                ItemResult(
                    id=row["item_id"],
                    title=row["title"],
                    subindicator=row["subindicator"],
                    indicator=row["indicator"],
                    status=row["status"],
                    reason=row["reason"],
                    evidence=evidence,
                    found=json.loads(row["found"] or "[]"),
                    missing=json.loads(row["missing"] or "[]"),
                    candidates=json.loads(row["candidates"] or "[]"),
                )
            )
        return results

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
            self.db.conn.executemany(
                "update http_cache set validated_at = ?, run_id = ?,"
                " etag = coalesce(nullif(?, ''), etag),"
                " last_modified = coalesce(nullif(?, ''), last_modified)"
                " where site_id = ? and url = ?",
                [
                    (now, to_run, f.etag, f.last_modified, site_id, url)
                    for url, f in asked.items()
                    if f.ok or f.status == 304
                ],
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

    # ---- HTTP cache and extracted pages -------------------------------------------------------
    def http_cache(self, site_id: int) -> dict[str, CachedResource]:
        """The site's cached resources by URL, only those whose Page (if any) is still stored."""
        rows = self.db.query(
            "select c.* from http_cache c where c.site_id = ?"
            " and (c.page_key = '' or exists (select 1 from pages p where p.key = c.page_key))",
            [site_id],
        )
        fields = {f.name for f in dataclasses.fields(CachedResource)}
        return {
            row["url"]: CachedResource(**{k: row[k] for k in fields if k in row}) for row in rows
        }

    def page(self, key: str, url: str) -> Page | None:
        """The stored Page under ``key``, its ``url`` set to the requester's."""
        if not key:
            return None
        row = self.db.execute("select page from pages where key = ?", [key]).fetchone()
        return page_from_json(row[0], url) if row else None

    def has_page(self, key: str) -> bool:
        return self.db.execute("select 1 from pages where key = ?", [key]).fetchone() is not None

    def record_fetch(
        self,
        run_id: int,
        site_id: int,
        fetched: Fetched,
        *,
        cached: CachedResource | None = None,
        page: Page | None = None,
        page_profile: str = "",
        content_sha: str = "",
        rendered: bool = False,
        keep_page: bool = True,
        cache: str = "",
    ) -> str:
        """Store one resource of a run, and for a good fetch its Page and the site's cache row,
        in one transaction (a killed run never leaves a resource without its Page).

        ``cached`` is the copy a 304 confirmed: the row then records that copy's status, kind
        and hash. ``content_sha`` is the hash of what ``page`` was extracted from (default: the
        body). ``keep_page=False`` (a Page whose OCR was cut short) stores the resource only,
        so the next audit extracts it again. Returns the Page's key ("" when none)."""
        now = _now()
        with self._writing():
            if cached is not None:  # revalidated: the cached copy is what this URL holds
                key = cached.page_key
                self.add_resource(
                    run_id,
                    dataclasses.replace(
                        fetched,
                        status=cached.status,
                        kind=cached.kind,  # type: ignore[arg-type]
                        content_type=cached.content_type,
                        final_url=fetched.final_url or cached.final_url,
                    ),
                    body_sha=cached.sha256,
                    size=cached.size,
                    cache=cache,
                    key=key,
                )
                self.db.execute(
                    "update http_cache set validated_at = ?, run_id = ?,"
                    " etag = coalesce(nullif(?, ''), etag),"
                    " last_modified = coalesce(nullif(?, ''), last_modified)"
                    " where site_id = ? and url = ?",
                    [now, run_id, fetched.etag, fetched.last_modified, site_id, fetched.url],
                )
                return key
            if not fetched.ok or (page is not None and not keep_page):
                self.add_resource(run_id, fetched, cache=cache)
                return ""
            body_sha = sha256(fetched.body)
            content_sha = content_sha or body_sha
            base_url = fetched.final_url or fetched.url
            key = page_key(content_sha, base_url, page_profile) if page is not None else ""
            if page is not None:
                self.db.execute(
                    "insert or ignore into pages (key, sha256, base_url, profile, kind, page,"
                    " created_at) values (?, ?, ?, ?, ?, ?, ?)",
                    [key, content_sha, base_url, page_profile, page.kind, page_to_json(page), now],
                )
            self.add_resource(run_id, fetched, body_sha=body_sha, cache=cache, key=key)
            self._replace(
                "http_cache",
                {
                    "site_id": site_id,
                    "url": fetched.url,
                    "final_url": fetched.final_url,
                    "status": fetched.status,
                    "kind": fetched.kind,
                    "content_type": fetched.content_type,
                    "etag": fetched.etag,
                    "last_modified": fetched.last_modified,
                    "sha256": body_sha,
                    "size": len(fetched.body),
                    "content_sha256": content_sha,
                    "rendered": int(rendered),
                    "page_key": key,
                    "fetched_at": now,
                    "validated_at": now,
                    "run_id": run_id,
                },
            )
            return key

    # ---- text cache (TextCache protocol of extract.documents) ---------------------------------
    # Called from extraction worker threads: a short connection of their own each time, since a
    # sqlite3 connection belongs to the thread that opened it (WAL lets them run side by side).
    def get_text(self, sha: str, method: str) -> str | None:
        with closing(sqlite3.connect(self.path, timeout=30)) as conn:
            row = conn.execute(
                "select text from texts where sha256 = ? and method = ?", [sha, method]
            ).fetchone()
        return row[0] if row else None

    def put_text(self, sha: str, method: str, text: str) -> None:
        with closing(sqlite3.connect(self.path, timeout=30)) as conn, conn:
            conn.execute(
                "insert or replace into texts (sha256, method, text, created_at) values (?, ?, ?, ?)",
                [sha, method, text, _now()],
            )
