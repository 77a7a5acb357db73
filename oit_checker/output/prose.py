"""Thai sentences as an officer reads them: no word cut in half, no space inside a word, and a
space either side of a Latin word ("พบ E-Service ที่", not "พบE-Serviceที่").

Reasons and explanations are built from a site's own text (titles, PDF text layers, excerpts).
PDF extraction puts spaces inside words ("เอกสารแผนปฏิบั ติการ", "เ ผยแพร่"); Thai writes no
space between words but does between phrases, so only a space that splits a syllable is taken
out: one before a vowel sign or tone mark (they never begin a word) or after a leading vowel
(เ แ โ ใ ไ never end one). Shortening cuts at a space or punctuation (Thai puts one between
phrases), never inside a URL; only a run with no space at all is cut between syllables. No
tokenizer: these rules need none.
"""

from __future__ import annotations

import re

_THAI = "\u0e01-\u0e4e"
# Marks and vowels that sit on the consonant before them: a word never begins with one.
_FOLLOWING = "\u0e30-\u0e3a\u0e45\u0e47-\u0e4e"
_LEADING = "\u0e40-\u0e44"  # เ แ โ ใ ไ: written before their consonant, never end a word
_URL = re.compile(r"(?:https?://|www\.)\S+|\S*/\S*")
# MAI HAN-AKAT (ั) always has a final consonant after it: a space right after it splits too.
_SPLIT_SYLLABLE = re.compile(
    f"(?<=[{_THAI}]) +(?=[{_FOLLOWING}])|(?<=[{_LEADING}\u0e31]) +(?=[{_THAI}])"
)
_THAI_LATIN = re.compile(f"(?<=[{_THAI}])(?=[A-Za-z0-9])|(?<=[A-Za-z0-9])(?=[{_THAI}])")
# Where a line may be cut: after a space or punctuation that ends a phrase.
_BREAK_AFTER = " ,;:)]»!?"
ELLIPSIS = "…"


def _outside_urls(text: str, fix) -> str:  # type: ignore[no-untyped-def]
    """Apply ``fix`` to the text between URLs and paths, which keep their exact characters."""
    out, last = [], 0
    for m in _URL.finditer(text):
        out += [fix(text[last : m.start()]), m.group()]
        last = m.end()
    out.append(fix(text[last:]))
    return "".join(out)


def _tidy_words(text: str) -> str:
    return _THAI_LATIN.sub(" ", _SPLIT_SYLLABLE.sub("", text))


def tidy(text: str) -> str:
    """Spaces that split a Thai syllable joined, a space around Latin words and numbers in Thai,
    runs of spaces folded; URLs and paths untouched."""
    text = _outside_urls(text, _tidy_words)
    return re.sub(r"[ \t]{2,}", " ", text).strip()


# A syllable surely starts here: at a leading vowel, or after a syllable's sure end (์ ะ ำ ๆ).
_SYLLABLE_START = re.compile(f"(?=[{_LEADING}])|(?<=[\u0e4c\u0e30\u0e33\u0e46])(?=[{_THAI}])")


def _syllable_cut(text: str, room: int) -> int:
    """The last place before ``room`` where a syllable surely starts (not in the first half),
    else the last place that is at least not before a mark, nor inside a Latin word."""
    starts = [m.start() for m in _SYLLABLE_START.finditer(text, 1, room + 1)]
    if starts and starts[-1] >= room / 2:
        return starts[-1]
    for i in range(room, 0, -1):
        before, after = text[i - 1], text[i]
        if text[i + 1 : i + 2] == "\u0e4c":
            continue  # a consonant under ์ is silent: it belongs to the syllable before
        if re.match(f"[{_FOLLOWING}]", after) or re.match(f"[{_LEADING}]", before):
            continue
        if not (before.isascii() and before.isalnum() and after.isascii() and after.isalnum()):
            return i
    return room


def _url_room(text: str, room: int) -> int:
    """``room``, or the start of the URL it would cut."""
    return next((m.start() for m in _URL.finditer(text) if m.start() < room < m.end()), room)


def shorten(text: str, limit: int, slack: int = 0) -> str:
    """``text`` in at most ``limit`` characters (an ellipsis included), or up to ``slack`` more
    to end a phrase. Cut, in this order of preference: at a phrase break in the last 40 %, at
    the next space within the slack, at any earlier phrase break, and only in a run of Thai with
    no space at all where a syllable surely starts (without a dictionary that may be inside a
    word). A URL is kept whole or left out."""
    if len(text) <= limit:
        return text
    room = _url_room(text, limit - len(ELLIPSIS))
    phrase = max(text.rfind(c, 0, room) for c in _BREAK_AFTER)
    later = text.find(" ", room, limit + slack)
    if phrase < room * 0.6 and later > 0 and _url_room(text, later) == later:
        phrase = later
    if phrase > 0:  # a space is a sure word boundary: worth losing some text for
        return text[: phrase + 1].rstrip(" ,;:") + ELLIPSIS
    return text[: _syllable_cut(text, room)].rstrip() + ELLIPSIS
