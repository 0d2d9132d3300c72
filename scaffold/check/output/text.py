"""The human formats: one line per finding or counts per rule (`--statistics`), a summary."""

from __future__ import annotations

from collections import Counter

from scaffold.check.model import CheckReport, Diagnostic, Severity
from scaffold.check.output.context import RenderContext
from scaffold.errors import printable

__all__ = [
    "closing_lines",
    "finding_line",
    "plural",
    "render_statistics",
    "render_text",
    "summary",
]

_RED, _YELLOW, _BOLD, _RESET = "\033[31m", "\033[33m", "\033[1m", "\033[0m"


def plural(count: int, word: str) -> str:
    """`1 file`, `2 files`."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary(report: CheckReport) -> str:
    """The last line of the text output: what was found in how many files."""
    files = plural(report.files, "file")
    if not report.diagnostics:
        return f"All checks passed ({files} checked)."
    return (
        f"Found {plural(len(report.diagnostics), 'finding')}"
        f" ({plural(report.errors, 'error')}, {plural(report.warnings, 'warning')})"
        f" in {files}."
    )


def closing_lines(report: CheckReport, context: RenderContext) -> list[str]:
    if not context.summary:
        return []
    lines = [summary(report)]
    if context.fixed is not None:
        remaining = len(report.diagnostics)
        lines.append(f"Fixed {plural(context.fixed, 'finding')}, {remaining} remaining.")
    elif report.fixable:
        lines.append(f"[*] {report.fixable} fixable with the `--fix` option.")
    return lines


def finding_line(
    report: CheckReport,
    d: Diagnostic,
    context: RenderContext,
    shown: dict[str, str] | None = None,
) -> str:
    """`path:line:col: CODE [*] message`, coloured when the context allows; `shown` keeps
    each path as shown, for the next finding in the same file."""
    path = None if shown is None else shown.get(d.path)
    if path is None:
        path = printable(context.shown_path(report, d.path))
        if shown is not None:
            shown[d.path] = path
    where = f"{path}:{d.line}:{d.column}:"
    code = d.code
    if context.color:
        where = f"{_BOLD}{where}{_RESET}"
        code = f"{_RED if d.severity is Severity.ERROR else _YELLOW}{code}{_RESET}"
    marker = " [*]" if d.fixable else ""
    return f"{where} {code}{marker} {printable(d.message)}"


def render_text(report: CheckReport, context: RenderContext) -> str:
    """`path:line:col: CODE message` per finding, then a one-line summary."""
    shown: dict[str, str] = {}
    lines = [finding_line(report, d, context, shown) for d in report.diagnostics]
    lines.extend(closing_lines(report, context))
    return "".join(line + "\n" for line in lines)


def render_statistics(report: CheckReport, context: RenderContext) -> str:
    """Counts per rule, most frequent first, like `ruff --statistics`."""
    counts = Counter(d.code for d in report.diagnostics)
    names = {d.code: d.name for d in report.diagnostics}
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    lines = [f"{count:>5}  {code}  {names[code]}" for code, count in rows]
    lines.extend(closing_lines(report, context))
    return "".join(line + "\n" for line in lines)
