"""Notifications: sent when wanted, and every failure returned as text instead of raised."""

from __future__ import annotations

import json

from receivers import SmtpSink, WebhookReceiver, free_port

from oit_checker.config import NotifySettings
from oit_checker.notify import email_text, failures, notify

SUMMARY = {
    "site": "http://127.0.0.1:8000/",
    "name": "อบต.หนองบัวทอง",
    "year": 2568,
    "run_id": 7,
    "previous_run_id": 6,
    "oit": 62.5,
    "previous_oit": 69.41,
    "counts": {"present": 19, "absent": 8, "uncertain": 1},
    "regressions": [
        {
            "id": "O8",
            "title": "คู่มือหรือมาตรฐานการปฏิบัติงาน",
            "before": "present",
            "after": "absent",
            "reason": "ลิงก์เปิดไม่ได้ (HTTP 404)",
        }
    ],
    "improvements": [],
    "dead_evidence": [
        {"item": "O8", "url": "http://127.0.0.1:8000/m.pdf", "status": 404, "why": "HTTP 404"}
    ],
}
QUIET = {**SUMMARY, "regressions": [], "dead_evidence": []}


def test_nothing_is_sent_without_a_regression_unless_always():
    with WebhookReceiver() as hook:
        assert notify(NotifySettings(webhook=hook.url), QUIET) == {}
        assert notify(NotifySettings(webhook=hook.url, on="always"), QUIET) == {"webhook": "sent"}
        assert len(hook.posts) == 1
        assert json.loads(hook.posts[0].body)["run_id"] == 7


def test_a_webhook_error_or_dead_host_is_a_failure_not_an_exception():
    with WebhookReceiver(status=500) as hook:
        outcome = notify(NotifySettings(webhook=hook.url), SUMMARY)
    assert outcome["webhook"] == f"failed: webhook {hook.url}: HTTP 500"
    dead = NotifySettings(webhook=f"http://127.0.0.1:{free_port()}/")
    assert "ConnectError" in failures(notify(dead, SUMMARY))[0]


def test_email_failures_name_the_cause(monkeypatch):
    monkeypatch.delenv("OIT_TEST_SMTP_PASSWORD", raising=False)
    with SmtpSink() as smtp:
        settings = NotifySettings(
            smtp_host="127.0.0.1",
            smtp_port=smtp.port,
            smtp_to=["a@example.go.th"],
            smtp_user="oit",
            smtp_password_env="OIT_TEST_SMTP_PASSWORD",
        )
        outcome = notify(settings, SUMMARY)
        assert smtp.messages == []
    assert "OIT_TEST_SMTP_PASSWORD" in outcome["email"] and outcome["email"].startswith("failed")
    closed = NotifySettings(smtp_host="127.0.0.1", smtp_port=free_port(), smtp_to=["a@b.go.th"])
    assert "ConnectionRefusedError" in notify(closed, SUMMARY)["email"]


def test_the_email_says_what_regressed_in_thai():
    subject, body = email_text(SUMMARY)
    assert subject == "[OIT] อบต.หนองบัวทอง: ถดถอย 1 ข้อ"
    assert "คะแนน OIT 62.50 (ครั้งก่อน #6: 69.41)" in body
    assert "- O8 คู่มือหรือมาตรฐานการปฏิบัติงาน: มี → ไม่มี" in body
    assert "http://127.0.0.1:8000/m.pdf (HTTP 404)" in body
    assert "ไม่มีข้อที่ถดถอย" in email_text(QUIET)[1]


def test_a_failed_audit_is_sent_even_on_regression_only_with_its_reason():
    from oit_checker.notify import failure_summary

    down = failure_summary("http://x.go.th/", 2568, "connection refused by x.go.th", 4, "อบต.ก")
    with WebhookReceiver() as hook:
        assert notify(NotifySettings(webhook=hook.url), down) == {"webhook": "sent"}
    subject, body = email_text(down)
    assert subject == "[OIT] อบต.ก: ตรวจไม่ได้ (audit failed)"
    assert "สาเหตุ: connection refused by x.go.th" in body
