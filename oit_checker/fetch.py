"""The downloader: one URL in, one ``Fetched`` record out, whatever the server does.

Agency servers are slow, misconfigured and sometimes hostile (endless bodies, redirect loops,
gzip bombs, lying charsets). Every network problem therefore ends in a ``Fetched`` with
``status=0`` (or the HTTP status) and an English ``error`` for the log; nothing here raises.
The body is streamed so the size cap and the total time limit bound memory and time; the
audit's wall-clock deadline (``FetchOptions.deadline``) ends a fetch in flight too. A body cut by
either limit keeps its record with an error starting "too large:" or "too slow:" (``cut_reason``
says it to the officer). Credentials written into the start URL are taken out of it
(``credentials_of``) and sent, unchanged, only to that host.
"""

from __future__ import annotations

import asyncio
import base64
import codecs
import io
import re
import socket
import ssl
import time
import zipfile
import zlib
from collections.abc import Generator
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from posixpath import splitext
from urllib.parse import unquote, urljoin, urlsplit

import httpx

from oit_checker.bounds import TOO_LARGE, TOO_SLOW, flatten_html, megabytes
from oit_checker.models import Fetched, ResourceKind
from oit_checker.settings import default

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Statuses worth asking again: overload and gateway trouble usually pass within seconds.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504, 520, 521, 522, 523, 524})


@dataclass(frozen=True)
class Credentials:
    """User and password from the start URL, for HTTP Basic auth to that host only."""

    host: str
    user: str
    password: str


def credentials_of(url: str) -> Credentials | None:
    """The ``user:password@`` of a URL (percent-decoded, case kept), or None. The URL itself is
    never stored or shown with them (urls.strip_credentials)."""
    try:
        parts = urlsplit(url.strip())
        user, password = unquote(parts.username or ""), unquote(parts.password or "")
    except ValueError:
        return None
    if not (user or password):
        return None
    return Credentials((parts.hostname or "").lower(), user, password)


class HostAuth(httpx.Auth):
    """Basic auth sent only to the host the credentials were given for (not to redirects to
    other hosts, not to off-site links)."""

    def __init__(self, credentials: Credentials) -> None:
        self.credentials = credentials
        token = f"{credentials.user}:{credentials.password}".encode()
        self._header = "Basic " + base64.b64encode(token).decode("ascii")

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if request.url.host.lower() == self.credentials.host:
            request.headers["Authorization"] = self._header
        yield request


@dataclass
class FetchOptions:
    timeout: float = default("timeout")  # per request phase (connect / read between bytes), seconds
    total_timeout: float = 60.0  # whole fetch: retries, redirects and a slow trickling body
    # Decoded body cap (the max_file_mb setting); longer bodies are cut.
    max_file_bytes: int = int(default("max_file_mb") * 2**20)
    retries: int = 2  # extra attempts on 5xx, 429, timeouts and connection errors
    retry_after_cap: float = 30.0  # Retry-After is honoured up to this many seconds
    user_agent: str = "oit-checker/0.1 (+https://github.com/oit-checker/oit-checker)"
    insecure: bool = default("insecure")  # verify TLS unless set
    max_redirects: int = 10
    backoff: float = 0.5  # first retry waits this long, then twice as long each time
    extra_headers: dict[str, str] = field(default_factory=dict)
    # Who runs the audit (an e-mail or URL), appended to the User-Agent as "(+contact)" so a
    # web officer who sees the crawler in the logs can reach its operator.
    contact: str = default("contact")
    # The audit's wall-clock deadline (time.monotonic()): no fetch runs past it, whatever its
    # own limits say. None: only the fetch's own limits.
    deadline: float | None = None
    credentials: Credentials | None = None  # from the start URL (credentials_of)

    @property
    def user_agent_header(self) -> str:
        """The User-Agent sent: ``user_agent`` plus the contact, when given."""
        contact = " ".join(self.contact.split())
        return f"{self.user_agent} (+{contact})" if contact else self.user_agent


