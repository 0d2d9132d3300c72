"""scaffold's diagnostics as the plain JSON the LSP sends, without lsprotocol: the first
diagnostics leave before pygls and lsprotocol are imported (start.py); convert.py builds the
same through lsprotocol's classes for everything after."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from scaffold import RULE_DOCS_URL
from scaffold.check.model import Diagnostic, Severity

__all__ = [
    "SOURCE",
    "default_docs_url",
    "diagnostic_json",
    "lines_of",
    "position",
    "span",
    "units_of",
]

SOURCE = "scaffold"
# LSP's DiagnosticSeverity: 1 error, 2 warning.
_SEVERITY = {Severity.ERROR: 1, Severity.WARNING: 2, Severity.OFF: 2}

# The line breaks of the LSP (and of Python's tokenizer): not the others str.splitlines knows.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")

Lines = Sequence[str]
# The lines of a file as the server read it (None: unknown, positions left as code points).
TextLookup = Callable[[Path], "Lines | None"]
# How many code units the client counts in a string (UTF-16 unless negotiated otherwise).
Units = Callable[[str], int]


def lines_of(text: str) -> list[str]:
    """`text` split where the LSP splits lines."""
    return _LINE_BREAK.split(text)


def default_docs_url() -> str:
    """The rule pages of docs/rules/ beside the package when scaffold runs from a checkout,
    else the published ones (the links SARIF's helpUri gives)."""
    rules = Path(__file__).resolve().parents[3] / "docs" / "rules"
    if rules.is_dir():
        return f"{rules.as_uri()}/{{code}}.md"
    return RULE_DOCS_URL


def units_of(encoding: str) -> Units:
    """The code units a client counts in a string, for a negotiated position encoding (as
    pygls counts them; an unknown one is UTF-16, the LSP's default)."""
    if encoding == "utf-32":
        return len
    if encoding == "utf-8":
        return lambda text: len(text.encode("utf-8", errors="surrogatepass"))
    return lambda text: len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def position(lines: Lines | None, line: int, column: int, units: Units) -> tuple[int, int]:
    """A 1-based line and column as a 0-based LSP line and character in client units.

    The facts' columns are the parser's: UTF-8 bytes into the line (`ast` col_offset + 1),
    so a non-ASCII line is converted through its bytes.
    """
    row = max(line - 1, 0)
    character = max(column - 1, 0)
    if lines is not None and row < len(lines):
        text = lines[row]
        if not text.isascii():
            head = text.encode("utf-8", errors="surrogatepass")[:character]
            character = units(head.decode("utf-8", errors="ignore"))
    return row, character


def span(lines: Lines | None, diagnostic: Diagnostic, units: Units) -> tuple[int, int, int, int]:
    """The diagnostic's start and end (an end before the start is the start)."""
    start = position(lines, diagnostic.line, diagnostic.column, units)
    end = position(lines, diagnostic.end_line, diagnostic.end_column, units)
    return (*start, *max(start, end))


def _position(row: int, character: int) -> dict[str, int]:
    return {"line": row, "character": character}


def diagnostic_json(
    diagnostic: Diagnostic, base: Path, lookup: TextLookup, units: Units, docs_url: str | None
) -> dict[str, Any]:
    """One diagnostic of the root at `base`, as convert.to_lsp's is sent to the client."""
    start_line, start, end_line, end = span(lookup(base / diagnostic.path), diagnostic, units)
    found: dict[str, Any] = {
        "range": {"start": _position(start_line, start), "end": _position(end_line, end)},
        "message": diagnostic.message,
        "severity": _SEVERITY[diagnostic.severity],
        "code": diagnostic.code,
    }
    if docs_url:
        found["codeDescription"] = {"href": docs_url.format(code=diagnostic.code)}
    found["source"] = SOURCE
    related = []
    for where in diagnostic.related:
        target = base / where.path
        at = _position(*position(lookup(target), where.line, where.column, units))
        location = {"uri": target.as_uri(), "range": {"start": at, "end": at}}
        related.append({"location": location, "message": where.message})
    if related:
        found["relatedInformation"] = related
    found["data"] = {"name": diagnostic.name, "fixable": diagnostic.fixable}
    return found
