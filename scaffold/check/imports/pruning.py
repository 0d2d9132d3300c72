"""The runs of a large tree's simulation that cannot report, left out of it.

A run is left out when its module reaches no module of Failable's raising ones
(imports.failable: none of their statements may meet its target initialising): then
nothing it imports can report, whatever the state, and the run finds nothing — the
static pass's own claim, which a skipped run of the simulation has always rested on. The
pass costs about as much as executing a module or two per file, so it is made only for
a large tree's whole simulation (split_simulation, split_recording); on 100,000 modules
that each import only the standard library it leaves out every run.

A first run records what it left out for the next one to recall, as having read every
file its module reaches: the claim holds as long as none of them changes (a change
elsewhere cannot make the module reach a raising one).

A wider pruning was tried and dropped (session 14): leaving out every run of a module
outside the loops a report's target can sit in, since the run of the first module of such
a loop on its stack meets its *first* report the same way. But a run goes on after a
report (past it, or to the handler of a `try:` that caught it), and what it meets then may
be met by no other run: the differential fuzz (tests/check/test_simulation_fuzz.py) found
a real finding lost that way, a finding CPython never reaches, and a message taken from
another loop. See docs/decisions.md.
"""

from __future__ import annotations

from collections.abc import Mapping

from scaffold.check.imports.failable import components, reaching, shapes
from scaffold.check.imports.plan import PlannedRun
from scaffold.check.project import Project

__all__ = ["silent"]


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
