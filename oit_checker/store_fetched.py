"""What a run fetched, and what makes the next run cheap: the ``resources`` of each run, the
Page extracted from each content (``pages``), the site's HTTP validators (``http_cache``) and
OCR'd text (``texts``).

Per site and URL the last good fetch's validators and content hash, and the Page extracted from
that content, are kept, so an unchanged resource is revalidated with a conditional request and
never parsed again; a scanned PDF is never OCR'd twice. ``Store`` (store.py) adds the runs and
their verdicts on top of these tables.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import sqlite3
from collections.abc import Iterator
from contextlib import AbstractContextManager, closing, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlite_utils

from oit_checker.models import Fetched, Image, Link, Page
from oit_checker.store_pg import PgDatabase


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


class FetchedTables:
    """The tables of fetched resources, extracted pages, the HTTP cache and OCR text."""

    path: Path | str
    db: sqlite_utils.Database

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

    def _record_revalidated(
        self, run_id: int, site_id: int, fetched: Fetched, cached: CachedResource, cache: str
    ) -> str:
        """A 304: the run records the cached copy's status, kind and hash under this URL."""
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
            key=cached.page_key,
        )
        self.confirm_cached(run_id, site_id, {fetched.url: fetched})
        return cached.page_key

    def confirm_cached(self, run_id: int, site_id: int, answers: dict[str, Fetched]) -> None:
        """The server confirmed these cached URLs (a 304, or the same content) in this run:
        validated now, with any validators it sent."""
        self.db.conn.executemany(
            "update http_cache set validated_at = ?, run_id = ?,"
            " etag = coalesce(nullif(?, ''), etag),"
            " last_modified = coalesce(nullif(?, ''), last_modified)"
            " where site_id = ? and url = ?",
            [(_now(), run_id, f.etag, f.last_modified, site_id, url) for url, f in answers.items()],
        )

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
        with self._writing(), _batched(self.db):
            if cached is not None:  # revalidated: the cached copy is what this URL holds
                return self._record_revalidated(run_id, site_id, fetched, cached, cache)
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
    # On PostgreSQL a pooled connection of the thread's own; the cache is shared by every site
    # and worker (a ministry PDF many agencies publish is OCR'd once for the fleet).
    @contextmanager
    def _side_connection(self) -> Iterator[Any]:
        if isinstance(self.db, PgDatabase):
            with self.db.side_connection() as conn:
                yield conn
            return
        with closing(sqlite3.connect(self.path, timeout=30)) as conn, conn:
            yield conn

    def get_text(self, sha: str, method: str) -> str | None:
        with self._side_connection() as conn:
            row = conn.execute(
                "select text from texts where sha256 = ? and method = ?", [sha, method]
            ).fetchone()
        return row[0] if row else None

    def put_text(self, sha: str, method: str, text: str) -> None:
        with self._side_connection() as conn:
            conn.execute(
                "insert or replace into texts (sha256, method, text, created_at) values (?, ?, ?, ?)",
                [sha, method, text, _now()],
            )


def _batched(db: Any) -> AbstractContextManager:
    """PostgreSQL: the resource's statements in one round trip (store_pg.pipelined)."""
    return db.pipelined() if isinstance(db, PgDatabase) else nullcontext()
