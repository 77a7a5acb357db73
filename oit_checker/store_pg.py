"""The store's tables on PostgreSQL: the part of sqlite-utils' API the store uses, over psycopg 3.

The store (store.py, store_fetched.py, store_web.py, store_schema.py) is written once, against
sqlite-utils; on SQLite it runs exactly as before. On PostgreSQL ``PgDatabase`` stands in for
``sqlite_utils.Database``: the same table calls (insert, update, get, rows_where, create, ...)
and the same SQL, translated once per statement (``?`` marks, ``insert or replace`` and
``insert or ignore`` as ``on conflict``, ``instr``). Every table gets a ``rowid`` (bigserial),
since the store orders by SQLite's rowid; rows read back never show it.

The connection is in autocommit, as sqlite-utils commits each write: a statement outside the
store's ``BEGIN`` ... ``COMMIT`` is its own transaction. Foreign keys are not declared, as
SQLite does not enforce them either: the same rows are accepted on both.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import queue
import re
import socket
import weakref
from collections.abc import Iterable, Iterator
from typing import Any

import psycopg
from psycopg.pq import TransactionStatus
from sqlite_utils.db import NotFoundError

TYPES = {int: "bigint", str: "text", float: "double precision", bytes: "bytea", bool: "bigint"}
_REPLACE = re.compile(
    r'^\s*insert\s+or\s+(replace|ignore)\s+into\s+"?(\w+)"?\s*\(([^)]*)\)(.*)$', re.I | re.S
)
_SQLITE_ONLY = {"begin immediate": "begin"}
_IN_BLOCK = (TransactionStatus.INTRANS, TransactionStatus.INERROR)


def _dict_row(cursor: psycopg.Cursor) -> Any:
    """Rows as dicts, as sqlite-utils gives them, without the hidden ``rowid``."""
    if cursor.description is None:
        return lambda values: None
    names = [c.name for c in cursor.description]
    keep = [n != "rowid" for n in names]
    return lambda values: {n: v for n, v, k in zip(names, values, keep, strict=True) if k}


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def advisory_key(text: str) -> int:
    """A signed 64-bit lock key for ``pg_advisory_lock`` from any text."""
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big", signed=True)


def connect(url: str) -> psycopg.Connection:
    """An autocommit connection named after this process (so a held lock can say whose)."""
    name = f"oit pid {os.getpid()} on {socket.gethostname()}"[:63]
    return psycopg.connect(url, autocommit=True, application_name=name, connect_timeout=10)


class PgDatabase:
    """A PostgreSQL database with the sqlite-utils calls the store makes."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.conn = _Conn(self, connect(url))
        self._sql: dict[str, str] = {}
        self._pks: dict[str, list[str]] = {}
        self._side: queue.SimpleQueue[psycopg.Connection] = queue.SimpleQueue()
        self._depth = 0
        self._pipelined = False  # in ``pipelined()``: statements sent, answers not yet read

    def __getitem__(self, name: str) -> PgTable:
        return PgTable(self, name)

    def table(self, name: str) -> PgTable:
        return PgTable(self, name)

    # ---- SQL ------------------------------------------------------------------------------------
    def translate(self, sql: str, raw: psycopg.Connection | None = None) -> str:
        """The store's SQLite SQL as PostgreSQL runs it (cached: the store repeats statements).
        ``raw`` is the connection that will run it: an ``insert or replace`` reads the table's
        key from the catalog, and a side connection's thread must never use the main one."""
        done = self._sql.get(sql)
        if done is None:
            done = self._sql[sql] = self._translate(sql, raw or self.conn.raw)
        return done

    def _translate(self, sql: str, raw: psycopg.Connection) -> str:
        if sql.strip().lower() in _SQLITE_ONLY:
            return _SQLITE_ONLY[sql.strip().lower()]
        text = sql.replace("%", "%%").replace("?", "%s")
        text = re.sub(r"\binstr\(", "strpos(", text, flags=re.I)
        found = _REPLACE.match(text)
        if found:
            how, table, columns, rest = found.groups()
            text = f'insert into "{table}" ({columns}){rest}'
            text += self._on_conflict(table, [c.strip().strip('"') for c in columns.split(",")],
                                      how.lower() == "replace", raw)  # fmt: skip
        return text

    def _on_conflict(
        self, table: str, columns: list[str], replace: bool, raw: psycopg.Connection
    ) -> str:
        """SQLite's ``or replace`` (the new row wins, taking a new rowid) or ``or ignore``."""
        if not replace:
            return " on conflict do nothing"
        pks = self.pks(table, raw)
        sets = [f'"{c}" = excluded."{c}"' for c in columns if c not in pks] + ["rowid = default"]
        keys = ", ".join(f'"{k}"' for k in pks)
        return f" on conflict ({keys}) do update set {', '.join(sets)}"

    def execute(self, sql: str, params: Iterable[Any] | None = None) -> psycopg.Cursor:
        return self.conn.raw.execute(self.translate(sql), list(params or []), prepare=False)

    def query(self, sql: str, params: Iterable[Any] | None = None) -> Iterator[dict]:
        cursor = self.conn.raw.cursor(row_factory=_dict_row)
        yield from cursor.execute(self.translate(sql), list(params or []))

    def commit(self) -> None:
        self.conn.raw.execute("commit")

    def rollback(self) -> None:
        self.conn.raw.execute("rollback")

    @contextlib.contextmanager
    def atomic(self) -> Iterator[None]:
        """A transaction, or a savepoint inside the one that is open (as sqlite-utils')."""
        if not self.conn.in_transaction:
            self.conn.raw.execute("begin")
            try:
                yield
            except BaseException:
                self.rollback()
                raise
            self.commit()
            return
        self._depth += 1
        name = f"oit_{self._depth}"
        self.conn.raw.execute(f"savepoint {name}")
        try:
            yield
        except BaseException:
            self.conn.raw.execute(f"rollback to savepoint {name}")
            raise
        finally:
            self._depth -= 1
        self.conn.raw.execute(f"release savepoint {name}")

    def pks(self, table: str, raw: psycopg.Connection | None = None) -> list[str]:
        if table not in self._pks:
            rows = (raw or self.conn.raw).execute(
                "select a.attname from pg_index i join pg_attribute a on a.attrelid = i.indrelid"
                " and a.attnum = any(i.indkey) where i.indrelid = to_regclass(%s)"
                " and i.indisprimary order by array_position(i.indkey, a.attnum)",
                [f'"{table}"'],
            ).fetchall()
            if not rows:
                return ["rowid"]  # as sqlite-utils says of a table without a primary key
            self._pks[table] = [r[0] for r in rows]
        return self._pks[table]

    @contextlib.contextmanager
    def pipelined(self) -> Iterator[None]:
        """Inside an open transaction: statements whose answers nobody reads (a resource, its
        Page and its cache row) go out together, one round trip for the lot at the end instead
        of one each. A failed statement raises there, inside the transaction, which the
        caller rolls back as before."""
        if self._pipelined:
            yield
            return
        self._pipelined = True
        try:
            with self.conn.raw.pipeline():
                yield
        finally:
            self._pipelined = False

    # ---- connections for other threads, and locks -----------------------------------------------
    @contextlib.contextmanager
    def side_connection(self) -> Iterator[_Conn]:
        """A connection of this thread's own (extraction threads read and write the text cache):
        a psycopg connection serves one transaction at a time. Kept for reuse."""
        try:
            raw = self._side.get_nowait()
        except queue.Empty:
            raw = connect(self.url)
        try:
            yield _Conn(self, raw)
        except BaseException:
            raw.close()
            raise
        self._side.put(raw)

    @contextlib.contextmanager
    def site_lock(self, site: str) -> Iterator[str]:
        """Hold the site's lock across the fleet (a session advisory lock, freed by the server
        when this connection ends, however the process ends). Yields "" when taken, else who
        holds it."""
        key = advisory_key(f"oit site {site}")
        got = self.conn.raw.execute("select pg_try_advisory_lock(%s)", [key]).fetchone()
        if not got or not got[0]:
            yield self.lock_holder(key) or "another process"
            return
        try:
            yield ""
        finally:
            with contextlib.suppress(psycopg.Error):
                self.conn.raw.execute("select pg_advisory_unlock(%s)", [key])

    def site_free(self, site: str) -> bool:
        """Whether no other connection holds the site's lock (ours may)."""
        key = advisory_key(f"oit site {site}")
        got = self.conn.raw.execute("select pg_try_advisory_lock(%s)", [key]).fetchone()
        if got and got[0]:
            self.conn.raw.execute("select pg_advisory_unlock(%s)", [key])
            return True
        return False

    def lock_holder(self, key: int) -> str:
        unsigned = key & 0xFFFFFFFFFFFFFFFF
        row = self.conn.raw.execute(
            "select a.application_name from pg_locks l join pg_stat_activity a on a.pid = l.pid"
            " where l.locktype = 'advisory' and l.granted and l.classid = %s and l.objid = %s"
            " and l.objsubid = 1 limit 1",
            [unsigned >> 32, unsigned & 0xFFFFFFFF],
        ).fetchone()
        return row[0] if row else ""

    def close(self) -> None:
        self.conn.raw.close()
        while True:
            try:
                self._side.get_nowait().close()
            except queue.Empty:
                return


