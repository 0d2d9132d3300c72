"""Size limits on scaffold's own code: no function over 60 lines, no module over 500.

A unit that must be longer says why in its docstring and is listed below with that reason,
so growing past the limit is a decision someone wrote down, never drift.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "scaffold"
MAX_FUNCTION = 60
MAX_MODULE = 500
# "path/to/module.py" or "path/to/module.py:function" -> why it may be longer.
LONGER: dict[str, str] = {}


def _sources() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "_templates" not in p.parts)


def oversized() -> list[str]:
    """Every module and function over its limit that LONGER does not list."""
    found: list[str] = []
    for path in _sources():
        rel = path.relative_to(PACKAGE.parent).as_posix()
        text = path.read_text(encoding="utf-8")
        lines = len(text.splitlines())
        if lines > MAX_MODULE and rel not in LONGER:
            found.append(f"{rel}: {lines} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                key = f"{rel}:{node.name}"
                if length > MAX_FUNCTION and key not in LONGER:
                    found.append(f"{key}: {length} lines")
    return found


def test_no_unit_is_longer_than_its_limit() -> None:
    assert oversized() == []


def test_every_listed_exception_still_exists_and_says_why() -> None:
    for key, why in LONGER.items():
        assert why.strip(), key
        assert (PACKAGE.parent / key.partition(":")[0]).is_file(), key
