"""`scaffold check --fix`: rewrite the spans of fixable findings, verify, write atomically."""

from __future__ import annotations

import ast
import difflib
import io
import os
import time
import tokenize
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from scaffold.check.discover import SourceFile
from scaffold.check.incremental.run import check
from scaffold.check.model import CheckReport, Diagnostic
from scaffold.check.options import CheckOptions
from scaffold.check.pipeline import CheckResult
from scaffold.check.project import Project
from scaffold.check.rules import RULES
from scaffold.check.rules.unit import FixContext, Fixer, FixKind
from scaffold.edit import apply_edits
from scaffold.files import NotReplaced, read_regular, replace_contents
from scaffold.interrupts import interrupts_deferred, stops_interrupt

__all__ = [
    "CheckObserver",
    "FileFix",
    "FixInterrupted",
    "FixResult",
    "fix_codes",
    "fix_text",
    "interrupted_after",
    "plan_fixes",
    "read_for_edit",
    "run_fixes",
    "unified_diff",
    "write_fix",
]

# A fix can reveal another (an added name makes a sorted __all__ unsorted); a few rounds
# settle every case the fixers know, and the limit keeps a fixer bug from looping forever.
_ROUNDS = 4


def fix_codes(*, unsafe: bool) -> frozenset[str]:
    """The codes `--fix` rewrites: the safe fixes, plus the unsafe ones when asked."""
    kinds = {FixKind.SAFE, FixKind.UNSAFE} if unsafe else {FixKind.SAFE}
    return frozenset(rule.code for rule in RULES if rule.fix in kinds)


@dataclass
class FileFix:
    """One file's content before and after fixing, and how many findings the edit fixes."""

    path: Path
    before: str
    after: str
    fixed: int = 0
    encoding: str = "utf-8"
    newline: str = "\n"
    #: The file's bytes as read; it is rewritten only if it still holds them.
    original: bytes | None = None

    def encoded(self) -> bytes:
        """The new content in the file's own encoding and newline style."""
        return self.after.replace("\n", self.newline).encode(self.encoding)


@dataclass
class FixResult:
    """What `--fix` did (or, with `--diff`, would do) and the report of a check after it."""

    files: list[FileFix] = field(default_factory=list)
    report: CheckReport | None = None
    #: Files left unfixed, each with why (changed meanwhile, read-only, cannot encode ...).
    not_written: list[str] = field(default_factory=list)
    #: Every file written so far, in order (an interrupted run names them).
    written: list[Path] = field(default_factory=list)
    fixed_count: int | None = None  # measured by checking again, when the fixes were written
    # How many findings of each (path, code) the fixes removed, for `--show-fixes`.
    fixed_by: Counter[tuple[str, str]] = field(default_factory=Counter)

    @property
    def fixed(self) -> int:
        """Number of findings fixed (with `--diff`: that the fixes address)."""
        if self.fixed_count is not None:
            return self.fixed_count
        return sum(f.fixed for f in self.files)


class FixInterrupted(KeyboardInterrupt):
    """A Ctrl-C during `--fix`; `summary` says which files were fixed, the others are as
    they were (each file is replaced whole, so none is half-fixed)."""

    def __init__(self, written: Sequence[Path], not_written: Sequence[str]) -> None:
        super().__init__()
        self.written = tuple(dict.fromkeys(written))  # a file fixed in two rounds: once
        self.not_written = tuple(not_written)

    @property
    def summary(self) -> str:
        """The lines the command prints instead of a bare "Interrupted."."""
        lines = [interrupted_after(self.written, "fixing", "fixed", "no file was fixed")]
        lines += [f"  {reason}" for reason in self.not_written]
        return "\n".join(lines)


def interrupted_after(written: Sequence[Path], doing: str, done: str, nothing: str) -> str:
    """What an interrupted command that rewrites files whole says it had done: "Interrupted
    after <doing> N files; every other file is as it was:" and a line per file ("<done>:
    path"), or "Interrupted; <nothing>." when it had written none."""
    if not written:
        return f"Interrupted; {nothing}."
    count = len(written)
    lines = [
        f"Interrupted after {doing} {count} file{'' if count == 1 else 's'};"
        " every other file is as it was:"
    ]
    cwd = os.getcwd()
    lines += [f"  {done}: {os.path.relpath(path, cwd)}" for path in written]
    return "\n".join(lines)


# --- reading and writing ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Source:
    text: str  # newlines normalised to \n
    encoding: str
    newline: str
    data: bytes  # as read


