"""Tell someone when a site got worse: a JSON webhook (chat bots, monitoring) and a Thai e-mail.

A notification is a courtesy on top of the audit, never part of it: every failure (a dead
webhook, a refused SMTP login) is returned as text for stderr and kept in the run's stats, and
the audit's result and exit code stay what they were.
"""

from __future__ import annotations

import json
import os
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import httpx

from oit_checker.config import NotifySettings
from oit_checker.errors import OitError
from oit_checker.models import count_statuses
from oit_checker.output.labels import status_th
from oit_checker.output.prose import tidy
from oit_checker.store import Store
from oit_checker.urls import display_url

NOTIFY_TIMEOUT = 15.0  # seconds for the webhook request and the SMTP conversation


class NotifyError(OitError):
    """A channel that could not deliver; caught per channel and recorded, never fatal."""


def build_summary(result: dict, diff: dict | None, name: str = "") -> dict:
    """The webhook body: the run, its OIT score, what regressed and which evidence died."""
    counts = count_statuses(i["status"] for i in result["items"])
    summary = {
        "status": "complete",
        "error": "",
        "site": result["site"],
        "name": name,
        "year": result["year"],
        "run_id": result["run_id"],
        "previous_run_id": diff["a"]["run_id"] if diff else None,
        "oit": result["scores"].get("oit"),
        "previous_oit": diff["a"]["oit"] if diff else None,
        "counts": counts,
        "regressions": [
            {k: r[k] for k in ("id", "title", "before", "after", "reason")}
            for r in (diff["regressions"] if diff else [])
        ],
        "improvements": [
            {k: r[k] for k in ("id", "title", "before", "after")}
            for r in (diff["improvements"] if diff else [])
        ],
        "dead_evidence": diff["dead_evidence"] if diff else [],
    }
    return summary


def failure_summary(
    site: str, year: int, error: str, run_id: int | None = None, name: str = ""
) -> dict:
    """The webhook body for a site that could not be audited (down, TLS, robots.txt forbids all):
    a nightly audit that silently failed would look like a quiet night."""
    return {
        "status": "failed",
        "error": error,
        "site": site,
        "name": name,
        "year": year,
        "run_id": run_id,
        "previous_run_id": None,
        "oit": None,
        "previous_oit": None,
        "counts": count_statuses([]),
        "regressions": [],
        "improvements": [],
        "dead_evidence": [],
    }


def wanted(settings: NotifySettings, summary: dict) -> bool:
    """Always when asked; else on a regression, and on an audit that failed."""
    urgent = bool(summary["regressions"]) or summary.get("status") == "failed"
    return settings.enabled and (settings.on == "always" or urgent)


def post_webhook(url: str, summary: dict, timeout: float = NOTIFY_TIMEOUT) -> None:
    """POST the summary as UTF-8 JSON; anything but a 2xx answer is a failure."""
    body = json.dumps(summary, ensure_ascii=False).encode("utf-8")
    try:
        response = httpx.post(
            url,
            content=body,
            headers={"Content-Type": "application/json; charset=utf-8"},
            timeout=timeout,
        )
    except httpx.HTTPError as exc:
        raise NotifyError(f"webhook {url}: {type(exc).__name__}: {exc}") from None
    if not 200 <= response.status_code < 300:
        raise NotifyError(f"webhook {url}: HTTP {response.status_code}")


