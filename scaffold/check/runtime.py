"""`scaffold check --import`: import each first-party package in a subprocess (RUN001)."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TextIO

from scaffold.check.discover import SourceFile
from scaffold.check.incremental.run import check, resolve_path
from scaffold.check.model import CheckReport, Diagnostic
from scaffold.check.options import CheckOptions
from scaffold.check.pipeline import Resolved
from scaffold.check.project import Project
from scaffold.check.rules import get_rule

__all__ = ["ImportOutcome", "import_packages", "run_import_check", "runtime_diagnostics"]

#: Seconds one package may take to import before it is reported as hanging.
DEFAULT_TIMEOUT = 10.0

# Runs in the child: results go over a pipe of their own (not stdout, which the user's code
# may write to, nor an fd a program it starts inherits: close-on-exec), one JSON line per
# module naming it; the user's code gets /dev/null for stdin, stdout and stderr.
_DRIVER = r"""
import importlib, json, os, sys, traceback
job = json.loads(sys.argv[1])
os.set_inheritable(job["fd"], False)
out = os.fdopen(job["fd"], "w", encoding="utf-8")
sys.path[:0] = job["roots"]
roots = tuple(os.path.join(os.path.realpath(r), "") for r in job["roots"])
def where(exc):
    frames = traceback.extract_tb(exc.__traceback__)
    found = None
    for frame in frames:
        # `<string>` (the star import's exec) is no file, though its realpath is in a root.
        if os.path.isfile(frame.filename) and os.path.realpath(frame.filename).startswith(roots):
            found = (os.path.realpath(frame.filename), frame.lineno or 1)
    if isinstance(exc, SyntaxError) and exc.filename:
        path = os.path.realpath(exc.filename)
        if path.startswith(roots):
            found = (path, exc.lineno or 1)
    return found
for name in job["modules"]:
    result = {"module": name}
    try:
        importlib.import_module(name)
        namespace = {}
        exec(f"from {name} import *", namespace)
        result["star"] = sorted(k for k in namespace if k != "__builtins__")
    except BaseException as exc:
        result["error"] = f"{type(exc).__name__}: {exc}".strip().splitlines()[0][:300]
        result["where"] = where(exc)
    # A line of its own even after bytes the imported code wrote without a line end.
    out.write("\n" + json.dumps(result) + "\n")
    out.flush()
out.close()
os._exit(0)
"""


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    """What importing one package did: its star-import names, or why it failed."""

    module: str
    star: tuple[str, ...] | None = None
    error: str | None = None
    where: tuple[str, int] | None = None  # the first-party file and line that raised


def import_packages(
    modules: Sequence[str], roots: Sequence[Path], *, timeout: float = DEFAULT_TIMEOUT
) -> dict[str, ImportOutcome]:
    """Import each module in a child interpreter, roots first on sys.path.

    One child imports the modules in order; when one hangs past `timeout` or ends the
    process, it is reported and a fresh child goes on with the rest. Each child leads a
    process group of its own, killed whole when it is done: a package that starts a
    background process at import leaves nothing running, and nothing holding the pipe.
    """
    outcomes: dict[str, ImportOutcome] = {}
    remaining = list(modules)
    while remaining:
        remaining = _one_child(remaining, roots, timeout, outcomes)
    return outcomes


def _one_child(
    modules: list[str], roots: Sequence[Path], timeout: float, outcomes: dict[str, ImportOutcome]
) -> list[str]:
    """Import `modules` in one child until done or one fails it; the modules left."""
    read_end, write_end = os.pipe()
    job = json.dumps({"roots": [str(r) for r in roots], "modules": modules, "fd": write_end})
    try:
        process = subprocess.Popen(
            [sys.executable, "-I", "-c", _DRIVER, job],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=str(roots[0]) if roots else None,
            pass_fds=(write_end,),
            start_new_session=True,
        )
    finally:
        os.close(write_end)
    results = os.fdopen(read_end, "r", encoding="utf-8", errors="replace")
    lines: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=_pump, args=(results, lines), daemon=True).start()
    try:
        return _collect(process, lines, modules, timeout, outcomes)
    finally:
        _kill_group(process)
        process.wait()


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):  # already gone
        os.killpg(process.pid, signal.SIGKILL)


def _pump(results: TextIO, lines: queue.Queue[str | None]) -> None:
    with results:
        for line in results:
            lines.put(line)
    lines.put(None)


def _collect(
    process: subprocess.Popen[bytes],
    lines: queue.Queue[str | None],
    modules: list[str],
    timeout: float,
    outcomes: dict[str, ImportOutcome],
) -> list[str]:
    """Read the outcome of each module, by name; return the modules a fresh child must
    still import. The first module without an outcome is the one being imported."""
    pending = list(modules)
    while pending:
        line = _next_line(process, lines, timeout)
        if line is _TIMED_OUT:
            outcomes[pending[0]] = ImportOutcome(
                pending[0], error=f"it did not finish within {timeout:g} s and was stopped"
            )
            return pending[1:]
        if line is None:
            code = process.wait()
            outcomes[pending[0]] = ImportOutcome(
                pending[0], error=f"the interpreter exited with code {code} during the import"
            )
            return pending[1:]
        outcome = _outcome(str(line), pending)
        if outcome is not None:  # else a line the imported code wrote into the pipe
            outcomes[outcome.module] = outcome
            pending.remove(outcome.module)
    return []


_TIMED_OUT = object()
_POLL = 0.05  # seconds between looks at whether the child is still there


def _next_line(
    process: subprocess.Popen[bytes], lines: queue.Queue[str | None], timeout: float
) -> object:
    """The next line, None at the end, or _TIMED_OUT. Once the child has exited its group
    is killed, so a background process it left cannot keep the pipe open."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return lines.get(timeout=_POLL)
        except queue.Empty:
            pass
        if process.poll() is not None:
            _kill_group(process)
            try:
                return lines.get(timeout=timeout)  # what is left, then the end
            except queue.Empty:
                return _TIMED_OUT  # a process that left the group holds the pipe
        if time.monotonic() >= deadline:
            return _TIMED_OUT


