"""Broken TLS on agency sites: self-signed and expired certificates, against real HTTPS servers.

Many agency sites run on a self-signed certificate or one that expired years ago. The audit must
not silently accept them: without ``--insecure`` the user gets a clear "certificate not trusted"
finding (and exit code 3 when it is the home page); with ``--insecure`` the site is audited
normally. Certificates are made at test time with the ``openssl`` command-line tool: one
self-signed for 127.0.0.1, and one signed by a throwaway CA that expired in 2020 (the CA is made
trusted through SSL_CERT_FILE so that expiry, not the unknown issuer, is what fails).
"""

from __future__ import annotations

import asyncio
import shutil
import ssl
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from oit_checker.audit import AuditError, AuditOptions, audit
from oit_checker.fetch import FetchOptions, fetch, make_client
from oit_checker.models import Fetched
from oit_checker.rules import default_year, load_year
from oit_checker.store import Store

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")

THAI = "องค์การบริหารส่วนตำบลหนองบัว"
HOME = (
    f"<html><head><meta charset='utf-8'><title>{THAI}</title></head><body>"
    f"<h1>{THAI}</h1><a href='/about.html'>ข้อมูลพื้นฐาน</a></body></html>"
).encode()
ABOUT = "<html><body><h1>ข้อมูลพื้นฐาน</h1><p>โครงสร้างหน่วยงาน</p></body></html>".encode()
# backoff is larger than any fetch below may take: a retried TLS failure would show in elapsed.
FAST = FetchOptions(timeout=2.0, total_timeout=5.0, retries=2, backoff=1.0)

CA_CONFIG = """\
[ca]
default_ca = test_ca
[test_ca]
database = index.txt
new_certs_dir = issued
serial = serial
default_md = sha256
policy = any_name
x509_extensions = leaf
unique_subject = no
[any_name]
commonName = supplied
[leaf]
basicConstraints = CA:FALSE
subjectAltName = IP:127.0.0.1
"""


@dataclass
class Certs:
    self_signed: tuple[Path, Path]  # (certificate, key), valid now
    expired: tuple[Path, Path]  # valid January 2020 only, issued by ``ca``
    ca: Path


def _openssl(folder: Path, *args: str) -> None:
    subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True, timeout=30)


EC_KEY = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes")


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certs:
    folder = tmp_path_factory.mktemp("certs")
    _openssl(folder, "req", "-x509", *EC_KEY, "-keyout", "self.key", "-out", "self.pem",
             "-days", "30", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1")  # fmt: skip
    _openssl(folder, "req", "-x509", *EC_KEY, "-keyout", "ca.key", "-out", "ca.pem",
             "-days", "30", "-subj", "/CN=oit-checker test CA")  # fmt: skip
    _openssl(folder, "req", "-new", *EC_KEY, "-keyout", "old.key", "-out", "old.csr",
             "-subj", "/CN=127.0.0.1")  # fmt: skip
    (folder / "ca.cnf").write_text(CA_CONFIG)
    (folder / "index.txt").write_text("")
    (folder / "serial").write_text("01\n")
    (folder / "issued").mkdir()
    _openssl(folder, "ca", "-batch", "-config", "ca.cnf", "-cert", "ca.pem", "-keyfile", "ca.key",
             "-in", "old.csr", "-out", "old.pem", "-notext",
             "-startdate", "20200101000000Z", "-enddate", "20200201000000Z")  # fmt: skip
    return Certs(
        (folder / "self.pem", folder / "self.key"),
        (folder / "old.pem", folder / "old.key"),
        folder / "ca.pem",
    )


class _Handler(BaseHTTPRequestHandler):
    pages = {"/": HOME, "/about.html": ABOUT}

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        body = self.pages.get(self.path.split("?")[0])
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _HttpsServer(ThreadingHTTPServer):
    """HTTPS on 127.0.0.1; counts connection attempts, failed handshakes included."""

    def __init__(self, cert: tuple[Path, Path]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*cert)
        self.socket = context.wrap_socket(self.socket, server_side=True)
        self.connections = 0

    def get_request(self):  # type: ignore[no-untyped-def]
        self.connections += 1
        return super().get_request()

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.server_address[1]}/"


