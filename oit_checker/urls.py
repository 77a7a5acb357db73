"""URL identity and URL helpers: one spelling per resource, and which URLs belong to the site.

Every module that produces, stores or looks up a URL goes through here, so a link written with
raw Thai, spaces or lower-case escapes and the URL the crawler fetched are one key.
"""

from __future__ import annotations

import re
import unicodedata
from contextlib import suppress
from functools import lru_cache
from urllib.parse import quote, unquote, urljoin, urlsplit, urlunsplit

from w3lib.url import safe_url_string

WEB_SCHEMES = frozenset({"http", "https"})
DEFAULT_PORTS = {"http": 80, "https": 443}
# Query parameters that carry a session, not content: dropping them stops one page from
# becoming a new URL per visit. ``sid`` is also a section id on some CMSs, so it is only
# dropped when its value looks like a token (see SESSION_TOKEN_RE).
SESSION_PARAMS = frozenset(
    {"phpsessid", "jsessionid", "aspsessionid", "oscsid", "cfid", "cftoken", "zenid"}
)
TOKEN_ONLY_SESSION_PARAMS = frozenset({"sid", "sessionid", "session_id"})
SESSION_TOKEN_RE = re.compile(r"^[A-Za-z0-9\-_]{16,}$")
# ASP.NET's probe for cookieless sessions; it produces a new URL per visit (real-sites.md 4.1).
SESSION_PROBE_PARAMS = frozenset({"aspxautodetectcookiesupport"})
# ";jsessionid=..." path parameters (Java servlets).
PATH_SESSION_RE = re.compile(r";(?:jsessionid|phpsessid|sid)=[^/?#;]*", re.I)
# ASP.NET cookieless segments: "/(S(u0kl...))/" or "/(X(1)S(u0kl...))/".
ASPNET_SESSION_SEGMENT_RE = re.compile(r"^\((?:[A-Za-z]\([^()/]*\))+\)$")
# Characters left as they are when percent-encoding a path or query (RFC 3986 reserved + "%").
PATH_SAFE = "/%:@!$&'()*+,;=-._~"
QUERY_SAFE = PATH_SAFE + "?"
UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
ESCAPE_RE = re.compile(r"%([0-9a-fA-F]{2})")
ESCAPE_RUN_RE = re.compile(r"(?:%[0-9a-fA-F]{2})+")
ENCODED_DOT_RE = re.compile(r"%2e", re.I)
# WHATWG URL parsing: leading and trailing C0 controls and spaces are trimmed, and tabs and
# newlines anywhere are removed (a link wrapped over two lines in a template).
WHATWG_TRIMMED = "".join(map(chr, range(0x21)))
WHATWG_STRIPPED_RE = re.compile(r"[\t\n\r]")


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 5.2.4, so "/a/./b/../c" and "/a/c" are one URL ("%2e" counts as ".", as in
    browsers)."""
    output: list[str] = []
    segments = path.split("/")
    for index, raw in enumerate(segments):
        segment = ENCODED_DOT_RE.sub(".", raw)
        last = index == len(segments) - 1
        if segment == ".":
            if last:
                output.append("")
            continue
        if segment == "..":
            if len(output) > 1:
                output.pop()
            if last:
                output.append("")
            continue
        output.append(raw)
    result = "/".join(output)
    return result if result.startswith("/") else "/" + result


def _clean_query(query: str) -> str:
    """Drop session parameters, and the "amp;" left by an "&amp;" written twice over."""
    kept = []
    for part in query.replace("&amp;", "&").split("&"):
        if not part:
            continue
        name, _, value = part.partition("=")
        lname = name.lower()
        if lname in SESSION_PARAMS or lname in SESSION_PROBE_PARAMS:
            continue
        if lname in TOKEN_ONLY_SESSION_PARAMS and SESSION_TOKEN_RE.match(value):
            continue
        kept.append(part)
    return "&".join(kept)


def _escape_fixes() -> dict[str, str]:
    """Every spelling of an escape ("e0", "E0", "7e"...) -> its normal form: an escaped
    unreserved character is that character (RFC 3986 6.2.2.2), any other escape upper case."""
    fixes = {}
    for byte in range(256):
        char = chr(byte)
        normal = char if char in UNRESERVED else f"%{byte:02X}"
        high, low = f"{byte:02X}"
        for spelling in (high + low, high.lower() + low, high + low.lower(), f"{byte:02x}"):
            fixes[spelling] = normal
    return fixes


ESCAPE_FIXES = _escape_fixes()
# Escapes that need fixing: lower-case hex digits, or an unreserved character escaped.
ODD_ESCAPE_RE = re.compile(
    r"%(?:[0-9a-f][a-f]|[a-f][0-9A-F]|2[DE]|3[0-9]|[46][1-9A-F]|[57][0-9A]|5F|7E)"
)


def _normal_escapes(text: str) -> str:
    if not ODD_ESCAPE_RE.search(text):  # the usual case: nothing to do
        return text
    return ESCAPE_RE.sub(lambda m: ESCAPE_FIXES[m.group(1)], text)


@lru_cache(maxsize=65536)
def normalize_url(url: str) -> str:
    """The identity of a URL: the one spelling under which it is fetched, stored and looked up.

    WHATWG URL parsing and serialisation (w3lib's ``safe_url_string``: raw Thai, spaces and
    other unsafe characters percent-encoded as UTF-8, IDNA host, backslashes as slashes), then
    lower-case scheme and host, no user:password, default port or fragment, dot segments
    resolved, escapes upper-cased (escaped unreserved characters decoded), session ids and
    doubled "&amp;" removed. Query order is kept: some CMSs route on the first parameter.
    Cached: menus repeat the same links on every page."""
    url = WHATWG_STRIPPED_RE.sub("", url.strip(WHATWG_TRIMMED))
    try:
        safe = safe_url_string(url)
        parts = urlsplit(safe)
        port = parts.port
    except ValueError:  # a port that is not a number, a broken IPv6 literal, a bad IDN label
        return url.split("#", 1)[0]
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host
    if port is not None and port != DEFAULT_PORTS.get(scheme):
        netloc = f"{host}:{port}"
    path = PATH_SESSION_RE.sub("", parts.path)
    segments = [s for s in path.split("/") if not ASPNET_SESSION_SEGMENT_RE.match(s)]
    path = "/".join(segments)
    if not path:
        path = "/"
    elif "/." in path or "%2e" in path.lower():
        path = _remove_dot_segments(path)
    path = _normal_escapes(quote(path, safe=PATH_SAFE))
    query = _normal_escapes(quote(_clean_query(parts.query), safe=QUERY_SAFE))
    return urlunsplit((scheme, netloc, path, query, ""))


def absolute_url(base: str, href: str) -> str:
    """A link as written (relative, raw Thai, "&amp;"-escaped…) resolved against its page and
    given its identity; "" when it is not a web URL (mailto:, javascript:, data:)."""
    try:
        joined = urljoin(base, WHATWG_STRIPPED_RE.sub("", href.strip(WHATWG_TRIMMED)))
    except ValueError:
        return ""
    if urlsplit(joined).scheme.lower() not in WEB_SCHEMES:
        return ""
    return normalize_url(joined)


def strip_credentials(url: str) -> str:
    """The URL without "user:password@": never stored, logged or shown."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def display_url(url: str) -> str:
    """The URL as a browser's address bar shows it, for people: the Thai of the path, query
    and host decoded (``/เกี่ยวกับ-สทร/โครงสร้างองค์กร``, ``ทดสอบ.ไทย``), escapes of ASCII
    characters (``%20``, ``%2F``, ``%26``) and of invisible or control characters kept, so what
    is shown still pastes into a browser as the same URL. No user:password."""
    if not url:
        return url
    try:
        parts = urlsplit(strip_credentials(url))
    except ValueError:
        return url
    netloc = parts.netloc
    if "xn--" in netloc.lower():
        netloc = ".".join(_idna_label(label) for label in netloc.split("."))
    path, query = _decode_readable(parts.path), _decode_readable(parts.query)
    return urlunsplit((parts.scheme, netloc, path, query, _decode_readable(parts.fragment)))


