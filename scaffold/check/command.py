"""The `scaffold check` command body: options in, rendered report out, exit code back."""

from __future__ import annotations

import dataclasses
import os
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from scaffold.check.config import FAIL_ON, Settings, nearest_config, read_settings
from scaffold.check.incremental.location import chosen_cache_dir
from scaffold.check.incremental.run import check
from scaffold.check.locations import SourceLines, locate, source_root
from scaffold.check.memory import keep_until_exit
from scaffold.check.model import CheckReport, Severity
from scaffold.check.options import CheckOptions
from scaffold.check.output import FORMATS, format_named
from scaffold.check.output.context import RenderContext
from scaffold.check.output.text import plural
from scaffold.check.pipeline import CheckedTree, CheckResult
from scaffold.check.printout import KeptPrintout, Printed, write_text
from scaffold.errors import UsageError, printable

if TYPE_CHECKING:
    from scaffold.check.discover import Tree
    from scaffold.check.incremental.ascii_verdicts import AsciiVerdicts
    from scaffold.check.incremental.store import FactsCache

__all__ = ["CheckCommand", "run_check_command", "write_rule_pages"]

COLOR_CHOICES = ("auto", "always", "never")


@dataclass(frozen=True)
class CheckCommand:
    """Everything `scaffold check` was asked, as the command line gave it."""

    paths: tuple[str, ...] = (".",)
    output_format: str = "text"
    output_file: str | None = None
    select: str | None = None
    extend_select: str | None = None
    ignore: str | None = None
    extend_ignore: str | None = None  # the same as --ignore, as ruff's
    exit_zero: bool = False
    statistics: bool = False
    fix: bool = False
    unsafe_fixes: bool = False
    diff: bool = False
    run_imports: bool = False
    use_cache: bool = True
    cache_dir: str | None = None  # --cache-dir (else $SCAFFOLD_CACHE_DIR)
    fail_on: str | None = None
    baseline: str | None = None
    update_baseline: bool = False
    add_noqa: bool = False
    color: str = "auto"
    quiet: bool = False
    silent: bool = False  # -s: no output at all, the exit code says it
    fix_only: bool = False  # fix, report nothing, exit 0 (unless exit_non_zero_on_fix)
    exit_non_zero_on_fix: bool = False  # exit 1 when --fix changed something
    show_files: bool = False
    show_settings: bool = False
    show_fixes: bool = False  # after --fix, list what was fixed per file and rule
    watch: bool = False  # check again after each change on disk, print what changed
    config: str | None = (
        None  # --config FILE: its [tool.scaffold.check] instead of each pyproject's
    )
    isolated: bool = False  # --isolated: no configuration file's settings at all
    verbose: bool = False  # -v: what was read (configuration, cache, files, time) on stderr
    stdin_filename: str | None = None  # analyse stdin as this file of its project


# The options naming one file: empty (an unset shell variable, say), each would name the
# current folder, and a report or baseline be written there, or an internal error follow.
_FILE_OPTIONS = {
    "output_file": "--output-file",
    "baseline": "--baseline",
    "config": "--config",
    "stdin_filename": "--stdin-filename",
}


def _refuse_empty_paths(command: CheckCommand) -> None:
    if "" in command.paths:
        raise UsageError("PATH is empty; name a file or folder to check (none: the current one)")
    for field, option in _FILE_OPTIONS.items():
        if getattr(command, field) == "":
            raise UsageError(f"{option} is empty; give a file name, or leave {option} out")


def _codes(raw: str | None, option: str) -> tuple[str, ...] | None:
    if raw is None:
        return None
    from scaffold.check.select import validate_codes  # the rules load only when named

    return validate_codes(raw.split(","), option)


def _use_color(when: str, to_terminal: bool) -> bool:
    """`--color`: always, never, or (auto) on a terminal unless NO_COLOR; FORCE_COLOR forces."""
    if when not in COLOR_CHOICES:
        raise UsageError(f"unknown --color {when!r} (choose one of: {', '.join(COLOR_CHOICES)})")
    if when != "auto":
        return when == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return to_terminal


def _print_diff(options: CheckOptions, command: CheckCommand) -> int:
    """`--diff`: print what `--fix` would change, write nothing; 1 when something would."""
    from scaffold.check.fix import run_fixes, unified_diff
    from scaffold.check.verbose import check_observer, describe_fixes

    unsafe_fixes = command.unsafe_fixes
    verbose = command.verbose and not (command.quiet or command.silent)
    started = time.perf_counter()
    observe = check_observer(options, sys.stderr, "--diff") if verbose else None
    result = run_fixes(options, unsafe=unsafe_fixes, write=False, observe=observe)
    sys.stdout.write(unified_diff(result.files, relative_to=Path.cwd()))
    sys.stdout.flush()
    if verbose:
        planned = [(plan.path, plan.fixed) for plan in result.files]
        seconds = time.perf_counter() - started
        write_text(sys.stderr, "".join(describe_fixes(planned, [], seconds, wrote=False)))
    sys.stderr.write(f"Would fix {plural(result.fixed, 'finding')}.\n")
    return 1 if result.files else 0