def _outcome(line: str, pending: list[str]) -> ImportOutcome | None:
    try:
        data = json.loads(line)
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("module") not in pending:
        return None
    where = data.get("where")
    star = data.get("star")
    return ImportOutcome(
        str(data["module"]),
        star=tuple(str(name) for name in star) if isinstance(star, list) else None,
        error=str(data["error"]) if "error" in data else None,
        where=(str(where[0]), int(where[1]))
        if isinstance(where, list) and len(where) == 2
        else None,
    )


def _packages(files: Iterable[SourceFile]) -> list[SourceFile]:
    return sorted(
        (f for f in files if f.is_package and f.selected and not f.scope and not f.is_stub),
        key=lambda f: f.module,
    )


def _diagnostic(message: str, path: str, line: int, column: int = 1) -> Diagnostic:
    rule = get_rule("RUN001")
    assert rule is not None
    args = (("what", message),)
    return Diagnostic(
        code=rule.code,
        name=rule.name,
        severity=rule.severity,
        message=rule.render(dict(args)),
        path=path,
        line=line,
        column=column,
        end_line=line,
        end_column=column,
        args=args,
    )


def runtime_diagnostics(
    trees: Iterable[Resolved], root: Path, *, timeout: float = DEFAULT_TIMEOUT
) -> list[Diagnostic]:
    """RUN001 for every package of the checked trees that fails to import or whose
    `from pkg import *` differs from its static `__all__`; paths relative to `root`."""
    result: list[Diagnostic] = []
    for resolved in trees:
        packages = _packages(resolved.tree.files)
        if not packages:
            continue
        outcomes = import_packages(
            [p.module for p in packages], resolved.tree.roots, timeout=timeout
        )
        for package in packages:
            outcome = outcomes.get(package.module)
            if outcome is not None:
                result.extend(_findings(resolved.project, package, outcome, root))
    return result


def _rel(path: Path | str, root: Path) -> str:
    return os.path.relpath(path, root).replace(os.sep, "/")


def _findings(
    project: Project, package: SourceFile, outcome: ImportOutcome, root: Path
) -> list[Diagnostic]:
    here = _rel(package.path, root)
    if outcome.error is not None:
        path, line = here, 1
        raised = ""
        if outcome.where is not None:
            path, line = _rel(outcome.where[0], root), outcome.where[1]
            raised = f" (raised in {path}:{line})"
        message = f"importing '{package.module}' fails: {outcome.error}{raised}"
        return [_diagnostic(message, path, line)]
    facts = project.facts.get(package.key)
    if outcome.star is None or facts is None or not facts.defines_all:
        return []
    static = project.all_names(package)
    if static is None:
        return []
    extra = sorted(set(outcome.star) - static)
    missing = sorted(static - set(outcome.star))
    if not extra and not missing:
        return []
    parts = []
    if extra:
        parts.append(f"binds {', '.join(extra)} which the static __all__ does not list")
    if missing:
        parts.append(f"does not bind {', '.join(missing)} which the static __all__ lists")
    span = facts.all_literals[0].span if facts.all_literals else None
    return [
        _diagnostic(
            f"at run time `from {package.module} import *` {' and '.join(parts)}",
            here,
            span.line if span else 1,
            span.column if span else 1,
        )
    ]


def _enabled(options: CheckOptions) -> bool:
    code = "RUN001"
    if options.ignore and any(code.startswith(i) for i in options.ignore):
        return False
    if options.select is None:
        return True
    return any(s == "ALL" or code.startswith(s) for s in options.select)


def run_import_check(
    options: CheckOptions,
    report: CheckReport | None = None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    trees: Sequence[Resolved] | None = None,
) -> CheckReport:
    """The static report (checked now unless given) plus RUN001 findings, sorted.

    `trees` are the paths of `options` as the check that made `report` resolved them; when
    not given, they are read again (through the cache, if on, which that check left warm).
    """
    if report is None:
        checked = check(options)
        report, trees = checked.report, checked.trees
    if not _enabled(options):
        return report
    if trees is None:
        trees = [
            resolve_path(
                Path(os.path.abspath(raw)),
                use_cache=options.use_cache,
                workers=options.workers,
                cache_dir=options.cache_dir,
            )
            for raw in options.paths
        ]
    found = runtime_diagnostics(trees, Path(report.root), timeout=timeout)
    merged = sorted({*report.diagnostics, *found}, key=Diagnostic.sort_key)
    return replace(report, diagnostics=tuple(merged))
