"""Render JavaScript-built pages in Debian's Chromium, so links that only exist after the scripts
ran (and after a click on an accordion header) are seen like an assessor in a browser sees them.

Real agency sites build menus from ``/api/menu``, fill React accordions from ``/api/ita?year=``
and show E-Service forms only with JavaScript (real-sites.md §1.1 H, §4.2). A plain fetch of such
a page gets an empty shell. The renderer opens it in a headless browser, waits until the network
is quiet, opens every collapsed toggle, and returns the DOM of the page and of its on-site frames.

Machines running audits often have no internet and pages embed Google Maps, Facebook and
analytics: every request to another host is aborted, so a render never waits on them. One
browser per run, launched on first need; each render has its own context, closed at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from selectolax.lexbor import LexborHTMLParser

from oit_checker.fetch import kind_from_extension

if TYPE_CHECKING:
    from playwright.async_api import Browser, BrowserContext, Frame, Page, Playwright, Request

log = logging.getLogger(__name__)

CHROMIUM = "/usr/bin/chromium"  # Debian's package; Playwright's own download is never used
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# The network counts as idle after this long with no request in flight (Playwright's own
# "networkidle" uses 0.5 s, and it only fires once per navigation, so clicks need our own).
QUIET_SECONDS = 0.5
# After the toggles were clicked: content fetched on click usually starts within a frame.
QUIET_AFTER_CLICKS = 0.3
# Toggle rounds: a click can reveal nested toggles (a year, then its sub-indicators).
MAX_TOGGLE_ROUNDS = 3
MAX_TOGGLE_CLICKS = 300
# Content a click removed (single-open accordions, tabs) is kept, up to this many characters.
MAX_REMOVED_CHARS = 2_000_000
# A frame's document of another type (a PDF shown in an iframe or an embed) is not a page.
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# Schemes a page may load without touching the network.
LOCAL_SCHEMES = frozenset({"data", "blob", "about", "chrome-extension"})

# Elements that open hidden content when clicked. Only closed ones are clicked: clicking an
# open React accordion would unmount its content.
TOGGLE_SELECTOR = ", ".join(
    [
        "[aria-expanded='false']",
        ".accordion-button.collapsed",
        "[data-bs-toggle='collapse'].collapsed",
        "[data-toggle='collapse'].collapsed",
        "[role='tab'][aria-selected='false']",
    ]
)

# JavaScript run in the page: open <details>, click closed toggles once each, and keep a copy
# of link-bearing content a click removed. Clicks never navigate: anchors with a real href and
# form submits are prevented, window.open is a no-op.
_EXPAND_JS = """
async ([selector, maxClicks, maxRemoved]) => {
  if (!window.__oitExpand) {
    const state = { removed: [], removedChars: 0 };
    window.__oitExpand = state;
    // The heading a removed section sat under (its toggle), so its links keep their label.
    const labelOf = (target) => {
      let node = target;
      for (let step = 0; node && step < 6; step += 1) {
        let sibling = node.previousElementSibling;
        while (sibling) {
          const text = (sibling.innerText || sibling.textContent || '').trim();
          if (text && text.length <= 200) return text;
          sibling = sibling.previousElementSibling;
        }
        node = node.parentElement;
      }
      return '';
    };
    const keep = (node, target) => {
      if (node.nodeType !== 1) return;
      const wanted = 'a[href], area[href], iframe[src], form';
      if (!node.matches(wanted) && !node.querySelector(wanted)) return;
      const heading = document.createElement('h3');
      heading.textContent = labelOf(target);
      const html = '<section>' + heading.outerHTML + node.outerHTML + '</section>';
      if (state.removedChars + html.length > maxRemoved) return;
      state.removedChars += html.length;
      state.removed.push(html);
    };
    new MutationObserver((records) => {
      for (const record of records) {
        record.removedNodes.forEach((node) => keep(node, record.target));
      }
    }).observe(document.documentElement, { childList: true, subtree: true });
    document.addEventListener('click', (event) => {
      const anchor = event.target.closest && event.target.closest('a[href]');
      if (anchor && !anchor.getAttribute('href').trim().startsWith('#')) event.preventDefault();
    }, true);
    document.addEventListener('submit', (event) => event.preventDefault(), true);
    window.open = () => null;
  }
  let clicks = 0;
  document.querySelectorAll('details:not([open])').forEach((d) => { d.open = true; });
  for (const element of document.querySelectorAll(selector)) {
    if (clicks >= maxClicks) break;
    if (element.dataset.oitClicked) continue;
    element.dataset.oitClicked = '1';
    try { element.click(); clicks += 1; } catch (e) {}
  }
  return clicks;
}
"""
# Appends the kept removed content, hidden, so its links are extracted with the page.
_APPEND_REMOVED_JS = """
() => {
  const state = window.__oitExpand;
  if (!state || !state.removed.length || !document.body) return 0;
  const box = document.createElement('div');
  box.hidden = true;
  box.setAttribute('data-oit-removed-content', '');
  box.innerHTML = state.removed.join('\\n');
  document.body.appendChild(box);
  return state.removed.length;
}
"""


@dataclass
class RenderOptions:
    max_open: int = 2  # pages open at once
    timeout: float = 20.0  # whole render of one page, seconds
    settle: float = 3.0  # longest wait for the network to go quiet, after load and after clicks
    click_toggles: bool = True


@dataclass
class RenderResult:
    url: str
    final_url: str
    html: str = ""
    status: int = 0  # HTTP status of the main document; 0 when the browser got none
    error: str = ""  # English, for the log; "" when the DOM was read
    frames: list[tuple[str, str]] = field(default_factory=list)  # on-site frames: (url, html)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return bool(self.html) and not self.error and (self.status == 0 or self.status < 400)


def chromium_available() -> bool:
    """Debian's chromium is installed and Playwright is importable (no launch: that is lazy)."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        return False
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        return False
    return True