class _Conn:
    """What the store asks of ``db.conn`` (and of a side connection): the same SQL translated."""

    def __init__(self, db: PgDatabase, raw: psycopg.Connection) -> None:
        # A weak reference: no cycle, so a dropped Store's connections close at once (a worker
        # opening a store per job must not hold one connection per past job until a GC).
        self.db, self.raw = weakref.proxy(db), raw

    @property
    def in_transaction(self) -> bool:
        """In a transaction block; a statement merely running (ACTIVE) is not one, except in
        ``pipelined()``, which runs only inside a transaction (its answers still pending)."""
        if self.db._pipelined and self.raw is self.db.conn.raw:
            return True
        return self.raw.info.transaction_status in _IN_BLOCK

    def execute(self, sql: str, params: Iterable[Any] | None = None) -> psycopg.Cursor:
        return self.raw.execute(self.db.translate(sql, self.raw), list(params or []), prepare=False)

    def executemany(self, sql: str, rows: Iterable[Iterable[Any]]) -> None:
        with self.raw.cursor() as cursor:
            cursor.executemany(self.db.translate(sql, self.raw), [list(r) for r in rows])


class PgTable:
    """One table, with the sqlite-utils ``Table`` calls the store and its migrations make."""

    def __init__(self, db: PgDatabase, name: str) -> None:
        self.db, self.name = db, name
        self.last_pk: Any = None

    @property
    def _ident(self) -> str:
        return f'"{self.name}"'

    # ---- schema ---------------------------------------------------------------------------------
    def exists(self) -> bool:
        row = self.db.conn.raw.execute(
            "select 1 from pg_tables where schemaname = current_schema() and tablename = %s",
            [self.name],
        ).fetchone()  # a catalog query, not to_regclass: that may miss a table just committed
        return row is not None

    @property
    def pks(self) -> list[str]:
        return self.db.pks(self.name)

    @property
    def columns_dict(self) -> dict[str, type]:
        back = {v: k for k, v in TYPES.items() if k is not bool}
        rows = self.db.conn.raw.execute(
            "select column_name, data_type from information_schema.columns"
            " where table_schema = current_schema() and table_name = %s order by ordinal_position",
            [self.name],
        ).fetchall()
        return {name: back.get(kind, str) for name, kind in rows if name != "rowid"}

    def create(
        self,
        columns: dict[str, type],
        pk: str | tuple[str, ...] | None = None,
        foreign_keys: Any = None,  # noqa: ARG002 - not declared: SQLite does not enforce them
        **_: Any,
    ) -> PgTable:
        keys = [pk] if isinstance(pk, str) else list(pk or [])
        parts = []
        for name, kind in columns.items():
            column = f'"{name}" {TYPES[kind]}'
            if keys == [name] and kind is int:
                column += " generated by default as identity"  # SQLite's INTEGER PRIMARY KEY
            parts.append(column)
        if "rowid" not in columns:
            parts.append("rowid bigserial")
        if keys:
            parts.append(f"primary key ({', '.join(quote(k) for k in keys)})")
        self.db.conn.raw.execute(f"create table {self._ident} ({', '.join(parts)})")
        self.db._pks.pop(self.name, None)
        return self

    def create_index(self, columns: list[str], unique: bool = False, **_: Any) -> PgTable:
        name = f"idx_{self.name}_{'_'.join(columns)}"
        cols = ", ".join(f'"{c}"' for c in columns)
        kind = "unique index" if unique else "index"
        self.db.conn.raw.execute(f'create {kind} if not exists "{name}" on {self._ident} ({cols})')
        return self

    def add_column(self, name: str, kind: type) -> PgTable:
        self.db.conn.raw.execute(
            f'alter table {self._ident} add column if not exists "{name}" {TYPES[kind]}'
        )
        return self

    # ---- rows -----------------------------------------------------------------------------------
    def _insert_sql(self, columns: list[str], replace: bool, ignore: bool = False) -> str:
        verb = "insert or replace" if replace else "insert or ignore" if ignore else "insert"
        names = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join("?" for _ in columns)
        return self.db.translate(f'{verb} into "{self.name}" ({names}) values ({marks})')

    def insert(self, row: dict[str, Any], pk: Any = None, replace: bool = False) -> PgTable:
        columns = list(row)
        sql = self._insert_sql(columns, replace)
        keys = [k for k in self.pks if k != "rowid"]
        sql += " returning " + ", ".join(f'"{k}"' for k in keys) if keys else ""
        cursor = self.db.conn.raw.execute(sql, list(row.values()))
        got = cursor.fetchone() if keys else None
        self.last_pk = (got[0] if len(got) == 1 else tuple(got)) if got else None
        return self

    def insert_all(self, rows: Iterable[dict[str, Any]], pk: Any = None, replace: bool = False,
                   ignore: bool = False) -> PgTable:  # fmt: skip
        listed = list(rows)
        if not listed:
            return self
        columns = list(dict.fromkeys(k for row in listed for k in row))
        with self.db.conn.raw.cursor() as cursor:
            cursor.executemany(
                self._insert_sql(columns, replace, ignore), [[r.get(c) for c in columns] for r in listed]
            )
        return self

    def rows_where(self, where: str | None = None, where_args: Iterable[Any] | None = None,
                   order_by: str | None = None, limit: int | None = None, **_: Any) -> Iterator[dict]:  # fmt: skip
        sql = f"select * from {self._ident}"
        sql += f" where {where}" if where else ""
        sql += f" order by {order_by}" if order_by else ""
        sql += f" limit {int(limit)}" if limit is not None else ""
        return self.db.query(sql, where_args)

    @property
    def rows(self) -> Iterator[dict]:
        return self.rows_where()

    def _key_where(self) -> str:
        return " and ".join(f'"{k}" = ?' for k in self.pks)

    def get(self, pk: Any) -> dict:
        values = list(pk) if isinstance(pk, (tuple, list)) else [pk]
        rows = list(self.rows_where(self._key_where(), values, limit=1))
        if not rows:
            raise NotFoundError
        return rows[0]

    def update(self, pk: Any, updates: dict[str, Any]) -> PgTable:
        if not updates:
            return self
        values = list(pk) if isinstance(pk, (tuple, list)) else [pk]
        sets = ", ".join(f'"{c}" = ?' for c in updates)
        self.db.execute(
            f"update {self._ident} set {sets} where {self._key_where()}", [*updates.values(), *values]
        )
        return self

    def delete_where(self, where: str | None = None, where_args: Iterable[Any] | None = None,
                     **_: Any) -> PgTable:  # fmt: skip
        self.db.execute(f"delete from {self._ident}" + (f" where {where}" if where else ""), where_args)
        return self

