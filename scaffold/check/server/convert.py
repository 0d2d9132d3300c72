"""scaffold's diagnostics as LSP ones: positions in the client's code units, severities,
related locations, links to the rule's docs; and text changes as minimal LSP edits."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from lsprotocol import types as lsp

from scaffold.check.model import Diagnostic, Severity

__all__ = ["Lines", "TextLookup", "lines_of", "text_edit", "to_lsp", "to_position"]

# The line breaks of the LSP (and of Python's tokenizer): not the others str.splitlines knows.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_SEVERITY = {
    Severity.ERROR: lsp.DiagnosticSeverity.Error,
    Severity.WARNING: lsp.DiagnosticSeverity.Warning,
    Severity.OFF: lsp.DiagnosticSeverity.Warning,
}
SOURCE = "scaffold"

Lines = Sequence[str]
# The lines of a file as the server read it (None: unknown, positions left as code points).
TextLookup = Callable[[Path], "Lines | None"]
# How many code units the client counts in a string (UTF-16 unless negotiated otherwise).
Units = Callable[[str], int]


def lines_of(text: str) -> list[str]:
    """`text` split where the LSP splits lines."""
    return _LINE_BREAK.split(text)


def to_position(lines: Lines | None, line: int, column: int, units: Units) -> lsp.Position:
    """A 1-based line and column as a 0-based LSP position in client units.

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
    return lsp.Position(line=row, character=character)


def _range(lines: Lines | None, diagnostic: Diagnostic, units: Units) -> lsp.Range:
    start = to_position(lines, diagnostic.line, diagnostic.column, units)
    end = to_position(lines, diagnostic.end_line, diagnostic.end_column, units)
    if (end.line, end.character) < (start.line, start.character):
        end = start
    return lsp.Range(start=start, end=end)


def to_lsp(
    diagnostic: Diagnostic,
    base: Path,
    lookup: TextLookup,
    units: Units,
    docs_url: str | None,
) -> lsp.Diagnostic:
    """One diagnostic of the root at `base`, for the client."""
    path = base / diagnostic.path
    related = []
    for where in diagnostic.related:
        target = base / where.path
        position = to_position(lookup(target), where.line, where.column, units)
        location = lsp.Location(uri=target.as_uri(), range=lsp.Range(position, position))
        related.append(lsp.DiagnosticRelatedInformation(location=location, message=where.message))
    description = None
    if docs_url:
        description = lsp.CodeDescription(href=docs_url.format(code=diagnostic.code))
    data: dict[str, Any] = {"name": diagnostic.name, "fixable": diagnostic.fixable}
    return lsp.Diagnostic(
        range=_range(lookup(path), diagnostic, units),
        message=diagnostic.message,
        severity=_SEVERITY[diagnostic.severity],
        code=diagnostic.code,
        code_description=description,
        source=SOURCE,
        related_information=related or None,
        data=data,
    )


def text_edit(before: str, after: str, units: Units) -> lsp.TextEdit:
    """One edit that turns `before` into `after`: the span between their common prefix and
    suffix, so the client's cursor and undo history stay where nothing changed."""
    limit = min(len(before), len(after))
    start = 0
    while start < limit and before[start] == after[start]:
        start += 1
    end = 0
    while end < limit - start and before[-1 - end] == after[-1 - end]:
        end += 1
    return lsp.TextEdit(
        range=lsp.Range(_offset(before, start, units), _offset(before, len(before) - end, units)),
        new_text=after[start : len(after) - end],
    )


def _offset(text: str, offset: int, units: Units) -> lsp.Position:
    head = lines_of(text[:offset])
    return lsp.Position(line=len(head) - 1, character=units(head[-1]))
