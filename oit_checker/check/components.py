"""Whether a bundle shows a component, and the excerpt that quotes the item.

A component is found by its phrases and patterns at its place (title, text, links, images) of
what an assessor sees from one URL (a ``Bundle``), never inside the item's own name or a dating
phrase (own_words.py), never in a template's sample value.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import unquote

from oit_checker.check.helpers import Bundle
from oit_checker.check.own_words import masked
from oit_checker.models import Page
from oit_checker.rules import Component, Item
from oit_checker.thai import lost_tone_marks, normalize, skeleton
from oit_checker.urls import decoded_path

EXCERPT_CHARS = 160
CONTACT_SCHEMES = ("mailto:", "tel:")


def component_found(
    comp: Component,
    bundle: Bundle,
    sample: re.Pattern[str] | None = None,
    mask: re.Pattern[str] | None = None,
) -> bool:
    """At least ``comp.min`` distinct matches at the component's place; a regex match that is a
    template's sample value ("012-345-6789", "example@…") is not data. Words under ``mask``
    (the item's own compound name, dating phrases: own_words.py) are not looked at, and a match
    inside another ("สำนักปลัด" by a phrase, "สำนักปลัดเทศบาล" by the unit pattern) is one mention,
    not two."""
    hits: set[str] = set()
    for text in _texts_at(comp.place, bundle):
        text = masked(text, mask)
        flat = text.replace(" ", "")  # texts are normalised already; compact() would redo it
        if lost_tone_marks(flat):  # a damaged PDF text layer: compare what it still shows
            flat = skeleton(flat)
            hits.update(p for p in comp.any if p and skeleton(p) in flat)
        else:
            hits.update(p for p in comp.any if p and p in flat)
        for rx in comp.regex:
            hits.update(
                m.group(0)
                for m in rx.finditer(text)
                if sample is None or not sample.search(m.group(0))
            )
        if len(hits) >= comp.min and len(_distinct(hits)) >= comp.min:
            return True
    return False


def _distinct(hits: set[str]) -> set[str]:
    """Matches without those inside a longer match (compared without spaces): "กลุ่มบริหาร" in
    "กลุ่มบริหารวิชาการ" and "กลุ่มบริหารทั่วไป" is those two units, not a third."""
    flat = {h.replace(" ", "") for h in hits}
    return {f for f in flat if not any(o != f and f in o for o in flat)}


def _texts_at(place: str, bundle: Bundle) -> list[str]:
    pages = bundle.pages()
    title = [t for p in pages for t in (p.title, *p.headings)] + bundle.link_texts
    text = [p.text for p in pages]
    links = [
        f"{link.text} {normalize(unquote(link.url) if link.url else _contact_href(link.raw_href))}"
        for link in bundle.target.links
        if not link.chrome
    ]
    images = [f"{i.alt} {normalize(file_name(i.src))} {i.context}" for i in bundle.target.images]
    return {"title": title, "text": text, "links": links, "images": images}.get(
        place, title + text + links + images
    )


def excerpt(page: Page, item: Item) -> str:
    """The sentence around the item's name in the evidence, else its head."""
    for alias in sorted(item.aliases, key=len, reverse=True):
        m = _spaced(alias).search(page.text)
        if m:
            start = max(0, m.start() - 40)
            if start:  # begin at a word: after the first space in the lead, else at the name
                space = page.text.find(" ", start, m.start())
                start = space + 1 if space >= 0 else m.start()
            return page.text[start : start + EXCERPT_CHARS]
    return (page.title + " " + page.text)[:EXCERPT_CHARS].strip()


@lru_cache(maxsize=4096)
def _spaced(alias: str) -> re.Pattern[str]:
    return re.compile(r"\s*".join(map(re.escape, alias)))


def is_contact_href(raw_href: str) -> bool:
    return raw_href.strip().lower().startswith(CONTACT_SCHEMES)


def _contact_href(raw_href: str) -> str:
    """The address of a mailto:/tel: link (the e-mail or number often sits only there), else ""."""
    if not is_contact_href(raw_href):
        return ""
    return unquote(raw_href.strip().split(":", 1)[1].split("?", 1)[0])


def file_name(url: str) -> str:
    return decoded_path(url).rsplit("/", 1)[-1]
