"""HTML → Page: visible text, title, headings, links with what surrounds them, images.

Assessors read a link by its row: on an ITA hub the link text is "คลิกลิงค์ข้อมูล" and the item's
name sits in the same table row or in the bold line above. So every link carries its ``context``
(the enclosing row / list item / paragraph) and its ``label`` (the nearest preceding heading-like
text in document order), and the checker reads all three.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from urllib.parse import urljoin

from selectolax.lexbor import LexborHTMLParser, LexborNode

from oit_checker.extract.scripted_links import element_targets, script_targets, wrapped_document
from oit_checker.models import Image, Link, Page
from oit_checker.thai import normalize
from oit_checker.urls import absolute_url, site_key

# Elements whose text is never shown or never content.
DROP_TAGS = ["script", "style", "template", "svg", "noscript", "head"]
# Site chrome: menus repeat on every page and would make every page "mention" every item.
CHROME_SELECTORS = [
    "nav",
    "aside",
    "[role=navigation]",
    "[class*=navbar]",
    "[class*=menu]",
    "[id*=menu]",
    "[class*=sidebar]",
    "[id*=sidebar]",
    "[class*=breadcrumb]",
    "footer",
    "[class*=footer]",
    "[id*=footer]",
]
# Elements that hold the page's own content: a chrome-looking wrapper around them is not chrome.
CONTENT_SELECTORS = "h1, main, article, [role=main], #content, .content, .entry-content"
SECTION_TAGS = frozenset({"h1", "h2", "h3", "summary"})
LABEL_TAGS = frozenset(
    {
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "strong",
        "b",
        "th",
        "dt",
        "summary",
        "button",
        "caption",
        "legend",
    }
)
CONTEXT_TAGS = frozenset({"tr", "li", "p", "dd", "dt", "figure", "td"})
LINK_ATTRS = {
    "a": "href",
    "area": "href",
    "iframe": "src",
    "frame": "src",
    "embed": "src",
    "object": "data",
}
DEAD_HREF = re.compile(r"^(#.*|javascript:.*|about:blank|)$", re.I)
# A form whose action is one of these posts nowhere: a template's contact form left unwired.
DEAD_ACTION = re.compile(r"^(#.*|javascript:.*|about:blank)$", re.I)
DEAD_FORM_NOTE = "form posts nowhere (action=#)"
FORM_CAPTION_TAGS = frozenset({"h2", "h3", "h4", "h5", "h6", "strong", "b", "label", "legend"})
APP_ROOT = re.compile(r'<div[^>]+id=["\'](root|app|__next|__nuxt)["\'][^>]*>\s*</div>', re.I)
MAX_LABEL_CHARS = 200
MAX_CONTEXT_CHARS = 400
MIN_CARD_CHARS = 20
# Ancestors looked at from a link or image (its row, its card, whether it sits in a menu): each
# walk is bounded, so a page's cost stays linear however deep it nests (see bounds.py).
MAX_ANCESTOR_STEPS = 48
TEXT_PREFIX_CHARS = 16 * MAX_CONTEXT_CHARS  # of an ancestor's text, what is normalised
# Links and images read per page (a big archive page has a few thousand); the rest is not read,
# so a page of a million links costs what a page of this many does.
MAX_LINKS_PER_PAGE = 10_000
# Targets recovered from scripts and data attributes per page (scripted_links): a page that
# wires thousands of elements to script is an application, not a list of documents.
MAX_SCRIPTED_PER_PAGE = 2_000


def parse_html(html: str, url: str, min_text_chars: int = 200) -> Page:
    """Extract what a reader of the page sees, plus everything links and images tell."""
    tree = LexborHTMLParser(html)
    base = _base_url(tree, url)
    title_node = tree.css_first("title")
    title = normalize(title_node.text()) if title_node else ""
    noscript = " ".join(n.text() for n in tree.css("noscript"))
    script_count = len(tree.css("script"))
    links, images = _links_and_images(tree, base)
    links.extend(_refresh_links(tree, base))

    body = tree.body or tree.root
    for node in body.css(",".join(DROP_TAGS)) if body else []:
        node.decompose()
    dead_forms = _drop_dead_forms(body) if body else 0
    if body:
        _show_machine_dates(body)
    headings = [normalize(h.text()) for h in tree.css("h1, h2, h3")]
    headings = [h for h in headings if h]
    full_text = normalize(body.text(separator=" ")) if body else ""
    for node in body.css(",".join(CHROME_SELECTORS)) if body else []:
        if not node.css_first(CONTENT_SELECTORS):  # a "menu" class that wraps the whole page
            node.decompose()
    main_text = normalize(" ".join([body.text(separator=" "), *_form_texts(body)])) if body else ""

    page = Page(
        url=url,
        kind="html",
        title=title,
        headings=headings,
        text=main_text,
        links=links,
        images=images,
    )
    page.needs_js = len(full_text) < min_text_chars and (
        bool(APP_ROOT.search(html)) or "javascript" in noscript.lower() or script_count >= 3
    )
    page.login_required = bool(tree.css_first("input[type=password]")) and len(main_text) < 2000
    if page.needs_js:
        page.notes.append("static HTML looks like a JavaScript shell")
    if dead_forms:
        page.notes.append(DEAD_FORM_NOTE)
    if len(links) + len(images) >= MAX_LINKS_PER_PAGE:
        page.notes.append(f"links limited to the first {MAX_LINKS_PER_PAGE:,}")
    return page


def _drop_dead_forms(body: LexborNode) -> int:
    """A form whose ``action`` is "#" or javascript: sends nothing anywhere: its fields and
    "ส่งคำถาม" button are not a channel the public can use, so they are not page text either.
    A form without an action posts to its own page, which is a working form."""
    dead = [
        form
        for form in body.css("form")
        if "action" in form.attributes
        and DEAD_ACTION.match((form.attributes.get("action") or "").strip())
    ]
    for form in dead:
        caption = form.prev
        while caption is not None and caption.tag == "-text" and not (caption.text() or "").strip():
            caption = caption.prev
        if caption is not None and caption.tag in FORM_CAPTION_TAGS:
            caption.decompose()  # "สอบถามข้อมูล" above the form names the form, not a channel
        form.decompose()
    return len(dead)


MACHINE_DATE = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?\s*$")


def _show_machine_dates(body: LexborNode) -> None:
    """WordPress and most CMSs print a post's date for people ("ธันวาคม 12", "3 วันที่แล้ว") and
    for machines in ``<time datetime="2024-12-12T09:30:00+07:00">``: the machine date, which
    always has its year, is added to the text beside the printed one."""
    for node in body.css("time[datetime]"):
        m = MACHINE_DATE.match(node.attributes.get("datetime") or "")
        if m:
            node.insert_child(f" ({m.group(1)})")


def _base_url(tree: LexborHTMLParser, url: str) -> str:
    node = tree.css_first("base[href]")
    href = node.attributes.get("href") if node else None
    return urljoin(url, href.strip()) if href else url


def _absolute(base: str, href: str) -> str:
    href = href.strip()
    if DEAD_HREF.match(href) or href.lower().startswith(("mailto:", "tel:", "data:")):
        return ""
    return absolute_url(base, href)


class _Texts:
    """What links ask of their ancestors, each answered once per page: a thousand links in one
    ``<div>`` ask for that div's text, and whether it is a menu, a thousand times."""

    def __init__(self) -> None:
        self._known: dict[int, str] = {}
        self._chrome: dict[int, bool] = {}  # node -> it or an ancestor is site chrome

    def of(self, node: LexborNode) -> str:
        """The node's normalised text; of a big block only its start (callers keep at most
        MAX_CONTEXT_CHARS and treat anything longer as "a large part of the page")."""
        key = node.mem_id
        if key not in self._known:
            self._known[key] = normalize(node.text(separator=" ")[:TEXT_PREFIX_CHARS])
        return self._known[key]

    def in_chrome(self, node: LexborNode) -> bool:
        """Is this node part of the site's navigation rather than the page's own content?"""
        path: list[int] = []
        verdict = False
        for parent in _ancestors(node):
            key = parent.mem_id
            if key in self._chrome:
                verdict = self._chrome[key]
                break
            path.append(key)
            if _marks_chrome(parent):
                verdict = True
                break
        self._chrome.update(dict.fromkeys(path, verdict))
        return verdict