def make_client(options: FetchOptions) -> httpx.AsyncClient:
    """A client for ``fetch``: redirects are followed by ``fetch`` itself to record the chain.

    Only gzip/deflate are offered because ``fetch`` decompresses them itself with a cap on the
    decoded size (httpx would inflate a whole network chunk at once).
    """
    headers = {
        "User-Agent": options.user_agent_header,
        "Accept": "text/html,application/xhtml+xml,application/pdf,*/*;q=0.8",
        "Accept-Language": "th,en;q=0.7",
        "Accept-Encoding": "gzip, deflate",
        **options.extra_headers,
    }
    return httpx.AsyncClient(
        auth=HostAuth(options.credentials) if options.credentials else None,
        follow_redirects=False,
        timeout=httpx.Timeout(options.timeout),
        verify=not options.insecure,
        headers=headers,
        limits=httpx.Limits(max_connections=32, max_keepalive_connections=16),
    )


# ---------------------------------------------------------------------------------------------
# Resource kind

# Content-Type (without parameters) -> kind. Generic binary types fall through to the extension.
CONTENT_TYPE_KINDS: dict[str, ResourceKind] = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "application/pdf": "pdf",
    "application/x-pdf": "pdf",
    "application/acrobat": "pdf",
    "application/msword": "doc",
    "application/vnd.ms-word": "doc",
    "application/vnd.ms-excel": "xls",
    "application/x-msexcel": "xls",
    "application/excel": "xls",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
}
GENERIC_CONTENT_TYPES = frozenset(
    {
        "",
        "application/octet-stream",
        "binary/octet-stream",
        "application/force-download",
        "application/x-download",
        "application/download",
        "application/unknown",
        "application/x-unknown",
    }
)
# Text types that are not pages (feeds, scripts, styles, data).
NON_PAGE_TEXT_TYPES = frozenset(
    {
        "text/css",
        "text/javascript",
        "application/javascript",
        "application/x-javascript",
        "application/json",
        "text/xml",
        "application/xml",
        "application/rss+xml",
        "application/atom+xml",
        "text/csv",
        "text/calendar",
    }
)
EXTENSION_KINDS: dict[str, ResourceKind] = {
    ".html": "html",
    ".htm": "html",
    ".shtml": "html",
    ".xhtml": "html",
    ".php": "html",
    ".asp": "html",
    ".aspx": "html",
    ".jsp": "html",
    ".do": "html",
    ".cfm": "html",
    ".pdf": "pdf",
    ".doc": "doc",
    ".docx": "docx",
    ".xls": "xls",
    ".xlsx": "xlsx",
    ".png": "image",
    ".jpg": "image",
    ".jpeg": "image",
    ".gif": "image",
    ".webp": "image",
    ".bmp": "image",
    ".tif": "image",
    ".tiff": "image",
    ".svg": "image",
    ".ico": "image",
}
# Extensions that are never pages or readable documents: media, archives, code, fonts, data.
# fmt: off
OTHER_EXTENSIONS = frozenset({
    ".zip", ".rar", ".7z", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".iso", ".exe", ".msi", ".apk",
    ".dmg", ".bin", ".jar", ".mp3", ".mp4", ".m4a", ".m4v", ".avi", ".mov", ".wmv", ".flv",
    ".wav", ".webm", ".mkv", ".ogg", ".mpg", ".mpeg", ".3gp", ".swf", ".css", ".js", ".mjs",
    ".json", ".xml", ".rss", ".atom", ".txt", ".csv", ".ics", ".woff", ".woff2", ".ttf", ".otf",
    ".eot", ".ppt", ".pptx", ".pps", ".ppsx", ".odt", ".ods", ".odp", ".rtf", ".dwg", ".kml",
    ".kmz",
})
# fmt: on


def kind_from_extension(url_or_name: str) -> ResourceKind | None:
    """The kind a URL's (or file name's) extension promises, or None when it says nothing."""
    path = unquote(urlsplit(url_or_name).path) if "/" in url_or_name else url_or_name
    ext = splitext(path.rstrip("/"))[1].lower()
    if ext in EXTENSION_KINDS:
        return EXTENSION_KINDS[ext]
    if ext in OTHER_EXTENSIONS:
        return "other"
    return None


def _ole_kind(head: bytes) -> ResourceKind | None:
    """Word or Excel inside an OLE2 container, from the UTF-16 stream names in its directory."""
    if "WordDocument".encode("utf-16-le") in head:
        return "doc"
    if "Workbook".encode("utf-16-le") in head or "Book".encode("utf-16-le") in head:
        return "xls"
    return None


