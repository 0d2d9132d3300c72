"""The import graph's findings after an edit: kept group by group where they hold, else computed.

The checks declared `by_group` (IMP002) are stored per strongly connected group, with the
files whose facts they read there. A group's findings are kept while none of its files and
none of those files changed and its files' edges are as stored. The groups themselves are
kept while every file computed again imports the same files as before: a new top-level
name, a moved line or a comment then reruns the edited file's group alone, decoding the
edges of that group's files only. The other GRAPH checks (the contracts) are kept whole
while every file's edges are as stored and no file whose facts they read changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from scaffold.check.analysis import GraphChecks
from scaffold.check.imports.graph import Edge, strongly_connected
from scaffold.check.incremental.packed import Kept, RawFile, pack, pack_edges, unpack
from scaffold.check.model import Finding
from scaffold.check.project import Project

__all__ = ["GraphState", "RawGraph", "graph_findings"]

# Findings as stored: (the findings packed, the files whose facts their checks read).
_RawFound = tuple[bytes, tuple[str, ...]]
# The graph's findings as stored: the other checks' (`_RawFound`), and for each strongly
# connected group (its files, sorted) the by-group checks' (`_RawFound`).
RawGraph = tuple[_RawFound, tuple[tuple[tuple[str, ...], _RawFound], ...]]
_Group = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class GraphState:
    """What the graph's findings are kept against: the last run's per-file results and
    graph findings as stored, this run's per-file results (`kept`; those in `reused` were
    taken from the last run), and the files whose facts changed."""

    stored_files: Mapping[str, RawFile]
    stored_graph: object
    kept: Mapping[str, Kept]
    reused: Mapping[str, Kept]
    changed: frozenset[str]

    def computed_again(self, key: str) -> bool:
        return self.reused.get(key) is not self.kept[key]

    def edges_as_stored(self, keys: Iterable[str]) -> bool:
        """Whether the edges of `keys` are as stored (a file computed again compared)."""
        for key in keys:
            if key not in self.kept or key not in self.stored_files:
                return False
            edges = self.kept[key].result.edges
            if self.computed_again(key) and pack_edges(edges) != self.stored_files[key][1]:
                return False
        return True

    def same_arcs(self) -> bool:
        """Whether every file imports the same files as in the stored graph."""
        if self.kept.keys() != self.stored_files.keys():
            return False
        for key, kept in self.kept.items():
            raw_edges = self.stored_files[key][1]
            if not self.computed_again(key) or pack_edges(kept.result.edges) == raw_edges:
                continue
            try:
                before = {edge.target for edge in unpack(raw_edges, Edge)}  # type: ignore[attr-defined]
            except (LookupError, TypeError, ValueError):
                return False
            if before != {edge.target for edge in kept.result.edges}:
                return False
        return True

    def kept_found(self, raw: _RawFound | None, keys: Iterable[str]) -> list[Finding] | None:
        """Stored findings while no file they read changed and the edges of `keys` are
        as stored."""
        if raw is None or not self.changed.isdisjoint(raw[1]) or not self.edges_as_stored(keys):
            return None
        try:
            return list(unpack(raw[0], Finding))  # type: ignore[arg-type]
        except ValueError:
            return None


def graph_findings(
    project: Project, checks: GraphChecks, state: GraphState
) -> tuple[list[Finding], RawGraph]:
    """The findings of the graph's checks (the by-group checks', then the others'), and
    how to store them."""
    groups = _groups(project, checks, state)
    stored = _stored(state.stored_graph)
    rest_raw = stored[0] if stored is not None else None
    same_files = state.kept.keys() == state.stored_files.keys()
    rest = state.kept_found(rest_raw, state.kept) if same_files else None
    if rest is None or rest_raw is None:
        rest, rest_raw = _computed(project, checks.rest)
    found = [finding for _, (_, group_found) in groups for finding in group_found] + rest
    return found, (rest_raw, tuple((group, raw) for group, (raw, _) in groups))


def _groups(
    project: Project, checks: GraphChecks, state: GraphState
) -> list[tuple[_Group, tuple[_RawFound, list[Finding]]]]:
    """Each strongly connected group with its by-group checks' findings, kept or computed."""
    stored = _stored(state.stored_graph)
    by_group = dict(stored[1]) if stored is not None else {}
    if stored is not None and state.same_arcs():
        members = list(by_group)
        whole: Mapping[str, list[Edge]] | None = None
    else:
        whole = checks.whole()
        members = [tuple(group) for group in strongly_connected(whole)]
    groups = []
    for group in members:
        raw = by_group.get(group)
        # The group's files are among what its checks read (IMP002 reads how each of their
        # imports is used, and their noqa comments): a change to one reruns the group.
        found = state.kept_found(raw, group)
        if raw is None or found is None:
            part = {key: list(checks.edges(key)) if whole is None else whole[key] for key in group}
            found, raw = _computed(project, partial(checks.grouped, part))
        groups.append((group, (raw, found)))
    return groups


def _computed(
    project: Project, compute: Callable[[], list[Finding]]
) -> tuple[list[Finding], _RawFound]:
    with project.recording() as reads:
        found = compute()
    return found, (pack(tuple(found)), tuple(sorted(reads)))


def _stored(graph: object) -> RawGraph | None:
    """The stored graph findings in `RawGraph`'s shape; None when absent or not that."""
    try:
        rest: Any
        groups: Any
        rest, groups = graph  # type: ignore[misc]
        found = [rest, *(raw for _, raw in groups)]
        if not all(type(raw[0]) is bytes for raw in found):
            return None
        return (rest[0], tuple(rest[1])), tuple(
            (tuple(group), (raw[0], tuple(raw[1]))) for group, raw in groups
        )
    except (TypeError, ValueError, IndexError):
        return None