def read_for_edit(path: Path) -> _Source | None:
    """The file's text with `\\n` newlines; None when it cannot be edited faithfully."""
    try:
        data = read_regular(path)
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
    except (OSError, SyntaxError, UnicodeDecodeError, LookupError):
        return None
    if encoding == "utf-8" and text.startswith("\ufeff"):
        return None  # a BOM under a cookie: leave such a file to a human
    crlf = text.count("\r\n")
    if crlf and (crlf != text.count("\n") or crlf != text.count("\r")):
        return None  # mixed newlines: any rewrite would change some of them
    if not crlf and "\r" in text:
        return None  # old Mac newlines
    return _Source(text.replace("\r\n", "\n"), encoding, "\r\n" if crlf else "\n", data)


def write_fix(plan: FileFix) -> None:
    """Give a user's file its planned content: the one way `--fix` and `--add-noqa` write
    one. Atomic, through symlinks, keeping mode, owner and group; NotReplaced when the file
    changed since it was read or cannot be rewritten as the same file, UnicodeEncodeError
    when its encoding cannot hold the text, OSError otherwise."""
    data = plan.encoded()
    expected = plan.original if plan.original is not None else plan.path.read_bytes()
    replace_contents(plan.path, data, expected=expected)


def _parses(text: str) -> bool:
    try:
        ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


# --- planning and applying ----------------------------------------------------------------------


def plan_fixes(checked: CheckResult, codes: frozenset[str]) -> list[FileFix]:
    """Each file's fixed text (verified to parse) for the findings of `codes` in a check."""
    plans: dict[Path, FileFix] = {}
    for one in checked.trees:
        by_rel = {f.rel: f for f in one.tree.files if not f.is_stub}
        found: dict[str, list[Diagnostic]] = {}
        for diagnostic in one.diagnostics:
            if diagnostic.code in codes and diagnostic.path in by_rel:
                found.setdefault(diagnostic.path, []).append(diagnostic)
        for rel, diagnostics in sorted(found.items()):
            source = by_rel[rel]
            if source.path in plans:
                continue
            plan = _fix_file(source, one.project, diagnostics)
            if plan is not None:
                plans[source.path] = plan
    return [plans[p] for p in sorted(plans)]


def _fix_file(source: SourceFile, project: Project, found: list[Diagnostic]) -> FileFix | None:
    """Run each rule's fixer over its findings in one file; None when nothing can change."""
    read = read_for_edit(source.path)
    if read is None:
        return None
    fixed = fix_text(read.text, source, project, found)
    if fixed is None:
        return None
    after, count = fixed
    return FileFix(source.path, read.text, after, count, read.encoding, read.newline, read.data)


