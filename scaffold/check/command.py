"""The `scaffold check` command body: options in, rendered report out, exit code back."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TextIO

from scaffold.check.incremental.location import CACHE_DIR_ENV
from scaffold.check.incremental.run import check
from scaffold.check.options import CheckOptions
from scaffold.check.output import FORMATS, format_named
from scaffold.check.output.context import RenderContext
from scaffold.check.output.text import plural
from scaffold.check.pipeline import CheckedTree
from scaffold.check.select import validate_codes
from scaffold.errors import UsageError

__all__ = ["run_check_command"]


def _codes(raw: str | None, option: str) -> tuple[str, ...] | None:
    if raw is None:
        return None
    return validate_codes(raw.split(","), option)


def _cache_dir(raw: str | None) -> Path | None:
    """The folder `--cache-dir` (else $SCAFFOLD_CACHE_DIR) names, refused when it is a file."""
    option = "--cache-dir"
    if raw is None:
        raw, option = os.environ.get(CACHE_DIR_ENV) or None, CACHE_DIR_ENV
    if raw is None:
        return None
    path = Path(os.path.abspath(raw))
    if path.exists() and not path.is_dir():
        raise UsageError(f"{option} {raw!r} is not a folder (give a folder to keep the cache in)")
    return path


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


def _print_diff(options: CheckOptions, unsafe_fixes: bool) -> int:
    """`--diff`: print what `--fix` would change, write nothing; 1 when something would."""
    from scaffold.check.fix import run_fixes, unified_diff

    result = run_fixes(options, unsafe=unsafe_fixes, write=False)
    sys.stdout.write(unified_diff(result.files, relative_to=Path.cwd()))
    sys.stdout.flush()
    sys.stderr.write(f"Would fix {plural(result.fixed, 'finding')}.\n")
    return 1 if result.files else 0


def _watch(options: CheckOptions, output_format: str, other_mode: bool) -> int:
    """`--watch`: text only, and none of the one-shot modes."""
    if output_format != "text" or other_mode:
        raise UsageError(
            "--watch prints text findings as they change; drop --format, --fix, --diff,"
            " --import and --statistics, or drop --watch"
        )
    from scaffold.check.watch import watch, write_flushed

    return watch(options, write_flushed)


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
    cache_dir: str | None = None,
    watch: bool = False,
) -> int:
    """Run the check, print the chosen rendering, return 0 (clean), 1 (findings).

    `fix` rewrites fixable findings first and reports what is left; `diff` prints what
    `fix` would change and writes nothing (exit 1 when something would change);
    `run_imports` (`--import`) imports each package in a subprocess and adds RUN001;
    `cache_dir` (`--cache-dir`, else $SCAFFOLD_CACHE_DIR) is where the cache is kept.
    `watch` checks again after each change on disk and prints what changed.
    """
    renderer = format_named(FORMATS, output_format)
    options = CheckOptions(
        paths=tuple(paths),
        select=_codes(select, "--select"),
        ignore=_codes(ignore, "--ignore"),
        use_cache=use_cache,
        cache_dir=_cache_dir(cache_dir),
    )
    if watch:
        return _watch(options, output_format, fix or diff or run_imports or statistics)
    if diff:
        return _print_diff(options, unsafe_fixes)
    fixed: int | None = None
    trees: tuple[CheckedTree, ...] | None = None  # what the check saw, for --import
    if fix:
        from scaffold.check.fix import run_fixes

        result = run_fixes(options, unsafe=unsafe_fixes)
        assert result.report is not None
        report, fixed = result.report, result.fixed
    else:
        checked = check(options)
        report, trees = checked.report, checked.trees
    if run_imports:
        from scaffold.check.runtime import run_import_check

        report = run_import_check(options, report, trees=trees)
    render = renderer.statistics if statistics and renderer.statistics else renderer.render
    context = RenderContext(relative_to=Path.cwd(), color=_use_color(), fixed=fixed)
    _write(sys.stdout, render(report, context))
    for note in report.notes:
        _write(sys.stderr, f"note: {note}\n")
    sys.stdout.flush()
    return 0 if exit_zero or not report.diagnostics else 1
