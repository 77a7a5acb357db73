"""Every run into SQLite (sqlite-utils): sites, runs, fetched resources, item verdicts, evidence.

Rows are written as the crawl goes, each in its own transaction, so a run stopped half-way
leaves a consistent database: the run row says ``incomplete`` and what was fetched is kept.
The ``texts`` table caches extracted text by content hash (OCR is slow; never do it twice).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import sqlite_utils

from oit_checker.models import Fetched, ItemResult

SCHEMA_VERSION = 1


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class Store:
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.db = sqlite_utils.Database(self.path)
        self.db.execute("PRAGMA journal_mode=WAL")
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

    # ---- runs -------------------------------------------------------------------------------
    def start_run(
        self, site_url: str, year: int, rules_path: str, rules_sha: str, as_of: str, options: dict
    ) -> int:
        sites = self.db["sites"]
        found = list(sites.rows_where("url = ?", [site_url], limit=1))
        if found:
            site_id = found[0]["id"]
        else:
            site_id = sites.insert(
                {"url": site_url, "host": urlsplit(site_url).hostname or "", "first_seen": _now()}
            ).last_pk
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
                }
            )
            .last_pk
        )

    def add_resource(self, run_id: int, fetched: Fetched) -> None:
        self.db["resources"].upsert(
            {
                "run_id": run_id,
                "url": fetched.url,
                "final_url": fetched.final_url,
                "status": fetched.status,
                "kind": fetched.kind,
                "content_type": fetched.content_type,
                "sha256": sha256(fetched.body) if fetched.body else "",
                "size": len(fetched.body),
                "error": fetched.error,
                "etag": fetched.etag,
                "last_modified": fetched.last_modified,
                "depth": fetched.depth,
                "fetched_at": _now(),
            },
            pk=("run_id", "url"),
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
        with self.db.conn:
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