def _watch(options: CheckOptions, command: CheckCommand) -> int:
    """`--watch`: text only, and none of the one-shot modes."""
    one_shot = (
        command.fix
        or command.fix_only
        or command.diff
        or command.run_imports
        or command.statistics
        or command.add_noqa
        or command.baseline is not None
    )
    if command.output_format != "text" or one_shot:
        raise UsageError(
            "--watch prints text findings as they change; drop --format, --fix, --diff,"
            " --import, --statistics, --add-noqa and --baseline, or drop --watch"
        )
    from scaffold.check.verbose import watch_observer
    from scaffold.check.watch import watch, write_flushed

    verbose = command.verbose and not (command.quiet or command.silent)
    return watch(
        options, write_flushed, observe=watch_observer(options, sys.stderr) if verbose else None
    )


def _settings(command: CheckCommand) -> Settings | None:
    """`--config FILE`'s settings, none at all for `--isolated`, else None (discover them);
    first of all, an empty file or folder name is refused."""
    _refuse_empty_paths(command)
    if command.isolated and command.config is not None:
        raise UsageError("--config and --isolated exclude each other (give one of them)")
    if command.isolated:
        return Settings()
    return None if command.config is None else read_settings(Path(command.config))


def _fail_level(command: CheckCommand, settings: Settings | None) -> str:
    """`--fail-on`, else the `fail-on` of the nearest configuration, else any finding."""
    level = command.fail_on
    if level is not None and level not in FAIL_ON:
        raise UsageError(f"unknown --fail-on {level!r} (choose one of: {', '.join(FAIL_ON)})")
    start = Path(os.path.abspath(command.paths[0]))
    start = start if os.path.isdir(start) else start.parent
    return level or nearest_config(start, settings).fail_on or "warning"


def _exit_code(report: CheckReport, command: CheckCommand, level: str) -> int:
    if command.exit_zero:
        return 0
    fails = [d for d in report.diagnostics if level == "warning" or d.severity is Severity.ERROR]
    return 1 if fails else 0


def _run(
    command: CheckCommand,
    options: CheckOptions,
    kept: KeptPrintout | None,
    opened: list[tuple[Tree, FactsCache]],
) -> tuple[CheckReport, int | None, CheckResult | None]:
    """The report of the check (after `--fix` and `--import` when asked), how many
    findings `--fix` fixed (None when it did not run) and the check's result (None after
    `--fix`). `kept`: the check's path already discovered and its cache opened; `opened`
    is given each tree the check read through its cache, with the cache."""
    fixed: int | None = None
    checked: CheckResult | None = None
    trees: tuple[CheckedTree, ...] | None = None  # what the check saw, for --import
    verbose = command.verbose and not (command.quiet or command.silent)
    if command.fix:
        from scaffold.check.fix import run_fixes
        from scaffold.check.verbose import check_observer, describe_fixes

        started = time.perf_counter()
        observe = check_observer(options, sys.stderr, "--fix") if verbose else None
        result = run_fixes(options, unsafe=command.unsafe_fixes, observe=observe)
        assert result.report is not None
        report, fixed = result.report, result.fixed
        if verbose:
            seconds = time.perf_counter() - started
            done = [(f.path, f.fixed) for f in result.files]
            lines = describe_fixes(done, result.not_written, seconds, wrote=True)
            write_text(sys.stderr, "".join(lines))
        if command.show_fixes and not command.silent:
            write_text(sys.stderr, _fixes_shown(result.fixed_by, report.root))
    else:
        started = time.perf_counter()
        checked = check(options, () if kept is None else kept.started, opened)
        keep_until_exit(checked, opened)  # every file's facts: freed by the exit, not here
        report, trees = checked.report, checked.trees
        if verbose:
            from scaffold.check.verbose import describe_run

            seconds = time.perf_counter() - started
            write_text(sys.stderr, "".join(describe_run(trees, options, seconds, Path.cwd())))
    if command.run_imports:
        from scaffold.check.runtime import run_import_check

        report = run_import_check(options, report, trees=trees)
    return report, fixed, checked


