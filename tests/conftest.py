"""Fixtures shared by the test modules."""

from __future__ import annotations

from collections import Counter

import pytest

import oit_checker.audit as audit_module


@pytest.fixture
def extractions(monkeypatch: pytest.MonkeyPatch) -> Counter:
    """Counts real extractor runs: ("html", url) and ("document", url)."""
    calls: Counter = Counter()
    real_document, real_html = audit_module.extract_document, audit_module.parse_html

    def document(url, kind, *args, **kwargs):
        calls["document", url] += 1
        return real_document(url, kind, *args, **kwargs)

    def html(text, url, *args, **kwargs):
        calls["html", url] += 1
        return real_html(text, url, *args, **kwargs)

    monkeypatch.setattr(audit_module, "extract_document", document)
    monkeypatch.setattr(audit_module, "parse_html", html)
    return calls
