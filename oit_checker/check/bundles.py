"""What an assessor sees from one candidate URL: the page, its on-site files and charts.

Files and links that name only other items are left out (a hub lists every item; a page of one
item often links its neighbours'), and the site menu, on every page, is no page's content.
"""

from __future__ import annotations

from oit_checker.check.helpers import Bundle
from oit_checker.check.images import ImagePages
from oit_checker.check.naming import ItemNamer
from oit_checker.check.site import SiteData
from oit_checker.models import Link, Page
from oit_checker.rules import Item


class BundleMaker:
    def __init__(
        self, site: SiteData, namer: ItemNamer, hubs: set[str], images: ImagePages
    ) -> None:
        self.site = site
        self.namer = namer
        self.hubs = hubs
        self.images = images

    def bundle(self, item: Item, page: Page) -> Bundle:
        """The page plus its on-site files, minus files whose link names another item."""
        docs, texts = [], []
        hub = page.url in self.hubs
        for link, doc in self.site.documents_linked_from(page):
            if link.chrome:  # the site menu is on every page; it is not this page's content
                continue
            if not self._belongs(item, link, hub):
                continue
            if doc not in docs:
                docs.append(doc)
        for image in self.images.content_images(page):  # a chart posted as a picture, OCR'd
            doc = self.site.page(image.src) if self.site.has_page(image.src) else None
            if doc is not None and doc not in docs:
                docs.append(doc)
        for link in page.links:
            if link.chrome:
                continue
            if not self._belongs(item, link, hub):
                continue
            texts.append(link.text)
        return Bundle(page, docs, texts)

    def _belongs(self, item: Item, link: Link, hub: bool) -> bool:
        """A link inside a candidate page belongs to the item's bundle unless it names only
        other items; on a hub only the links that name the item belong."""
        named = {n.item_id for n in self.namer.name_link(link)}
        if named and item.id not in named:
            return False
        return bool(named) or not hub