def _ancestors(node: LexborNode) -> Iterator[LexborNode]:
    """The node's ancestors below <body>, nearest first, at most MAX_ANCESTOR_STEPS of them."""
    parent = node.parent
    for _ in range(MAX_ANCESTOR_STEPS):
        if parent is None or parent.tag in ("body", "html"):
            return
        yield parent
        parent = parent.parent


def _links_and_images(tree: LexborHTMLParser, base: str) -> tuple[list[Link], list[Image]]:
    """Walk the document once, in order, remembering the last heading-like text seen."""
    texts = _Texts()
    links: list[Link] = []
    images: list[Image] = []
    label = ""  # the nearest row heading: strong, th, a dead "#!" anchor...
    section = ""  # the nearest section heading: h1-h3, a collapse toggle, a <summary>
    root = tree.body or tree.root
    if root is None:
        return links, images
    scripted_budget = MAX_SCRIPTED_PER_PAGE
    for node in root.traverse(include_text=False):
        if len(links) + len(images) >= MAX_LINKS_PER_PAGE:
            break
        tag = node.tag
        scripted = _scripted(node) if scripted_budget > 0 else []
        scripted_budget -= len(scripted)
        is_section = tag in SECTION_TAGS or _is_section_toggle(node)
        heading_like = (tag in LABEL_TAGS and not _inside(node, "a")) or _is_toggle(node)
        if is_section or (heading_like and not scripted):  # a button that opens a file is a link
            text = normalize(node.text(separator=" "))
            if text and len(text) <= MAX_LABEL_CHARS:
                if is_section:
                    section, label = text, ""
                else:
                    label = text
        if tag in LINK_ATTRS or scripted:
            links.extend(_element_links(node, base, scripted, _join_labels(label, section), texts))
        if tag == "img":
            src = node.attributes.get("src") or node.attributes.get("data-src") or ""
            absolute = _absolute(base, src)
            if absolute:
                images.append(
                    Image(
                        src=absolute,
                        alt=normalize(node.attributes.get("alt") or ""),
                        context=_card_text(node, texts),
                        label=_join_labels(label, section),
                        chrome=texts.in_chrome(node),
                    )
                )
    return links, images