def email_text(summary: dict) -> tuple[str, str]:
    """Subject and plain-text body, in Thai, for the officer who reads it on a phone."""
    label = summary["name"] or display_url(summary["site"])
    if summary.get("status") == "failed":
        return _failure_email(label, summary)
    regressions = summary["regressions"]
    subject = (
        f"[OIT] {label}: ถดถอย {len(regressions)} ข้อ"
        if regressions
        else f"[OIT] {label}: ผลการตรวจรอบ #{summary['run_id']}"
    )
    c = summary["counts"]
    lines = [
        f"ผลการตรวจเว็บไซต์ {display_url(summary['site'])}"
        + (f" ({summary['name']})" if summary["name"] else ""),
        f"ปีงบประมาณ {summary['year']}  รอบการตรวจ #{summary['run_id']}",
        f"คะแนน OIT {_score(summary['oit'])}"
        + (
            f" (ครั้งก่อน #{summary['previous_run_id']}: {_score(summary['previous_oit'])})"
            if summary["previous_run_id"]
            else ""
        ),
        f"มี {c['present']} ข้อ  ไม่มี {c['absent']} ข้อ  ไม่แน่ใจ {c['uncertain']} ข้อ",
        "",
    ]
    if regressions:
        lines.append("ข้อที่ถดถอย (เคยมี ตอนนี้ไม่ผ่าน):")
        for r in regressions:
            lines.append(
                f"- {r['id']} {r['title']}: {status_th(r['before'])} → {status_th(r['after'])}"
            )
            lines.append(f"  เหตุผล: {tidy(r['reason'])}")
        lines.append("")
    else:
        lines += ["ไม่มีข้อที่ถดถอยจากครั้งก่อน", ""]
    if summary["improvements"]:
        lines.append("ข้อที่ดีขึ้น: " + ", ".join(r["id"] for r in summary["improvements"]))
        lines.append("")
    if summary["dead_evidence"]:
        lines.append("หลักฐานเดิมที่เปิดไม่ได้หรือไม่ใช่หลักฐานแล้ว:")
        for d in summary["dead_evidence"]:
            why = "ไม่ใช่หลักฐานของข้อนี้แล้ว" if d["why"] == "no longer evidence" else d["why"]
            lines.append(f"- {d['item']} {display_url(d['url'])} ({why})")
        lines.append("")
    lines.append("ดูรายละเอียด: oit report " + str(summary["run_id"]))
    return subject, "\n".join(lines) + "\n"


def _failure_email(label: str, summary: dict) -> tuple[str, str]:
    run = f"  รอบการตรวจ #{summary['run_id']}" if summary["run_id"] else ""
    body = [
        f"ตรวจเว็บไซต์ {display_url(summary['site'])} ไม่ได้ (the audit failed)",
        f"ปีงบประมาณ {summary['year']}{run}",
        f"สาเหตุ: {summary['error']}",
        "",
        "ผลการตรวจครั้งก่อนยังคงอยู่; ตรวจอีกครั้งเมื่อเว็บไซต์เปิดได้",
    ]
    return f"[OIT] {label}: ตรวจไม่ได้ (audit failed)", "\n".join(body) + "\n"


def _score(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def send_email(settings: NotifySettings, summary: dict, timeout: float = NOTIFY_TIMEOUT) -> None:
    subject, body = email_text(summary)
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = settings.smtp_from or f"oit-checker@{settings.smtp_host}"
    message["To"] = ", ".join(settings.smtp_to)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain="oit-checker")
    message.set_content(body, charset="utf-8")
    password = ""
    if settings.smtp_password_env:
        password = os.environ.get(settings.smtp_password_env, "")
        if not password:
            raise NotifyError(
                f"e-mail: environment variable {settings.smtp_password_env} (smtp_password_env) "
                "is not set"
            )
    security = settings.smtp_security
    if security == "auto":
        security = "ssl" if settings.smtp_port == 465 else "auto"
    host, port = settings.smtp_host, settings.smtp_port
    try:
        if security == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                host, port, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(host, port, timeout=timeout)
        with smtp:
            smtp.ehlo()
            if security == "starttls" or (security == "auto" and smtp.has_extn("starttls")):
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if settings.smtp_user:
                smtp.login(settings.smtp_user, password)
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise NotifyError(f"e-mail via {host}:{port}: {type(exc).__name__}: {exc}") from None


def notify(settings: NotifySettings, summary: dict) -> dict[str, str]:
    """Send what is configured and wanted; per channel "sent", "skipped" or "failed: why".

    Never raises: a notification failure must not turn a finished audit into a crash.
    """
    outcome: dict[str, str] = {}
    if not wanted(settings, summary):
        return outcome
    if settings.webhook:
        try:
            post_webhook(settings.webhook, summary)
            outcome["webhook"] = "sent"
        except NotifyError as exc:
            outcome["webhook"] = f"failed: {exc}"
    if settings.email:
        try:
            send_email(settings, summary)
            outcome["email"] = "sent"
        except NotifyError as exc:
            outcome["email"] = f"failed: {exc}"
    return outcome


def failures(outcome: dict[str, str]) -> list[str]:
    return [text.removeprefix("failed: ") for text in outcome.values() if text.startswith("failed")]


def record_outcome(store: Store, run_id: int, outcome: dict[str, str]) -> None:
    """Keep what happened to the notifications in the run's stats (``stats.notify``)."""
    if outcome:
        store.merge_stats(run_id, {"notify": outcome})