def _bare_host(host: str) -> str:
    host = host.lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


class _Traffic:
    """Requests in flight on one page, so "the network is quiet" can be asked at any time."""

    def __init__(self) -> None:
        self.in_flight: set[Request] = set()
        self.last_change = time.monotonic()

    def started(self, request: Request) -> None:
        self.in_flight.add(request)
        self.last_change = time.monotonic()

    def ended(self, request: Request) -> None:
        self.in_flight.discard(request)
        self.last_change = time.monotonic()

    async def quiet(self, window: float, cap: float) -> bool:
        """Wait until nothing was in flight for ``window`` seconds; False when ``cap`` passed."""
        deadline = time.monotonic() + cap
        while True:
            now = time.monotonic()
            if not self.in_flight and now - self.last_change >= window:
                return True
            if now >= deadline:
                return False
            await asyncio.sleep(0.05)


class Renderer:
    """Renders pages of one site; see the module docstring. ``site_hosts`` may grow (the crawler
    adds the host a start URL redirected to)."""

    def __init__(self, site_hosts: set[str], options: RenderOptions | None = None) -> None:
        self.site_hosts = site_hosts
        self.options = options or RenderOptions()
        self.blocked: list[str] = []  # off-site request URLs aborted (first 200, for the log)
        self.launch_seconds: float | None = None
        self._slots = asyncio.Semaphore(max(1, self.options.max_open))
        self._launch_lock = asyncio.Lock()
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self._home: str | None = None
        self._launch_error = ""

    # -- lifecycle -----------------------------------------------------------------------------

    async def __aenter__(self) -> Renderer:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the browser and the driver; safe to call twice or when never launched."""
        browser, playwright = self._browser, self._playwright
        self._browser = self._playwright = None
        if browser is not None:
            with contextlib.suppress(Exception):
                await browser.close()
        if playwright is not None:
            with contextlib.suppress(Exception):
                await playwright.stop()
        if self._home:
            shutil.rmtree(self._home, ignore_errors=True)
            self._home = None

    async def _ensure_browser(self) -> Browser:
        async with self._launch_lock:
            if self._browser is not None and self._browser.is_connected():
                return self._browser
            if self._launch_error:
                raise RuntimeError(self._launch_error)
            await self.close()  # a crashed browser: start again once
            started = time.monotonic()
            try:
                from playwright.async_api import async_playwright

                # Chromium writes crash reports and caches under HOME: keep them out of the user's.
                self._home = tempfile.mkdtemp(prefix="oit-chromium-")
                env = {
                    **os.environ,
                    "HOME": self._home,
                    "XDG_CONFIG_HOME": os.path.join(self._home, ".config"),
                    "XDG_CACHE_HOME": os.path.join(self._home, ".cache"),
                }
                self._playwright = await async_playwright().start()
                self._browser = await self._playwright.chromium.launch(
                    executable_path=CHROMIUM, args=CHROMIUM_ARGS, env=env, headless=True
                )
            except Exception as exc:
                self._launch_error = f"chromium could not start: {type(exc).__name__}: {exc}"
                await self.close()
                raise RuntimeError(self._launch_error) from exc
            self.launch_seconds = time.monotonic() - started
            log.info("chromium started in %.2fs", self.launch_seconds)
            return self._browser

    # -- scope ---------------------------------------------------------------------------------

    def on_site(self, url: str) -> bool:
        """A request the page may make: the site's own hosts (``www.`` ignored) or local data."""
        try:
            parts = urlsplit(url)
        except ValueError:
            return False
        if parts.scheme in LOCAL_SCHEMES:
            return True
        host = parts.hostname or ""
        return bool(host) and _bare_host(host) in {_bare_host(h) for h in self.site_hosts}

    # -- rendering -----------------------------------------------------------------------------

    async def render(self, url: str) -> RenderResult:
        """The page's DOM after scripts and toggle clicks. Never raises; errors are in ``error``."""
        started = time.monotonic()
        result = RenderResult(url=url, final_url=url)
        async with self._slots:
            try:
                browser = await self._ensure_browser()
                context = await browser.new_context(
                    java_script_enabled=True,
                    accept_downloads=False,
                    service_workers="block",
                    ignore_https_errors=True,
                    locale="th-TH",
                    viewport={"width": 1280, "height": 900},
                )
            except Exception as exc:
                result.error = str(exc) if isinstance(exc, RuntimeError) else f"{exc}"
                result.seconds = time.monotonic() - started
                return result
            try:
                async with asyncio.timeout(self.options.timeout):
                    await self._render_in(context, url, result)
            except TimeoutError:
                result.error = f"render timed out after {self.options.timeout:g}s"
            except Exception as exc:
                result.error = f"render failed: {type(exc).__name__}: {_first_line(exc)}"
            finally:
                with contextlib.suppress(Exception):
                    await context.close()
        result.seconds = time.monotonic() - started
        return result

    async def _route(self, route: Any) -> None:
        request_url = route.request.url
        if self.on_site(request_url):
            await route.continue_()
            return
        if len(self.blocked) < 200:
            self.blocked.append(request_url)
        await route.abort("blockedbyclient")

    async def _render_in(self, context: BrowserContext, url: str, result: RenderResult) -> None:
        await context.route("**/*", self._route)
        page = await context.new_page()
        traffic = _Traffic()
        page.on("request", traffic.started)
        page.on("requestfinished", traffic.ended)
        page.on("requestfailed", traffic.ended)
        page.on("popup", lambda popup: asyncio.ensure_future(popup.close()))
        document_status: dict[str, int] = {}
        content_types: dict[str, str] = {}

        def remember_status(response: Any) -> None:
            content_types[response.url] = response.headers.get("content-type", "")
            if response.request.resource_type == "document":
                document_status[response.url] = response.status

        page.on("response", remember_status)
        page.set_default_timeout(self.options.timeout * 1000)
        response = await page.goto(url, wait_until="domcontentloaded")
        result.status = response.status if response is not None else 0
        result.final_url = page.url
        await traffic.quiet(QUIET_SECONDS, self.options.settle)
        html = await page.content()
        if self.options.click_toggles:
            html = await self._expand(page, traffic, html)
        result.html = html
        result.final_url = page.url
        for frame in page.frames:
            if frame == page.main_frame or not self.on_site(frame.url):
                continue
            if urlsplit(frame.url).scheme not in ("http", "https"):
                continue
            if document_status.get(frame.url, 200) >= 400:
                continue
            if _shows_a_document(frame.url, content_types.get(frame.url, "")):
                continue
            with contextlib.suppress(Exception):
                result.frames.append((frame.url, await self._frame_html(frame, traffic)))

    async def _expand(self, page: Page, traffic: _Traffic, before: str) -> str:
        """Click closed toggles (a few rounds for nested ones); the DOM before the clicks is
        returned if the page navigated away or broke."""
        start_url = page.url
        try:
            for _ in range(MAX_TOGGLE_ROUNDS):
                clicks = await page.evaluate(
                    _EXPAND_JS, [TOGGLE_SELECTOR, MAX_TOGGLE_CLICKS, MAX_REMOVED_CHARS]
                )
                if not clicks:
                    break
                await asyncio.sleep(0.05)  # let the framework re-render before checking traffic
                await traffic.quiet(QUIET_AFTER_CLICKS, self.options.settle)
            if page.url != start_url:
                return before
            await page.evaluate(_APPEND_REMOVED_JS)
            return await page.content()
        except Exception as exc:
            log.info("expanding toggles on %s failed: %s", start_url, _first_line(exc))
            return before

    async def _frame_html(self, frame: Frame, traffic: _Traffic) -> str:
        if self.options.click_toggles:
            with contextlib.suppress(Exception):
                clicks = await frame.evaluate(
                    _EXPAND_JS, [TOGGLE_SELECTOR, MAX_TOGGLE_CLICKS, MAX_REMOVED_CHARS]
                )
                if clicks:
                    await traffic.quiet(QUIET_AFTER_CLICKS, self.options.settle)
                await frame.evaluate(_APPEND_REMOVED_JS)
        return await frame.content()


