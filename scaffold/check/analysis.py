"""Run the rules over a resolved project: per-file checks, then the project-wide scopes.

Every rule's checks come from the registry (rules.registry), by scope. Most look at one
file at a time (and at what its imports reach); the project-wide ones run over the
per-file results where they can (the import cycles over each file's edges). Four hooks let
a caller compute some of this elsewhere or take it from an earlier run: `file_result`
gives each file's per-file result, `start_simulation` the import-time simulation's
failures, `tree_findings` the findings of the checks that see only the discovered tree,
`graph_findings` those of the checks over the import graph (`GraphChecks`: whole, or one
import cycle group at a time). Their defaults compute everything here; the incremental check
(scaffold.check.incremental) and the language server pass their own.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from scaffold.check.discover import SourceFile, Tree
from scaffold.check.imports.graph import Edge, file_edges, in_graph
from scaffold.check.imports.simulation import Failure, RunMemory, Simulation, simulate_failures
from scaffold.check.model import Finding, ModuleFacts
from scaffold.check.project import Project
from scaffold.check.rules.registry import RULES, checks_in, run_checks
from scaffold.check.rules.unit import (
    ConfigContext,
    FileContext,
    GraphContext,
    ImportTimeContext,
    Scope,
    TreeContext,
)

__all__ = [
    "NOTHING_FOUND",
    "Analysis",
    "FileResult",
    "FileResults",
    "GraphChecks",
    "GraphFindings",
    "Simulate",
    "StartSimulation",
    "TreeFindings",
    "analyse",
    "check_file",
    "check_graph",
    "check_tree",
    "compute_file",
    "import_time_starts",
    "run_graph_checks",
    "simulate_when_asked",
]


@dataclass(frozen=True, slots=True)
class FileResult:
    """What the per-file rules found in one file, and the import edges it adds to the graph."""

    findings: tuple[Finding, ...]
    # A sequence, not always a tuple: a result kept from an earlier run decodes its edges
    # only when something reads them (incremental.reuse).
    edges: Sequence[Edge]
    notes: tuple[str, ...] = ()


# The result of a file where the per-file rules found nothing and that imports no file of
# the graph: one object for every such file (a frozen result was 0.03 s per 100,000 files).
NOTHING_FOUND = FileResult((), ())


@dataclass(frozen=True, slots=True)
class Analysis:
    """Every finding of a run, each file's per-file result, and the simulation's failures."""

    findings: list[Finding]
    files: dict[str, FileResult]
    failures: list[Failure] | None  # the import-time simulation; None when IMP003 did not run


# Gives one file's per-file result: calls `compute`, or takes an earlier run's that holds.
FileResults = Callable[[Project, SourceFile, Callable[[], FileResult]], FileResult]
# The import-time simulation of the project, keeping its runs in a RunMemory if given one.
Simulate = Callable[[RunMemory | None], Simulation]
# Starts the simulation (here, in another process, or not at all when an earlier result
# holds) and gives back the function that waits for its failures.
StartSimulation = Callable[[Project, Simulate], Callable[[], Sequence[Failure]]]
# The findings of the TREE-scope checks: a function of the discovered tree alone (the
# language server keeps its tree between edits, and with it these findings).
TreeFindings = Callable[[Tree, frozenset[str]], list[Finding]]


def _released(key: str) -> Sequence[Edge]:
    raise LookupError(f"{key}: the graph's checks are done and its edges released")


class _Graph(Mapping[str, list[Edge]]):
    """The import graph, each file's edges decoded when a check first reads them."""

    def __init__(self, keys: Sequence[str], edges: Callable[[str], Sequence[Edge]]) -> None:
        self._keys = dict.fromkeys(keys)
        self._edges = edges
        self._read: dict[str, list[Edge]] = {}

    def __getitem__(self, key: str) -> list[Edge]:
        read = self._read.get(key)
        if read is None:
            if key not in self._keys:
                raise KeyError(key)
            read = self._read[key] = list(self._edges(key))
        return read

    def release(self) -> None:
        """Let go of the run's per-file results (once the checks are done): a check may
        keep the graph it saw (the contracts cache their module graph by it), and through
        the results' edges the whole project would stay in memory until the interpreter
        frees it at exit (~0.3 s on sympy)."""
        self._edges = _released

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


