"""The GitHub Actions format: one `::error`/`::warning` workflow command per finding."""

from __future__ import annotations

from scaffold.check.model import CheckReport, Severity
from scaffold.check.output.context import RenderContext
from scaffold.errors import printable

__all__ = ["render_github"]


def _escape_data(text: str) -> str:
    # Line breaks are the protocol's to escape (a message may span lines); any other
    # control character would reach the workflow log raw.
    return printable(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(report: CheckReport, context: RenderContext) -> str:
    """GitHub Actions workflow commands: `::error file=...,line=...::message`."""
    lines = []
    for d in report.diagnostics:
        kind = "error" if d.severity is Severity.ERROR else "warning"
        path = _escape_property(context.shown_path(report, d.path))
        props = (
            f"file={path},line={d.line},col={d.column},endLine={d.end_line},"
            f"endColumn={d.end_column},title={_escape_property(d.code + ' ' + d.name)}"
        )
        lines.append(f"::{kind} {props}::{_escape_data(d.code + ' ' + d.message)}")
    return "".join(line + "\n" for line in lines)
