"""The runs of a large tree's simulation that cannot change its result, left out of it.

A statement reports (imports.simulator) only while the module it imports from, reads or
star-imported — its *target* — is still initialising, that is, sits on the stack of
running imports below it (imports.failable). Where the statement imports its target, the
two share a strongly connected component of the static import graph; where it does not (an
attribute read through a module it never imports, a star import of one), the target is one
of the modules the statement names. Call *needed* every module of such a component, or of
a component holding such a named target.

**Left out where nothing is recorded** (`covered`: a `--no-cache` check, the cold run of a
large tree). Only the needed modules' runs are simulated, and whatever a left-out run
would report, a simulated one reports the same way. Why: take the first statement a run
from an unneeded module M reports, of module X with target T. Until then nothing unwound,
so every import begun before is either done or still on the stack. Let E be the lowest
needed module on that stack (T is one; M is not). Every module E's import ran up to the
report reaches E's component or was run from it, and none of E's component was loaded
when E began (a module of it loaded earlier would have loaded E before). So E's own run,
from its package's state, where nothing below it has run, meets the same imports in the
same order, up to the same statement, with the same modules initialising from E up: the
same report, with the same loop (a report names the loop from its target up). What M ran
before E began differs only in modules done on both sides. This assumes what the
simulator runs of a module depends only on which modules are loaded, not how they came
to be: the `try:` handlers it runs after a caught report are the exception, which is why
the *first* report is taken. It is held, not proven, on every case the tests could make:
`tests/check/test_simulation_pruning.py` against the reference simulation (every run,
nothing replayed) on random import graphs with modules outside their loops importing into
them in every order, under `try:`s and through attribute reads, and the differential fuzz
of the simulation (`tests/check/test_simulation_fuzz.py`). On a 10,000-file environment
about a fifth of the runs are left: a module outside any loop imported numpy, scipy and
pandas again in each of thousands of runs (419,644 modules executed or replayed; 35,674).

**Left out where runs are recorded** (`silent`: a first run's simulation, whose records a
later run recalls). A later run recalls a record while none of the files it read changed,
so a left-out run is recorded with what its result depends on. Only a run that cannot
report at all is left out here: from a module that reaches no module of Failable's raising
ones (imports.failable: none of its statements may meet its target initialising), whatever
the state. That holds while no file it reaches changes, so it is recorded as having read
every file it reaches. On 100,000 modules that each import only the standard library, no
run is simulated at all.
"""

from __future__ import annotations

from collections.abc import Mapping

from scaffold.check.imports.failable import Shape, components, reaching, shapes
from scaffold.check.imports.plan import PlannedRun
from scaffold.check.project import Project

__all__ = ["covered", "silent"]


def covered(project: Project, planned: list[PlannedRun]) -> dict[int, tuple[str, ...]]:
    """The numbers of `planned`'s runs whose failures the others find, each as they do:
    left out of a simulation that records nothing (no files mapped to them)."""
    found = shapes(project)
    graph = {key: shape.edges for key, shape in found.items()}
    component = components(graph)
    needed = _needed_components(found, component)
    keys = _run_keys(project, planned)
    return {
        index: ()
        for index, key in enumerate(keys)
        if key is not None and component.get(key) not in needed
    }


def silent(project: Project, planned: list[PlannedRun]) -> dict[int, tuple[str, ...]]:
    """The numbers of `planned`'s runs that cannot report from any state, each with the
    files its result depends on (every file its module reaches, its own first)."""
    found = shapes(project)
    graph = {key: shape.edges for key, shape in found.items()}
    component = components(graph)
    raising = {key for key, shape in found.items() if shape.can_raise(component)}
    loud = reaching(graph, raising)
    closures = _Closures(graph)
    pruned: dict[int, tuple[str, ...]] = {}
    for index, key in enumerate(_run_keys(project, planned)):
        if key is not None and key not in loud:
            pruned[index] = closures.reads(key)
    return pruned


def _needed_components(found: Mapping[str, Shape], component: Mapping[str, int]) -> set[int]:
    """The components a report's target may belong to."""
    needed: set[int] = set()
    for key, shape in found.items():
        mine = component[key]
        if any(component.get(loading) == mine for loading in shape.loading):
            needed.add(mine)
        needed.update(component[target] for target in shape.targets if target in component)
    return needed


def _run_keys(project: Project, planned: list[PlannedRun]) -> list[str | None]:
    """The file each planned run imports first; None for a namespace package's run, which
    only imports its parents from a fresh start (never left out: it has few)."""
    files = {(source.scope, source.module): key for key, source in project.files.items()}
    return [files.get((scope, name)) for (_, scope, name), _, _ in planned]


class _Closures:
    """Every file a module reaches in the import graph, itself first then sorted, computed
    once per module (each reached module's closure is asked for once and kept)."""

    def __init__(self, graph: Mapping[str, set[str]]) -> None:
        self.graph = graph
        self.done: dict[str, frozenset[str]] = {}

    def reads(self, key: str) -> tuple[str, ...]:
        if not self.graph.get(key):
            return (key,)
        reached = self.reached(key)
        return (key, *sorted(reached - {key}))

    def reached(self, key: str) -> frozenset[str]:
        """`key` and every module it reaches (an iterative walk: chains are long)."""
        if key in self.done:
            return self.done[key]
        seen = {key}
        todo = [key]
        while todo:
            node = todo.pop()
            known = self.done.get(node)
            if known is not None and node != key:
                seen |= known
                continue
            for successor in self.graph.get(node, ()):
                if successor not in seen:
                    seen.add(successor)
                    todo.append(successor)
        found = self.done[key] = frozenset(seen)
        return found
