"""The runs of a large tree's simulation that cannot change its result, left out of it.

A statement reports (imports.simulator) only while the module it imports from, reads or
star-imported — its *target* — is still initialising, that is, sits on the stack of
running imports below it (imports.failable). Where the statement imports its target, the
two share a strongly connected component of the static import graph; where it does not (an
attribute read through a module it never imports, a star import of one), the target is one
of the modules the statement names. Call *needed* every module of such a component, or of
a component holding such a named target.

**Left out where nothing is recalled** (`covered`: a `--no-cache` check, the cold run of a
large tree). A run from a module outside the needed ones starts no stack on a target: the
lowest needed module on the stack when a statement reports was imported from outside the
needed ones, by a module whose run the same statement then meets again, as the first module
of its own run. That module's run starts from its package's state, where nothing below it
had run yet, and walks the same imports up to the statement, so it reports the statement,
with the same loop. So only the needed modules' runs are simulated: about a fifth of a
10,000-file environment's, where a module outside any loop imports numpy, scipy and pandas
again in each of its thousands of runs. `tests/check/test_simulation_pruning.py` holds the
result to the whole simulation's on trees made to break it, and the differential fuzz
(`tests/check/test_simulation_fuzz.py`) on random ones.

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
