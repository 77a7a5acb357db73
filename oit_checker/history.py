"""Past runs, read back from the store: the list of runs, any run as the JSON contract, and what
changed between two runs of a site (regressions first, because that is what a nightly audit is
for: noticing the day a file that counted was deleted or a page lost its contact details).

The store answers every question (no SQL here); a stored run comes back as the same
``RunResult`` a fresh audit gives, so a run made months ago by another version of the tool
still gives the same answer sheet, report and diff.
"""

from __future__ import annotations

from oit_checker.errors import OitError
from oit_checker.models import STATUSES, RunResult
from oit_checker.rules import RuleError, RuleSet, load_year, run_rules
from oit_checker.store import Store, loads_or, process_alive
from oit_checker.subjects import project
from oit_checker.urls import display_url, normalize_url

EMPTY_SCORES = {"subindicators": {}, "indicators": {}, "oit": 0.0, "item_average": 0.0}


class HistoryError(OitError):
    """A run that does not exist or cannot be used as asked; the message is for the user."""


def _run_row(store: Store, run_id: int) -> dict:
    row = store.run_with_site(run_id)
    if row is None:
        raise HistoryError(f"no run #{run_id} in {store.path}")
    return row


def list_runs(store: Store, site: str | None = None) -> list[dict]:
    """Runs newest first with their OIT score and verdict counts (None/0 for unfinished runs)."""
    site_ids = store.site_ids(site) if site else None
    if site_ids == []:
        return []
    runs, counts = store.runs_with_counts(site_ids)
    listed = []
    for r in runs:
        got = counts.get(r["id"], {})
        listed.append(
            {
                "id": r["id"],
                "site": r["site"],
                "started": r["started_at"] or "",
                "finished": r["finished_at"] or "",
                "status": shown_status(r, store),
                "year": r["year"],
                "as_of": r["as_of"] or "",
                "oit": loads_or(r["scores"], {}).get("oit"),
                **{s: got.get(s, 0) for s in STATUSES},
                "error": r["error"] or "",
                "verify": r["purpose"] == "verify",
            }
        )
    return listed


def shown_status(run: dict, store: Store | None = None) -> str:
    """A run's status for people: a ``running`` run whose process is gone (killed, the machine
    restarted) was interrupted; it can be continued with ``--resume``. With the ``store`` and
    the run's ``site`` URL, a fleet's run on another machine is told apart too."""
    if run["status"] != "running":
        return run["status"]
    if store is not None and run.get("site"):
        alive = store.still_running(run, run["site"])
    else:
        alive = process_alive(run.get("pid"), run.get("host"))
    if not alive:
        return "interrupted"
    return run["status"]


def latest_complete_run(store: Store, site: str | None = None) -> int | None:
    """The newest complete audit (of a site, when named). The audit `oit verify` makes is left
    out: checking an answer sheet must not change which run the report and sheet show."""
    return next(
        (r["id"] for r in list_runs(store, site) if r["status"] == "complete" and not r["verify"]),
        None,
    )


def previous_run(store: Store, run_id: int, across_years: bool = False) -> int | None:
    """The complete run before this one for the same site and fiscal year; with
    ``across_years``, when there is none, the site's latest complete run of an earlier year
    (the first 2569 audit is compared with the last 2568 one, by subject)."""
    run = _run_row(store, run_id)
    found = store.previous_complete_run(run["site_id"], run["year"], run_id)
    if found is None and across_years:
        found = store.latest_complete_run_before_year(run["site_id"], run["year"])
    return found


def _rules_of(result: dict) -> RuleSet | None:
    """The rule set a stored run was judged by: its file, else the shipped year."""
    rules = run_rules(result["rules"]["path"])
    if rules is None or rules.year != result["year"]:
        try:
            rules = load_year(int(result["year"]))
        except RuleError:
            return None
    return rules


def as_subjects_of(older: dict, newer: dict) -> dict:
    """``older`` as it compares with ``newer``: itself for the same fiscal year; for an earlier
    year its items re-keyed as ``newer``'s through the rules' ``was`` links (2568 O21 + O22 is
    2569 O20), each with ``was``, because item numbers mean different things each year."""
    if older["year"] == newer["year"]:
        return older
    if older["year"] > newer["year"]:
        raise HistoryError(
            f"run #{older['run_id']} ({older['year']}) is for a later fiscal year than "
            f"run #{newer['run_id']} ({newer['year']}): name the earlier run first"
        )
    rules = _rules_of(newer)
    projected = project(older, rules) if rules is not None else None
    if projected is None:
        raise HistoryError(
            f"เทียบรอบ #{older['run_id']} (ปี {older['year']}) กับ #{newer['run_id']} "
            f"(ปี {newer['year']}) ไม่ได้: กฎปี {newer['year']} ไม่มีลิงก์ was ถึงปี "
            f"{older['year']} (the {newer['year']} rules do not link their items to "
            f"{older['year']}'s with `was`; item numbers differ between years)"
        )
    return projected


def _rules_info(rules_path: str) -> dict[str, str]:
    """Title and status are not stored with the run; the rule file still says them, if it exists."""
    rules = run_rules(rules_path)
    if rules is None:
        return {"path": rules_path, "title": "", "status": ""}
    return {"path": rules_path, "title": rules.title, "status": rules.status}


