"""The import graph as `scaffold graph` shows it: modules (or packages, collapsed to a depth),
the module-level imports between them, and the cycles among them."""

from __future__ import annotations

from dataclasses import dataclass

from scaffold.check.imports.breaking import feedback_edges
from scaffold.check.imports.graph import Edge, build_graph, strongly_connected
from scaffold.check.model import FILE_SPAN
from scaffold.check.project import Project

__all__ = ["ImportGraph", "graph_of"]


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
    # Edges whose imports, moved into functions or under TYPE_CHECKING, break every cycle.
    breakers: tuple[tuple[str, str], ...] = ()

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
            breakers=self.breakers,
        )


def _collapse(module: str, depth: int | None) -> str:
    if depth is None:
        return module
    return ".".join(module.split(".")[:depth])


def graph_of(project: Project, depth: int | None = None) -> ImportGraph:
    """The graph of the importable modules of one project.

    Scripts in script folders (`tests/`, `scripts/`) are not importable by a module name,
    so they are left out; `depth` collapses modules to their first `depth` name parts.
    """
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
    edges: dict[tuple[str, str], int] = {}  # how many imports each drawn edge stands for
    for key, module_edges in module_graph.items():
        if key not in shown:
            continue
        for edge in module_edges:
            if edge.target in shown and node_of[edge.target] != node_of[key]:
                arc = (node_of[key], node_of[edge.target])
                edges[arc] = edges.get(arc, 0) + 1
    nodes = sorted(files)
    adjacency: dict[str, list[tuple[str, str]]] = {n: [] for n in nodes}
    for source_node, target_node in sorted(edges):
        adjacency[source_node].append((source_node, target_node))
    cycles = _groups(adjacency)
    breakers = [
        arc
        for group in cycles
        for arc in feedback_edges(group, [a for a in edges if set(a) <= set(group)], edges)
    ]
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
        breakers=tuple(sorted(breakers)),
    )


def _groups(adjacency: dict[str, list[tuple[str, str]]]) -> list[tuple[str, ...]]:
    graph = {n: [Edge(s, t, FILE_SPAN) for s, t in out] for n, out in adjacency.items()}
    return [tuple(group) for group in strongly_connected(graph)]