@dataclass(frozen=True, slots=True)
class GraphChecks:
    """The enabled GRAPH-scope checks of one run, for `graph_findings` to run.

    `keys` are the graph's files (sorted) and `edges(key)` one file's import edges. The
    checks declared `by_group` (rules.unit.Check) run over any part of the graph
    (`grouped(graph)`): over one strongly connected group's files they find that group's
    findings, over the whole graph every group's. `rest()` runs the other checks over the
    whole graph, decoding a file's edges only when one of them reads it.
    """

    keys: tuple[str, ...]
    edges: Callable[[str], Sequence[Edge]]
    grouped: Callable[[Mapping[str, list[Edge]]], list[Finding]]
    rest: Callable[[], list[Finding]]

    def whole(self) -> dict[str, list[Edge]]:
        """The whole import graph, every file's edges decoded."""
        return {key: list(self.edges(key)) for key in self.keys}

    def compute(self) -> list[Finding]:
        """Every check over the whole graph: the grouped ones' findings, then the others'."""
        return self.grouped(self.whole()) + self.rest()


# The findings of the GRAPH-scope checks: computes them (`GraphChecks.compute`), or takes
# an earlier run's that still hold and computes the rest.
GraphFindings = Callable[[Project, GraphChecks], list[Finding]]


def check_tree(tree: Tree, enabled: frozenset[str]) -> list[Finding]:
    """The enabled TREE-scope checks over `tree`."""
    return list(run_checks(Scope.TREE, TreeContext(tree), enabled))


def check_graph(project: Project, checks: GraphChecks) -> list[Finding]:
    """The default `graph_findings`: compute them."""
    return checks.compute()


def run_graph_checks(
    context: GraphContext, enabled: frozenset[str], by_group: bool
) -> list[Finding]:
    """The enabled GRAPH-scope checks declared `by_group` (or the others) over `context`."""
    return [
        finding
        for rule in RULES
        if rule.code in enabled
        for check in rule.checks
        if check.scope is Scope.GRAPH and check.by_group is by_group
        for finding in check.run(context)
    ]


def compute_file(
    project: Project, source: SourceFile, compute: Callable[[], FileResult]
) -> FileResult:
    """The default `file_result`: compute every file's result."""
    return compute()


def simulate_when_asked(project: Project, simulate: Simulate) -> Callable[[], Sequence[Failure]]:
    """The default `start_simulation`: simulate here, once the failures are asked for."""
    return lambda: simulate(None).failures


def check_file(
    project: Project, source: SourceFile, facts: ModuleFacts, enabled: frozenset[str]
) -> FileResult:
    """The per-file rules for one file (not a stub), and its import edges."""
    notes: list[str] = []
    if facts.error is not None and facts.error.kind == "skipped":
        notes.append(
            f"skipped {source.rel}: larger than max-file-size ({facts.error.detail} bytes),"
            " not parsed; raise max-file-size in [tool.scaffold.check] to check it"
        )
    scope = Scope.FILE if facts.error is None else Scope.UNPARSED
    context = FileContext(project, source, facts)
    findings = _guarded(notes, source.rel, scope, context, enabled)
    edges = file_edges(project, source) if in_graph(source) else []
    if not findings and not edges and not notes:
        return NOTHING_FOUND  # most files of a large tree: one result for them all
    return FileResult(tuple(findings), tuple(edges), tuple(notes))


