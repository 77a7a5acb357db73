"""The SQL of `oit serve`: the audits it started (one process each) and the items an officer
checked by hand. A mixin of ``Store``, like ``store_fetched``, so all SQL stays in the store."""

from __future__ import annotations

from typing import Any

from oit_checker.store_fetched import _now


class WebTables:
    db: Any  # sqlite_utils.Database, set by Store

    # ---- audits started from the web page -----------------------------------------------------
    def add_web_audit(self, row: dict) -> int:
        return self.db["web_audits"].insert({"created_at": _now(), "state": "", **row}).last_pk

    def web_audit(self, audit_id: int) -> dict | None:
        rows = list(self.db["web_audits"].rows_where("id = ?", [audit_id], limit=1))
        return rows[0] if rows else None

    def update_web_audit(self, audit_id: int, fields: dict) -> None:
        self.db["web_audits"].update(audit_id, fields)

    def unfinished_web_audits(self) -> list[dict]:
        """Audits whose end is not recorded yet (running, or their server stopped first)."""
        return list(self.db["web_audits"].rows_where("coalesce(state, '') = ''", order_by="id"))

    def run_of_process(self, pid: int, host: str, since: str) -> dict | None:
        """The run a process started (its pid and host, at or after ``since``), newest first;
        a resumed run keeps its id and takes the new pid."""
        rows = self.db.query(
            "select * from runs where pid = ? and host = ? and "
            "(started_at >= ? or coalesce(resumed, 0) > 0) order by id desc limit 1",
            [pid, host, since[:19]],
        )
        return next(iter(rows), None)

    def resource_kinds(self, run_id: int) -> dict[str, int]:
        """How many resources of each kind a run has stored so far (live progress)."""
        sql = "select kind, count(*) as n from resources where run_id = ? group by kind"
        return {r["kind"] or "": r["n"] for r in self.db.query(sql, [run_id])}

    # ---- items checked by hand ----------------------------------------------------------------
    def set_manual_check(
        self, run_id: int, item_id: str, answer: str, note: str, url: str = ""
    ) -> None:
        self.db["manual_checks"].insert(
            {
                "run_id": run_id,
                "item_id": item_id,
                "answer": answer,
                "note": note,
                "checked_at": _now(),
                "url": url,
            },
            pk=("run_id", "item_id"),
            replace=True,
        )

    def clear_manual_check(self, run_id: int, item_id: str) -> None:
        self.db["manual_checks"].delete_where("run_id = ? and item_id = ?", [run_id, item_id])

    def manual_checks(self, run_id: int) -> dict[str, dict]:
        rows = self.db["manual_checks"].rows_where("run_id = ?", [run_id])
        return {r["item_id"]: r for r in rows}
