"""Quick re-audits: ask again only for what bears on a verdict, and keep the verdicts when
none of it changed.

A full audit fetches and reads every page, and a plain incremental one still asks again for
every URL and judges every item again. Yet most of a site (old news, archive pages) cannot
change a verdict. A re-audit therefore first asks again only for the URLs that are *due*:

- the start URL, and every document: officers fix evidence by uploading a file again at the
  same address;
- every page that led to a candidate (menus, hubs, news lists: where new evidence appears),
  every candidate of an item that was not present, and every evidence URL;
- every URL that failed last time;
- every other URL whose last check is older than its revisit interval (``[crawl]
  revisit_days`` in the rules, spread per URL over the second half of the interval, so an
  archive is revisited a slice a night rather than all on one night).

When every due URL answers as it did (HTTP 304, the same content, or the same failure), the
verdicts of the previous run stand: they are copied into a new run, the URLs not asked again
are recorded as "trusted", and nothing is parsed or judged. Anything else (a changed or new
answer, other rules, another checker or extractor version, another month of the audit date,
other crawl settings, a page built by JavaScript, a last crawl cut short by its time or byte
budget) leaves the decision to the full incremental audit. ``--fresh`` or ``--revisit-days 0`` ask again for everything.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from oit_checker.crawl import Crawler, CrawlOptions
from oit_checker.dates import months_due
from oit_checker.models import DOCUMENT_KINDS, Fetched, FetchInfo, Link
from oit_checker.store import CachedResource, Store, content_sha256
from oit_checker.urls import normalize_url

DEFAULT_REVISIT_DAYS = 7.0
SHOWN_CHANGES = 5  # changed URLs named in the stats note
# Budgets that stop a crawl at an arbitrary point: what it reached says little about the site,
# so it is crawled again. (A page budget stops a best-first crawl at the same place each time.)
CUT_SHORT = ("max_seconds", "max_bytes")


@dataclass
class Plan:
    """What a quick re-audit would ask again for, and what it would trust."""

    previous: dict  # the run whose verdicts would stand
    due: dict[str, str] = field(default_factory=dict)  # url -> why it is asked again
    trusted: list[str] = field(default_factory=list)
    why_not: str = ""  # set when no quick re-audit is possible


def crawl_profile(crawl: CrawlOptions, ocr_enabled: bool) -> dict:
    """The crawl settings a run's verdicts depend on; a quick re-audit needs the same ones."""
    return {
        "max_pages": crawl.max_pages,
        "max_depth": crawl.max_depth,
        "max_bytes": crawl.max_bytes,
        "render": crawl.render,
        "respect_robots": crawl.respect_robots,
        "use_sitemap": crawl.use_sitemap,
        "fetch_kinds": sorted(crawl.fetch_kinds),
        "ocr": ocr_enabled,
    }