def _shows_a_document(url: str, content_type: str) -> bool:
    """A frame that shows a PDF or an Office file (an iframe or a viewer's embed): Chromium gives
    its own viewer's empty page as the frame's HTML, which must not stand for the document; the
    crawler fetches the file itself."""
    if content_type:
        return content_type.split(";")[0].strip().lower() not in HTML_TYPES
    return kind_from_extension(url) not in (None, "html")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]


# ---------------------------------------------------------------------------------------------
# Does a static page need rendering?

# Below this many visible characters the static HTML is evidently not the page a reader sees
# (real pages carry at least a menu and a footer).
MIN_TEXT_CHARS = 200
# The weaker signals (a <noscript> asking for JavaScript, an inline fetch of /api/) count only
# on pages with less visible text than this: a full article page with a global "enable
# JavaScript" notice is complete without scripts.
INCOMPLETE_TEXT_CHARS = 2000
# Script-built menus: many scripts and almost no links in the static HTML.
MANY_SCRIPTS = 5
FEW_LINKS = 5
EMPTY_APP_ROOT_RE = re.compile(
    r"""<div[^>]+\bid\s*=\s*["']?(?:root|app|__next|__nuxt)["']?[^>]*>\s*(?:<!--.*?-->\s*)*</div>""",
    re.I | re.S,
)
NOSCRIPT_JS_RE = re.compile(r"javascript|จาวาสคริปต์|เปิดใช้งานสคริปต์", re.I)
API_CALL_RE = re.compile(
    r"""(?:fetch|axios(?:\.get|\.post)?|\$\.(?:get|getJSON|ajax|post)|\.open)\s*\(\s*"""
    r"""(?:["'`]GET["'`]\s*,\s*)?["'`][^"'`]*?/api/""",
    re.I,
)
INVISIBLE_TAGS = "script, style, template, noscript, svg, head"