def _zip_kind(head: bytes) -> ResourceKind | None:
    """docx or xlsx from the part names of an Office Open XML zip (listing, else raw bytes)."""
    try:
        names = zipfile.ZipFile(io.BytesIO(head)).namelist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        names = []
    if names:
        if any(n.startswith("word/") for n in names):
            return "docx"
        if any(n.startswith("xl/") for n in names):
            return "xlsx"
        return None
    if b"word/" in head:
        return "docx"
    if b"xl/" in head:
        return "xlsx"
    return None


def _looks_textual(head: bytes) -> bool:
    return b"\x00" not in head[:1024]


def classify(url: str, content_type: str, head: bytes, *, filename: str = "") -> ResourceKind:
    """Decide what a resource is: magic bytes first, then Content-Type, then the URL extension.

    Servers often lie (a PDF sent as text/html, everything as octet-stream behind a download
    redirector), so the bytes win. ``filename`` is a Content-Disposition file name, used like
    the URL's extension.
    """
    ext_kind = kind_from_extension(filename) if filename else None
    ext_kind = ext_kind or kind_from_extension(url)
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        zipped = _zip_kind(head)
        if zipped:
            return zipped
        return ext_kind if ext_kind in ("docx", "xlsx") else "other"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        if ext_kind in ("doc", "xls"):
            return ext_kind
        ct_kind = CONTENT_TYPE_KINDS.get(_mime(content_type))
        if ct_kind in ("doc", "xls"):
            return ct_kind
        return _ole_kind(head) or "doc"
    if (
        head.startswith(b"\x89PNG\r\n\x1a\n")
        or head.startswith(b"\xff\xd8\xff")
        or head[:6] in (b"GIF87a", b"GIF89a")
        or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")
    ):
        return "image"

    mime = _mime(content_type)
    if mime in CONTENT_TYPE_KINDS:
        return CONTENT_TYPE_KINDS[mime]
    if mime.startswith("image/"):
        return "image"
    if mime in NON_PAGE_TEXT_TYPES:
        return "other"
    if mime not in GENERIC_CONTENT_TYPES and not mime.startswith("text/"):
        return ext_kind if ext_kind and ext_kind != "html" else "other"
    if ext_kind:
        return ext_kind
    if mime.startswith("text/") or _looks_textual(head):
        return "html"
    return "other"


def _mime(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


# ---------------------------------------------------------------------------------------------
# Decoding HTML (toolchain.md §6)

# All Thai single-byte labels: WHATWG maps them to windows-874, which Python calls cp874
# (Python's own tis-620 codec turns cp874's “”–€ into C1 control characters).
THAI_LABELS = frozenset(
    {
        "tis-620",
        "tis620",
        "tis_620",
        "iso-8859-11",
        "iso8859-11",
        "iso_8859-11",
        "windows-874",
        "x-windows-874",
        "dos-874",
        "cp874",
        "ibm874",
    }
)
# Labels that WHATWG reads as windows-1252; Apache's old default header on Thai sites.
WESTERN_LABELS = frozenset(
    {"iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "windows-1252", "cp1252"}
)
ASCII_LABELS = frozenset({"us-ascii", "ascii", "ansi_x3.4-1968"})
META_CHARSET_RE = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.I)
HEADER_CHARSET_RE = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.I)
# A body declared UTF-8 is read as UTF-8 (bad bytes replaced) while its Thai text that decodes
# as UTF-8 outweighs its bad bytes: a UTF-8 page with a few hundred stray bytes stays UTF-8.
# Single-byte Thai under a wrong label hardly ever forms a UTF-8 Thai character by chance.
THAI_BLOCK_RE = re.compile("[\u0e00-\u0e7f]")
# Runs of this many Thai-range bytes (0xA1-0xFB) mark single-byte Thai text; Latin-1 text has
# accented letters one at a time.
THAI_RUN_RE = re.compile(rb"[\xa1-\xfb]{4,}")
THAI_RUNS_NEEDED = 3


