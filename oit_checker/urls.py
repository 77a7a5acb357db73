"""URL identity and URL helpers: one spelling per resource, and which URLs belong to the site.

Every module that produces, stores or looks up a URL goes through here, so a link written with
raw Thai, spaces or lower-case escapes and the URL the crawler fetched are one key.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit, urlunsplit

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


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 5.2.4, so "/a/./b/../c" and "/a/c" are one URL."""
    output: list[str] = []
    segments = path.split("/")
    for index, segment in enumerate(segments):
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
        output.append(segment)
    result = "/".join(output)
    return result if result.startswith("/") else "/" + result


def _clean_query(query: str) -> str:
    kept = []
    for part in query.split("&"):
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


def _upper_escapes(text: str) -> str:
    return re.sub(r"%[0-9a-fA-F]{2}", lambda m: m.group(0).upper(), text)


def normalize_url(url: str) -> str:
    """One spelling per resource: lower-case scheme and host, no fragment or default port,
    dot segments resolved, raw Thai percent-encoded, session ids removed. Query order is kept
    (some CMSs care)."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url.split("#", 1)[0]
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host
    if port is not None and port != DEFAULT_PORTS.get(scheme):
        netloc = f"{host}:{port}"
    if parts.username:
        userinfo = parts.username + (f":{parts.password}" if parts.password else "")
        netloc = f"{userinfo}@{netloc}"
    path = PATH_SESSION_RE.sub("", parts.path)
    segments = [s for s in path.split("/") if not ASPNET_SESSION_SEGMENT_RE.match(s)]
    path = "/".join(segments)
    path = _remove_dot_segments(path) if path else "/"
    path = _upper_escapes(quote(path, safe=PATH_SAFE))
    query = _upper_escapes(quote(_clean_query(parts.query), safe=QUERY_SAFE))
    return urlunsplit((scheme, netloc, path, query, ""))


def site_key(url: str) -> tuple[str, int | None]:
    """Host without a leading "www." and the explicit port (http/https defaults ignored)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return ("", None)
    host = (parts.hostname or "").lower().rstrip(".")
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