def _serve(cert: tuple[Path, Path]) -> Iterator[_HttpsServer]:
    server = _HttpsServer(cert)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture(scope="module")
def self_signed_site(certs: Certs) -> Iterator[_HttpsServer]:
    yield from _serve(certs.self_signed)


@pytest.fixture(scope="module")
def expired_site(certs: Certs) -> Iterator[_HttpsServer]:
    yield from _serve(certs.expired)


async def _get(url: str, options: FetchOptions = FAST) -> Fetched:
    async with make_client(options) as client:
        return await fetch(client, url, options)


async def test_self_signed_certificate_is_refused_with_a_clear_error(self_signed_site):
    before = self_signed_site.connections
    fetched = await _get(self_signed_site.url)
    assert fetched.status == 0
    assert not fetched.body
    assert "TLS certificate of 127.0.0.1 not trusted: self-signed certificate" in fetched.error
    assert "--insecure" in fetched.error
    # Refused once: a certificate does not get better on retry, so no backoff is spent.
    assert self_signed_site.connections - before == 1
    assert fetched.elapsed < FAST.backoff


async def test_insecure_fetches_the_self_signed_site(self_signed_site):
    fetched = await _get(self_signed_site.url, FetchOptions(insecure=True, timeout=2.0))
    assert fetched.status == 200
    assert fetched.error == ""
    assert fetched.kind == "html"
    assert THAI in fetched.text


async def test_expired_certificate_is_reported_as_expired(expired_site, certs, monkeypatch):
    # Trust the test CA (httpx reads SSL_CERT_FILE), as a public CA would be for a real site.
    monkeypatch.setenv("SSL_CERT_FILE", str(certs.ca))
    fetched = await _get(expired_site.url)
    assert fetched.status == 0
    assert "TLS certificate of 127.0.0.1 not trusted: certificate has expired" in fetched.error
    assert "--insecure" in fetched.error


async def test_expired_certificate_from_an_unknown_issuer_is_still_a_certificate_error(
    expired_site, monkeypatch
):
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    fetched = await _get(expired_site.url)
    assert fetched.status == 0
    assert "TLS certificate of 127.0.0.1 not trusted" in fetched.error


async def test_insecure_accepts_the_expired_certificate(expired_site):
    fetched = await _get(expired_site.url, FetchOptions(insecure=True, timeout=2.0))
    assert fetched.status == 200
    assert THAI in fetched.text


def _audit_options() -> AuditOptions:
    options = AuditOptions()
    options.crawl.render = "never"  # one static page; no browser needed
    options.crawl.max_pages = 10
    options.crawl.max_seconds = 10.0
    options.crawl.fetch = FetchOptions(timeout=2.0, total_timeout=5.0, retries=1, backoff=0.05)
    return options


def test_audit_of_a_self_signed_site_stops_with_exit_code_3(self_signed_site, tmp_path):
    rules = load_year(default_year())
    with pytest.raises(AuditError) as raised:
        asyncio.run(audit(self_signed_site.url, rules, Store(tmp_path / "a.db"), _audit_options()))
    assert raised.value.exit_code == 3
    message = str(raised.value)
    assert self_signed_site.url in message
    assert "certificate" in message and "self-signed" in message
    assert "--insecure" in message


def test_audit_with_insecure_audits_the_self_signed_site(self_signed_site, tmp_path):
    rules = load_year(default_year())
    options = _audit_options()
    options.crawl.fetch.insecure = True
    result = asyncio.run(audit(self_signed_site.url, rules, Store(tmp_path / "b.db"), options))
    assert result.exit_code in (0, 1)  # items present or missing: the audit ran to the end
    assert result.stats["pages"] == 2  # home page and the linked page, both over HTTPS
    assert result.items and all(item.status for item in result.items)