def _scripted(node: LexborNode) -> list[str]:
    """Targets the element opens by script or data attribute (scripted_links), as written;
    a ``javascript:`` href counts as script."""
    attributes = node.attributes
    found = element_targets(attributes)
    href = (attributes.get("href") or "").strip()
    if node.tag in ("a", "area") and href[:11].lower() == "javascript:":
        found.extend(t for t in script_targets(href) if t not in found)
    return found


def _element_links(
    node: LexborNode, base: str, scripted: list[str], label: str, texts: _Texts
) -> list[Link]:
    """An anchor, area or embed by its href or src (plus a file that viewers keep only in a
    data attribute: Google Docs viewer iframes' data-pdf-src) and what its script opens; any
    other element (a clickable row, cell, button, image or card) by what its script opens."""
    tag = node.tag
    if tag in LINK_ATTRS:
        attrs = (LINK_ATTRS[tag], "data-pdf-src", "data-src", "data-url")
        hrefs = [node.attributes.get(a) or "" for a in attrs]
        hrefs = [hrefs[0], *(h for h in hrefs[1:] if h)]
        if scripted and DEAD_HREF.match(hrefs[0].strip()):
            hrefs = hrefs[1:]  # href="#" onclick="window.open(…)": the script is the link
        hrefs.extend(h for h in scripted if h not in hrefs)
        shown, context = _link_text(node), _context(node, texts)
    else:
        hrefs, shown = scripted, _clickable_text(node)
        if len(shown) > MAX_CONTEXT_CHARS:  # a handler on a whole block is no link
            return []
        own = texts.of(node)[:MAX_CONTEXT_CHARS] if tag in ("tr", "li") else ""
        context = own or _context(node, texts)
    chrome = texts.in_chrome(node)
    out = []
    for raw in hrefs:
        url = _absolute(base, raw)
        # What a click opens is a link, whatever element carries it (a row, a button, an
        # iframe's data-pdf-src): the checker reads it as it reads an <a>.
        kind = "a" if raw in scripted else tag
        link = Link(url, shown, context=context, label=label, raw_href=raw, tag=kind, chrome=chrome)
        inner = wrapped_document(url) if "=" in url else ""
        if not inner:
            out.append(link)
            continue
        # A viewer (PDF.js viewer.html?file=, Google Docs viewer?url=): the assessor reads the
        # document it shows, so the document carries the link's words. The viewer is still
        # crawled, and still an embed from elsewhere, but names nothing; Google's viewer of
        # the site's own file adds nothing and is dropped.
        out.append(replace(link, url=inner, tag="a"))
        if site_key(url) == site_key(base) or site_key(inner) != site_key(base):
            out.append(replace(link, text="", context="", label=""))
    return out


def _clickable_text(node: LexborNode) -> str:
    """What a reader sees on a clickable element: its text, or an image's alt or title."""
    if node.tag == "img":
        return normalize(" ".join(node.attributes.get(a) or "" for a in ("alt", "title")))
    return _link_text(node)


