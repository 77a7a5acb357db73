"""When a crawled page is rendered in Chromium, and what its rendered DOM replaces.

``render="auto"`` renders a page whose static HTML looks incomplete, or whose URL pattern needed
rendering before (``memory``, which the caller may persist between crawls); ``"always"`` renders
every on-site page. The rendered DOM replaces the static text, so menus and accordions built by
scripts yield their links; on-site frames become pages of their own. Rendering is a bonus: a
failed render leaves the static page and says why in the crawl's notes.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from oit_checker.crawl.frontier import Frontier
from oit_checker.crawl.options import CrawlStats
from oit_checker.models import Fetched
from oit_checker.render import (
    Renderer,
    RenderOptions,
    chromium_available,
    js_signals,
    needed_rendering,
    url_pattern,
    visible_text_chars,
)
from oit_checker.urls import host_of, normalize_url

NO_CHROMIUM_NOTE = "JavaScript rendering unavailable: chromium not found at /usr/bin/chromium"


class RenderStep:
    """The rendering of one crawl; see the module docstring."""

    def __init__(
        self,
        mode: str,
        options: RenderOptions,
        renderer: Renderer | None,
        memory: dict[str, bool] | None,
        stats: CrawlStats,
        frontier: Frontier,
        pace: Callable[[str], Awaitable[bool]],
    ) -> None:
        self.mode = mode
        self.options = options
        self.renderer = renderer
        # URL pattern (see render.url_pattern) -> rendering showed more than the static HTML.
        self.memory: dict[str, bool] = memory if memory is not None else {}
        self.rendered: set[str] = set()  # URLs whose text is the rendered DOM
        self.stats = stats
        self.frontier = frontier
        self.pace = pace
        self._owns_renderer = False
        self._broken = False
        if renderer is not None:
            renderer.site_hosts.update(key[0] for key in frontier.site_keys)

    def start(self) -> None:
        """Make a renderer for "auto"/"always" unless the caller gave one; without Chromium the
        crawl goes on with static HTML and says so."""
        if self.mode == "never" or self.renderer is not None:
            return
        if not chromium_available():
            self._broken = True
            self.stats.notes.append(NO_CHROMIUM_NOTE)
            return
        hosts = {key[0] for key in self.frontier.site_keys}
        self.renderer = Renderer(hosts, self.options)
        self._owns_renderer = True

    async def close(self, grace: float) -> None:
        """Close the renderer this step made (a caller's renderer is the caller's to close)."""
        if self._owns_renderer and self.renderer is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.renderer.close(), grace)
            self.renderer = None
            self._owns_renderer = False

    def add_host(self, host: str) -> None:
        if self.renderer is not None:
            self.renderer.site_hosts.add(host)

    def _due(self, fetched: Fetched, pattern: str) -> bool:
        if self.mode == "always" or self.memory.get(pattern, False):
            return True
        signals = js_signals(fetched.text, visible_text_chars(fetched.text))
        # A short page alone is weak evidence: once a page of this pattern was rendered for
        # nothing, its short siblings are not rendered again.
        weak = signals == ["little-text"] and self.memory.get(pattern) is False
        return bool(signals) and not weak

    def _not_rendered(self, fetched: Fetched, note: str = "") -> list[Fetched]:
        if note:
            self.stats.notes.append(note)
        self.stats.render_needed_not_done.append(fetched.url)
        return []

    async def maybe_render(self, fetched: Fetched) -> list[Fetched]:
        """Replace ``fetched.text`` by the rendered DOM when rendering is due; return the page's
        on-site frames as extra HTML records. A failed render leaves the static text."""
        if fetched.kind != "html" or not fetched.ok or not fetched.text:
            return []
        page_url = normalize_url(fetched.final_url or fetched.url)
        if not self.frontier.in_scope(page_url):
            return []
        pattern = url_pattern(page_url)
        if not self._due(fetched, pattern):
            return []
        if self.mode == "never" or self.renderer is None or self._broken:
            return self._not_rendered(fetched)
        if not await self.pace(host_of(page_url)):
            return self._not_rendered(fetched)
        result = await self.renderer.render(page_url)
        rendered_url = normalize_url(result.final_url or page_url)
        if not result.ok or not self.frontier.in_scope(rendered_url):
            if result.error:
                why = result.error
            elif not result.ok:
                why = f"HTTP {result.status}" if result.status else "empty DOM"
            else:
                why = f"a script moved it off the site, to {rendered_url}"
            if result.error.startswith("chromium could not start"):
                self._broken = True
            return self._not_rendered(fetched, f"could not render {page_url}: {why}")
        remembered = self.memory.get(pattern, False)
        self.memory[pattern] = remembered or needed_rendering(fetched.text, result.html)
        fetched.text = result.html
        if rendered_url != page_url:  # a script moved the page (location.href = ...)
            fetched.redirects = [*fetched.redirects, page_url]
            fetched.final_url = rendered_url
        self.rendered.add(fetched.url)
        self.stats.rendered += 1
        return self._frames(result.frames, rendered_url, fetched.depth + 1)

    def _frames(self, frames: list[tuple[str, str]], page_url: str, depth: int) -> list[Fetched]:
        """On-site frames not fetched yet, as HTML pages of their own."""
        pages = []
        for frame_url, frame_html in frames:
            url = normalize_url(frame_url)
            if not self.frontier.in_scope(url) or self.frontier.is_done(url) or url == page_url:
                continue
            self.frontier.mark_done(url)
            self.rendered.add(url)
            pages.append(
                Fetched(
                    url=url,
                    final_url=url,
                    status=200,
                    kind="html",
                    content_type="text/html",
                    text=frame_html,
                    depth=depth,
                )
            )
        return pages
