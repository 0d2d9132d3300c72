"""The rule registry and the rule families, run together over a resolved project.

Most rules look at one file at a time (and at what its imports reach); their results are
kept per file with the files they read, so a later run can reuse them while those files'
facts are unchanged. The project-wide rules run again each time, over those per-file
results where they can: the import cycles over each file's edges, the import-time
simulation from its own reusable result (see `scaffold.check.graph.simulation_view`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from scaffold.check.graph import (
    Edge,
    Failure,
    RunId,
    RunRecord,
    Simulation,
    asked_in,
    file_edges,
    in_graph,
    simulate_failures,
)
from scaffold.check.model import Finding, ModuleFacts
from scaffold.check.resolve import Project
from scaffold.check.rules.registry import RULES, checks_in, get_rule, run_checks
from scaffold.check.rules.unit import (
    ConfigContext,
    FileContext,
    FixKind,
    GraphContext,
    ImportTimeContext,
    Rule,
    Scope,
    TreeContext,
)
from scaffold.check.tree import SourceFile, Tree

__all__ = [
    "RULES",
    "Analysis",
    "Answers",
    "Background",
    "FileResult",
    "Finding",
    "FixKind",
    "ImportTime",
    "Rule",
    "analyse",
    "check_file",
    "get_rule",
]


# Answers of `Project.can_import` a result depends on: (module, scope, the files the
# answers were taken from, ((name, answer), ...)).
Answers = tuple[tuple[str, str, tuple[str, ...], tuple[tuple[str, bool | None], ...]], ...]


@dataclass(frozen=True, slots=True)
class FileResult:
    """What the per-file rules found in one file, and the import edges it adds to the graph.

    `reads` are the keys of every file whose facts went into it, the file's own included;
    `asks` the answers it took from other modules about single names. The result holds
    while the facts of `reads` are unchanged and the `asks` get the same answers.
    """

    findings: tuple[Finding, ...]
    edges: tuple[Edge, ...]
    reads: tuple[str, ...]
    notes: tuple[str, ...] = ()
    asks: Answers = ()

    def answers_hold(self, project: Project, changed: frozenset[str]) -> bool:
        """Whether every answer taken from a changed file comes out the same now."""
        for module, scope, taken, answers in self.asks:
            if changed.isdisjoint(taken):
                continue
            target = project.find(module, scope)
            if target is None:
                return False
            for name, answer in answers:
                if project.can_import(target, name, scope) != answer:
                    return False
        return True


@dataclass(frozen=True, slots=True)
class ImportTime:
    """What is known of the import-time simulation (IMP003) before it runs.

    `failures`: its result, still valid: nothing runs. Otherwise, with `record`, each run
    is recorded under the `asked` names (all facts' when None), and the runs of `runs`
    (recorded under the names `compared`, when fewer) that read none of the `changed`
    files are reused (see `graph.simulate_failures`).
    """

    failures: tuple[Failure, ...] | None = None
    record: bool = False
    asked: frozenset[str] | None = None
    runs: Mapping[RunId, RunRecord] = field(default_factory=dict)
    changed: frozenset[str] = frozenset()
    compared: frozenset[str] | None = None


# Starts a computation elsewhere and gives back the function that waits for its result.
Background = Callable[[Callable[[], Simulation]], Callable[[], Simulation]]


@dataclass(frozen=True, slots=True)
class Analysis:
    """Every finding of a run, and the parts a later run may reuse."""

    findings: list[Finding]
    files: dict[str, FileResult]
    failures: list[Failure] | None  # the import-time simulation; None when IMP003 did not run
    asked: frozenset[str] | None = None  # with `runs`: what the simulation recorded
    runs: dict[RunId, RunRecord] | None = None


def check_file(
    project: Project, source: SourceFile, facts: ModuleFacts, enabled: frozenset[str]
) -> FileResult:
    """The per-file rules for one file (not a stub), with what they read."""
    findings: list[Finding] = []
    notes: list[str] = []
    with project.recording() as reads, project.asking() as asks:
        reads.add(source.key)
        scope = Scope.FILE if facts.error is None else Scope.UNPARSED
        context = FileContext(project, source, facts)
        findings.extend(_guarded(notes, source.rel, scope, context, enabled))
        edges = file_edges(project, source) if in_graph(source) else []
    answers = tuple(
        (module, scope, tuple(sorted(taken)), tuple(sorted(named.items())))
        for (module, scope), (taken, named) in sorted(asks.items())
    )
    return FileResult(tuple(findings), tuple(edges), tuple(sorted(reads)), tuple(notes), answers)


def analyse(
    tree: Tree,
    project: Project,
    enabled: frozenset[str],
    *,
    known: Mapping[str, FileResult] | None = None,
    changed: frozenset[str] = frozenset(),
    import_time: ImportTime = ImportTime(),
    background: Background | None = None,
) -> Analysis:
    """Every finding of every enabled family; filtering by code happens afterwards.

    `known` holds per-file results from an earlier run whose reads are unchanged; they hold
    unless an answer taken from one of the `changed` files differs now. `import_time` is
    what is known of the import-time simulation; everything else is computed here.
    `background` may run the simulation elsewhere while the other rules run here.
    """
    known = known or {}
    files: dict[str, FileResult] = {}
    findings: list[Finding] = []
    asked: frozenset[str] | None = None
    simulate_wanted = bool(checks_in(Scope.IMPORT_TIME, enabled))
    if import_time.record and simulate_wanted and import_time.failures is None:
        asked = import_time.asked if import_time.asked is not None else asked_in(project.facts)

    def run_simulation() -> Simulation:
        return simulate_failures(
            project,
            _import_time_starts(project),
            asked=asked,
            previous=import_time.runs,
            changed=import_time.changed,
            compared=import_time.compared,
        )

    simulate = run_simulation
    if background is not None and simulate_wanted and import_time.failures is None:
        # The simulation reads every module; the per-file rules below need not wait for it.
        simulate = background(run_simulation)
    for source in tree.files:
        if source.is_stub or source.key not in project.facts:
            continue
        result = known.get(source.key)
        if result is not None and not result.answers_hold(project, changed):
            result = None
        if result is None:
            result = check_file(project, source, project.facts[source.key], enabled)
        files[source.key] = result
        findings.extend(result.findings)
        tree.notes.extend(result.notes)
    findings.extend(run_checks(Scope.TREE, TreeContext(tree), enabled))
    if checks_in(Scope.GRAPH, enabled):
        graph = {
            source.key: list(files[source.key].edges) if source.key in files else []
            for source in sorted(tree.files, key=lambda s: s.key)
            if in_graph(source)
        }
        findings.extend(run_checks(Scope.GRAPH, GraphContext(project, graph), enabled))
    failures: list[Failure] | None = None
    runs = None
    if simulate_wanted:
        if import_time.failures is not None:
            failures = list(import_time.failures)
        else:
            try:
                simulation = simulate()
            except RecursionError:
                tree.notes.append("skipped IMP003: imports nest too deeply to analyse")
                asked = None
            else:
                failures = list(simulation.failures)
                runs = simulation.runs if asked is not None else None
        found = ImportTimeContext(project, failures or [])
        findings.extend(run_checks(Scope.IMPORT_TIME, found, enabled))
    for config in tree.configs:
        if config.pyproject is None or not config.directory.is_relative_to(tree.base):
            continue
        rel = tree.rel(config.pyproject)
        context = ConfigContext(project, config, rel)
        findings.extend(_guarded(tree.notes, rel, Scope.CONFIG, context, enabled))
    return Analysis(findings, files, failures, asked, runs)


def _guarded(
    notes: list[str], what: str, scope: Scope, context: object, enabled: frozenset[str]
) -> list[Finding]:
    """Run the checks of one scope; an absurdly deep tree becomes a note, never a crash."""
    try:
        return run_checks(scope, context, enabled)
    except RecursionError:
        notes.append(f"skipped {what}: imports nest too deeply to analyse")
        return []


def _import_time_starts(project: Project) -> list[SourceFile]:
    """The modules IMP003 imports, each in a fresh (simulated) interpreter."""
    return [
        source
        for source in project.files.values()
        if source.module
        and not source.is_stub
        and not source.is_extension
        and not source.key.endswith("#file")
    ]