def _codec(label: str | None) -> str | None:
    """A Python codec name for a charset label, or None when the label is unknown."""
    if not label:
        return None
    name = label.strip().strip("\"'").lower()
    if name in THAI_LABELS:
        return "cp874"
    if name in WESTERN_LABELS:
        return "cp1252"
    if name in ASCII_LABELS:
        return "cp1252"
    if name in ("utf8", "utf-8", "unicode-1-1-utf-8"):
        return "utf-8"
    try:
        info = codecs.lookup(name)
    except LookupError:
        return None
    if not getattr(info, "_is_text_encoding", True):
        return None
    return info.name


def _valid_utf8(body: bytes) -> bool:
    """Strictly valid UTF-8, allowing a sequence cut off at the end (body cut at the cap)."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.reason == "unexpected end of data" and exc.end == len(body)
    return True


def _mostly_valid_utf8(text: str) -> bool:
    """``text`` (a body decoded as UTF-8 with replacement) has at least as many bytes of Thai
    characters (three each) as bad bytes (each U+FFFD stands for one or more)."""
    bad = text.count("\ufffd")
    thai = len(THAI_BLOCK_RE.findall(text))
    return 3 * thai >= bad


def _looks_single_byte_thai(body: bytes) -> bool:
    return len(THAI_RUN_RE.findall(body)) >= THAI_RUNS_NEEDED


def decode_html(body: bytes, content_type: str) -> str:
    """Decode an HTML body the way a Thai reader's browser would, but robust to lying labels.

    Order: BOM, header charset, ``<meta>`` charset in the first 4 KB, else UTF-8 if it decodes,
    else cp874. Corrections: a body that is valid UTF-8 is UTF-8 whatever a single-byte label
    claims (real TIS-620 Thai is never valid UTF-8); a "UTF-8" body full of invalid bytes that
    decodes as cp874 is cp874; a Latin-1 header over Thai bytes is Apache's default, not the page.
    """
    if not body:
        return ""
    if body.startswith(codecs.BOM_UTF8):
        return body[3:].decode("utf-8", "replace")
    if body[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return body.decode("utf-16", "replace")
    header_match = HEADER_CHARSET_RE.search(content_type or "")
    header = _codec(header_match.group(1)) if header_match else None
    meta_match = META_CHARSET_RE.search(body[:4096])
    meta = _codec(meta_match.group(1).decode("ascii", "replace")) if meta_match else None
    # A meta cannot mean UTF-16 (WHATWG): the bytes it was read from are 8-bit.
    if meta and meta.startswith("utf-16"):
        meta = "utf-8"
    declared = header or meta
    if header == "cp1252" and meta and meta != "cp1252":
        declared = meta
    if body.isascii():
        return body.decode("ascii")
    utf8_ok = _valid_utf8(body)
    if declared is None:
        return body.decode("utf-8" if utf8_ok else "cp874", "replace")
    if declared != "utf-8" and not declared.startswith("utf-") and utf8_ok:
        return body.decode("utf-8", "replace")
    text = body.decode(declared, "replace")
    if declared == "utf-8" and not utf8_ok:
        if not _mostly_valid_utf8(text):
            thai = body.decode("cp874", "replace")
            if thai.count("\ufffd") < text.count("\ufffd"):
                return thai
        return text
    if declared == "cp1252" and _looks_single_byte_thai(body):
        return body.decode("cp874", "replace")
    return text


# ---------------------------------------------------------------------------------------------
# Fetching


class _Inflater:
    """gzip / deflate decoding with a cap on the output, so a decompression bomb stays small."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self.unsupported = encoding not in ("", "identity", "gzip", "x-gzip", "deflate")
        self._z = self._new() if encoding in ("gzip", "x-gzip", "deflate") else None
        self._started = False

    def _new(self, raw_deflate: bool = False) -> zlib._Decompress:
        if raw_deflate:
            return zlib.decompressobj(-zlib.MAX_WBITS)
        return zlib.decompressobj(32 + zlib.MAX_WBITS)  # gzip or zlib header, auto-detected

    def feed(self, data: bytes, limit: int) -> bytes:
        """Up to ``limit`` decoded bytes from ``data`` (more input past the limit is dropped)."""
        if self._z is None:
            return data
        out = bytearray()
        while data and len(out) < limit:
            try:
                out += self._z.decompress(data, limit - len(out))
            except zlib.error:
                if self._started or out:
                    raise
                if self.encoding == "deflate":  # raw deflate without a zlib header (old IIS)
                    self._z = self._new(raw_deflate=True)
                    self._started = True
                    continue
                raise
            self._started = True
            if self._z.eof:
                rest = self._z.unused_data
                if not rest.startswith(b"\x1f\x8b"):  # trailing junk after the stream
                    break
                self._z = self._new()  # a multi-member gzip file
                data = rest
            else:
                data = self._z.unconsumed_tail
        return bytes(out)


