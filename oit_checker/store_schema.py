"""The database's schema as numbered migrations (sqlite-utils ``Migrations``), applied on open.

A database written by any earlier version opens and is brought up to date in place; nothing is
ever dropped, so a run audited months ago still gives its report, sheet and diff. Databases made
before migrations were recorded (``PRAGMA user_version`` 1 or 2) already hold some or all of the
tables and columns: each migration creates only what is missing, and the record of applied
migrations (table ``_sqlite_migrations``) then starts with them.

To change the schema, append a migration: never edit one that has shipped, since databases out
there have it recorded as applied.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import sqlite_utils
from sqlite_utils.db import Table

from oit_checker.store_pg import PgDatabase, PgTable, advisory_key

MIGRATIONS = sqlite_utils.Migrations("oit-checker")


def _table(db: sqlite_utils.Database, name: str) -> Table | PgTable:
    table = db[name]
    assert isinstance(table, Table | PgTable)  # names here are tables, never views
    return table


def _add_columns(db: sqlite_utils.Database, name: str, columns: dict[str, type]) -> None:
    have = _table(db, name).columns_dict
    for column, kind in columns.items():
        if column not in have:
            _table(db, name).add_column(column, kind)


# Schema 1, as the first version created it: table -> (columns, create options).
SCHEMA_1: dict[str, tuple[dict[str, type], dict]] = {
    "sites": ({"id": int, "url": str, "host": str, "first_seen": str}, {"pk": "id"}),
    "runs": (
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
        {"pk": "id", "foreign_keys": [("site_id", "sites", "id")]},
    ),
    "resources": (
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
        {"pk": ("run_id", "url"), "foreign_keys": [("run_id", "runs", "id")]},
    ),
    "items": (
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
        {"pk": ("run_id", "item_id"), "foreign_keys": [("run_id", "runs", "id")]},
    ),
    "evidence": (
        {
            "run_id": int,
            "item_id": str,
            "position": int,
            "url": str,
            "kind": str,
            "excerpt": str,
            "via": str,
        },
        {"pk": ("run_id", "item_id", "position"), "foreign_keys": [("run_id", "runs", "id")]},
    ),
    "texts": (
        {"sha256": str, "method": str, "text": str, "created_at": str},
        {"pk": ("sha256", "method")},
    ),
    "pages": (
        {
            "key": str,  # page_key(sha256, base_url, profile)
            "sha256": str,  # of what was extracted (body, or HTML text as parsed)
            "base_url": str,
            "profile": str,
            "kind": str,
            "page": str,  # the Page as JSON, without its url
            "created_at": str,
        },
        {"pk": "key"},
    ),
    "http_cache": (
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
            "page_key": str,
            "fetched_at": str,  # last full download
            "validated_at": str,  # last time the server said it was unchanged
            "run_id": int,  # the run that last saw it
        },
        {"pk": ("site_id", "url"), "foreign_keys": [("site_id", "sites", "id")]},
    ),
}


@MIGRATIONS(name="m001_runs_verdicts_and_caches")
def m001_runs_verdicts_and_caches(db: sqlite_utils.Database) -> None:
    """Schema 1: sites, runs, what a run fetched, its verdicts and evidence; the text, Page and
    HTTP caches."""
    for name, (columns, options) in SCHEMA_1.items():
        if not _table(db, name).exists():
            _table(db, name).create(columns, **options)
            if name == "sites":
                _table(db, name).create_index(["url"], unique=True)


@MIGRATIONS(name="m002_resume_and_revisit")
def m002_resume_and_revisit(db: sqlite_utils.Database) -> None:
    """Schema 2: who runs a run (resume after a kill), how each resource was cached and its
    Page, and what a cached resource was extracted from (quick re-audits)."""
    # pid and host of the process running it, so a killed run can be told apart; times resumed
    _add_columns(db, "runs", {"pid": int, "host": str, "resumed": int})
    # new | changed | unchanged | revalidated (HTTP 304; status, kind, sha256 and size are then
    # the cached copy's) | trusted (a quick re-audit did not ask) | "" (failed or not cached);
    # pages.key of its extracted Page, "" when none
    _add_columns(db, "resources", {"cache": str, "page_key": str})
    # hash of what was extracted (see CachedResource); 1 when the Page came from a rendered DOM
    _add_columns(db, "http_cache", {"content_sha256": str, "rendered": int})


@MIGRATIONS(name="m003_run_purpose")
def m003_run_purpose(db: sqlite_utils.Database) -> None:
    """Why a run was made: "" for an audit, "verify" for the audit behind `oit verify`, which
    history lists but report, sheet and diff do not take as the site's newest audit."""
    _add_columns(db, "runs", {"purpose": str})


@MIGRATIONS(name="m004_manual_checks")
def m004_manual_checks(db: sqlite_utils.Database) -> None:
    """An item the officer checked by hand (`oit serve`): their answer (present | absent) and
    note, per run and item. The checker's verdict stays as it was; the answer sheet follows
    the officer."""
    if not _table(db, "manual_checks").exists():
        _table(db, "manual_checks").create(
            {"run_id": int, "item_id": str, "answer": str, "note": str, "checked_at": str},
            pk=("run_id", "item_id"),
        )