def analyse(
    tree: Tree,
    project: Project,
    enabled: frozenset[str],
    *,
    file_result: FileResults = compute_file,
    start_simulation: StartSimulation = simulate_when_asked,
    tree_findings: TreeFindings = check_tree,
    graph_findings: GraphFindings = check_graph,
) -> Analysis:
    """Every finding of every enabled rule; filtering by code happens afterwards."""
    # Star-import chains and import chains are followed recursively; real trees stay far
    # below this, and anything deeper becomes a note (`_guarded`), not a crash.
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10_000))
    try:
        hooks = (file_result, start_simulation, tree_findings, graph_findings)
        return _analyse(tree, project, enabled, *hooks)
    finally:
        sys.setrecursionlimit(limit)


def _analyse(
    tree: Tree,
    project: Project,
    enabled: frozenset[str],
    file_result: FileResults,
    start_simulation: StartSimulation,
    tree_findings: TreeFindings,
    graph_findings: GraphFindings,
) -> Analysis:
    files: dict[str, FileResult] = {}
    findings: list[Finding] = []
    simulated: Callable[[], Sequence[Failure]] | None = None
    if checks_in(Scope.IMPORT_TIME, enabled):

        def simulate(memory: RunMemory | None) -> Simulation:
            return simulate_failures(project, import_time_starts(project), memory)

        # Started first: the simulation may run elsewhere while the per-file rules run here.
        simulated = start_simulation(project, simulate)
    facts = project.unrecorded  # each file's own: its result's record starts with it
    for source in tree.files:
        if source.is_stub or source.key not in facts:
            continue

        def compute(source: SourceFile = source) -> FileResult:
            return check_file(project, source, facts[source.key], enabled)

        result = file_result(project, source, compute)
        files[source.key] = result
        findings.extend(result.findings)
        tree.notes.extend(result.notes)
    findings.extend(tree_findings(tree, enabled))
    if checks_in(Scope.GRAPH, enabled):
        findings.extend(graph_findings(project, _graph_checks(tree, project, enabled, files)))
    failures: list[Failure] | None = None
    if simulated is not None:
        try:
            failures = list(simulated())
        except RecursionError:
            tree.notes.append("skipped IMP003: imports nest too deeply to analyse")
        found = ImportTimeContext(project, failures or [])
        findings.extend(run_checks(Scope.IMPORT_TIME, found, enabled))
    for config in tree.configs:
        if config.pyproject is None or not config.directory.is_relative_to(tree.base):
            continue
        rel = tree.rel(config.pyproject)
        context = ConfigContext(project, config, rel)
        findings.extend(_guarded(tree.notes, rel, Scope.CONFIG, context, enabled))
    return Analysis(findings, files, failures)


def _graph_checks(
    tree: Tree, project: Project, enabled: frozenset[str], files: Mapping[str, FileResult]
) -> GraphChecks:
    keys = tuple(sorted(source.key for source in tree.files if in_graph(source)))
    configs = tuple(tree.configs)

    def edges(key: str) -> Sequence[Edge]:
        result = files.get(key)
        return () if result is None else result.edges

    def grouped(graph: Mapping[str, list[Edge]]) -> list[Finding]:
        return run_graph_checks(GraphContext(project, graph, configs, tree.base), enabled, True)

    def rest() -> list[Finding]:
        graph = _Graph(keys, edges)
        try:
            return run_graph_checks(
                GraphContext(project, graph, configs, tree.base), enabled, False
            )
        finally:
            graph.release()

    return GraphChecks(keys, edges, grouped, rest)


def _guarded(
    notes: list[str], what: str, scope: Scope, context: object, enabled: frozenset[str]
) -> list[Finding]:
    """Run the checks of one scope; an absurdly deep tree becomes a note, never a crash."""
    try:
        return run_checks(scope, context, enabled)
    except RecursionError:
        notes.append(f"skipped {what}: imports nest too deeply to analyse")
        return []


def import_time_starts(project: Project) -> list[SourceFile]:
    """The modules IMP003 imports, each in a fresh (simulated) interpreter."""
    return [
        source
        for source in project.files.values()
        if source.module
        and not source.is_stub
        and not source.is_extension
        and not source.key.endswith("#file")
    ]