class _Attempt:
    """What one GET produced; the body list survives a timeout so the partial body is kept."""

    def __init__(self) -> None:
        self.status = 0
        self.headers: httpx.Headers = httpx.Headers()
        self.final_url = ""
        self.chunks: list[bytes] = []
        self.size = 0
        self.truncated = False
        self.error = ""
        self.retry_wait: float | None = None  # set when the answer asks to try again

    @property
    def body(self) -> bytes:
        return b"".join(self.chunks)


def _retry_after(value: str | None, cap: float) -> float | None:
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        seconds = when.timestamp() - time.time()
    return max(0.0, min(seconds, cap))


def _causes(exc: BaseException) -> list[BaseException]:
    """The exception and what it wraps (httpx hides the OS error a few levels down)."""
    found: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in found and len(found) < 10:
        found.append(current)
        current = current.__cause__ or current.__context__
    return found


def _certificate_rejection(causes: list[BaseException]) -> ssl.SSLCertVerificationError | None:
    """The certificate check that failed, if that is what broke the connection."""
    return next((c for c in causes if isinstance(c, ssl.SSLCertVerificationError)), None)


def _describe_exception(exc: BaseException, url: str, options: FetchOptions) -> str:
    host = urlsplit(url).hostname or url
    text = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.ConnectTimeout):
        return f"timeout: could not connect to {host} within {options.timeout:g}s"
    if isinstance(exc, httpx.ReadTimeout):
        return f"timeout: {host} sent nothing for {options.timeout:g}s"
    if isinstance(exc, httpx.TimeoutException):
        return f"timeout talking to {host} ({type(exc).__name__})"
    if isinstance(exc, httpx.ConnectError):
        causes = _causes(exc)
        lower = " ".join(str(c) for c in causes).lower()
        rejected = _certificate_rejection(causes)
        if rejected is not None:
            why = rejected.verify_message or "certificate verify failed"
            return f"TLS certificate of {host} not trusted: {why}; use --insecure to audit anyway"
        if any(isinstance(c, ssl.SSLError) for c in causes) or "certificate" in lower:
            return f"TLS error with {host}: {text} (use --insecure to skip verification)"
        if any(isinstance(c, socket.gaierror) for c in causes) or "name or service" in lower:
            return f"host name not found: {host}"
        if any(isinstance(c, ConnectionRefusedError) for c in causes) or "refused" in lower:
            return f"connection refused by {host}"
        return f"could not connect to {host}: {text}"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"broken HTTP response from {host}: {text}"
    if isinstance(exc, httpx.ReadError | httpx.WriteError):
        return f"connection to {host} broken: {text}"
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return f"invalid URL: {text}"
    if isinstance(exc, zlib.error):
        return f"could not decompress the body: {text}"
    return f"{type(exc).__name__}: {text}"


_NO_RETRY_ERRORS = (httpx.UnsupportedProtocol, httpx.InvalidURL, zlib.error)