@MIGRATIONS(name="m005_web_audits")
def m005_web_audits(db: sqlite_utils.Database) -> None:
    """Audits started from `oit serve`: each is an `oit check` (or `oit verify`) process; the
    row says which, its pid, the run it made and how it ended, so a page reload or a server
    restart finds it again."""
    if not _table(db, "web_audits").exists():
        _table(db, "web_audits").create(
            {
                "id": int,
                "kind": str,  # audit | verify
                "url": str,  # the start URL as given to the process
                "year": int,
                "as_of": str,
                "created_at": str,
                "finished_at": str,
                "pid": int,
                "host": str,
                "run_id": int,
                "state": str,  # "" while the process runs; then complete | incomplete | failed
                "exit_code": int,
                "error": str,
                "sheet": str,  # verify: the uploaded answer sheet
                "output": str,  # the process's JSON output
                "log": str,  # its stdout and stderr
            },
            pk="id",
        )


@MIGRATIONS(name="m006_manual_check_url")
def m006_manual_check_url(db: sqlite_utils.Database) -> None:
    """The URL an officer found by hand for an item (evidence off the crawl's path, or the
    page the document moved to): the answer sheet gives it to ITAS."""
    _add_columns(db, "manual_checks", {"url": str})


@MIGRATIONS(name="m007_fleet_jobs")
def m007_fleet_jobs(db: sqlite_utils.Database) -> None:
    """The nightly fleet's jobs (`oit enqueue`, `oit worker`): one row per site of a batch, so
    enqueueing twice sends nothing new and a redelivered message knows what was done. Plain
    SQL types that PostgreSQL reads the same way."""
    db.execute(
        "create table if not exists fleet_jobs ("
        " batch text not null,"
        " url text not null,"  # the start URL, as check_start_url gives it
        " position integer,"  # the site's place in the config
        " name text,"
        " settings text,"  # the site's AuditSettings as JSON (rules path made absolute)
        " state text,"  # queued | running | done | failed
        " attempts integer default 0,"  # audits started (the poison guard counts them)
        " before_run_id integer,"  # the site's newest run before this job: later ones are its
        " run_id integer,"
        " worker text,"  # host:pid of the worker that ran it last
        " error text,"
        " enqueued_at text,"
        " sent_at text,"  # when its message went to the broker; empty: not sent yet
        " started_at text,"
        " finished_at text,"
        " primary key (batch, url))"
    )


@MIGRATIONS(name="m008_fleet_job_notice")
def m008_fleet_job_notice(db: sqlite_utils.Database) -> None:
    """What the worker that ended a fleet job did about its notification (JSON per channel,
    or 'sending' while it does): claimed before sending, so a redelivered job sends none."""
    _add_columns(db, "fleet_jobs", {"notified": str})


SCHEMA_VERSION = len(MIGRATIONS.pending(sqlite_utils.Database(memory=True)))


def open_database(path: Path) -> sqlite_utils.Database:
    """The database at ``path`` (created when missing), its schema brought up to date."""
    db = sqlite_utils.Database(path)
    # Batch sites, fleet workers and a second `oit check` share one file: wait up to 30 s for
    # another writer's commit (sqlite3's default 5 s gave "database is locked" under load).
    db.execute("PRAGMA busy_timeout = 30000")
    use_wal(db, wait_seconds=30.0)
    # In WAL mode NORMAL still commits atomically and survives a killed process (what --resume
    # relies on); only a power cut may lose the last commits. FULL synced the disk on each of an
    # audit's ~1,000 commits: 1.5 s per 1,000 resources.
    db.execute("PRAGMA synchronous=NORMAL")
    upgrade(db)
    return db


def use_wal(db: sqlite_utils.Database, wait_seconds: float) -> None:
    """Switch the file to WAL, waiting for another process's write transaction to end.
    SQLite answers this pragma "database is locked" at once, without its busy handler, while
    another connection writes a file still in rollback mode (the first processes of a batch
    creating one new database); the busy timeout does not cover it, so retry here."""
    give_up = time.monotonic() + wait_seconds
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > give_up:
                raise
            time.sleep(0.05)


def upgrade(db: sqlite_utils.Database) -> None:
    """Apply the pending migrations, holding the write lock so that two processes opening one
    new database (a batch, a second `oit check`) do not both create it. ``user_version`` says
    the schema number to tools that do not know the migrations table."""
    if not MIGRATIONS.pending(db):
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        MIGRATIONS.apply(db)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    except BaseException:
        db.rollback()
        raise
    db.commit()


def open_postgres(url: str) -> PgDatabase:
    """The PostgreSQL database at ``url``, its schema brought up to date by the same migrations
    (recorded in the same ``_sqlite_migrations`` table). Workers starting together on a new
    database wait for one another on an advisory lock, so the schema is made once."""
    db = PgDatabase(url)
    if not MIGRATIONS.pending(db):  # type: ignore[arg-type]
        return db
    # A session lock, outside any transaction: each migration's own transaction then starts
    # after the previous holder's commit and sees the tables it made.
    key = advisory_key("oit migrations")
    db.execute("select pg_advisory_lock(?)", [key])
    try:
        MIGRATIONS.apply(db)  # type: ignore[arg-type]
    finally:
        db.execute("select pg_advisory_unlock(?)", [key])
    return db