def stored_result(store: Store, run_id: int) -> RunResult:
    """A stored run as the ``RunResult`` the audit made (README: "JSON contract")."""
    run = _run_row(store, run_id)
    return RunResult(
        site=run["site_url"],
        year=run["year"],
        rules=_rules_info(run["rules_path"]),
        as_of=run["as_of"],
        run_id=run_id,
        items=store.item_results(run_id),
        scores=loads_or(run["scores"], dict(EMPTY_SCORES)),
        stats=loads_or(run["stats"], {}),
    )


def run_result(store: Store, run_id: int) -> dict:
    """A stored run in the shape of ``AuditResult.as_dict()`` (README: "JSON contract")."""
    return stored_result(store, run_id).as_dict()


def complete_result(store: Store, run_id: int) -> dict:
    """``run_result`` of a run that has verdicts; a clear error for running/incomplete/failed runs."""
    run = _run_row(store, run_id)
    if run["status"] != "complete":
        why = f": {run['error']}" if run["error"] else ""
        raise HistoryError(f"run #{run_id} is {run['status']}{why}; it has no verdicts to show")
    return run_result(store, run_id)


def with_manual_checks(store: Store, result: dict) -> dict:
    """The result with each item the officer checked by hand (`oit serve`) carrying
    ``"manual": {"answer", "note", "url", "checked_at"}``; the checker's verdict is left as it
    was."""
    checks = store.manual_checks(result["run_id"])
    for item in result["items"]:
        check = checks.get(item["id"])
        if check:
            item["manual"] = {
                k: check.get(k) or "" for k in ("answer", "note", "url", "checked_at")
            }
    return result


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
    for r in store.resource_statuses(run_id):
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


def _same_site(store: Store, a: int, b: int) -> None:
    """Two runs of different sites have no changes to show: every item would look changed."""
    run_a, run_b = _run_row(store, a), _run_row(store, b)
    if run_a["site_id"] != run_b["site_id"]:
        raise HistoryError(
            f"รอบ #{a} และ #{b} เป็นของคนละเว็บไซต์ เทียบกันไม่ได้ (runs of different sites: "
            f"#{a} is {run_a['site_url']}, #{b} is {run_b['site_url']}; compare runs of one site)"
        )


def diff_runs(store: Store, a: int, b: int) -> dict:
    """What changed from run ``a`` (older) to run ``b``: verdicts, evidence that died, scores.

    A regression is an item that was present in A and is absent or uncertain in B. Dead evidence
    is an evidence URL of A that worked in A and in B answers an error (status >= 400 or no
    response), or is no longer evidence for that item.
    """
    _same_site(store, a, b)
    result_b = complete_result(store, b)
    result_a = as_subjects_of(complete_result(store, a), result_b)
    items_b = {i["id"]: i for i in result_b["items"]}
    dead = _dead_evidence(store, a, b, result_a["items"], items_b)
    regressions, improvements, other = [], [], []
    for item in result_a["items"]:
        now = items_b.get(item["id"])
        if now is None or now["status"] == item["status"]:
            continue
        change = {
            "id": item["id"],
            "title": item["title"] + _was_note(item, result_a["year"]),
            "before": item["status"],
            "after": now["status"],
            "reason": _cause_first(item["id"], now["reason"], dead),
            "evidence_before": [e["url"] for e in item["evidence"]],
        }
        if item["status"] == "present":
            regressions.append(change)
        elif now["status"] == "present":
            improvements.append(change)
        else:
            other.append(change)
    return {
        "a": _summary(result_a),
        "b": _summary(result_b),
        "regressions": regressions,
        "improvements": improvements,
        "other_changes": other,
        "dead_evidence": dead,
        "scores": _score_changes(result_a["scores"], result_b["scores"]),
    }


def _dead_evidence(
    store: Store, a: int, b: int, items_a: list[dict], items_b: dict[str, dict]
) -> list[dict]:
    """Evidence URLs of run A that worked then and in B answer an error or are no longer
    evidence for their item."""
    res_a, res_b = _resources(store, a), _resources(store, b)
    dead = []
    for item in items_a:
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
    return dead


def _cause_first(item_id: str, reason: str, dead: list[dict]) -> str:
    """A regression's reason opens with its real cause when the evidence that counted broke (the
    PDF now answers 404); the new verdict's own reason may be about another candidate."""
    broken = [d for d in dead if d["item"] == item_id and d["why"] != "no longer evidence"]
    if not broken:
        return reason
    first = broken[0]
    return f"หลักฐานเดิม {display_url(first['url'])} เปิดไม่ได้แล้ว ({first['why']}); {reason}"


def _was_note(item: dict, year: int) -> str:
    """For runs of different years: which earlier items this subject was."""
    return f" (ปี {year}: {'+'.join(item['was'])})" if "was" in item else ""


def _summary(result: dict) -> dict:
    return {
        "run_id": result["run_id"],
        "site": result["site"],
        "year": result["year"],
        "as_of": result["as_of"],
        "oit": result["scores"].get("oit"),
    }
