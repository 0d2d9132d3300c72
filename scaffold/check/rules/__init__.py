"""The rule registry and the rule families, run together over a resolved project.

Most rules look at one file at a time (and at what its imports reach); their results are
kept per file with the files they read, so a later run can reuse them while those files'
facts are unchanged. The project-wide rules run again each time, over those per-file
results where they can: the import cycles over each file's edges, the import-time
simulation from its own reusable result (see `scaffold.check.graph.simulation_view`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from scaffold.check.discover import SourceFile, Tree
from scaffold.check.imports.graph import Edge, file_edges, in_graph
from scaffold.check.imports.simulation import (
    Failure,
    RunId,
    RunRecord,
    Simulation,
    asked_in,
    simulate_failures,
)
from scaffold.check.model import Finding, ModuleFacts, Span
from scaffold.check.project import Project
from scaffold.check.rules.entry_points import check_entry_points
from scaffold.check.rules.exports import check_exports
from scaffold.check.rules.imports import (
    check_cycles,
    check_import_time,
    check_imports,
    import_time_starts,
)
from scaffold.check.rules.layout import check_layout
from scaffold.check.rules.registry import RULES, FixKind, Rule, get_rule

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
        if facts.error is not None:
            error = facts.error
            findings.append(Finding(error.code, source.rel, error.span, error.message))
        else:
            if any(code.startswith("EXP") for code in enabled):
                findings.extend(_guarded(notes, source.rel, check_exports(project, source, facts)))
            findings.extend(_guarded(notes, source.rel, check_imports(project, source, facts)))
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
    if import_time.record and "IMP003" in enabled and import_time.failures is None:
        asked = import_time.asked if import_time.asked is not None else asked_in(project.facts)

    def run_simulation() -> Simulation:
        return simulate_failures(
            project,
            import_time_starts(project),
            asked=asked,
            previous=import_time.runs,
            changed=import_time.changed,
            compared=import_time.compared,
        )

    simulate = run_simulation
    if background is not None and "IMP003" in enabled and import_time.failures is None:
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
    if any(code.startswith("PKG") for code in enabled):
        findings.extend(check_layout(tree))
    if "IMP002" in enabled:
        graph = {
            source.key: list(files[source.key].edges) if source.key in files else []
            for source in sorted(tree.files, key=lambda s: s.key)
            if in_graph(source)
        }
        findings.extend(check_cycles(project, graph))
    failures: list[Failure] | None = None
    runs = None
    if "IMP003" in enabled:
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
        findings.extend(check_import_time(project, failures or []))
    for config in tree.configs:
        if config.pyproject is None or not config.directory.is_relative_to(tree.base):
            continue
        rel = tree.rel(config.pyproject)
        if config.error is not None:
            line, message = config.error
            findings.append(Finding("SYN001", rel, _line(line), message))
        elif any(code.startswith("ENT") for code in enabled):
            findings.extend(_guarded(tree.notes, rel, check_entry_points(project, config, rel)))
    return Analysis(findings, files, failures, asked, runs)


def _guarded(notes: list[str], what: str, findings: Iterable[Finding]) -> list[Finding]:
    """Run one family to the end; an absurdly deep tree becomes a note, never a crash."""
    try:
        return list(findings)
    except RecursionError:
        notes.append(f"skipped {what}: imports nest too deeply to analyse")
        return []


def _line(line: int) -> Span:
    return Span(line, 1, line, 1)
