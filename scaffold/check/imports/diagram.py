"""The import graph as `scaffold graph` shows it: modules (or packages, collapsed to a depth),
the module-level imports between them, and the cycles among them."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from scaffold.check.config import CheckConfig
from scaffold.check.contracts import NotInTreeError, module_pattern
from scaffold.check.imports.breaking import feedback_edges
from scaffold.check.imports.contracts import evaluate, module_graph
from scaffold.check.imports.graph import Edge, build_graph, strongly_connected
from scaffold.check.model import FILE_SPAN
from scaffold.check.project import Project

__all__ = ["ImportGraph", "contracts_graph", "graph_of"]


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
    # Edges on chains that break an architecture contract, with the contracts' names.
    contracts: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    note: str = ""  # why the graph is empty, when it is
    # The import statements each drawn edge stands for: (file, line), sorted.
    imports: dict[tuple[str, str], tuple[tuple[str, int], ...]] = field(default_factory=dict)
    _group_of: dict[str, int] = field(init=False, repr=False, compare=False)

    @property
    def cyclic_nodes(self) -> frozenset[str]:
        """Every node in a cycle (between nodes, or among the modules a node collapses)."""
        return frozenset(n for group in self.cycles for n in group) | self.inner_cycles

    def __post_init__(self) -> None:
        # Asked once per drawn edge: a lookup, not a scan of every group (10,000 edges and
        # 14 groups of up to 43 modules on sympy).
        group_of = {node: index for index, group in enumerate(self.cycles) for node in group}
        object.__setattr__(self, "_group_of", group_of)

    def is_cycle_edge(self, source: str, target: str) -> bool:
        """True when both ends lie in the same strongly connected group."""
        group = self._group_of.get(source)
        return group is not None and self._group_of.get(target) == group

    def only_cycles(self) -> ImportGraph:
        """The subgraph of the nodes in cycles and the edges between them."""
        keep = self.cyclic_nodes
        note = self.note or (
            f"no import cycles among the {len(self.nodes)} first-party modules" if not keep else ""
        )
        return self.keeping(keep, note)

    def around(
        self, focus: str, *, upstream: bool, downstream: bool, radius: int | None
    ) -> ImportGraph:
        """The nodes within `radius` imports of `focus` (every one when None): what it
        imports (`downstream`), what imports it (`upstream`), or both when neither is set."""
        if focus not in self.nodes:
            raise ValueError(focus)
        if upstream == downstream:  # both ways: each followed on its own, then together
            return self.keeping(
                self._reached(focus, True, radius) | self._reached(focus, False, radius)
            )
        return self.keeping(self._reached(focus, upstream, radius))

    def _reached(self, focus: str, upstream: bool, radius: int | None) -> frozenset[str]:
        following: dict[str, list[str]] = {}
        for source, target in self.edges:
            if upstream:
                following.setdefault(target, []).append(source)
            else:
                following.setdefault(source, []).append(target)
        distance = {focus: 0}
        queue = deque([focus])
        while queue:
            node = queue.popleft()
            if radius is not None and distance[node] >= radius:
                continue
            for nxt in following.get(node, ()):
                if nxt not in distance:
                    distance[nxt] = distance[node] + 1
                    queue.append(nxt)
        return frozenset(distance)

    def keeping(self, keep: frozenset[str], note: str = "") -> ImportGraph:
        """The subgraph of the nodes in `keep` and the edges between them."""
        return ImportGraph(
            nodes=tuple(n for n in self.nodes if n in keep),
            edges=tuple((s, t) for s, t in self.edges if s in keep and t in keep),
            cycles=self.cycles,
            files={n: f for n, f in self.files.items() if n in keep},
            inner_cycles=self.inner_cycles,
            breakers=tuple(b for b in self.breakers if set(b) <= keep),
            contracts={e: n for e, n in self.contracts.items() if set(e) <= keep},
            note=note,
            imports={e: i for e, i in self.imports.items() if set(e) <= keep},
        )


def _collapse(module: str, depth: int | None, packages: Sequence[re.Pattern[str]] = ()) -> str:
    parts = module.split(".")
    for end in range(1, len(parts)):  # the outermost package asked to collapse wins
        package = ".".join(parts[:end])
        if any(pattern.match(package) for pattern in packages):
            module = package
            break
    if depth is None:
        return module
    return ".".join(module.split(".")[:depth])


def _matches(module: str, patterns: Sequence[re.Pattern[str]]) -> bool:
    """Whether the module or one of its packages matches a pattern."""
    parts = module.split(".")
    names = (".".join(parts[:end]) for end in range(1, len(parts) + 1))
    return any(pattern.match(name) for name in names for pattern in patterns)


def graph_of(
    project: Project,
    depth: int | None = None,
    *,
    collapse: Sequence[str] = (),
    exclude: Sequence[str] = (),
) -> ImportGraph:
    """The graph of the importable modules of one project.

    Scripts in script folders (`tests/`, `scripts/`) are not importable by a module name,
    so they are left out; `depth` collapses modules to their first `depth` name parts, and
    `collapse` each package matching one of its patterns (import-linter's `*`, `**`) to one
    node; modules matching `exclude` (or inside a package that does) are left out.
    """
    module_graph = build_graph(project)
    excluded = [module_pattern(p) for p in exclude]
    packages = [module_pattern(p) for p in collapse]
    shown = {
        key: source
        for key, source in project.files.items()
        if key in module_graph
        and source.selected
        and not source.scope
        and not _matches(source.module, excluded)
    }
    node_of = {key: _collapse(source.module, depth, packages) for key, source in shown.items()}
    files: dict[str, set[str]] = {}
    for key, source in shown.items():
        files.setdefault(node_of[key], set()).add(source.rel)
    edges: dict[tuple[str, str], int] = {}  # how many imports each drawn edge stands for
    lines: dict[tuple[str, str], list[tuple[str, int]]] = {}
    for key, module_edges in module_graph.items():
        if key not in shown:
            continue
        for edge in module_edges:
            if edge.target in shown and node_of[edge.target] != node_of[key]:
                arc = (node_of[key], node_of[edge.target])
                edges[arc] = edges.get(arc, 0) + 1
                lines.setdefault(arc, []).append((shown[key].rel, edge.span.line))
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
    inner = _hidden_loops(module_graph, node_of) if depth is not None or packages else set()
    return ImportGraph(
        nodes=tuple(nodes),
        edges=tuple(sorted(edges)),
        cycles=tuple(cycles),
        files={n: tuple(sorted(f)) for n, f in sorted(files.items())},
        inner_cycles=frozenset(inner),
        breakers=tuple(sorted(breakers)),
        note="" if nodes else "no first-party modules to show",
        imports={arc: tuple(sorted(found)) for arc, found in sorted(lines.items())},
    )


def _hidden_loops(module_graph: Mapping[str, list[Edge]], node_of: Mapping[str, str]) -> set[str]:
    """The drawn nodes that hold a loop of their own modules, which collapsing hid."""
    shown = {
        k: [e for e in v if e.target in node_of] for k, v in module_graph.items() if k in node_of
    }
    inner: set[str] = set()
    for group in strongly_connected(shown):
        heads = {node_of[k] for k in group}
        if len(heads) == 1:
            inner |= heads
    return inner


def _groups(adjacency: dict[str, list[tuple[str, str]]]) -> list[tuple[str, ...]]:
    graph = {n: [Edge(s, t, FILE_SPAN) for s, t in out] for n, out in adjacency.items()}
    return [tuple(group) for group in strongly_connected(graph)]


def contracts_graph(project: Project, configs: Sequence[CheckConfig], base: Path) -> ImportGraph:
    """Only the chains that break the configured contracts: their modules and imports, each
    import with the names of the contracts it helps break. As for the ARC rules, a contract
    naming modules outside a folder inside the project is left out."""
    files = build_graph(project)
    on_chains: dict[tuple[str, str], set[str]] = {}
    lines: dict[tuple[str, str], tuple[tuple[str, int], ...]] = {}
    for config in configs:
        for contract in config.contracts:
            modules = module_graph(
                project,
                files,
                type_checking=contract.include_type_checking,
                function=contract.include_function_imports,
            )
            try:
                violations = evaluate(contract, modules)
            except NotInTreeError:
                if config.directory.is_relative_to(base):
                    raise
                continue
            for violation in violations:
                for chain in violation.chains:
                    for step in chain:
                        arc = (step.importer, step.imported)
                        on_chains.setdefault(arc, set()).add(contract.name)
                        lines[arc] = ((step.path, step.span.line),)
    by_module = {s.module: s.rel for s in project.files.values() if s.module and not s.scope}
    nodes = sorted({m for arc in on_chains for m in arc})
    note = (
        "every contract of [[tool.scaffold.check.contracts]] is kept"
        if any(c.contracts for c in configs)
        else "no [[tool.scaffold.check.contracts]] configured"
    )
    return ImportGraph(
        nodes=tuple(nodes),
        edges=tuple(sorted(on_chains)),
        cycles=(),
        files={n: (by_module[n],) if n in by_module else () for n in nodes},
        contracts={arc: tuple(sorted(names)) for arc, names in sorted(on_chains.items())},
        note="" if nodes else note,
        imports=dict(sorted(lines.items())),
    )
