"""The `scaffold check` command body: options in, rendered report out, exit code back."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from scaffold.check.engine import CheckOptions, OutputFormat, run_check, validate_codes
from scaffold.check.report import (
    render_github,
    render_json,
    render_sarif,
    render_statistics,
    render_text,
)
from scaffold.errors import UsageError

__all__ = ["run_check_command"]


def _codes(raw: str | None, option: str) -> tuple[str, ...] | None:
    if raw is None:
        return None
    return validate_codes(raw.split(","), option)


def _use_color() -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


def run_check_command(
    paths: list[str],
    output_format: str,
    select: str | None,
    ignore: str | None,
    exit_zero: bool,
    statistics: bool,
    *,
    use_cache: bool = True,
) -> int:
    """Run the check, print the chosen rendering, return 0 (clean), 1 (findings)."""
    try:
        fmt = OutputFormat(output_format.lower())
    except ValueError:
        choices = ", ".join(f.value for f in OutputFormat)
        raise UsageError(f"unknown --format {output_format!r} (choose one of: {choices})") from None
    options = CheckOptions(
        paths=tuple(paths),
        select=_codes(select, "--select"),
        ignore=_codes(ignore, "--ignore"),
        output_format=fmt,
        exit_zero=exit_zero,
        statistics=statistics,
        use_cache=use_cache,
    )
    report = run_check(options)
    cwd = Path.cwd()
    if statistics and fmt is OutputFormat.TEXT:
        out = render_statistics(report)
    elif fmt is OutputFormat.JSON:
        out = render_json(report)
    elif fmt is OutputFormat.SARIF:
        out = render_sarif(report)
    elif fmt is OutputFormat.GITHUB:
        out = render_github(report, relative_to=cwd)
    else:
        out = render_text(report, relative_to=cwd, color=_use_color())
    sys.stdout.write(out)
    for note in report.notes:
        sys.stderr.write(f"note: {note}\n")
    sys.stdout.flush()
    return 0 if exit_zero or not report.diagnostics else 1
