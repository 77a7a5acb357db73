"""The code's house rules that review keeps finding broken: the README's Layout names every
module, no function runs over 80 lines and no class over 350 (issue 10). Read from the source
with ``ast``, so the limits stay true without anyone counting."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "oit_checker"
MAX_FUNCTION_LINES = 80
MAX_CLASS_LINES = 350
# Over the limit when this test landed, to be split next (the PostgreSQL store grew it to 357).
KNOWN_OVER: set[str] = set()
NAME_COLUMN = 15  # where a Layout line names its file or folder ("oit_checker/   fetch.py")


def _modules() -> list[Path]:
    return sorted(p.relative_to(PACKAGE) for p in PACKAGE.rglob("*.py") if p.name != "__init__.py")


def _layout(readme: str) -> str:
    section = readme.split("\n## Layout\n", 1)[1]
    return section.split("```", 2)[1]


def _entries(layout: str) -> list[tuple[str, str]]:
    """(names, whole text) of each Layout entry: a line naming files or a folder at the name
    column, with the description lines under it."""
    entries: list[tuple[str, str]] = []
    for line in layout.splitlines():
        named = line[NAME_COLUMN : NAME_COLUMN + 1].strip() or not line.startswith(" ")
        if named and line.strip():
            names = re.split(r"\s{2,}", line[NAME_COLUMN:].strip(), maxsplit=1)[0]
            entries.append((names, line))
        elif entries:
            entries[-1] = (entries[-1][0], f"{entries[-1][1]}\n{line}")
    return entries


def missing_from_layout(readme: str, modules: list[Path]) -> list[str]:
    """Modules the Layout does not name: a top-level ``x.py`` by its file name, a package's
    ``pkg/x.py`` as ``pkg/x`` or by the word ``x`` in the entry of ``pkg/``."""
    layout = _layout(readme)
    entries = _entries(layout)
    missing = []
    for module in modules:
        if len(module.parts) == 1:
            if not re.search(rf"(?<![\w/.]){re.escape(module.name)}\b", layout):
                missing.append(str(module))
            continue
        folder, stem = "/".join(module.parts[:-1]) + "/", module.stem
        if f"{folder}{stem}" in layout:
            continue
        texts = [text for names, text in entries if folder in names.split()]
        if not any(re.search(rf"(?<![\w/.]){re.escape(stem)}\b", t) for t in texts):
            missing.append(str(module))
    return missing


def test_readme_layout_names_every_module() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert missing_from_layout(readme, _modules()) == []


def test_layout_check_finds_a_module_left_out() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    new = [Path("check/not_described.py"), Path("not_described.py"), Path("web/forms.py")]
    assert missing_from_layout(readme, _modules() + new) == [str(p) for p in new]


def oversized(source: str) -> list[tuple[str, int]]:
    """Functions over MAX_FUNCTION_LINES and classes over MAX_CLASS_LINES, with their length
    from the ``def``/``class`` line to the last line of the body."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            lines = (node.end_lineno or node.lineno) - node.lineno + 1
            limit = MAX_CLASS_LINES if isinstance(node, ast.ClassDef) else MAX_FUNCTION_LINES
            if lines > limit:
                out.append((node.name, lines))
    return out


def test_no_function_over_80_lines_no_class_over_350() -> None:
    found = {
        f"{path.relative_to(ROOT)}:{name}": lines
        for path in sorted(PACKAGE.rglob("*.py"))
        for name, lines in oversized(path.read_text(encoding="utf-8"))
    }
    assert {k: v for k, v in found.items() if k not in KNOWN_OVER} == {}


def test_size_check_counts_a_long_function() -> None:
    body = "".join(f"    x{i} = {i}\n" for i in range(MAX_FUNCTION_LINES))
    assert oversized(f"def long():\n{body}") == [("long", MAX_FUNCTION_LINES + 1)]
    assert oversized(f"def short():\n{body[: body.rindex('    x')]}") == []