def visible_text_chars(html: str) -> int:
    """Characters of text a reader sees in static HTML (whitespace runs count as one)."""
    tree = LexborHTMLParser(html)
    body = tree.body or tree.root
    if body is None:
        return 0
    for node in body.css(INVISIBLE_TAGS):
        node.decompose()
    return len(" ".join(body.text(separator=" ").split()))


def js_signals(html: str, text_chars: int) -> list[str]:
    """Why the static HTML looks incomplete (empty: it does not). Names: "little-text",
    "app-root", "noscript", "api-call", "script-menu".

    A page without any ``<script>`` is never JavaScript-built (legacy frame pages are just
    short). Otherwise: little visible text; an empty app root (``#root``, ``#app``, ``#__next``,
    ``#__nuxt``); a ``<noscript>`` asking for JavaScript or an inline ``fetch('/api/…')`` on a
    page without much text; many scripts with almost no links (a script-built menu).
    """
    tree = LexborHTMLParser(html)
    scripts = len(tree.css("script"))
    if not scripts:  # nothing would run: a short page without scripts is simply short
        return []
    found = []
    if text_chars < MIN_TEXT_CHARS:
        found.append("little-text")
    if EMPTY_APP_ROOT_RE.search(html):
        found.append("app-root")
    if text_chars < INCOMPLETE_TEXT_CHARS:
        if any(NOSCRIPT_JS_RE.search(n.text() or "") for n in tree.css("noscript")):
            found.append("noscript")
        inline = " ".join(s.text() or "" for s in tree.css("script:not([src])"))
        if API_CALL_RE.search(inline):
            found.append("api-call")
    if scripts >= MANY_SCRIPTS and len(tree.css("a[href]")) < FEW_LINKS:
        found.append("script-menu")
    return found