def decoded_path(url: str) -> str:
    """The URL's path wholly decoded, for matching words in it ("/ita/รายงาน ผล.pdf")."""
    try:
        return unquote(urlsplit(url).path)
    except ValueError:
        return ""


def _idna_label(label: str) -> str:
    if not label.lower().startswith("xn--"):
        return label
    host, colon, port = label.partition(":")
    try:
        return host.encode("ascii").decode("idna") + colon + port
    except UnicodeError:
        return label


def _decode_run(match: re.Match[str]) -> str:
    """One run of escapes: each UTF-8 character in it decoded when it is visible and not
    ASCII; anything else (ASCII, broken UTF-8, controls, bidi marks) stays escaped."""
    escapes = match.group(0)
    data = bytes(int(escapes[i + 1 : i + 3], 16) for i in range(0, len(escapes), 3))
    out, i = [], 0
    while i < len(data):
        size = _utf8_size(data[i])
        char = ""
        if size > 1:
            with suppress(UnicodeDecodeError):
                char = data[i : i + size].decode("utf-8")
        if char and unicodedata.category(char)[0] not in "CZ":
            out.append(char)
            i += size
        else:
            out.append(f"%{data[i]:02X}")
            i += 1
    return "".join(out)


def _utf8_size(lead: int) -> int:
    if 0xC2 <= lead <= 0xDF:
        return 2
    if 0xE0 <= lead <= 0xEF:
        return 3
    if 0xF0 <= lead <= 0xF4:
        return 4
    return 1


def _decode_readable(text: str) -> str:
    return ESCAPE_RUN_RE.sub(_decode_run, text) if "%" in text else text


def site_key(url: str) -> tuple[str, int | None]:
    """Host without a leading "www." and the explicit port (http/https defaults ignored)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return ("", None)
    host = (parts.hostname or "").lower().rstrip(".")
    if not host.isascii():  # a Thai host as written: its IDNA form, as normalize_url gives
        with suppress(UnicodeError):
            host = host.encode("idna").decode("ascii")
    if host.startswith("www."):
        host = host[4:]
    if port == DEFAULT_PORTS.get(parts.scheme.lower()):
        port = None
    return (host, port)


def same_site(url: str, start_url: str) -> bool:
    """Same host, ignoring a leading "www." and http/https. Sub-domains are other sites: the
    assessor asks for evidence on the agency's main website."""
    key = site_key(url)
    return bool(key[0]) and key == site_key(start_url)


def host_of(url: str) -> str:
    """The authority as the crawler keys hosts (robots.txt, pacing): lower-case, port kept."""
    return urlsplit(url).netloc.lower()


def root_of(url: str) -> str:
    """The site's home page URL ("scheme://host/")."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/", "", ""))
