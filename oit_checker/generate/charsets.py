"""How a generated page's bytes and charset declarations are written (real-sites.md §4.3).

``utf8``: UTF-8 with ``<meta charset>``; ``cp874``: windows-874 bytes with an honest HTTP header;
``cp874_meta``: windows-874 bytes declared only by a ``tis-620`` meta (no header charset);
``conflict``: UTF-8 bytes whose head declares UTF-8 first and TIS-620 after it (a browser takes
the first, so the page reads right).
"""

from __future__ import annotations

CHARSETS = {"utf8": 70, "cp874": 12, "cp874_meta": 8, "conflict": 10}


def head_meta(charset: str) -> str:
    if charset == "cp874":
        return '<meta http-equiv="Content-Type" content="text/html; charset=windows-874">'
    if charset == "cp874_meta":
        return '<meta http-equiv="Content-Type" content="text/html; charset=tis-620">'
    if charset == "conflict":
        return (
            '<meta charset="UTF-8">'
            '<meta http-equiv="Content-Type" content="text/html; charset=tis-620">'
        )
    return '<meta charset="utf-8">'


def encode(page: str, charset: str) -> tuple[bytes, str, dict[str, str]]:
    """Bytes, Content-Type and extra headers for one HTML page."""
    if charset in ("cp874", "cp874_meta"):
        data = page.encode("cp874", errors="xmlcharrefreplace")
        header = "text/html; charset=TIS-620" if charset == "cp874" else "text/html"
        return data, header, {}
    return page.encode("utf-8"), "text/html", {}