def looks_js_built(html: str, text_chars: int) -> bool:
    """The static HTML is evidently incomplete: a browser would show more (see js_signals)."""
    return bool(js_signals(html, text_chars))


def needed_rendering(static_html: str, rendered_html: str) -> bool:
    """Did rendering show a reader more than the static HTML: new links or much more text?"""
    static_links = _link_count(static_html)
    rendered_links = _link_count(rendered_html)
    if rendered_links >= static_links + NEEDED_LINK_GAIN:
        return True
    gain = visible_text_chars(rendered_html) - visible_text_chars(static_html)
    return gain >= NEEDED_TEXT_GAIN


# What rendering must add to count as needed for the page's URL pattern: a few links (one new
# share button is noise) or a paragraph of text.
NEEDED_LINK_GAIN = 3
NEEDED_TEXT_GAIN = 200
_LINK_RE = re.compile(r"<(?:a|area)\b[^>]*\bhref\s*=|<i?frame\b[^>]*\bsrc\s*=", re.I)


def _link_count(html: str) -> int:
    return len(_LINK_RE.findall(html))


# ---------------------------------------------------------------------------------------------
# URL patterns

_NUMBER_RE = re.compile(r"\d+")
# Opaque ids in paths (hashes, UUIDs, Drive-like ids): at least 16 characters with a digit.
_TOKEN_RE = re.compile(r"(?=[A-Za-z_-]*\d)[A-Za-z0-9_-]{16,}")


def url_pattern(url: str) -> str:
    """The shape of a URL's path and query, numbers and opaque ids replaced:
    ``/news/123?id=9`` -> ``/news/{n}?id={n}``. Pages of one shape share a template, so what
    one of them needed (rendering) the others need too."""
    parts = urlsplit(url)
    path = unquote(parts.path) or "/"
    segments = [_TOKEN_RE.sub("{id}", s) for s in path.split("/")]
    path = _NUMBER_RE.sub("{n}", "/".join(segments))
    query_parts = []
    for part in parts.query.split("&") if parts.query else []:
        name, eq, value = part.partition("=")
        value = _TOKEN_RE.sub("{id}", unquote(value))
        query_parts.append(name + eq + _NUMBER_RE.sub("{n}", value))
    return path + ("?" + "&".join(query_parts) if query_parts else "")
