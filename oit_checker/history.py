"""Past runs, read back from the store: the list of runs, any run as the JSON contract, and what
changed between two runs of a site (regressions first, because that is what a nightly audit is
for: noticing the day a file that counted was deleted or a page lost its contact details).

Everything reads the tables ``store.py`` writes (``runs``, ``sites``, ``items``, ``evidence``,
``resources``) through ``store.db``, so a run made months ago by another version of the tool
still gives an answer sheet, a report and a diff.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from oit_checker.errors import OitError
from oit_checker.rules import RULES_DIR, RuleError, load_rules
from oit_checker.store import Store, process_alive
from oit_checker.urls import normalize_url

STATUSES = ("present", "absent", "uncertain")
EMPTY_SCORES = {"subindicators": {}, "indicators": {}, "oit": 0.0, "item_average": 0.0}


class HistoryError(OitError):
    """A run that does not exist or cannot be used as asked; the message is for the user."""


def _loads(text: str | None, default: Any) -> Any:
    if not text:
        return default
    try:
        return json.loads(text)
    except ValueError:
        return default


def _run_row(store: Store, run_id: int) -> dict:
    rows = list(
        store.db.query(
            "select runs.*, sites.url as site_url from runs "
            "join sites on sites.id = runs.site_id where runs.id = ?",
            [run_id],
        )
    )
    if not rows:
        raise HistoryError(f"no run #{run_id} in {store.path}")
    return rows[0]


def _site_ids(store: Store, site: str) -> list[int]:
    """Sites named by URL (with or without the trailing slash), host, or a part of the URL."""
    wanted = site.strip()
    exact = [
        r["id"]
        for r in store.db.query(
            "select id from sites where url in (?, ?, ?) or host = ?",
            [wanted, wanted.rstrip("/"), wanted.rstrip("/") + "/", wanted],
        )
    ]
    if exact:
        return exact
    return [
        r["id"] for r in store.db.query("select id from sites where instr(url, ?) > 0", [wanted])
    ]


def list_runs(store: Store, site: str | None = None) -> list[dict]:
    """Runs newest first with their OIT score and verdict counts (None/0 for unfinished runs)."""
    sql = (
        "select runs.id, sites.url as site, runs.started_at, runs.finished_at, runs.status, "
        "runs.year, runs.as_of, runs.scores, runs.error, runs.pid, runs.host from runs "
        "join sites on sites.id = runs.site_id"
    )
    args: list[Any] = []
    if site:
        ids = _site_ids(store, site)
        if not ids:
            return []
        sql += f" where runs.site_id in ({', '.join('?' for _ in ids)})"
        args += ids
    runs = list(store.db.query(sql + " order by runs.id desc", args))
    counts: dict[int, dict[str, int]] = {}
    if runs:
        marks = ", ".join("?" for _ in runs)
        for row in store.db.query(
            f"select run_id, status, count(*) as n from items where run_id in ({marks}) "
            "group by run_id, status",
            [r["id"] for r in runs],
        ):
            counts.setdefault(row["run_id"], {})[row["status"]] = row["n"]
    listed = []
    for r in runs:
        scores = _loads(r["scores"], {})
        got = counts.get(r["id"], {})
        listed.append(
            {
                "id": r["id"],
                "site": r["site"],
                "started": r["started_at"] or "",
                "finished": r["finished_at"] or "",
                "status": shown_status(r),
                "year": r["year"],
                "as_of": r["as_of"] or "",
                "oit": scores.get("oit"),
                **{s: got.get(s, 0) for s in STATUSES},
                "error": r["error"] or "",
            }
        )
    return listed


def shown_status(run: dict) -> str:
    """A run's status for people: a ``running`` run whose process is gone (killed, the machine
    restarted) was interrupted; it can be continued with ``--resume``."""
    if run["status"] == "running" and not process_alive(run.get("pid"), run.get("host")):
        return "interrupted"
    return run["status"]


def latest_complete_run(store: Store, site: str | None = None) -> int | None:
    """The newest complete run (of a site, when named)."""
    return next((r["id"] for r in list_runs(store, site) if r["status"] == "complete"), None)


def previous_run(store: Store, run_id: int) -> int | None:
    """The complete run before this one for the same site and fiscal year."""
    run = _run_row(store, run_id)
    rows = list(
        store.db.query(
            "select id from runs where site_id = ? and year = ? and status = 'complete' "
            "and id < ? order by id desc limit 1",
            [run["site_id"], run["year"], run_id],
        )
    )
    return rows[0]["id"] if rows else None


def _rules_info(rules_path: str) -> dict:
    """Title and status are not stored with the run; the rule file still says them, if it exists."""
    raw = Path(rules_path or "")
    for path in (raw, RULES_DIR / raw.name):
        if raw.name and path.is_file():
            try:
                rules = load_rules(path)
            except RuleError:
                continue
            return {"path": rules_path, "title": rules.title, "status": rules.status}
    return {"path": rules_path, "title": "", "status": ""}


def run_result(store: Store, run_id: int) -> dict:
    """A stored run in the shape of ``AuditResult.as_dict()`` (README: "JSON contract")."""
    run = _run_row(store, run_id)
    evidence: dict[str, list[dict]] = {}
    for e in store.db.query(
        "select * from evidence where run_id = ? order by item_id, position", [run_id]
    ):
        evidence.setdefault(e["item_id"], []).append(
            {
                "url": e["url"],
                "kind": e["kind"],
                "excerpt": e["excerpt"] or "",
                "via": e["via"] or "",
            }
        )
    items = [
        {
            "id": i["item_id"],
            "title": i["title"],
            "subindicator": i["subindicator"],
            "indicator": i["indicator"],
            "status": i["status"],
            "evidence": evidence.get(i["item_id"], []),
            "found": _loads(i["found"], []),
            "missing": _loads(i["missing"], []),
            "reason": i["reason"] or "",
        }
        for i in store.items(run_id)
    ]
    return {
        "site": run["site_url"],
        "year": run["year"],
        "rules": _rules_info(run["rules_path"]),
        "as_of": run["as_of"],
        "run_id": run_id,
        "items": items,
        "scores": _loads(run["scores"], dict(EMPTY_SCORES)),
        "stats": _loads(run["stats"], {}),
    }


def complete_result(store: Store, run_id: int) -> dict:
    """``run_result`` of a run that has verdicts; a clear error for running/incomplete/failed runs."""
    run = _run_row(store, run_id)
    if run["status"] != "complete":
        why = f": {run['error']}" if run["error"] else ""
        raise HistoryError(f"run #{run_id} is {run['status']}{why}; it has no verdicts to show")
    return run_result(store, run_id)


# ---- diff ---------------------------------------------------------------------------------------


def _change(before: float | None, after: float | None) -> dict:
    change = None if before is None or after is None else round(after - before, 2)
    return {"before": before, "after": after, "change": change}


def _score_changes(a: dict, b: dict) -> dict:
    def keyed(kind: str) -> dict:
        keys = list(dict.fromkeys([*a.get(kind, {}), *b.get(kind, {})]))
        return {k: _change(a.get(kind, {}).get(k), b.get(kind, {}).get(k)) for k in keys}

    return {
        "oit": _change(a.get("oit"), b.get("oit")),
        "item_average": _change(a.get("item_average"), b.get("item_average")),
        "indicators": keyed("indicators"),
        "subindicators": keyed("subindicators"),
    }


def _resources(store: Store, run_id: int) -> dict[str, dict]:
    """Fetched resources of a run by requested URL and by final URL (evidence may name either)."""
    by_url: dict[str, dict] = {}
    for r in store.db.query(
        "select url, final_url, status, error from resources where run_id = ?", [run_id]
    ):
        by_url.setdefault(normalize_url(r["url"]), r)  # runs stored before one identity too
        if r["final_url"]:
            by_url.setdefault(normalize_url(r["final_url"]), r)
    return by_url


def _failed(resource: dict | None) -> bool:
    return resource is not None and (not resource["status"] or resource["status"] >= 400)


def _why_dead(resource: dict) -> str:
    if resource["status"]:
        return f"HTTP {resource['status']}"
    return f"no response: {resource['error']}" if resource["error"] else "no response"


def diff_runs(store: Store, a: int, b: int) -> dict:
    """What changed from run ``a`` (older) to run ``b``: verdicts, evidence that died, scores.

    A regression is an item that was present in A and is absent or uncertain in B. Dead evidence
    is an evidence URL of A that worked in A and in B answers an error (status >= 400 or no
    response), or is no longer evidence for that item.
    """
    result_a, result_b = complete_result(store, a), complete_result(store, b)
    items_b = {i["id"]: i for i in result_b["items"]}
    regressions, improvements, other = [], [], []
    for item in result_a["items"]:
        now = items_b.get(item["id"])
        if now is None or now["status"] == item["status"]:
            continue
        change = {
            "id": item["id"],
            "title": item["title"],
            "before": item["status"],
            "after": now["status"],
            "reason": now["reason"],
            "evidence_before": [e["url"] for e in item["evidence"]],
        }
        if item["status"] == "present":
            regressions.append(change)
        elif now["status"] == "present":
            improvements.append(change)
        else:
            other.append(change)
    res_a, res_b = _resources(store, a), _resources(store, b)
    dead = []
    for item in result_a["items"]:
        evidence_b = items_b.get(item["id"], {}).get("evidence", [])
        still = {normalize_url(e["url"]) for e in evidence_b}
        for ev in item["evidence"]:
            url = normalize_url(ev["url"])
            if _failed(res_a.get(url)):
                continue  # already broken in A: it was never working evidence
            resource = res_b.get(url)
            if _failed(resource):
                why, status = _why_dead(resource), resource["status"]
            elif url not in still:
                why, status = "no longer evidence", resource["status"] if resource else None
            else:
                continue
            dead.append({"item": item["id"], "url": ev["url"], "status": status, "why": why})
    return {
        "a": _summary(result_a),
        "b": _summary(result_b),
        "regressions": regressions,
        "improvements": improvements,
        "other_changes": other,
        "dead_evidence": dead,
        "scores": _score_changes(result_a["scores"], result_b["scores"]),
    }


def _summary(result: dict) -> dict:
    return {
        "run_id": result["run_id"],
        "site": result["site"],
        "year": result["year"],
        "as_of": result["as_of"],
        "oit": result["scores"].get("oit"),
    }
