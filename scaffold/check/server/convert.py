"""scaffold's diagnostics as LSP ones: positions in the client's code units, severities,
related locations, links to the rule's docs; and text changes as minimal LSP edits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lsprotocol import types as lsp

from scaffold.check.model import Diagnostic, Severity
from scaffold.check.server.plain import (
    SOURCE,
    Lines,
    TextLookup,
    Units,
    lines_of,
    position,
    span,
)

__all__ = ["Lines", "TextLookup", "Units", "lines_of", "text_edit", "to_lsp", "to_position"]

_SEVERITY = {
    Severity.ERROR: lsp.DiagnosticSeverity.Error,
    Severity.WARNING: lsp.DiagnosticSeverity.Warning,
    Severity.OFF: lsp.DiagnosticSeverity.Warning,
}


def to_position(lines: Lines | None, line: int, column: int, units: Units) -> lsp.Position:
    """A 1-based line and column as a 0-based LSP position in client units (plain.py)."""
    row, character = position(lines, line, column, units)
    return lsp.Position(line=row, character=character)


def _range(lines: Lines | None, diagnostic: Diagnostic, units: Units) -> lsp.Range:
    start_line, start, end_line, end = span(lines, diagnostic, units)
    return lsp.Range(start=lsp.Position(start_line, start), end=lsp.Position(end_line, end))


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
        at = to_position(lookup(target), where.line, where.column, units)
        location = lsp.Location(uri=target.as_uri(), range=lsp.Range(at, at))
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