def revisit_after(url: str, days: float) -> dt.timedelta:
    """A URL's revisit interval: between half and all of ``days``, fixed per URL."""
    spread = int(hashlib.sha256(url.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return dt.timedelta(days=days * (0.5 + 0.5 * spread))


def plan(
    store: Store,
    previous: dict | None,
    *,
    start_url: str,
    rules_sha: str,
    checker: str,
    profile: dict,
    as_of: dt.date,
    fiscal_year: int,
    resources: list[dict],
    cache: dict[str, CachedResource],
    usable: Callable[[CachedResource], bool],
    days: float,
    now: dt.datetime | None = None,
) -> Plan:
    """Decide what is due, or why the previous run's verdicts cannot stand at all."""
    if previous is None:
        return Plan({}, why_not="no earlier complete run")
    options = json.loads(previous.get("options") or "{}")
    stopped_by = json.loads(previous.get("stats") or "{}").get("stopped_by", "")
    out = Plan(previous)
    if stopped_by in CUT_SHORT:
        out.why_not = f"the last crawl was cut short ({stopped_by})"
    elif previous["rules_sha256"] != rules_sha:
        out.why_not = "the rules changed"
    elif options.get("checker") != checker:
        out.why_not = "the checker changed"
    elif options.get("profile") != profile:
        out.why_not = "other crawl settings"
    elif months_due(fiscal_year, dt.date.fromisoformat(previous["as_of"])) != months_due(
        fiscal_year, as_of
    ):
        out.why_not = "another month of the audit date"
    elif days <= 0:
        out.why_not = "every URL is due (--revisit-days 0)"
    if out.why_not:
        return out
    now = now or dt.datetime.now(dt.UTC)
    bearing = _bearing_urls(store, previous["id"])
    for row in resources:
        url = row["url"]
        cached = cache.get(url)
        if url == start_url:
            out.due[url] = "start"
        elif not FetchInfo.from_row(row).ok:
            out.due[url] = "failed"
        elif cached is None or cached.rendered or not usable(cached):
            out.due[url] = "not cached"  # only a fetch can tell what it holds now
        elif row["kind"] in DOCUMENT_KINDS:
            out.due[url] = "document"
        elif url in bearing:
            out.due[url] = bearing[url]
        elif _age(cached.validated_at, now) >= revisit_after(url, days):
            out.due[url] = "revisit"
        else:
            out.trusted.append(url)
    if any(cache[u].rendered for u in out.due if u in cache):
        out.why_not = "a page built by JavaScript is rendered again"
    return out


def _bearing_urls(store: Store, run_id: int) -> dict[str, str]:
    """URLs of a run that bear on a verdict: where candidates were found, candidates of items
    not present, and evidence."""
    out: dict[str, str] = {}
    for item in store.items(run_id):
        present = item["status"] == "present"
        for cand in json.loads(item["candidates"] or "[]"):
            if cand.get("via"):
                out.setdefault(normalize_url(cand["via"]), "led to a candidate")
            if not present and cand.get("url"):
                out.setdefault(normalize_url(cand["url"]), f"candidate of {item['item_id']}")
        for ev in store.evidence(run_id, item["item_id"]):
            out.setdefault(normalize_url(ev["url"]), f"evidence of {item['item_id']}")
            if ev["via"]:
                out.setdefault(normalize_url(ev["via"]), "led to evidence")
    return out


def _age(stamp: str, now: dt.datetime) -> dt.timedelta:
    try:
        then = dt.datetime.fromisoformat(stamp)
    except (TypeError, ValueError):
        return dt.timedelta.max
    if then.tzinfo is None:
        then = then.replace(tzinfo=dt.UTC)
    return now - then


@dataclass
class Answer:
    """How one due URL answered, and whether that is what the previous run saw."""

    fetched: Fetched
    same: bool


def changed(plan_: Plan, answers: dict[str, Answer]) -> list[str]:
    """Due URLs that did not answer as before, or got no answer. A URL that redirected to
    another due URL is answered by it."""
    by_final = {
        (a.fetched.final_url or url): a.same for url, a in answers.items() if a.fetched.redirects
    }
    out = []
    for url in plan_.due:
        answer = answers.get(url)
        if not (answer.same if answer is not None else by_final.get(url, False)):
            out.append(url)
    return out


async def ask_again(
    plan_: Plan,
    start_url: str,
    crawl: CrawlOptions,
    cache: dict[str, CachedResource],
    usable: Callable[[CachedResource], bool],
    previous_rows: dict[str, dict],
    progress: Callable[[str, int, int, str], None] | None = None,
) -> dict[str, Answer]:
    """Conditional requests for the due URLs, politely (robots, Crawl-delay, --rate), without
    following links. A URL robots.txt now forbids gets no answer (and so is not the same)."""
    answers: dict[str, Answer] = {}
    total = len(plan_.due)

    def conditional(url: str) -> dict[str, str] | None:
        cached = cache.get(url)
        return cached.conditional(usable(cached)) if cached is not None else None

    def on_fetched(fetched: Fetched) -> None:
        row = previous_rows.get(fetched.url)
        same = row is not None and _same(fetched, row, cache.get(fetched.url), usable)
        answers[fetched.url] = Answer(fetched, same)
        fetched.body, fetched.text = b"", ""  # only the verdict "same" is kept
        if progress:
            progress("revisit", len(answers), total, fetched.url)

    options = CrawlOptions(
        **{
            **{f: getattr(crawl, f) for f in crawl.__dataclass_fields__},
            "max_pages": total + 1,
            "render": "never",
            "use_sitemap": False,
            "wanted_kinds": frozenset(crawl.fetch_kinds) | crawl.wanted_kinds,
        }
    )
    crawler = Crawler(
        start_url,
        options,
        lambda fetched: [],  # links are not followed: an unchanged page links as before
        lambda link, depth: 1000.0,
        on_fetched,
        conditional=conditional,
    )
    for url in plan_.due:
        if url != start_url:
            crawler.add_links([Link(url=url, text="")], -1)
    await crawler.run()
    return answers


def _same(
    fetched: Fetched,
    row: dict,
    cached: CachedResource | None,
    usable: Callable[[CachedResource], bool],
) -> bool:
    if not FetchInfo.from_row(row).ok:
        return fetched.status == row["status"] and not fetched.ok
    if cached is None or not usable(cached):
        return False
    if fetched.status == 304:
        return True
    moved = normalize_url(fetched.final_url or fetched.url) != normalize_url(
        row["final_url"] or row["url"]
    )
    if not fetched.ok or moved:
        return False
    return content_sha256(fetched) == (cached.content_sha256 or cached.sha256)
