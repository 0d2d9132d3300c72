"""The check, stage by stage: discover -> facts -> project -> rules -> select -> report.

One data type per stage: a path gives a Tree (`discover`), the tree its files' facts (a
FactsReader), tree and facts a Project (together: `Resolved`), the project an Analysis
(`analyse`: every finding of every enabled rule), the analysis Diagnostics (`Selection`:
select, ignore, noqa), and every path's diagnostics one CheckReport. Nothing here keeps
anything between runs or starts a process: scaffold.check.incremental wraps this pipeline
in a cache, the reuse of the last run's results and a process pool, through the
strategies it passes in (how facts are read, how each tree is checked, the hooks of
`analyse`). Its `run_check` is the public entry.

The rules, the analysis and the parser are imported where they run, not here: a cached run
that keeps its stored report goes through `check_paths` without them (docs/decisions.md,
issue 20).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from scaffold.check.config import nearest_project
from scaffold.check.discover import Tree, discover
from scaffold.check.members import package_root
from scaffold.check.memory import without_cyclic_gc
from scaffold.check.model import CheckReport, Diagnostic, ModuleFacts, Related
from scaffold.check.options import CheckOptions
from scaffold.check.paths import is_file_path
from scaffold.check.project import Project

if TYPE_CHECKING:
    from scaffold.check.analysis import (
        Analysis,
        FileResults,
        GraphFindings,
        StartSimulation,
        TreeFindings,
    )
    from scaffold.check.facts.files import FactsReader

__all__ = [
    "CheckResult",
    "CheckedTree",
    "Resolved",
    "TreeCheck",
    "check_afresh",
    "check_paths",
    "diagnose",
    "group_root",
    "path_groups",
    "resolve",
]


# --- one tree: project, rules, selection ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class Resolved:
    """The first stages' data for one path: its tree, its files' facts, its project."""

    tree: Tree
    facts: Mapping[str, ModuleFacts]
    # The project when made already; None: made when first asked (`project`). A run that
    # keeps its stored report never asks (~3 % of a warm run of a 10,000-file tree).
    known_project: Project | None

    @property
    def project(self) -> Project:
        """The tree's project (`Project.of` its tree and facts)."""
        project = self.known_project
        if project is None:
            project = Project.of(self.tree, self.facts)
            object.__setattr__(self, "known_project", project)  # a frozen dataclass's cache
        return project


def resolve(tree: Tree, read: FactsReader | None = None) -> Resolved:
    """Read the facts of a discovered tree (by default: parse them here) and resolve its
    project."""
    if read is None:
        from scaffold.check.facts.files import read_here

        read = read_here
    facts = read(tree.files)
    return Resolved(tree, facts, Project.of(tree, facts))


@dataclass(frozen=True, slots=True)
class CheckedTree(Resolved):
    """One checked path: its diagnostics (paths relative to its tree) and, when the rules
    ran rather than a stored report being kept, their analysis."""

    diagnostics: list[Diagnostic]
    analysis: Analysis | None


def diagnose(
    resolved: Resolved,
    options: CheckOptions,
    *,
    file_result: FileResults | None = None,
    start_simulation: StartSimulation | None = None,
    tree_findings: TreeFindings | None = None,
    graph_findings: GraphFindings | None = None,
) -> CheckedTree:
    """Run the enabled rules over a resolved tree, then keep what it reports (by default
    every rule computed afresh, the simulation in this process)."""
    from scaffold.check.analysis import (
        analyse,
        check_graph,
        check_tree,
        compute_file,
        simulate_when_asked,
    )
    from scaffold.check.select import Selection

    tree, facts, project = resolved.tree, resolved.facts, resolved.project
    selection = Selection(tree, options.select, options.ignore, options.extend_select)
    analysis = analyse(
        tree,
        project,
        selection.enabled,
        file_result=file_result or compute_file,
        start_simulation=start_simulation or simulate_when_asked,
        tree_findings=tree_findings or check_tree,
        graph_findings=graph_findings or check_graph,
    )
    diagnostics = selection.diagnostics(analysis.findings, facts)
    return CheckedTree(tree, facts, project, diagnostics, analysis)


# Checks one discovered tree: `check_afresh`, or the incremental check's way.
TreeCheck = Callable[[Tree, CheckOptions], CheckedTree]


def check_afresh(tree: Tree, options: CheckOptions) -> CheckedTree:
    """The whole pipeline over one tree, in this process, reusing nothing."""
    return diagnose(resolve(tree), options)


# --- every path: the report -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CheckResult:
    """A whole run: each path's checked tree, in the order given, and the report of them all."""

    trees: tuple[CheckedTree, ...]
    report: CheckReport