async def _get_once(
    client: httpx.AsyncClient,
    url: str,
    headers: dict[str, str],
    options: FetchOptions,
    may_retry: bool,
    attempt: _Attempt,
) -> None:
    """One GET, streamed into ``attempt``; stops at the size cap. Raises on network errors."""
    async with client.stream("GET", url, headers=headers) as response:
        attempt.status = response.status_code
        attempt.headers = response.headers
        attempt.final_url = str(response.url)
        if response.status_code in REDIRECT_STATUSES and response.headers.get("location"):
            return
        if may_retry and response.status_code in RETRY_STATUSES:
            waited = _retry_after(response.headers.get("retry-after"), options.retry_after_cap)
            attempt.retry_wait = waited if waited is not None else -1.0
            return
        if response.status_code == 304:
            return
        encoding = response.headers.get("content-encoding", "").strip().lower()
        inflater = _Inflater(encoding)
        cap = options.max_file_bytes
        async for raw in response.aiter_raw():
            if inflater.unsupported:
                data = raw[: cap + 1 - attempt.size]
            else:
                data = inflater.feed(raw, cap + 1 - attempt.size)
            attempt.chunks.append(data)
            attempt.size += len(data)
            if attempt.size > cap:
                extra = attempt.size - cap
                attempt.chunks[-1] = data[: len(data) - extra]
                attempt.size = cap
                attempt.truncated = True
                attempt.error = f"{TOO_LARGE} larger than the {megabytes(cap)} size cap: cut there"
                return
        if inflater.unsupported:
            attempt.error = f"unsupported Content-Encoding {encoding!r}: body left encoded"


async def _get_with_retries(
    client: httpx.AsyncClient,
    url: str,
    headers: dict[str, str],
    options: FetchOptions,
    deadline: float,
) -> _Attempt:
    """GET with retries on transient trouble, all within the fetch's deadline."""
    attempts = max(0, options.retries) + 1
    last = _Attempt()
    for number in range(attempts):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        attempt = _Attempt()
        last = attempt
        may_retry = number + 1 < attempts
        try:
            async with asyncio.timeout(remaining):
                await _get_once(client, url, headers, options, may_retry, attempt)
        except TimeoutError:
            limit = _limit_name(options, deadline)
            if attempt.status:
                attempt.truncated = True
                attempt.error = (
                    f"{TOO_SLOW} download stopped at {limit}: {megabytes(attempt.size)} received"
                )
            else:
                attempt.error = (
                    f"timeout: no answer from {urlsplit(url).hostname or url} within "
                    f"{limit} ({number + 1} attempt(s))"
                )
            return attempt
        except _NO_RETRY_ERRORS as exc:
            attempt.error = _describe_exception(exc, url, options)
            return attempt
        except (httpx.HTTPError, OSError) as exc:
            attempt.error = _describe_exception(exc, url, options)
            if attempt.status and attempt.size:  # broken mid-body: keep what came
                attempt.truncated = True
            if attempt.status and isinstance(exc, httpx.ReadTimeout):  # answered, then stalled
                attempt.error = (
                    f"{TOO_SLOW} download stalled ({options.timeout:g} s without data): "
                    f"{megabytes(attempt.size)} received"
                )
            # A rejected certificate is rejected again on every try: retrying only waits.
            if not may_retry or _certificate_rejection(_causes(exc)) is not None:
                return attempt
            await _sleep_before_retry(options.backoff * 2**number, deadline)
            continue
        if attempt.retry_wait is None:
            if number and attempt.status in RETRY_STATUSES:
                attempt.error = f"HTTP {attempt.status} after {number + 1} attempts"
            return attempt
        wait = attempt.retry_wait if attempt.retry_wait >= 0 else options.backoff * 2**number
        if time.monotonic() + wait >= deadline:  # no time for another try: report this answer
            attempt.error = f"HTTP {attempt.status}; no time left to retry within the total limit"
            return attempt
        await asyncio.sleep(wait)
    if not last.error and not last.status:
        last.error = f"timeout: gave up at {_limit_name(options, deadline)}"
    elif last.retry_wait is not None and not last.error:
        last.error = f"HTTP {last.status} after {attempts} attempts"
    return last


def _limit_name(options: FetchOptions, deadline: float) -> str:
    """Which time limit ``deadline`` is, for the error: the audit's or the fetch's own."""
    if options.deadline is not None and deadline >= options.deadline:
        return "the audit's time limit (--max-seconds)"
    return f"the {options.total_timeout:g} s limit per download"


async def _sleep_before_retry(seconds: float, deadline: float) -> None:
    await asyncio.sleep(max(0.0, min(seconds, deadline - time.monotonic())))