def _kept_verdicts(opened: list[tuple[Tree, FactsCache]]) -> AsciiVerdicts | None:
    """The ASCII verdicts kept beside the (first) checked tree's cache file, when the check
    read its files through the cache (not `--no-cache`, `--stdin-filename`, `--fix`)."""
    if not opened:
        return None
    from scaffold.check.incremental.ascii_verdicts import AsciiVerdicts
    from scaffold.check.incremental.run import KnownDigests

    cache = opened[0][1]
    return AsciiVerdicts(cache.path, KnownDigests(opened), cache.fingerprint)


def _fixes_shown(fixed_by: Mapping[tuple[str, str], int], root: str) -> str:
    """`--show-fixes`: what --fix fixed, per file and rule, as ruff lists it."""
    from scaffold.check.rules import get_rule

    if not fixed_by:
        return "No findings were fixed.\n"
    lines = [f"Fixed {plural(sum(fixed_by.values()), 'finding')}:"]
    cwd = Path.cwd()
    for path in sorted({p for p, _ in fixed_by}):
        shown = os.path.relpath(os.path.join(root, path), cwd).replace(os.sep, "/")
        lines.append(f"- {shown}:")
        for (where, code), count in sorted(fixed_by.items()):
            if where == path:
                rule = get_rule(code)
                lines.append(f"    {count} x {code} ({rule.name if rule else code})")
    return "\n".join(lines) + "\n"


def _apply_baseline(command: CheckCommand, report: CheckReport, root: Path) -> CheckReport:
    """`--baseline FILE`: record the findings when FILE is missing or `--update-baseline`,
    then report only the findings FILE does not hold."""
    if command.baseline is None:
        if command.update_baseline:
            raise UsageError("--update-baseline needs --baseline FILE (the file to write)")
        return report
    from scaffold.check.baseline import apply_baseline, read_baseline, write_baseline  # json

    path = Path(command.baseline)
    if command.update_baseline or not path.exists():
        count = write_baseline(path, report, root)
        if not command.quiet:
            write_text(sys.stderr, f"Wrote {plural(count, 'finding')} to the baseline {path}.\n")
    report, hidden = apply_baseline(report, read_baseline(path))
    if hidden:
        note = f"{plural(hidden, 'finding')} in the baseline {path} not shown"
        report = dataclasses.replace(report, notes=(*report.notes, note))
    return report


def _stdin(command: CheckCommand) -> tuple[Path, bytes] | None:
    """`--stdin-filename PATH`: PATH (a Python file on disk) and the source on stdin."""
    if command.stdin_filename is None:
        return None
    writes = command.fix or command.fix_only or command.diff or command.add_noqa
    if writes or command.watch or command.run_imports or command.update_baseline:
        raise UsageError(
            "--stdin-filename checks the source on stdin and writes nothing; drop --fix,"
            " --fix-only, --diff, --add-noqa, --watch, --import and --update-baseline"
        )
    path = Path(os.path.abspath(command.stdin_filename))
    if path.suffix not in (".py", ".pyi") or not path.is_file():
        raise UsageError(
            f"--stdin-filename {command.stdin_filename!r} is not a Python file of a project"
            " (give the path of the .py file the source on stdin stands for)"
        )
    return path, sys.stdin.buffer.read()


def _options(command: CheckCommand, settings: Settings | None) -> CheckOptions:
    """What the pipeline is asked, from the command line."""
    ignores = [c for c in (command.ignore, command.extend_ignore) if c is not None]
    stdin = _stdin(command)
    return CheckOptions(
        paths=(str(stdin[0]),) if stdin else command.paths or (".",),
        select=_codes(command.select, "--select"),
        ignore=_codes(",".join(ignores), "--ignore") if ignores else None,
        extend_select=_codes(command.extend_select, "--extend-select") or (),
        use_cache=command.use_cache,
        cache_dir=chosen_cache_dir(command.cache_dir),
        settings=settings,
        stdin=stdin,
    )


