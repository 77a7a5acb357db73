"""The one way a command writes a file (JSON result, diff, answer sheet, HTML report).

Every command that writes a file does it here, so all of them create missing folders, write
text as UTF-8 (Thai stays readable: JSON gets no \\u escapes) and fail the same way: one
sentence naming the file and why, never a traceback.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from oit_checker.errors import OitError


class OutputError(OitError):
    """A file a command was asked to write could not be written; the message says which and why
    (exit 2, through the CLI's one error handler)."""


def write_file(path: Path, content: str | Callable[[Path], None]) -> None:
    """Write ``content`` (text, as UTF-8) to ``path``, or let a writer (CSV, XLSX) write it."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            content(path)
    except OSError as exc:
        raise OutputError(f"เขียนไฟล์ไม่ได้ (cannot write) {path}: {exc}") from None


def write_json(path: Path, data: Any) -> None:
    """Indented UTF-8 JSON, Thai as Thai, as the JSON contract in README shows it."""
    write_file(path, json.dumps(data, ensure_ascii=False, indent=2))
