"""Pages whose evidence is a picture: an organisation chart posted as one image.

An assessor reads the unit names and positions off the chart. So the images of such a page
(its title or first heading says it is a chart: rules ``[crawl] image_pages``) are fetched and
read by OCR like any document, and join the page's bundle. When OCR cannot read them (OCR off,
too small, nothing legible), what the chart would show is unknown: the item is uncertain,
"the chart is an image: check it by eye", never "missing units" as if text had been read.
"""

from __future__ import annotations

import re

from oit_checker.models import Image, Link, Page
from oit_checker.rules import RuleSet
from oit_checker.thai import compact

MEANINGFUL = re.compile(r"[ก-๙a-z0-9]")


class ImagePages:
    """Which pages show their evidence as images, and whether those images were read."""

    def __init__(self, rules: RuleSet) -> None:
        self.words = tuple(compact(w) for w in rules.crawl.get("image_pages", []))
        self.per_page = int(rules.thresholds.get("images_per_page", 3))
        self.min_text = int(rules.thresholds.get("image_min_text", 20))
        self.components = frozenset(rules.crawl.get("image_components", []))

    def shows_images(self, page: Page) -> bool:
        heads = compact(" ".join([page.title, *page.headings[:2]]))
        return page.kind == "html" and any(w and w in heads for w in self.words)

    def content_images(self, page: Page) -> list[Image]:
        """The page's own pictures (not the menu's or header's logos), at most ``per_page``."""
        if not self.shows_images(page):
            return []
        seen: dict[str, Image] = {}
        for image in page.images:
            if not image.chrome and image.src not in seen:
                seen[image.src] = image
        return list(seen.values())[: self.per_page]

    def links(self, page: Page) -> list[Link]:
        """Links for the crawler to fetch the page's content images; they carry the page's
        title, so they rank as the item's evidence."""
        title = page.headings[0] if page.headings else page.title
        return [
            Link(url=i.src, text=i.alt, context=title, raw_href=i.src, tag="img")
            for i in self.content_images(page)
        ]

    def read(self, image: Page | None) -> bool:
        """Did OCR get legible text out of this fetched image?"""
        return image is not None and len(MEANINGFUL.findall(image.text)) >= self.min_text