def _refresh_links(tree: LexborHTMLParser, base: str) -> list[Link]:
    out = []
    for meta in tree.css("meta[http-equiv]"):
        if (meta.attributes.get("http-equiv") or "").lower() == "refresh":
            m = re.search(r"url\s*=\s*['\"]?([^'\";]+)", meta.attributes.get("content") or "", re.I)
            if m:
                out.append(
                    Link(url=_absolute(base, m.group(1)), text="", raw_href=m.group(1), tag="meta")
                )
    return out


def _link_text(node: LexborNode) -> str:
    parts = [node.text(separator=" ")]
    for attr in ("title", "aria-label"):
        if node.attributes.get(attr):
            parts.append(node.attributes[attr] or "")
    parts.extend(img.attributes.get("alt") or "" for img in node.css("img"))
    return normalize(" ".join(parts))


def _context(node: LexborNode, texts: _Texts) -> str:
    parent = next((p for p in _ancestors(node) if p.tag in CONTEXT_TAGS), None)
    if parent is None:
        return _block_text(node, texts)
    if parent.tag == "td" and parent.parent is not None and parent.parent.tag == "tr":
        parent = parent.parent
    return texts.of(parent)[:MAX_CONTEXT_CHARS]


def _block_text(node: LexborNode, texts: _Texts) -> str:
    """For div-based rows (no tr/li/p): the smallest enclosing block that says more than the
    link itself, unless that block is already a large part of the page."""
    own = normalize(node.text(separator=" "))
    for parent in _ancestors(node):
        text = texts.of(parent)
        if len(text) > len(own) + 3:
            return text if len(text) <= MAX_CONTEXT_CHARS else ""
    return ""


def _join_labels(label: str, section: str) -> str:
    """Row heading first, then its section: "9.1 … | MOIT 9 …มีส่วนร่วม" lets the checker name
    an item from the section when the row's own words do not."""
    return f"{label} | {section}" if label and section and label != section else label or section


def _is_section_toggle(node: LexborNode) -> bool:
    attrs = node.attributes
    return bool(
        attrs.get("data-toggle") or attrs.get("data-bs-toggle") or attrs.get("aria-controls")
    )


def _is_toggle(node: LexborNode) -> bool:
    """A dead anchor or a collapse/accordion toggle acts as the heading of what follows it
    (hospital ITA trees: "MOIT 9 …" on href="#!", the files below it icon-only)."""
    attrs = node.attributes
    if node.tag == "a" and DEAD_HREF.match((attrs.get("href") or "").strip()):
        return True
    return bool(
        attrs.get("data-toggle") or attrs.get("data-bs-toggle") or attrs.get("aria-controls")
    )


def _form_texts(body: LexborNode) -> list[str]:
    """What a visitor reads on a form but is not text: button captions and field hints. A
    complaint form says "ส่งเรื่องร้องเรียน" only on its submit button."""
    out = []
    for form in body.css("form"):
        if not form.css_first("textarea, input[type=text], input[type=email], input:not([type])"):
            continue
        for field in form.css("input, textarea, button"):
            kind = (field.attributes.get("type") or "").lower()
            for attr in ("value", "placeholder", "aria-label"):
                if attr == "value" and field.tag == "input" and kind not in ("submit", "button"):
                    continue
                if field.attributes.get(attr):
                    out.append(field.attributes[attr] or "")
        out.append("แบบฟอร์มออนไลน์")  # the page holds a fillable form
    return out


def _card_text(node: LexborNode, texts: _Texts) -> str:
    """Text of the smallest block around an image that says something: a person's card holds
    the photo, the name, the position and the phone, whatever tags the template used."""
    for parent in _ancestors(node):
        text = texts.of(parent)
        if len(text) >= MIN_CARD_CHARS:
            return text[:MAX_CONTEXT_CHARS]
    return ""


CHROME_TAGS = frozenset({"nav", "aside", "header", "footer"})
CHROME_WORDS = ("menu", "navbar", "sidebar", "breadcrumb", "footer", "header")


def _marks_chrome(node: LexborNode) -> bool:
    """A menu, header, footer... by its tag, role, class or id."""
    if node.tag in CHROME_TAGS:
        return True
    attributes = node.attributes
    if attributes.get("role") == "navigation":
        return True
    marks = f"{attributes.get('class') or ''} {attributes.get('id') or ''}".lower()
    return any(word in marks for word in CHROME_WORDS)


def _inside(node: LexborNode, tag: str) -> bool:
    return any(parent.tag == tag for parent in _ancestors(node))
