"""The `scaffold check` command body: options in, rendered report out, exit code back."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TextIO

from scaffold.check.incremental.run import check
from scaffold.check.pipeline import CheckedTree, CheckOptions, OutputFormat
from scaffold.check.report import (
    render_github,
    render_json,
    render_sarif,
    render_statistics,
    render_text,
)
from scaffold.check.select import validate_codes
from scaffold.errors import UsageError

__all__ = ["run_check_command"]


def _codes(raw: str | None, option: str) -> tuple[str, ...] | None:
    if raw is None:
        return None
    return validate_codes(raw.split(","), option)


def _write(stream: TextIO, text: str) -> None:
    """Write even when the terminal's encoding cannot show a file name or a message."""
    try:
        stream.write(text)
    except UnicodeEncodeError:
        encoding = stream.encoding or "ascii"
        stream.write(text.encode(encoding, "backslashreplace").decode(encoding))


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
    fix: bool = False,
    unsafe_fixes: bool = False,
    diff: bool = False,
    run_imports: bool = False,
    use_cache: bool = True,
) -> int:
    """Run the check, print the chosen rendering, return 0 (clean), 1 (findings).

    `fix` rewrites fixable findings first and reports what is left; `diff` prints what
    `fix` would change and writes nothing (exit 1 when something would change);
    `run_imports` (`--import`) imports each package in a subprocess and adds RUN001.
    """
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
    cwd = Path.cwd()
    fixed: int | None = None
    trees: tuple[CheckedTree, ...] | None = None  # what the check saw, for --import
    if fix or diff:
        from scaffold.check.fix import run_fixes, unified_diff

        result = run_fixes(options, unsafe=unsafe_fixes, write=not diff)
        if diff:
            sys.stdout.write(unified_diff(result.files, relative_to=cwd))
            sys.stdout.flush()
            count = result.fixed
            sys.stderr.write(f"Would fix {count} finding{'' if count == 1 else 's'}.\n")
            return 1 if result.files else 0
        assert result.report is not None
        report = result.report
        fixed = result.fixed
    else:
        checked = check(options)
        report, trees = checked.report, checked.trees
    if run_imports:
        from scaffold.check.runtime import run_import_check

        report = run_import_check(options, report, trees=trees)
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
    if fixed is not None and fmt is OutputFormat.TEXT:
        remaining = len(report.diagnostics)
        out += f"Fixed {fixed} finding{'' if fixed == 1 else 's'}, {remaining} remaining.\n"
    _write(sys.stdout, out)
    for note in report.notes:
        _write(sys.stderr, f"note: {note}\n")
    sys.stdout.flush()
    return 0 if exit_zero or not report.diagnostics else 1
