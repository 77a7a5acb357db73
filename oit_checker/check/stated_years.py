"""The years a candidate states about itself, for the period verdict (period.py).

They come from the link that led to it, from each page and file of its bundle (title, first
headings, file name, head and body of the text: only years said to be of the item count) and
from the texts of the links inside the bundle. A page's own years are read once per audit: a
document sits in many items' bundles.
"""

from __future__ import annotations

from oit_checker.check.candidates import Candidate
from oit_checker.check.components import file_name
from oit_checker.check.helpers import Bundle
from oit_checker.check.period import HEAD_CHARS, YearSignal, about, signals_from
from oit_checker.models import Page


class StatedYears:
    """Year signals of candidates, with each page's own signals cached by URL."""

    def __init__(self) -> None:
        self._cache: dict[str, list[YearSignal]] = {}  # by page URL

    def of(self, cand: Candidate, bundle: Bundle, aliases: tuple[str, ...]) -> list[YearSignal]:
        signals = []
        if cand.link is not None:
            for text in (cand.link.text, cand.link.context):
                signals += link_signals(text)
        for page in bundle.pages():
            signals += [s for s in self._page_signals(page) if about(s, aliases)]
        for text in bundle.link_texts:
            signals += link_signals(text)
        return signals

    def _page_signals(self, page: Page) -> list[YearSignal]:
        """Years a page states about itself; cached, since a document sits in many bundles."""
        key = page.url  # not id(): pages are let go and loaded again
        if key not in self._cache:
            ocr = page.text_source == "ocr"
            signals = []
            for text in (page.title, *page.headings[:2]):
                signals += signals_from(text, primary=True, ocr=ocr, where=page.url, bare=True)
            signals += signals_from(
                file_name(page.url), primary=True, ocr=False, where=page.url, bare=True
            )
            signals += signals_from(
                page.text[:HEAD_CHARS], primary=True, ocr=ocr, where=page.url, bare=False
            )
            signals += signals_from(
                page.text[HEAD_CHARS:], primary=False, ocr=ocr, where=page.url, bare=False
            )
            self._cache[key] = signals
        return self._cache[key]


def link_signals(text: str) -> list[YearSignal]:
    """Years a link's text or context states: up front, in the text layer, bare years too."""
    return signals_from(text, primary=True, ocr=False, where="link", bare=True)
