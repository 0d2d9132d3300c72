"""The runs of an import-time simulation, in order, and how their failures are merged."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from scaffold.check.discover import SourceFile
from scaffold.check.imports.run_memory import RunId
from scaffold.check.model import ImportedName
from scaffold.check.project import Project

if TYPE_CHECKING:
    from scaffold.check.imports.execution import Ref
    from scaffold.check.imports.simulation import Failure

__all__ = ["ImportedModules", "PlannedRun", "first_failures", "plan_runs"]

# One run of a simulation's plan: the run, its package's (scope, name) (None: it starts from
# a fresh interpreter), the module whose run is skipped when its package loaded it.
PlannedRun = tuple[RunId, tuple[str, str] | None, str | None]


def plan_runs(starts: list[SourceFile]) -> list[PlannedRun]:
    """The runs importing each start module takes, in the order a simulation runs them.

    Importing `a.b.c` first imports `a` and `a.b`, so each package's state is computed once
    and every module below it starts from a fork of it.
    """
    planned: list[PlannedRun] = []
    packages: set[tuple[str, str]] = set()
    for source in sorted(starts, key=lambda s: (s.scope, s.module.count("."), s.module)):
        name = source.module
        if not name:
            continue
        scope = source.scope
        parent_name = name.rpartition(".")[0]
        parent = (scope, parent_name) if parent_name else None
        if parent is not None and parent not in packages:
            # A namespace package: nothing to run but its own parents, from a fresh start.
            packages.add(parent)
            planned.append((("package", *parent), None, None))
        if source.is_package:
            packages.add((scope, name))
            planned.append((("package", scope, name), parent, None))
        else:
            planned.append((("module", scope, name), parent, source.key))
    return planned


def first_failures(found: Iterable[tuple[Failure, ...]]) -> tuple[Failure, ...]:
    """Each run's failures, in the order of the runs: one per statement, as the first run to
    meet it saw it (Python stops at the first name it cannot import)."""
    failures: dict[tuple[str, Ref], Failure] = {}
    for run_failures in found:
        for failure in run_failures:
            failures.setdefault((failure.key, failure.at), failure)
    return tuple(failures.values())


class ImportedModules:
    """The modules some file's import statement names (for `from a import b`, `a` and
    `a.b`): a module outside them is imported by no other module, so the run that imports
    it first is the only one, and keeping that import for a replay is wasted (the import
    memo: 5,854 of the 6,321 runs' outermost imports kept on a 10,000-file environment were
    never replayed, a quarter of all it kept). Imports inside functions count too: a name
    more only keeps an import that may not be replayed. The names after `from a import`
    are looked at only for the modules asked about (a run's), not joined for every one."""

    def __init__(self, project: Project) -> None:
        self.modules: set[str] = set()
        self.froms: dict[str, list[tuple[ImportedName, ...]]] = {}
        for key, source in project.files.items():
            facts = project.facts.get(key)
            if facts is None:
                continue
            for imp in facts.imports:
                module = project.absolute(source, imp) if imp.level else imp.module
                if module is None:
                    continue
                self.modules.add(module)
                if imp.is_from:
                    self.froms.setdefault(module, []).append(imp.names)

    def __contains__(self, name: object) -> bool:
        if name in self.modules:
            return True
        if not isinstance(name, str):
            return False
        parent, _, last = name.rpartition(".")
        return any(alias.name == last for names in self.froms.get(parent, ()) for alias in names)
