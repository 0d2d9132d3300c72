"""`scaffold check --import`: import each first-party package in a subprocess (RUN001)."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

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

# Runs in the child: protocol lines go to a private copy of stdout, and the user's code
# gets /dev/null for stdin, stdout and stderr, so nothing it prints can break a line.
_DRIVER = r"""
import importlib, json, os, sys, traceback
job = json.loads(sys.argv[1])
out = os.fdopen(os.dup(1), "w", encoding="utf-8")
null = os.open(os.devnull, os.O_RDWR)
for fd in (0, 1, 2):
    os.dup2(null, fd)
sys.path[:0] = job["roots"]
roots = tuple(os.path.join(os.path.realpath(r), "") for r in job["roots"])
def where(exc):
    frames = traceback.extract_tb(exc.__traceback__)
    found = None
    for frame in frames:
        if os.path.realpath(frame.filename).startswith(roots):
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
    out.write(json.dumps(result) + "\n")
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
    process, it is reported and a fresh child goes on with the rest.
    """
    outcomes: dict[str, ImportOutcome] = {}
    remaining = list(modules)
    cwd = str(roots[0]) if roots else None
    while remaining:
        job = json.dumps({"roots": [str(r) for r in roots], "modules": remaining})
        process = subprocess.Popen(
            [sys.executable, "-I", "-c", _DRIVER, job],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=cwd,
            text=True,
            encoding="utf-8",
        )
        lines: queue.Queue[str | None] = queue.Queue()
        reader = threading.Thread(target=_pump, args=(process, lines), daemon=True)
        reader.start()
        try:
            remaining = _collect(process, lines, remaining, timeout, outcomes)
        finally:
            if process.poll() is None:
                process.kill()
            process.wait()
            if process.stdout is not None:
                process.stdout.close()
    return outcomes


def _pump(process: subprocess.Popen[str], lines: queue.Queue[str | None]) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        lines.put(line)
    lines.put(None)


def _collect(
    process: subprocess.Popen[str],
    lines: queue.Queue[str | None],
    modules: list[str],
    timeout: float,
    outcomes: dict[str, ImportOutcome],
) -> list[str]:
    """Read one outcome per module; return the modules a fresh child must still import."""
    for index, name in enumerate(modules):
        try:
            line = lines.get(timeout=timeout)
        except queue.Empty:
            process.kill()
            outcomes[name] = ImportOutcome(
                name, error=f"it did not finish within {timeout:g} s and was stopped"
            )
            return modules[index + 1 :]
        if line is None:
            code = process.wait()
            outcomes[name] = ImportOutcome(
                name, error=f"the interpreter exited with code {code} during the import"
            )
            return modules[index + 1 :]
        data: dict[str, Any] = json.loads(line)
        where = data.get("where")
        outcomes[name] = ImportOutcome(
            name,
            star=tuple(data["star"]) if "star" in data else None,
            error=data.get("error"),
            where=(str(where[0]), int(where[1])) if where else None,
        )
    return []


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
