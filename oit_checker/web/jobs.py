"""Audits started from the web page, each an `oit check` (or `oit verify`) process of its own.

A crash, a runaway PDF or an out-of-memory kill ends that process, never the server; the page
reads the audit's progress from the database the process writes (its run row and the resources
stored as the crawl goes). The ``web_audits`` row records the process and how it ended, so a page
reload, a second browser tab or a restarted server finds the audit again. One audit per site at a
time is the audit's own site lock (locking.py); the server also sends a second request for a site
that is being audited to the audit already running.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from oit_checker.config import DB_ENV
from oit_checker.errors import EXIT_INTERRUPTED, EXIT_TERMINATED
from oit_checker.history import shown_status
from oit_checker.models import DOCUMENT_KINDS
from oit_checker.store import Store, loads_or, process_alive
from oit_checker.store_fetched import _now
from oit_checker.store_target import StoreTarget, store_target

# What the web page and the JSON call an audit: the HTTP contract of issue 17.
STATES = ("queued", "running", "complete", "incomplete", "failed")
RUN_STATE = {"complete": "complete", "incomplete": "incomplete", "interrupted": "incomplete"}


@dataclass
class Progress:
    """What the progress panel shows while an audit runs."""

    state: str
    phase: str  # Thai, one line
    pages: int = 0
    documents: int = 0
    budget: int = 0
    run_id: int | None = None
    error: str = ""


def data_dir(target: StoreTarget, given: Path | None = None) -> Path:
    """Where `oit serve` keeps its own files (uploaded answer sheets, each audit's log and JSON):
    ``given`` (--data-dir), else beside an SQLite database (``oit.db.web``), else, for a
    PostgreSQL store, ``$XDG_DATA_HOME/oit-checker/serve/HOST-PORT-DBNAME`` (XDG_DATA_HOME
    defaults to ~/.local/share). One folder per database: its files are named by audit ids."""
    if given is not None:
        return given.expanduser()
    if target.path is not None:
        return Path(f"{target.path}.web")
    parts = urlsplit(target.url)
    name = f"{parts.hostname or 'local'}-{parts.port or 5432}-{parts.path.strip('/')}"
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
    home = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(home) / "oit-checker" / "serve" / safe


class Audits:
    """Starts audit processes into one database and answers what each is doing."""

    def __init__(self, db: str | Path | StoreTarget, folder: Path | None = None) -> None:
        self.target = store_target(db)
        self.folder = data_dir(self.target, folder)  # answer sheets, logs, JSON of web audits
        self.folder.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._processes: dict[int, subprocess.Popen] = {}

    def store(self) -> Store:
        """One store per request: sqlite3 objects stay in their thread, and a PostgreSQL
        connection is given back when the request drops it (a server restart costs one page)."""
        return Store(self.target)

    # ---- starting -------------------------------------------------------------------------------
    def start(
        self,
        url: str,
        year: int | None,
        as_of: str,
        *,
        verify_sheet: Path | None = None,
        resume: bool = False,
    ) -> int:
        """Start ``oit check URL`` (or ``oit verify SHEET --site URL``); returns the audit id."""
        store = self.store()
        kind = "verify" if verify_sheet is not None else "audit"
        audit_id = store.add_web_audit(
            {"kind": kind, "url": url, "year": year, "as_of": as_of, "host": socket.gethostname()}
        )
        output = self.folder / f"audit-{audit_id}.json"
        log = self.folder / f"audit-{audit_id}.log"
        args = [sys.executable, "-m", "oit_checker"]
        if verify_sheet is not None:
            args += ["verify", str(verify_sheet), "--site", url]
        else:
            args += ["check", url]
        env = {**os.environ, "PYTHONIOENCODING": "utf-8", "COLUMNS": "160"}
        if self.target.path is not None:
            args += ["--db", str(self.target.path)]
        else:  # the URL may hold a password: in the environment, not the process list
            env[DB_ENV] = self.target.url
        args += ["--json", str(output), "--no-progress"]
        if year:
            args += ["--year", str(year)]
        if resume:
            args.append("--resume")
        elif as_of:
            args += ["--as-of", as_of]
        with self._lock, open(log, "wb") as log_file:
            process = subprocess.Popen(
                args,
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,  # Ctrl-C on the server does not reach the audits
            )
            self._processes[audit_id] = process
        store.update_web_audit(
            audit_id,
            {
                "pid": process.pid,
                "output": str(output),
                "log": str(log),
                "sheet": str(verify_sheet or ""),
            },
        )
        threading.Thread(target=self._wait, args=(audit_id, process), daemon=True).start()
        return audit_id

    def _wait(self, audit_id: int, process: subprocess.Popen) -> None:
        code = process.wait()
        with self._lock:
            self._processes.pop(audit_id, None)
        self.finish(audit_id, code)

    def finish(self, audit_id: int, code: int | None) -> None:
        """Record how an audit's process ended: its run's status, else failed with its message."""
        store = self.store()
        row = store.web_audit(audit_id)
        if row is None:
            return
        run = self._run(store, row)
        state = RUN_STATE.get(shown_status(run), "failed") if run else "failed"
        if code in (EXIT_INTERRUPTED, EXIT_TERMINATED) and run is not None:
            state = "incomplete"
        error = "" if state == "complete" else (run or {}).get("error") or self._message(row)
        store.update_web_audit(
            audit_id,
            {
                "state": state,
                "exit_code": code,
                "finished_at": _now(),
                "run_id": run["id"] if run else None,
                "error": error,
            },
        )

    def recover(self) -> None:
        """At start: audits whose server stopped before them are settled from their runs."""
        store = self.store()
        for row in store.unfinished_web_audits():
            if not process_alive(row["pid"], row["host"]):
                self.finish(row["id"], None)

    # ---- reading --------------------------------------------------------------------------------
    def _run(self, store: Store, row: dict) -> dict | None:
        if row.get("run_id"):
            return store.run(row["run_id"])
        if not row.get("pid"):
            return None
        run = store.run_of_process(row["pid"], row["host"], row["created_at"])
        if run is not None and row["state"] == "":
            store.update_web_audit(row["id"], {"run_id": run["id"]})
        return run

    @staticmethod
    def _message(row: dict) -> str:
        """The process's own one-line reason (the CLI prints errors Thai first, one line)."""
        try:
            text = Path(row["log"]).read_text(encoding="utf-8", errors="replace")
        except (OSError, TypeError):
            return "การตรวจหยุดโดยไม่ทราบสาเหตุ (the audit process ended without a message)"
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        marked = [line for line in lines if "ข้อผิดพลาด" in line or "error" in line.lower()]
        return (marked or lines or ["การตรวจหยุดโดยไม่ทราบสาเหตุ"])[-1][:500]

    def progress(self, audit_id: int) -> Progress | None:
        store = self.store()
        row = store.web_audit(audit_id)
        if row is None:
            return None
        run = self._run(store, row)
        kinds = store.resource_kinds(run["id"]) if run else {}
        budget = loads_or((run or {}).get("options"), {}).get("max_pages", 0)
        state = row["state"] or ("running" if run else "queued")
        progress = Progress(
            state=state,
            phase=PHASE_TH[state],
            pages=kinds.get("html", 0),
            documents=sum(n for k, n in kinds.items() if k in DOCUMENT_KINDS),
            budget=budget or 0,
            run_id=run["id"] if run else None,
            error=row["error"] or "",
        )
        if state == "running" and not (progress.pages or progress.documents):
            progress.phase = "กำลังเปิดหน้าแรกและถามหน้าเดิมซ้ำ"
        return progress

    def row(self, audit_id: int) -> dict | None:
        return self.store().web_audit(audit_id)

    def output(self, audit_id: int) -> dict | None:
        """The JSON the process wrote (a verify's verdicts), or None."""
        row = self.row(audit_id)
        if not row or not row.get("output"):
            return None
        try:
            return json.loads(Path(row["output"]).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def running_for(self, url: str) -> int | None:
        """The web audit of this site that is still running, if any."""
        for row in self.store().unfinished_web_audits():
            if row["url"] == url and process_alive(row["pid"], row["host"]):
                return row["id"]
        return None

    def cancel(self, audit_id: int) -> bool:
        """SIGTERM, as systemd stops `oit check`: the run is kept, incomplete, resumable."""
        row = self.row(audit_id)
        if not row or row["state"] or not process_alive(row["pid"], row["host"]):
            return False
        try:
            os.kill(row["pid"], signal.SIGTERM)
        except ProcessLookupError:
            return False
        return True

    def stop_all(self) -> None:
        """When the server stops, the audits it started stop too (kept resumable)."""
        with self._lock:
            processes = list(self._processes.values())
        for process in processes:
            if process.poll() is None:
                process.terminate()


PHASE_TH = {
    "queued": "กำลังเริ่มตรวจ",
    "running": "กำลังเก็บหน้าเว็บและเอกสาร",
    "complete": "ตรวจเสร็จแล้ว",
    "incomplete": "การตรวจหยุดก่อนเสร็จ (ตรวจต่อได้)",
    "failed": "ตรวจไม่ได้",
}
