"""The `full` format: each finding with the source lines it points at and a caret line."""

from __future__ import annotations

from collections.abc import Sequence

from scaffold.check.model import CheckReport, Diagnostic
from scaffold.check.output.context import RenderContext
from scaffold.check.output.text import closing_lines, finding_line, plural
from scaffold.errors import printable

__all__ = ["render_full"]

# Lines shown above and below a finding, as ruff's full output shows.
_CONTEXT = 2
# Related locations listed under a finding; an import cycle relates every module of its group
# (hundreds in a large tree), which the JSON and SARIF list whole.
_RELATED = 10


def _width(d: Diagnostic, lines: Sequence[str]) -> int:
    """How wide the line numbers of the finding's snippet are (1 without a snippet)."""
    return len(str(min(len(lines), d.end_line + _CONTEXT))) if lines else 1


def _snippet(d: Diagnostic, lines: Sequence[str]) -> list[str]:
    """The finding's lines with their numbers, carets under its span (code points)."""
    if not lines or d.line > len(lines):
        return []
    first = max(1, d.line - _CONTEXT)
    last = min(len(lines), d.end_line + _CONTEXT)
    width = _width(d, lines)
    out = [f"{' ' * width} |"]
    for number in range(first, last + 1):
        text = lines[number - 1].expandtabs(1)
        out.append(f"{number:>{width}} | {text}".rstrip())
        if d.line <= number <= d.end_line:
            start = d.column if number == d.line else 1
            end = d.end_column if number == d.end_line else len(text) + 1
            carets = "^" * max(1, end - start)
            label = f" {d.code}" if number == d.end_line else ""
            out.append(f"{' ' * width} | {' ' * (start - 1)}{carets}{label}")
    out.append(f"{' ' * width} |")
    return out


def _related(report: CheckReport, d: Diagnostic, context: RenderContext, width: int) -> list[str]:
    """`= path:line:col: message` per related location (an import chain's steps, a cycle's
    imports and the one to move), as ruff's full output notes help under a finding."""
    gutter = " " * width
    lines = [
        f"{gutter} = {printable(context.shown_path(report, r.path))}:{r.line}:{r.column}:"
        f" {printable(r.message)}"
        for r in d.related[:_RELATED]
    ]
    more = len(d.related) - _RELATED
    if more > 0:
        lines.append(
            f"{gutter} = ... and {plural(more, 'more related location')} (--format json lists all)"
        )
    return lines


def render_full(report: CheckReport, context: RenderContext) -> str:
    """`path:line:col: CODE message`, then the source around it with carets and its related
    locations, per finding."""
    lines: list[str] = []
    shown: dict[str, str] = {}
    for d in report.diagnostics:
        lines.append(finding_line(report, d, context, shown))
        source = context.source(d.path) if context.source is not None else ()
        lines.extend(_snippet(d, source))
        lines.extend(_related(report, d, context, _width(d, source)))
        lines.append("")
    lines.extend(closing_lines(report, context))
    return "".join(line + "\n" for line in lines)
