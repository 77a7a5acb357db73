"""Who an executives page lists as executives, as an assessor reads it.

Agencies put more than their executives on that page: a board or committee (คณะกรรมการ…,
กรรมการโดยตำแหน่ง), the council, posts left vacant ("–", "ว่าง"). The section heading above a
person decides whether they are an executive (rules ``[patterns] board_heading`` and
``executive_heading``); a board member without a phone is not an executive without a contact.
A vacant post names nobody, so it is never a missing executive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from oit_checker.models import Page

LABEL_SEPARATOR = " | "  # Link/Image labels: "row heading | section heading"
POSITION_WINDOW = 80  # characters after a name where its position is written


@dataclass
class PeopleRules:
    person: re.Pattern[str]
    position: re.Pattern[str]
    board: re.Pattern[str] | None = None
    executive: re.Pattern[str] | None = None


@dataclass
class People:
    cards: dict[str, str] = field(default_factory=dict)  # executive name -> text of their card
    named: set[str] = field(default_factory=set)  # executives named with a position in text


def is_board(label: str, rules: PeopleRules) -> bool:
    """The nearest heading that says either decides: "ประธานกรรมการ | คณะผู้บริหาร" is a board
    row only if its own row heading says so."""
    if rules.board is None:
        return False
    for part in label.split(LABEL_SEPARATOR):
        if rules.executive is not None and rules.executive.search(part):
            return False
        if rules.board.search(part):
            return True
    return False


def executives_of(pages: list[Page], rules: PeopleRules) -> People:
    """Executive cards (a photo whose block names a person and a position) and the executives
    the text names, leaving out whoever sits under a board heading."""
    people = People()
    board_names: set[str] = set()
    for page in pages:
        for image in page.images:
            m = rules.person.search(image.context)
            if not m or not rules.position.search(image.context):
                continue
            if is_board(image.label, rules):
                board_names.add(m.group(0))
            else:
                people.cards.setdefault(m.group(0), image.context)
    for page in pages:
        for text in _non_board_sections(page, rules):
            for m in rules.person.finditer(text):
                after = text[m.end() : m.end() + POSITION_WINDOW]
                if rules.position.search(after) and m.group(0) not in board_names:
                    people.named.add(m.group(0))
    return people


def _names_a_side(heading: str, rules: PeopleRules) -> bool:
    return any(rx is not None and rx.search(heading) for rx in (rules.board, rules.executive))


def _non_board_sections(page: Page, rules: PeopleRules) -> list[str]:
    """The page text cut at its section headings, without the sections a board heading opens."""
    headings = [*page.headings]  # h1-h3; a row heading cuts only when it names a side
    for image in page.images:
        headings.extend(p for p in image.label.split(LABEL_SEPARATOR) if _names_a_side(p, rules))
    cuts: list[tuple[int, bool]] = []
    for heading in dict.fromkeys(headings):
        board = is_board(heading, rules)
        start = page.text.find(heading)
        while start >= 0:
            cuts.append((start, board))
            start = page.text.find(heading, start + len(heading))
    cuts.sort()
    out, last, skipping = [], 0, False
    for start, board in cuts:
        if not skipping:
            out.append(page.text[last:start])
        last, skipping = start, board
    if not skipping:
        out.append(page.text[last:])
    return out
