"""The SQL that reads past runs back for `oit history`, `diff` and the reports: which runs a
site has, their verdict counts, the run a diff compares with. A mixin of ``Store``, like
``store_web``, so all SQL stays in the store while ``Store`` itself keeps to writing runs."""

from __future__ import annotations

from typing import Any


class PastRunTables:
    db: Any  # sqlite_utils.Database or store_pg.PgDatabase, set by Store

    def is_readable(self) -> None:
        """Raise (sqlite3.DatabaseError) unless this is an oit database: a reading command
        opened on another file must say so rather than show an empty history."""
        self.db.execute("select count(*) from runs").fetchone()

    def has_run(self, run_id: int) -> bool:
        return self.db.execute("select 1 from runs where id = ?", [run_id]).fetchone() is not None

    def run_with_site(self, run_id: int) -> dict | None:
        """A run's row with its site's URL (``site_url``)."""
        rows = self.db.query(
            "select runs.*, sites.url as site_url from runs "
            "join sites on sites.id = runs.site_id where runs.id = ?",
            [run_id],
        )
        return next(iter(rows), None)

    def site_ids(self, site: str) -> list[int]:
        """Sites named by URL (with or without the trailing slash), host, or a part of the URL."""
        wanted = site.strip()
        exact = [
            r["id"]
            for r in self.db.query(
                "select id from sites where url in (?, ?, ?) or host = ?",
                [wanted, wanted.rstrip("/"), wanted.rstrip("/") + "/", wanted],
            )
        ]
        if exact:
            return exact
        sql = "select id from sites where instr(url, ?) > 0"
        return [r["id"] for r in self.db.query(sql, [wanted])]

    def runs_with_counts(
        self, site_ids: list[int] | None = None
    ) -> tuple[list[dict], dict[int, dict[str, int]]]:
        """Runs newest first (of these sites, when given) with their site's URL, and per run the
        number of items of each verdict."""
        sql = (
            "select runs.id, sites.url as site, runs.started_at, runs.finished_at, runs.status, "
            "runs.year, runs.as_of, runs.scores, runs.error, runs.pid, runs.host, "
            "coalesce(runs.purpose, '') as purpose from runs "
            "join sites on sites.id = runs.site_id"
        )
        args: list[Any] = []
        if site_ids is not None:
            sql += f" where runs.site_id in ({', '.join('?' for _ in site_ids)})"
            args += site_ids
        runs = list(self.db.query(sql + " order by runs.id desc", args))
        counts: dict[int, dict[str, int]] = {}
        if runs:
            marks = ", ".join("?" for _ in runs)
            for row in self.db.query(
                f"select run_id, status, count(*) as n from items where run_id in ({marks}) "
                "group by run_id, status",
                [r["id"] for r in runs],
            ):
                counts.setdefault(row["run_id"], {})[row["status"]] = row["n"]
        return runs, counts

    def previous_complete_run(self, site_id: int, year: int, run_id: int) -> int | None:
        """The complete run of the site and fiscal year before ``run_id``."""
        row = self.db.execute(
            "select id from runs where site_id = ? and year = ? and status = 'complete' "
            "and coalesce(purpose, '') != 'verify' and id < ? order by id desc limit 1",
            [site_id, year, run_id],
        ).fetchone()
        return row[0] if row else None

    def latest_complete_run_before_year(self, site_id: int, year: int) -> int | None:
        """The newest complete run of the site for the latest fiscal year before ``year``."""
        row = self.db.execute(
            "select id from runs where site_id = ? and year < ? and status = 'complete' "
            "and coalesce(purpose, '') != 'verify' order by year desc, id desc limit 1",
            [site_id, year],
        ).fetchone()
        return row[0] if row else None

    def resource_statuses(self, run_id: int) -> list[dict]:
        """How each URL of a run answered: url, final_url, status, error."""
        sql = "select url, final_url, status, error from resources where run_id = ?"
        return list(self.db.query(sql, [run_id]))
