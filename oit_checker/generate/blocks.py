"""The content model of generated evidence: blocks that render to HTML, PDF, DOCX and XLSX alike.

An item's evidence is written once as blocks (heading, paragraph, table, person card, link) and
then rendered into whatever carrier the seed picked, so a PDF and a web page of the same item say
the same thing and the truth does not depend on the carrier.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from oit_checker.generate.profile import Person


@dataclass(frozen=True)
class Block:
    kind: str  # "h" | "p" | "table" | "person" | "link"
    text: str = ""
    rows: tuple[tuple[str, ...], ...] = ()  # table rows, the first is the header
    person: Person | None = None
    photo: str = ""  # site path of a person's photo ("" = no photo)
    href: str = ""  # link target (site path)


def h(text: str) -> Block:
    return Block("h", text)


def p(text: str) -> Block:
    return Block("p", text)


def table(*rows: tuple[str, ...]) -> Block:
    return Block("table", rows=tuple(rows))


def link(text: str, href: str) -> Block:
    return Block("link", text, href=href)


def person(who: Person, photo: str, contact: bool = True) -> Block:
    return Block("person", "contact" if contact else "", person=who, photo=photo)


def to_html(blocks: list[Block]) -> str:
    """Blocks as an HTML fragment, in the plain markup of a CMS article body."""
    out = []
    for block in blocks:
        text = html.escape(block.text)
        if block.kind == "h":
            out.append(f"<h2>{text}</h2>")
        elif block.kind == "p":
            out.append(f"<p>{text}</p>")
        elif block.kind == "link":
            out.append(f'<p><a href="{html.escape(block.href)}">{text}</a></p>')
        elif block.kind == "table":
            head, *body = block.rows
            cells = "".join(f"<th>{html.escape(c)}</th>" for c in head)
            rows = "".join(
                "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>"
                for row in body
            )
            out.append(f'<table border="1"><tr>{cells}</tr>{rows}</table>')
        elif block.kind == "person" and block.person:
            out.append(_person_html(block))
    return "\n".join(out)


def _person_html(block: Block) -> str:
    who = block.person
    assert who is not None
    img = f'<img src="{html.escape(block.photo)}" width="120">' if block.photo else ""
    contact = (
        f"<span>โทร. {who.phone}</span> <span>อีเมล {who.email}</span>"
        if block.text == "contact"
        else ""
    )
    return (
        f'<div class="exec-card">{img}<span>{html.escape(who.name)}</span>'
        f"<span>{html.escape(who.position)}</span>{contact}</div>"
    )


def to_lines(blocks: list[Block]) -> list[str]:
    """Blocks as plain lines (DOCX paragraphs, image text); table rows joined by spaces."""
    lines: list[str] = []
    for block in blocks:
        if block.kind == "table":
            lines.extend("  ".join(row) for row in block.rows)
        elif block.kind == "person" and block.person:
            who = block.person
            extra = f" โทร. {who.phone}" if block.text == "contact" else ""
            lines.append(f"{who.name} {who.position}{extra}")
        else:
            lines.append(block.text)
    return lines


def to_rows(blocks: list[Block]) -> list[list[str]]:
    """Blocks as spreadsheet rows: tables cell by cell, anything else in the first column."""
    rows: list[list[str]] = []
    for block in blocks:
        if block.kind == "table":
            rows.extend(list(r) for r in block.rows)
        else:
            rows.extend([line] for line in to_lines([block]))
    return rows