def fix_text(
    text: str, source: SourceFile, project: Project, found: Sequence[Diagnostic]
) -> tuple[str, int] | None:
    """`text` (newlines `\\n`) with the fixes of `found` applied, and how many findings they
    fix; None when nothing changes or the result would not parse."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    context = FixContext(text, tree, source, project)
    for fixer, diagnostics in _by_fixer(found):
        fixer(context, diagnostics)
    try:
        after = apply_edits(text, context.edits)
    except ValueError:
        return None  # overlapping edits: the next round picks up what is left
    fixed = context.fixed
    for rewrite, count in context.rewrites:
        rewritten = rewrite(after)
        if rewritten is not None:
            after, fixed = rewritten, fixed + count
    if after == text or not _parses(after):
        return None
    return after, fixed


def _by_fixer(found: Sequence[Diagnostic]) -> list[tuple[Fixer, list[Diagnostic]]]:
    """The findings of each fixer, in rule order; rules that share a fixer share one call."""
    groups: dict[int, tuple[Fixer, list[Diagnostic]]] = {}
    for rule in RULES:
        if rule.fixer is None:
            continue
        mine = [d for d in found if d.code == rule.code]
        if mine:
            groups.setdefault(id(rule.fixer), (rule.fixer, []))[1].extend(mine)
    return list(groups.values())


# Told of each check a fix run makes and how long it took (`-v`).
CheckObserver = Callable[[CheckResult, float], None]


def _check(options: CheckOptions, observe: CheckObserver | None) -> CheckResult:
    started = time.perf_counter()
    checked = check(options)
    if observe is not None:
        observe(checked, time.perf_counter() - started)
    return checked


def run_fixes(
    options: CheckOptions,
    *,
    unsafe: bool = False,
    write: bool = True,
    observe: CheckObserver | None = None,
) -> FixResult:
    """Fix in rounds until no fixable finding is left, checking again after each round.

    Each round plans from one check (its trees, facts and projects; through the cache, so a
    round after the first parses only the files the last one wrote). With `write=False`
    (`--diff`) one round is planned in memory (the next round's check would read the files,
    which are not written) and no report is made. `observe` is told of each check.
    """
    codes = fix_codes(unsafe=unsafe)
    result = FixResult()
    originals: dict[Path, FileFix] = {}
    try:
        checked, initial = _fix_rounds(options, codes, write, observe, result, originals)
    except KeyboardInterrupt:
        # Say what changed: up to every file may already be fixed, each one whole.
        raise FixInterrupted(result.written, result.not_written) from None
    result.files = [originals[p] for p in sorted(originals)]
    if write:
        report = result.report = replace(
            checked.report, notes=(*checked.report.notes, *result.not_written)
        )
        # Count what disappeared rather than what the fixers meant to fix: a repeat dropped
        # from `__all__` can also make it sorted, and that fixes its EXP007 too.
        left = Counter(_identity(d) for d in report.diagnostics)
        before = Counter(_identity(d) for d in initial.diagnostics)
        for (path, code, _), n in before.items():
            gone = max(0, n - left.get((path, code, _), 0))
            if gone:
                result.fixed_by[(path, code)] += gone
        result.fixed_count = sum(result.fixed_by.values())
    return result


def _fix_rounds(
    options: CheckOptions,
    codes: frozenset[str],
    write: bool,
    observe: CheckObserver | None,
    result: FixResult,
    originals: dict[Path, FileFix],
) -> tuple[CheckResult, CheckReport]:
    """Check and fix until nothing fixable is left; the last check and the first report."""
    left_alone: set[Path] = set()  # not written once: their findings stay for the user
    checked = _check(options, observe)
    initial = checked.report
    written: set[str] | None = None  # files the last round wrote, relative to the report
    for _ in range(_ROUNDS if write else 1):
        if not any(
            d.code in codes and (written is None or d.path in written)
            for d in checked.report.diagnostics
        ):
            break  # what is left was left by a fixer that will decide the same again
        plans = [p for p in plan_fixes(checked, codes) if p.path not in left_alone]
        with stops_interrupt():  # a SIGTERM between two files: named as a Ctrl-C's are
            done = _apply(plans, result, left_alone) if write else plans
        _merge_plans(originals, done)
        if not done or not write:
            break
        checked = _check(options, observe)
        written = {_rel_to(plan.path, checked.report.root) for plan in done}
    return checked, initial


def _apply(plans: list[FileFix], result: FixResult, left_alone: set[Path]) -> list[FileFix]:
    """Write each plan; the ones written. A file not written is noted and left alone."""
    done: list[FileFix] = []
    written: set[str] = set()
    for plan in plans:
        real = os.path.realpath(plan.path)
        if real in written:
            # The same file under a second name (a link in the tree): fixed by the first
            # write, which this plan, made from the old text, would take for a user's edit.
            continue
        with interrupts_deferred() as interrupts:
            # The write and the line recording it run whole, so an interrupted run names
            # exactly the files it fixed.
            problem = _write(plan)
            if problem is None:
                result.written.append(plan.path)
        if interrupts.arrived:
            raise KeyboardInterrupt
        if problem is None:
            done.append(plan)
            written.add(real)
        else:
            result.not_written.append(problem)
            left_alone.add(plan.path)
    return done


def _merge_plans(originals: dict[Path, FileFix], plans: list[FileFix]) -> None:
    """Fold a round's plans into each file's first: its text before, the latest after."""
    for plan in plans:
        first = originals.get(plan.path)
        originals[plan.path] = (
            plan
            if first is None
            else replace(first, after=plan.after, fixed=first.fixed + plan.fixed)
        )


def _write(plan: FileFix) -> str | None:
    """Write one fixed file; None when written, else why not (for a note): every file is
    fixed or reported, and the run goes on."""
    try:
        write_fix(plan)
    except UnicodeEncodeError as exc:
        return (
            f"{plan.path} not fixed: the fix needs {exc.object[exc.start : exc.end]!r},"
            f" which its encoding ({plan.encoding}) cannot hold"
        )
    except NotReplaced as exc:
        return f"not fixed: {exc}"
    except OSError as exc:
        return f"{plan.path} not fixed: {exc.strerror or exc}"
    return None


def _rel_to(path: Path, root: str) -> str:
    return os.path.relpath(path, root).replace(os.sep, "/")


def _identity(diagnostic: Diagnostic) -> tuple[str, str, str]:
    # Lines move when a file is fixed; path, code and message say which finding it is.
    return (diagnostic.path, diagnostic.code, diagnostic.message)


def unified_diff(files: Iterable[FileFix], relative_to: Path | None = None) -> str:
    """A unified diff of every fixed file, paths relative to `relative_to`."""
    chunks: list[str] = []
    for fix in files:
        shown = str(fix.path)
        if relative_to is not None:
            shown = os.path.relpath(fix.path, relative_to).replace(os.sep, "/")
        lines: Sequence[str] = list(
            difflib.unified_diff(
                fix.before.splitlines(keepends=True),
                fix.after.splitlines(keepends=True),
                fromfile=f"a/{shown}",
                tofile=f"b/{shown}",
            )
        )
        chunks.append("".join(line if line.endswith("\n") else line + "\n" for line in lines))
    return "".join(chunks)
