"""`scaffold graph`: collect the first-party import graph, then render it in the chosen format."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from scaffold.check.imports.graph import Edge, build_graph, strongly_connected
from scaffold.check.incremental.run import resolve_path
from scaffold.check.model import FILE_SPAN
from scaffold.check.output import format_named
from scaffold.check.output.graph import GRAPH_FORMATS
from scaffold.check.pipeline import Resolved, without_cyclic_gc
from scaffold.errors import UsageError

__all__ = ["ImportGraph", "collect_graph", "graph_of", "render_graph"]


@dataclass(frozen=True, slots=True)
class ImportGraph:
    """Modules (or packages, when collapsed) and the module-level imports between them.

    Everything is sorted: `nodes` by name, `edges` by (source, target), `cycles` (strongly
    connected groups of two or more nodes) by their sorted members. `files` maps each node
    to the files it stands for, relative to the checked folder.
    """

    nodes: tuple[str, ...]
    edges: tuple[tuple[str, str], ...]
    cycles: tuple[tuple[str, ...], ...]
    files: dict[str, tuple[str, ...]]
    # Nodes that hold a loop of their own modules which collapsing made invisible.
    inner_cycles: frozenset[str] = frozenset()

    @property
    def cyclic_nodes(self) -> frozenset[str]:
        """Every node in a cycle (between nodes, or among the modules a node collapses)."""
        return frozenset(n for group in self.cycles for n in group) | self.inner_cycles

    def is_cycle_edge(self, source: str, target: str) -> bool:
        """True when both ends lie in the same strongly connected group."""
        return any(source in group and target in group for group in self.cycles)

    def only_cycles(self) -> ImportGraph:
        """The subgraph of the nodes in cycles and the edges between them."""
        keep = self.cyclic_nodes
        return ImportGraph(
            nodes=tuple(n for n in self.nodes if n in keep),
            edges=tuple((s, t) for s, t in self.edges if s in keep and t in keep),
            cycles=self.cycles,
            files={n: f for n, f in self.files.items() if n in keep},
            inner_cycles=self.inner_cycles,
        )


def _collapse(module: str, depth: int | None) -> str:
    if depth is None:
        return module
    return ".".join(module.split(".")[:depth])


def collect_graph(path: str | Path, depth: int | None = None) -> ImportGraph:
    """Discover PATH like `scaffold check`, read its facts through the cache, and build its
    graph of importable modules (see `graph_of`)."""
    if depth is not None and depth < 1:
        raise UsageError(f"--depth must be 1 or more, not {depth}")
    target = Path(os.path.abspath(path))
    if not target.exists():
        raise UsageError(f"path does not exist: {path}")
    with without_cyclic_gc():  # facts are decoded while the graph is built
        return graph_of(resolve_path(target), depth)


def graph_of(resolved: Resolved, depth: int | None = None) -> ImportGraph:
    """The graph of the importable modules of one resolved tree.

    Scripts in script folders (`tests/`, `scripts/`) are not importable by a module name,
    so they are left out; `depth` collapses modules to their first `depth` name parts.
    """
    project = resolved.project
    module_graph = build_graph(project)
    shown = {
        key: source
        for key, source in project.files.items()
        if key in module_graph and source.selected and not source.scope
    }
    node_of = {key: _collapse(source.module, depth) for key, source in shown.items()}
    files: dict[str, set[str]] = {}
    for key, source in shown.items():
        files.setdefault(node_of[key], set()).add(source.rel)
    edges: set[tuple[str, str]] = set()
    for key, module_edges in module_graph.items():
        if key not in shown:
            continue
        for edge in module_edges:
            if edge.target in shown and node_of[edge.target] != node_of[key]:
                edges.add((node_of[key], node_of[edge.target]))
    nodes = sorted(files)
    adjacency: dict[str, list[tuple[str, str]]] = {n: [] for n in nodes}
    for source_node, target_node in sorted(edges):
        adjacency[source_node].append((source_node, target_node))
    cycles = _groups(adjacency)
    inner: set[str] = set()
    if depth is not None:
        shown_graph = {k: [e for e in v if e.target in shown] for k, v in module_graph.items()}
        for group in strongly_connected({k: v for k, v in shown_graph.items() if k in shown}):
            heads = {node_of[k] for k in group}
            if len(heads) == 1:
                inner |= heads
    return ImportGraph(
        nodes=tuple(nodes),
        edges=tuple(sorted(edges)),
        cycles=tuple(cycles),
        files={n: tuple(sorted(f)) for n, f in sorted(files.items())},
        inner_cycles=frozenset(inner),
    )


def _groups(adjacency: dict[str, list[tuple[str, str]]]) -> list[tuple[str, ...]]:
    graph = {n: [Edge(s, t, FILE_SPAN) for s, t in out] for n, out in adjacency.items()}
    return [tuple(group) for group in strongly_connected(graph)]


def render_graph(
    path: str | Path, output_format: str, *, cycles_only: bool = False, depth: int | None = None
) -> str:
    """The `scaffold graph` command body: validate, collect, filter, render."""
    render = format_named(GRAPH_FORMATS, output_format)
    graph = collect_graph(path, depth)
    if cycles_only:
        graph = graph.only_cycles()
    return render(graph)