def check_paths(
    options: CheckOptions, check: TreeCheck = check_afresh, discovered: Sequence[Tree] = ()
) -> CheckResult:
    """Check every path of `options`; one report, its paths relative to the paths' common folder.

    `discovered`: the tree of each path group, when the caller has already discovered them."""
    options = _validated(options)
    groups = path_groups(options.paths)
    if len(discovered) != len(groups):
        discovered = ()
    bases = [group_root(p, also) for p, also in groups]
    common = Path(os.path.commonpath([str(b) for b in bases]))
    trees: list[CheckedTree] = []
    diagnostics: dict[tuple[object, ...], Diagnostic] = {}
    notes: list[str] = []
    files: set[str] = set()  # strings: a Path per file cost a warm run of many files
    unknown: list[tuple[str, int, str, str | None]] = []
    for index, ((path, also), base) in enumerate(zip(groups, bases, strict=True)):
        tree = (
            discovered[index]
            if discovered
            else discover(path, also=also, settings=options.settings)
        )
        files.update(
            f.file for f in tree.files if f.selected and not f.is_stub and not f.is_extension
        )
        prefix = os.path.relpath(base, common) if base != common else ""
        with without_cyclic_gc():
            trees.append(check(tree, options))
        for diagnostic in trees[-1].diagnostics:
            rebased = _rebase(diagnostic, "" if prefix == "." else prefix)
            diagnostics.setdefault((*rebased.sort_key(), rebased.end_line), rebased)
        notes.extend(tree.notes)
        unknown.extend(_unknown_noqa(trees[-1], "" if prefix == "." else prefix))
    report = CheckReport(
        diagnostics=tuple(sorted(diagnostics.values(), key=Diagnostic.sort_key)),
        files=len(files),
        root=str(common),
        notes=tuple(dict.fromkeys(notes)),
        unknown_noqa=tuple(sorted(set(unknown))),
    )
    return CheckResult(tuple(trees), report)


def _validated(options: CheckOptions) -> CheckOptions:
    """`options` with its rule codes checked and upper-cased."""
    if options.select is None and options.ignore is None and not options.extend_select:
        return options  # nothing to look up: the rules need not be loaded
    from scaffold.check.select import validate_codes

    return dataclasses.replace(
        options,
        select=None if options.select is None else validate_codes(options.select, "select"),
        ignore=None if options.ignore is None else validate_codes(options.ignore, "ignore"),
        extend_select=validate_codes(options.extend_select, "extend-select"),
    )


def group_root(path: Path, also: Sequence[Path]) -> Path:
    """The folder a group of `path_groups` is reported from: the folder itself, or the
    common folder of the named files."""
    if path.is_dir():
        return path
    return Path(os.path.commonpath([str(f.parent) for f in (path, *also)]))


def path_groups(raw: Sequence[str | Path]) -> list[tuple[Path, tuple[Path, ...]]]:
    """The trees to discover: each folder alone; named files grouped by the package root
    they are named from, so that a root is walked once however many of its files are named.

    A named pyproject.toml stands for its project folder: a change of configuration can
    change any finding.
    """
    groups: dict[tuple[bool, Path], list[Path]] = {}
    for given in raw or ["."]:
        path = Path(os.path.abspath(given))
        is_file = is_file_path(path)
        if is_file and path.name == "pyproject.toml":
            path, is_file = path.parent, False
        if is_file:
            # Named files of one project are walked together: each is checked in its whole
            # project (discover), so files under two of its package roots (tests/ and src/,
            # say) would otherwise walk and check the project twice.
            root = package_root(path.parent)[0]
            project = nearest_project(root)
            members = groups.setdefault((True, root if project is None else project), [])
            if path not in members:
                members.append(path)
        else:
            groups.setdefault((False, path), [path])
    return [(members[0], tuple(members[1:])) for members in groups.values()]


def _unknown_noqa(checked: CheckedTree, prefix: str) -> list[tuple[str, int, str, str | None]]:
    """The unknown codes of the noqa comments of the files parsed in this run. As ruff, a
    file whose facts come unchanged from the cache is not warned about again: decoding
    every cached file to look would cost a cached run most of its time."""
    parsed_now = getattr(checked.facts, "parsed_now", None)
    facts = parsed_now() if callable(parsed_now) else checked.facts
    if not any(codes for file_facts in facts.values() for _, codes in file_facts.noqa):
        # No code named in a noqa comment of a file parsed now (a kept report parsed none):
        # nothing to look up, so the rules need not be loaded.
        return []
    from scaffold.check.select import unknown_noqa_codes

    paths = {source.key: source.rel for source in checked.tree.files}
    return [
        (_join(prefix, paths[key]) if prefix else paths[key], line, code, nearest)
        for key, file_facts in facts.items()
        if key in paths
        for line, code, nearest in unknown_noqa_codes(file_facts.noqa)
    ]


def _rebase(diagnostic: Diagnostic, prefix: str) -> Diagnostic:
    """A diagnostic of one tree, its paths made relative to the report's root."""
    if not prefix:
        return diagnostic
    related = tuple(
        Related(_join(prefix, r.path), r.line, r.column, r.message) for r in diagnostic.related
    )
    return dataclasses.replace(diagnostic, path=_join(prefix, diagnostic.path), related=related)


def _join(prefix: str, path: str) -> str:
    return os.path.normpath(os.path.join(prefix, path)).replace(os.sep, "/")
