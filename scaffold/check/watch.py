"""`scaffold check --watch`: check, then check again whenever a file changes on disk,
printing only the findings that appeared or went away."""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

from scaffold.check.ignores import git_exclude_files
from scaffold.check.incremental.location import CACHE_DIR
from scaffold.check.incremental.run import check
from scaffold.check.model import CheckReport, Diagnostic
from scaffold.check.options import CheckOptions
from scaffold.check.output.context import RenderContext
from scaffold.check.output.text import plural, render_text, summary
from scaffold.check.pipeline import CheckResult
from scaffold.check.walk import git_top

__all__ = ["changed_lines", "changed_paths", "exclude_files", "watch", "write_flushed"]

WatchFilter = Callable[[object, str], bool]

# What can change a finding: sources, and what configures discovery and the rules.
_WATCHED_NAMES = frozenset({"pyproject.toml", ".gitignore"})
_WATCHED_SUFFIXES = (".py", ".pyi")
# How long the watcher waits for a change before an idle tick (the first tick starts the
# first check once the watcher runs).
_IDLE_MS = 300


def _relevant(change: object, path: str) -> bool:
    parts = Path(path).parts
    if CACHE_DIR in parts:
        return False  # the check's own writes (the cache's .gitignore) start no check
    return parts[-1] in _WATCHED_NAMES or parts[-1].endswith(_WATCHED_SUFFIXES)


def exclude_files(paths: Iterable[str | Path]) -> frozenset[str]:
    """The git exclude files outside the watched trees that decide which files a check of
    `paths` sees (`.git/info/exclude`, `core.excludesFile`), as absolute paths."""
    found: set[str] = set()
    for path in paths:
        top = git_top(Path(path).resolve())
        if top is not None:
            found.update(os.path.abspath(file) for file in git_exclude_files(top))
    return frozenset(found)


def _watched(paths: list[str], excludes: frozenset[str]) -> tuple[list[str], WatchFilter]:
    """The folders to watch and the filter of changes: the checked paths, and the folders
    of the exclude files that exist (a new `.git/info/exclude` line changes the file list
    as a `.gitignore` does, but git's folder is not a source folder and is not watched)."""
    folders = sorted({os.path.dirname(f) for f in excludes if os.path.isdir(os.path.dirname(f))})

    def relevant(change: object, path: str) -> bool:
        return os.path.abspath(path) in excludes or _relevant(change, path)

    return [*paths, *folders], relevant


def _identity(diagnostic: Diagnostic) -> tuple[str, str, str]:
    # A finding whose lines moved (a function inserted above it) is the same finding.
    return (diagnostic.path, diagnostic.code, diagnostic.message)


def changed_lines(before: CheckReport, after: CheckReport, context: RenderContext) -> str:
    """`+ path:line:col: CODE message` for each new finding, `- ...` for each gone one (at
    its old place), then the summary; nothing but the summary when nothing changed."""
    old = Counter(_identity(d) for d in before.diagnostics)
    new = Counter(_identity(d) for d in after.diagnostics)
    lines: list[str] = []
    for sign, report, gained in (("-", before, old - new), ("+", after, new - old)):
        for d in report.diagnostics:
            if gained[_identity(d)] > 0:
                gained[_identity(d)] -= 1
                where = f"{context.shown_path(report, d.path)}:{d.line}:{d.column}:"
                lines.append(f"{sign} {where} {d.code} {d.message}")
    gone = sum((old - new).values())
    came = sum((new - old).values())
    lines.append(f"{plural(came, 'new finding')}, {gone} gone. {summary(after)}")
    return "\n".join(lines) + "\n"


def changed_paths(batch: object) -> list[str]:
    """The paths of one watchfiles batch (a set of (Change, path) pairs), sorted."""
    if not isinstance(batch, Iterable):
        return []
    return sorted({str(item[1]) for item in batch if isinstance(item, tuple) and len(item) == 2})


def watch(
    options: CheckOptions,
    write: Callable[[str], object],
    changes: Iterable[object] | None = None,
    *,
    observe: Callable[[CheckResult, float, list[str]], None] | None = None,
) -> int:
    """Check and print the report, then after each batch of `changes` check again with the
    incremental engine and print what changed; returns the last check's exit code when the
    changes end (a Ctrl-C raises KeyboardInterrupt: the command says "Interrupted.").

    `changes` is watchfiles' watch of the paths when None. The first batch says the watcher
    is running and is taken for the first check, so a change made while that check runs is
    never missed; empty batches (the watcher's idle ticks) are skipped. `observe` (`-v`) is
    told of each check, its time and the changed paths that started it.
    """
    if changes is None:
        # Imported here: only --watch needs it.
        from watchfiles import watch as watch_files

        paths, relevant = _watched(
            [str(p) for p in options.paths] or ["."],
            exclude_files(options.paths or (Path("."),)),
        )
        changes = watch_files(
            *paths,
            watch_filter=relevant,
            # A Ctrl-C between checks ends the watch as one during a check does, as every
            # command ends: "Interrupted.", exit 130 (not watchfiles' own log line).
            raise_interrupt=True,
            yield_on_timeout=True,
            rust_timeout=_IDLE_MS,
        )
    context = RenderContext(relative_to=Path.cwd(), color=False)
    report: CheckReport | None = None
    for batch in changes:
        if report is None:
            report = _observed(options, observe, []).report
            write(render_text(report, context))
        elif batch:
            after = _observed(options, observe, changed_paths(batch)).report
            write(changed_lines(report, after, context))
            report = after
    return 1 if report is not None and report.diagnostics else 0


def _observed(
    options: CheckOptions,
    observe: Callable[[CheckResult, float, list[str]], None] | None,
    changed: list[str],
) -> CheckResult:
    started = time.perf_counter()
    checked = check(options)
    if observe is not None:
        observe(checked, time.perf_counter() - started, changed)
    return checked


def write_flushed(text: str) -> None:
    """Print at once: a watch's output is read as it comes."""
    sys.stdout.write(text)
    sys.stdout.flush()
