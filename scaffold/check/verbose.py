"""`scaffold check -v`: what a run read — configuration, cache, file counts, time — and, for
`--fix`, `--diff` and `--watch`, what each of their checks read and what they wrote, for stderr."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from scaffold.check.incremental.location import CacheLocation
from scaffold.check.options import CheckOptions
from scaffold.check.output.text import plural
from scaffold.check.pipeline import CheckedTree, CheckResult

__all__ = ["check_observer", "describe_fixes", "describe_run", "watch_observer"]


def describe_run(
    trees: Sequence[CheckedTree], options: CheckOptions, seconds: float, cwd: Path
) -> list[str]:
    """The `-v` lines of one run, each starting `verbose: `, paths relative to `cwd`."""
    lines = [*_configuration(trees, options, cwd)]
    for checked in trees:
        lines.append(_cache(checked, options, cwd))
    files = sum(1 for checked in trees for f in checked.tree.files if not f.is_extension)
    reported = len({f.path for checked in trees for f in checked.tree.files if f.selected})
    lines.append(f"files: {files} read, {reported} reported on")
    lines.append(f"time: {seconds:.2f} s")
    return [f"verbose: {line}\n" for line in lines]


def check_observer(
    options: CheckOptions, stream: TextIO, what: str
) -> Callable[[CheckResult, float], None]:
    """For `--fix`/`--diff`: each check they make, numbered, then what it read."""
    count = 0

    def observe(checked: CheckResult, seconds: float) -> None:
        nonlocal count
        count += 1
        cwd = Path.cwd()
        stream.write(f"verbose: {what}: check {count}\n")
        stream.write("".join(describe_run(checked.trees, options, seconds, cwd)))

    return observe


def watch_observer(
    options: CheckOptions, stream: TextIO
) -> Callable[[CheckResult, float, list[str]], None]:
    """For `--watch`: the changed files that started each check, then what it read."""

    def observe(checked: CheckResult, seconds: float, changed: list[str]) -> None:
        cwd = Path.cwd()
        if changed:
            shown = ", ".join(_shown(Path(path), cwd) for path in changed)
            stream.write(f"verbose: changed: {shown}\n")
        stream.write("".join(describe_run(checked.trees, options, seconds, cwd)))
        stream.flush()

    return observe


def describe_fixes(
    files: Sequence[tuple[Path, int]], not_written: Sequence[str], seconds: float, *, wrote: bool
) -> list[str]:
    """The `-v` lines after `--fix` (`wrote`) or `--diff`: each file with the findings its
    fixes address, each file left alone and why, and the whole run's time."""
    cwd = Path.cwd()
    verb = "fixed" if wrote else "would fix"
    lines = [f"{verb}: {_shown(path, cwd)} ({plural(count, 'finding')})" for path, count in files]
    if not files:
        lines.append(f"{verb}: no file")
    lines.extend(f"skipped: {reason}" for reason in not_written)
    lines.append(f"total time: {seconds:.2f} s")
    return [f"verbose: {line}\n" for line in lines]


def _shown(path: Path, cwd: Path) -> str:
    return os.path.relpath(path, cwd).replace(os.sep, "/")


def _configuration(trees: Sequence[CheckedTree], options: CheckOptions, cwd: Path) -> list[str]:
    settings = options.settings
    if settings is not None:
        if settings.file is None:
            return ["configuration: none (--isolated)"]
        return [f"configuration: {_shown(settings.file, cwd)} (--config)"]
    found = sorted(
        {c.pyproject for checked in trees for c in checked.tree.configs if c.pyproject},
        key=str,
    )
    if not found:
        return ["configuration: no pyproject.toml found, the defaults"]
    return [f"configuration: {_shown(path, cwd)}" for path in found]


def _cache(checked: CheckedTree, options: CheckOptions, cwd: Path) -> str:
    """Whether the cache was used for one checked path, and how much of it."""
    if not options.use_cache:
        return "cache: not used (--no-cache)"
    where = _shown(CacheLocation.of(checked.tree, options.cache_dir).file, cwd)
    parsed_now = getattr(checked.facts, "parsed_now", None)
    parsed = len(parsed_now()) if callable(parsed_now) else len(checked.facts)
    files = sum(1 for f in checked.tree.files if not f.is_extension)
    outcome = "the stored report kept" if checked.analysis is None else "the rules ran"
    return f"cache: {where} ({parsed} of {files} files parsed, {outcome})"
