"""Fixtures shared by the test modules."""

from __future__ import annotations

from collections import Counter

import pytest
from redis_service import RedisServer

import oit_checker.audit as audit_module
from oit_checker.render import CHROMIUM, CHROMIUM_ARGS


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


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """Debian's Chromium under Playwright, headless, for the tests of what officers see."""
    from playwright.sync_api import sync_playwright

    home = tmp_path_factory.mktemp("home")  # Chromium and Playwright write under $HOME
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HOME", str(home))
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    """Debian's redis-server on a free loopback port for the whole session (tests flush it)."""
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgres():
    """A PostgreSQL server for the whole session (tests/services.py); fails, never skips,
    when the server is not installed."""
    from services import running_postgres

    with running_postgres() as server:
        yield server


@pytest.fixture
def pg_url(postgres) -> str:
    """A fresh, empty database on the session's server."""
    return postgres.database()
