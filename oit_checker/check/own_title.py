"""What a page or file is by its own title: another item's page is not this item's evidence.

An assessor reads a page's title first. The complaint-statistics page is not the service
statistics however many counts it holds, and a staff manual ("คู่มือการปฏิบัติงาน") answered
for the citizen-service manual holds steps and periods too, but is marked wrong.

One mechanism, two readers: the audit asks of HTML pages only, by their title unless their
first heading names the item (a document's metadata title is too often a template's leftover
to say what the file is); a hand check (verify.py) asks of the answered page or file, by the
first title or heading it shows.
"""

from __future__ import annotations

from collections.abc import Sequence

from oit_checker.check.naming import ItemNamer
from oit_checker.models import Page
from oit_checker.rules import Item

SHOWN_TITLE_CHARS = 120


def shown_title(page: Page) -> str:
    """The first title or heading the page or file shows, as quoted in a reason."""
    return next((h for h in [page.title, *page.headings] if h.strip()), "").strip()[
        :SHOWN_TITLE_CHARS
    ]


def another_item(
    namer: ItemNamer, items: Sequence[Item], item: Item, page: Page, *, documents: bool
) -> Item | None:
    """The item ``page`` is by its own title, when that is another item and never ``item``;
    ``documents`` says whether files count (a hand check) or HTML pages only (the audit)."""
    if documents:
        title = shown_title(page)
        heading = ""
    else:
        if page.kind != "html" or not page.title:
            return None
        title = page.title
        heading = page.headings[0] if page.headings else ""
    named = namer.names_in(title) if title else ()
    if not named or item.id in named or (heading and item.id in namer.names_in(heading)):
        return None
    return next((i for i in items if i.id == named[0]), None)