def _disposition_filename(value: str) -> str:
    match = re.search(r"filename\*\s*=\s*[^']*'[^']*'([^;]+)", value, re.I)
    if match:
        return unquote(match.group(1).strip().strip('"'))
    match = re.search(r"""filename\s*=\s*["']?([^"';]+)""", value, re.I)
    return match.group(1).strip() if match else ""


def _redirect_problem(chain: list[str], target: str, max_redirects: int) -> str:
    """Why a redirect to ``target`` after ``chain`` is not followed, or ""."""
    # A URL may come back once (a cookie-setting redirect to itself); twice is a loop.
    if chain.count(target) >= 2:
        return f"redirect loop: {' -> '.join([*dict.fromkeys(chain), target])}"
    if len(chain) > max_redirects:
        return f"too many redirects (more than {max_redirects})"
    if urlsplit(target).scheme not in ("http", "https"):
        return f"redirect to a non-web URL: {target}"
    return ""


def _conditional_headers(validators: dict[str, str]) -> dict[str, str]:
    headers = {}
    if validators.get("etag"):
        headers["If-None-Match"] = validators["etag"]
    if validators.get("last_modified"):
        headers["If-Modified-Since"] = validators["last_modified"]
    return headers


def _page_text(body: bytes, content_type: str) -> tuple[str, list[str], str]:
    """A page's text, decoded and flattened so every reader of it (render signals, the
    extractor) gets it bounded; with the flattening's note, and an error instead of a raise."""
    try:
        flat = flatten_html(decode_html(body, content_type))
    except Exception as exc:  # decoding must never lose the record
        return "", [], f"could not decode the page: {exc}"
    return flat.html, [flat.note] if flat.note else [], ""


async def fetch(
    client: httpx.AsyncClient,
    url: str,
    options: FetchOptions,
    depth: int = 0,
    conditional: dict[str, str] | None = None,
) -> Fetched:
    """GET ``url`` following redirects; never raises for network or server trouble.

    ``Fetched.redirects`` lists every URL that answered with a redirect, the requested one
    first; ``final_url`` is where the chain ended. ``conditional`` holds cached validators
    (``etag``, ``last_modified``); an unchanged resource comes back as status 304, empty body.
    """
    started = time.monotonic()
    deadline = started + options.total_timeout
    if options.deadline is not None:
        deadline = min(deadline, options.deadline)
    headers = _conditional_headers(conditional or {})

    def failed(status: int, error: str, final: str, chain: list[str]) -> Fetched:
        return Fetched(
            url=url,
            final_url=final,
            status=status,
            kind=classify(final, "", b""),
            error=error,
            redirects=chain,
            depth=depth,
            elapsed=time.monotonic() - started,
        )

    current = url
    chain: list[str] = []
    try:
        while True:
            attempt = await _get_with_retries(client, current, headers, options, deadline)
            location = attempt.headers.get("location")
            if attempt.status in REDIRECT_STATUSES and location and not attempt.error:
                chain.append(current)
                target = urljoin(attempt.final_url or current, location.strip()).split("#")[0]
                problem = _redirect_problem(chain, target, options.max_redirects)
                if problem:
                    return failed(0, problem, target, chain)
                current = target
                continue
            break
    except Exception as exc:  # a bug or an exotic failure must not end the crawl
        return failed(0, f"unexpected error: {type(exc).__name__}: {exc}", current, chain)

    body = attempt.body
    content_type = attempt.headers.get("content-type", "")
    filename = _disposition_filename(attempt.headers.get("content-disposition", ""))
    final_url = attempt.final_url or current
    kind = classify(final_url, content_type, body, filename=filename)
    error = attempt.error
    if attempt.status in REDIRECT_STATUSES and not location and not error:
        error = f"HTTP {attempt.status} redirect without a Location header"
    text, notes = "", []
    if kind == "html" and body:
        text, notes, problem = _page_text(body, content_type)
        error = error or problem
    return Fetched(
        url=url,
        final_url=final_url,
        status=attempt.status,
        kind=kind,
        content_type=content_type,
        body=body,
        text=text,
        error=error,
        redirects=chain,
        depth=depth,
        elapsed=time.monotonic() - started,
        etag=attempt.headers.get("etag", ""),
        last_modified=attempt.headers.get("last-modified", ""),
        truncated=attempt.truncated,
        notes=notes,
    )
