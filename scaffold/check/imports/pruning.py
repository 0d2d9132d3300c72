"""The runs of a large tree's simulation that cannot report, left out of it.

`silent`: a run is left out when its module imports no first-party module, anywhere in it
(and imports nothing relative): it executes only itself, and a report needs a module still
initialising below the statement that reads it, which only a first-party import can put
there (imports.failable). So the run finds nothing, whatever ran before it. Keep this in
step with the simulator: a report that needs no first-party import would break it
(`tests/check/test_simulation_fuzz.py` compares the simulation with and without it). The test is a
lookup per import statement, so it is made for every large tree's whole simulation
(split_simulation, split_recording); on 100,000 modules that each import only the
standard library it leaves out every run, and the simulation runs none.

A first run records what it left out for the next one to recall, as having read its own
file: the claim holds until that file changes (a file added or removed, which could make
an import first-party, drops every stored run).

`Entries`: a cold check of a tree with thousands of runs simulates them in two rounds —
the runs of the modules of the loops that may report, then only those of the others that
reach a loud run of the first round through modules outside the loops (the argument is on
the class). It needs a static pass over every module's statements (~0.3 s on a 10,000-file
environment), so it is made only for many runs, and not for a first run's record, whose
left-out runs would have to name every file they can reach.

Session 14 dropped a first form of it (`covered`: every run outside the loops left out, with
no second round): a run goes on after a report (past it, or to the handler of a `try:`
that caught it), and what it meets then may be met by no other run — the differential
fuzz found a real finding lost that way, one CPython never reaches, and a message taken
from another loop (docs/decisions.md). The second round is what those cases need.
"""

from __future__ import annotations

from collections.abc import Iterable

from scaffold.check.imports.failable import loops, reaching
from scaffold.check.imports.plan import PlannedRun
from scaffold.check.imports.run_memory import RunId
from scaffold.check.model import ImportFact
from scaffold.check.project import Project

__all__ = ["Entries", "silent"]


def silent(project: Project, planned: list[PlannedRun]) -> dict[int, tuple[str, ...]]:
    """The numbers of `planned`'s runs whose module imports no first-party module, each with
    the file its result depends on (its own)."""
    first_party: dict[tuple[str, str], bool] = {}
    left_out: dict[int, tuple[str, ...]] = {}
    get = project.facts.get
    for index, key in enumerate(_run_keys(project, planned)):
        if key is None:
            continue
        facts = get(key)
        if facts is not None and facts.error is None:
            scope = project.files[key].scope
            if any(_imports_first_party(project, imp, scope, first_party) for imp in facts.imports):
                continue
        left_out[index] = (key,)
    return left_out


def _imports_first_party(
    project: Project, imp: ImportFact, scope: str, known: dict[tuple[str, str], bool]
) -> bool:
    if imp.level:
        return True
    top = imp.module.partition(".")[0]
    found = known.get((top, scope))
    if found is None:
        # A module of the project, or a namespace package a first-party submodule is below.
        found = known[top, scope] = project.is_first_party(top, scope) or (
            project.find(top, scope) is not None
        )
    return found


def _run_keys(project: Project, planned: list[PlannedRun]) -> list[str | None]:
    """The file each planned run imports first; None for a namespace package's run, which
    only imports its parents from a fresh start (never left out: it has few)."""
    files = {(source.scope, source.module): key for key, source in project.files.items()}
    return [files.get((scope, name)) for (_, scope, name), _, _ in planned]


class Entries:
    """A simulation in two rounds: the runs of the modules of the loops that may report
    (`failable.loops`) first, then only the other runs that can reach, through modules
    outside those loops, a run of the first round that met a failure `Simulator.loud`
    counts (reported, or caught where it leaves a trace).

    Why the others are left out. Every report is made in such a loop, or after a failure
    that removed a module (a read through a removed package), which is loud. A run of a
    module outside the loops enters a loop at the first of its modules it imports (its
    entry), through modules outside every such loop; entered there, the loop runs as in the
    entry's own run (simulated first): none of its modules was imported before (entering at
    any of them imports them all), no module it finds still initialising lies outside it,
    and the modules below it that were imported before came out as they would now while no
    run met a failure there. So when no run the other can reach that way was loud, the
    other run meets no failure either and reports nothing. A loud run changes what follows
    it (a dropped module imported again or read through, a run going on past a failure):
    those who reach it, and the runs below a package whose run reaches it (they start from
    its state), are simulated in the second round. On a 10,000-file environment the first
    round holds ~2,750 of ~9,200 runs and the second ~80 (docs/decisions.md, session 15)."""

    def __init__(self, project: Project, planned: list[PlannedRun], running: list[int]) -> None:
        self.graph, needed = loops(project)
        self.needed = needed
        self.keys = _run_keys(project, planned)
        first = [i for i in running if (key := self.keys[i]) is None or key in needed]
        self.first = first
        chosen = set(first)
        self.rest = [i for i in running if i not in chosen]
        self.by_run = {planned[i][0]: key for i, key in enumerate(self.keys) if key}
        self.planned = planned

    def second(self, loud: Iterable[RunId]) -> list[int]:
        """The runs left out of the first round that reach one of its `loud` runs."""
        roots = {key for run in loud if (key := self.by_run.get(run)) is not None}
        if not roots or not self.rest:
            return []
        # Through modules outside the loops: a loop's own runs were all in the first round.
        reach = reaching(self.graph, roots, self.needed)
        keys, planned = self.keys, self.planned
        # A run starts from its package's state: one that reaches a loud run (a caught
        # failure there may have removed a module the run then reads through) taints every
        # run below it, whatever those import.
        packages = {
            (scope, name): parent
            for ((kind, scope, name), parent, _) in planned
            if kind == "package"
        }
        by_run = self.by_run
        tainted: dict[tuple[str, str], bool] = {}

        def below_loud(package: tuple[str, str] | None) -> bool:
            if package is None:
                return False
            if package not in tainted:
                key = by_run.get(("package", *package))
                tainted[package] = key in reach or below_loud(packages.get(package))
            return tainted[package]

        return [i for i in self.rest if keys[i] in reach or below_loud(planned[i][1])]