def run_check_command(command: CheckCommand) -> int:
    """Run the check, print the chosen rendering, return 0 (clean) or 1 (findings that fail).

    `fix` rewrites fixable findings first and reports what is left; `diff` prints what
    `fix` would change and writes nothing (exit 1 when something would change);
    `add_noqa` silences every current finding with a noqa comment;
    `run_imports` (`--import`) imports each package in a subprocess and adds RUN001.
    """
    renderer = format_named(FORMATS, command.output_format)
    settings = _settings(command)
    level = _fail_level(command, settings)
    options = _options(command, settings)
    if command.show_files or command.show_settings:
        return _show(command, options)
    if command.watch:
        return _watch(options, command)
    if command.diff:
        return _print_diff(options, command)
    if command.fix_only:
        command = dataclasses.replace(command, fix=True)
    color = _use_color(command.color, command.output_file is None and sys.stdout.isatty())
    kept = KeptPrintout.start(command, options, level, color)
    replayed = None if kept is None else kept.replay()
    if replayed is not None:  # nothing changed since this printout
        return replayed
    opened: list[tuple[Tree, FactsCache]] = []
    report, fixed, checked = _run(command, options, kept, opened)
    if command.fix_only:
        if not (command.quiet or command.silent):
            write_text(sys.stderr, f"Fixed {plural(fixed or 0, 'finding')}.\n")
        return 1 if command.exit_non_zero_on_fix and fixed else 0
    cwd = Path.cwd()
    printed = Printed(command.output_file)
    if not (command.quiet or command.silent):
        _warn_unknown_noqa(report, cwd, printed)
    root = source_root(Path(report.root), cwd)
    report, lines = _located(command, options, report, opened, root)
    if command.add_noqa:
        return _add_noqa(report, command.quiet)
    exit_code = _exit_code(report, command, level)
    if command.exit_non_zero_on_fix and fixed:
        exit_code = 1
    if not command.silent:
        render = renderer.statistics if command.statistics else None
        context = RenderContext(
            relative_to=cwd,
            color=color,
            fixed=fixed,
            source_root=root,
            exit_code=exit_code,
            summary=not command.quiet,
            source=lambda path: lines.all(os.path.join(report.root, path)),
        )
        printed.report((render or renderer.render)(report, context))
        if not command.quiet:
            for note in report.notes:
                printed.note(f"note: {printable(note)}\n")
    if kept is not None and checked is not None:
        kept.keep(checked, printed, exit_code)
    return exit_code


def _located(
    command: CheckCommand,
    options: CheckOptions,
    report: CheckReport,
    opened: list[tuple[Tree, FactsCache]],
    root: Path,
) -> tuple[CheckReport, SourceLines]:
    """The report with its columns in code points (and fingerprints when the format or a
    baseline needs them), less the findings of `--baseline`; the source lines it read."""
    given = {} if options.stdin is None else {str(options.stdin[0]): options.stdin[1]}
    verdicts = _kept_verdicts(opened)
    lines = SourceLines(given, verdicts)
    renderer = format_named(FORMATS, command.output_format)
    fingerprints = renderer.fingerprints or command.baseline is not None
    report = _apply_baseline(command, locate(report, root, lines, fingerprints=fingerprints), root)
    if verdicts is not None:
        verdicts.save()
    return report, lines


def _warn_unknown_noqa(report: CheckReport, cwd: Path, printed: Printed) -> None:
    """A stderr warning per unknown code in a noqa comment, worded as ruff's warnings."""
    for path, line, code, nearest in report.unknown_noqa:
        shown = os.path.relpath(os.path.join(report.root, path), cwd).replace(os.sep, "/")
        hint = f" (did you mean {nearest}?)" if nearest else ""
        printed.warn(
            f"warning: Unknown rule code in a noqa comment at {shown}:{line}: {code}{hint}\n"
        )


def _show(command: CheckCommand, options: CheckOptions) -> int:
    """`--show-files` / `--show-settings`: print what the check would read; exit 0."""
    from scaffold.check.show import show_files, show_settings

    if command.show_files:
        write_text(sys.stdout, show_files(options.paths_text(), Path.cwd(), options.settings))
    if command.show_settings:
        write_text(
            sys.stdout,
            show_settings(
                options.paths_text(),
                options.select,
                options.ignore,
                options.extend_select,
                options.settings,
                run_imports=command.run_imports,
            ),
        )
    sys.stdout.flush()
    return 0


def _add_noqa(report: CheckReport, quiet: bool) -> int:
    """`--add-noqa`: silence every reported finding where it is; exit 0, as ruff does."""
    from scaffold.check.add_noqa import add_noqa

    result = add_noqa(report)
    if not quiet:
        write_text(
            sys.stderr,
            f"Added {plural(result.added, 'noqa directive')} in {plural(result.files, 'file')}.\n",
        )
        if result.skipped:
            write_text(
                sys.stderr,
                f"note: {plural(result.skipped, 'finding')} cannot take a noqa"
                " comment (folders, unparsable files, lines inside strings)\n",
            )
    return 0


def write_rule_pages(folder: Path, pages: Mapping[str, str]) -> int:
    """`scaffold rules --output-format markdown --output-dir DIR`: write each page; the count."""
    from scaffold.files import write_atomically

    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in sorted(pages.items()):
            write_atomically(folder / name, text.encode("utf-8"), 0o644)
    except OSError as exc:
        raise UsageError(f"cannot write the rule pages to {folder}: {exc.strerror or exc}") from exc
    return len(pages)
