"""The import graph as `scaffold graph` shows it: modules (or packages, collapsed to a depth),
the module-level imports between them, and the cycles among them."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from scaffold.check.config import CheckConfig
from scaffold.check.contracts import NotInTreeError, module_pattern
from scaffold.check.discover import SourceFile
from scaffold.check.imports.breaking import feedback_edges
from scaffold.check.imports.contracts import (
    ModuleGraph,
    check_named,
    evaluate,
    module_graph,
    module_names,
)
from scaffold.check.imports.graph import Edge, build_graph, import_targets, strongly_connected
from scaffold.check.imports.moving import Move, move_of
from scaffold.check.model import FILE_SPAN, Span, Where
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
    # The import statements each drawn edge stands for: (file, line, where it runs: a
    # `Where` value), sorted.
    imports: dict[tuple[str, str], tuple[tuple[str, int, str], ...]] = field(default_factory=dict)
    # Edges drawn for imports that do not run at import time only (`--all-imports`):
    # "lazy" (in a function) or "type-only" (under TYPE_CHECKING). Never part of a cycle.
    lazy: dict[tuple[str, str], str] = field(default_factory=dict)
    # What `scaffold check` reports in each node's files, by code.
    findings: dict[str, dict[str, int]] = field(default_factory=dict)
    # For each edge of `breakers`, what to do with each of its imports (`moving.Move`).
    advice: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    _group_of: dict[str, int] = field(init=False, repr=False, compare=False)

    @property
    def cyclic_nodes(self) -> frozenset[str]:
        """Every drawn node in a cycle (between nodes, or among the modules a node
        collapses); after --focus a group's other members may not be drawn."""
        cyclic = frozenset(n for group in self.cycles for n in group) | self.inner_cycles
        return cyclic.intersection(self.nodes)

    def __post_init__(self) -> None:
        # Asked once per drawn edge: a lookup, not a scan of every group (10,000 edges and
        # 14 groups of up to 43 modules on sympy).
        group_of = {node: index for index, group in enumerate(self.cycles) for node in group}
        object.__setattr__(self, "_group_of", group_of)

    def is_cycle_edge(self, source: str, target: str) -> bool:
        """True when both ends lie in the same strongly connected group and the edge's
        imports run at import time (a lazy or type-only one is in no cycle)."""
        group = self._group_of.get(source)
        if group is None or self._group_of.get(target) != group:
            return False
        return not self.lazy or (source, target) not in self.lazy

    def only_cycles(self) -> ImportGraph:
        """The nodes in cycles and the edges inside a cycle: what the whole drawing shows red
        (an import between two cycles, or into a package red for a loop inside it, is not)."""
        # The groups are the whole graph's: after --focus, some may lie outside the nodes.
        keep = self.cyclic_nodes
        count = f"{len(self.nodes)} first-party module{'s' if len(self.nodes) != 1 else ''}"
        note = self.note or (f"no import cycles among the {count}" if not keep else "")
        kept = self.keeping(keep, note)
        return replace(kept, edges=tuple(edge for edge in kept.edges if self.is_cycle_edge(*edge)))

    def cycles_of(self, part: ImportGraph) -> ImportGraph:
        """`part` (a drawing of some of this graph's nodes and edges, such as the contracts'
        chains) with this graph's cycle groups and hidden loops among its nodes."""
        return replace(part, cycles=self.cycles, inner_cycles=self.inner_cycles).keeping(
            frozenset(part.nodes), part.note
        )

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
        """The subgraph of the nodes in `keep` and the edges between them; the cycle groups
        with a node kept stay whole (a kept node is still in its cycle), the others go."""
        return ImportGraph(
            nodes=tuple(n for n in self.nodes if n in keep),
            edges=tuple((s, t) for s, t in self.edges if s in keep and t in keep),
            cycles=tuple(group for group in self.cycles if not keep.isdisjoint(group)),
            files={n: f for n, f in self.files.items() if n in keep},
            inner_cycles=self.inner_cycles & keep,
            breakers=tuple(b for b in self.breakers if set(b) <= keep),
            contracts={e: n for e, n in self.contracts.items() if set(e) <= keep},
            note=note,
            imports={e: i for e, i in self.imports.items() if set(e) <= keep},
            lazy={e: k for e, k in self.lazy.items() if set(e) <= keep},
            findings={n: c for n, c in self.findings.items() if n in keep},
            advice={e: a for e, a in self.advice.items() if set(e) <= keep},
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
    edges: Mapping[str, Sequence[Edge]] | None = None,
    all_imports: bool = False,
    findings: Mapping[str, Mapping[str, int]] | None = None,
) -> ImportGraph:
    """The graph of the importable modules of one project.

    Scripts in script folders (`tests/`, `scripts/`) are not importable by a module name,
    so they are left out; `depth` collapses modules to their first `depth` name parts, and
    `collapse` each package matching one of its patterns (import-linter's `*`, `**`) to one
    node; modules matching `exclude` (or inside a package that does) are left out. `edges`
    are each file's module-level import edges when already known (a check's), derived from
    the facts otherwise; `all_imports` adds the imports in functions and under
    TYPE_CHECKING as edges of their own kind; `findings` counts each file's findings by code.
    """
    module_graph = build_graph(project) if edges is None else edges
    excluded = [module_pattern(p) for p in exclude]
    packages = [module_pattern(p) for p in collapse]
    importable = [
        (key, source)
        for key, source in project.files.items()
        if key in module_graph and source.selected and not source.scope
    ]
    shown = {
        key: source
        for key, source in importable
        if not (excluded and _matches(source.module, excluded))
    }
    node_of = {key: _collapse(source.module, depth, packages) for key, source in shown.items()}
    files: dict[str, set[str]] = {}
    for key, source in shown.items():
        files.setdefault(node_of[key], set()).add(source.rel)
    lines = _module_arcs(module_graph, shown, node_of)
    nodes = sorted(files)
    cycles = _groups(nodes, lines)
    # Only the imports inside cycles: the others' facts are never decoded.
    inside = [arc for arcs in _inside(cycles, lines).values() for arc in arcs]
    moves = _moves(project, shown, {arc: lines[arc] for arc in inside})
    breakers = _breakers(cycles, {arc: sum(m.cost for m in found) for arc, found in moves.items()})
    lazy = _lazy_arcs(project, shown, node_of, lines) if all_imports else {}
    inner = _hidden_loops(module_graph, node_of) if depth is not None or packages else set()
    return ImportGraph(
        nodes=tuple(nodes),
        edges=tuple(sorted(lines)),
        cycles=tuple(cycles),
        files={n: tuple(sorted(f)) for n, f in sorted(files.items())},
        inner_cycles=frozenset(inner),
        breakers=tuple(sorted(breakers)),
        note="" if nodes else _no_modules_note(len(importable)),
        imports={arc: tuple(sorted(found)) for arc, found in sorted(lines.items())},
        lazy=lazy,
        findings=_findings_of(files, findings or {}),
        advice={arc: tuple(move.advice(arc[1]) for move in moves[arc]) for arc in sorted(breakers)},
    )


def _no_modules_note(importable: int) -> str:
    """Why the graph is empty: nothing to draw, or --exclude left it all out."""
    if importable == 1:
        return "--exclude left out the 1 first-party module"
    if importable:
        return f"--exclude left out all {importable} first-party modules"
    return "no first-party modules to show"


def _module_arcs(
    module_graph: Mapping[str, Sequence[Edge]],
    shown: Mapping[str, SourceFile],
    node_of: Mapping[str, str],
) -> dict[tuple[str, str], list[tuple[str, int, str]]]:
    """The drawn arcs of the module-level imports, each with its imports (file, line)."""
    lines: dict[tuple[str, str], list[tuple[str, int, str]]] = {}
    for key, module_edges in module_graph.items():
        if key not in shown:
            continue
        for edge in module_edges:
            if edge.target in shown and node_of[edge.target] != node_of[key]:
                arc = (node_of[key], node_of[edge.target])
                lines.setdefault(arc, []).append((shown[key].rel, edge.span.line, "module"))
    return lines


def _lazy_arcs(
    project: Project,
    shown: Mapping[str, SourceFile],
    node_of: Mapping[str, str],
    lines: dict[tuple[str, str], list[tuple[str, int, str]]],
) -> dict[tuple[str, str], str]:
    """Add the imports that run later (in a function) or never (under TYPE_CHECKING) to
    `lines`; the arcs only they make, each "lazy" or "type-only"."""
    later: dict[tuple[str, str], set[Where]] = {}
    for key, source in shown.items():
        facts = project.facts.get(key)
        if facts is None or facts.error is not None:
            continue
        for imp in facts.imports:
            if imp.where is Where.MODULE:
                continue
            for target in import_targets(project, source, imp):
                if target.file is None or target.file.key not in shown:
                    continue
                arc = (node_of[key], node_of[target.file.key])
                if arc[0] != arc[1]:
                    later.setdefault(arc, set()).add(imp.where)
                    lines.setdefault(arc, []).append((source.rel, imp.span.line, imp.where.value))
    return {
        arc: "type-only" if wheres == {Where.TYPE_CHECKING} else "lazy"
        for arc, wheres in sorted(later.items())
        if not any(where == "module" for _, _, where in lines[arc])
    }


def _moves(
    project: Project,
    shown: Mapping[str, SourceFile],
    lines: Mapping[tuple[str, str], list[tuple[str, int, str]]],
) -> dict[tuple[str, str], list[Move]]:
    """The module-level imports of each arc as Moves (what moving each costs)."""
    key_of = {source.rel: key for key, source in shown.items()}
    return {
        arc: [move_of(project.facts.get(key_of[path]), line) for path, line, _ in found]
        for arc, found in lines.items()
    }


def _inside(
    cycles: Sequence[tuple[str, ...]], arcs: Iterable[tuple[str, str]]
) -> dict[int, list[tuple[str, str]]]:
    """The arcs inside each cycle group, by the group's index."""
    group_of = {node: index for index, group in enumerate(cycles) for node in group}
    inside: dict[int, list[tuple[str, str]]] = {}
    for arc in arcs:
        group = group_of.get(arc[0])
        if group is not None and group_of.get(arc[1]) == group:
            inside.setdefault(group, []).append(arc)
    return inside


def _breakers(
    cycles: Sequence[tuple[str, ...]], cost: Mapping[tuple[str, str], int]
) -> list[tuple[str, str]]:
    """The edges to move to break every cycle, group by group, the cheapest preferred."""
    inside = _inside(cycles, cost)
    return [
        arc
        for index, group in enumerate(cycles)
        for arc in feedback_edges(group, inside.get(index, []), cost)
    ]


def _findings_of(
    files: Mapping[str, set[str]], by_path: Mapping[str, Mapping[str, int]]
) -> dict[str, dict[str, int]]:
    """Each node's findings by code, summed over its files."""
    counted: dict[str, dict[str, int]] = {}
    for node, paths in sorted(files.items()):
        codes: dict[str, int] = {}
        for path in paths:
            for code, count in by_path.get(path, {}).items():
                codes[code] = codes.get(code, 0) + count
        counted[node] = dict(sorted(codes.items()))
    return counted


def _hidden_loops(
    module_graph: Mapping[str, Sequence[Edge]], node_of: Mapping[str, str]
) -> set[str]:
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


def _groups(nodes: Sequence[str], arcs: Iterable[tuple[str, str]]) -> list[tuple[str, ...]]:
    """The strongly connected groups of the drawn nodes over the import-time arcs."""
    graph: dict[str, list[Edge]] = {n: [] for n in nodes}
    for source, target in sorted(arcs):
        graph[source].append(Edge(source, target, FILE_SPAN))
    return [tuple(group) for group in strongly_connected(graph)]


def contracts_graph(
    project: Project,
    configs: Sequence[CheckConfig],
    base: Path,
    edges: Mapping[str, Sequence[Edge]] | None = None,
    *,
    depth: int | None = None,
    collapse: Sequence[str] = (),
    exclude: Sequence[str] = (),
    findings: Mapping[str, Mapping[str, int]] | None = None,
) -> ImportGraph:
    """Only the chains that break the configured contracts: their modules and imports, each
    import with the names of the contracts it helps break. As for the ARC rules, a contract
    naming modules outside a folder inside the project is left out. `depth`, `collapse`,
    `exclude` and `findings` are as for `graph_of`."""
    on_chains = _contract_steps(project, configs, base, edges)
    excluded = [module_pattern(p) for p in exclude]
    packages = [module_pattern(p) for p in collapse]
    node_of = {
        module: _collapse(module, depth, packages)
        for arc in on_chains
        for module in arc
        if not (excluded and _matches(module, excluded))
    }
    arcs: dict[tuple[str, str], set[str]] = {}
    lines: dict[tuple[str, str], set[tuple[str, int, str]]] = {}
    kept = 0  # the chains' imports --exclude keeps (each may still fall inside one node)
    for (importer, imported), (names, found) in on_chains.items():
        if importer in node_of and imported in node_of:
            kept += 1
            arc = (node_of[importer], node_of[imported])
            if arc[0] != arc[1]:
                arcs.setdefault(arc, set()).update(names)
                lines.setdefault(arc, set()).update(found)
    by_module = {s.module: s.rel for s in project.files.values() if s.module and not s.scope}
    files: dict[str, set[str]] = {}
    for module, node in node_of.items():
        files.setdefault(node, set()).update([by_module[module]] if module in by_module else [])
    nodes = sorted({n for arc in arcs for n in arc})
    return ImportGraph(
        nodes=tuple(nodes),
        edges=tuple(sorted(arcs)),
        cycles=(),
        files={n: tuple(sorted(files[n])) for n in nodes},
        contracts={arc: tuple(sorted(names)) for arc, names in sorted(arcs.items())},
        note="" if nodes else _no_chains_note(configs, len(on_chains), kept),
        imports={arc: tuple(sorted(found)) for arc, found in sorted(lines.items())},
        lazy={arc: kind for arc, found in sorted(lines.items()) if (kind := _later(found))},
        findings=_findings_of({n: files[n] for n in nodes}, findings or {}),
    )


def _later(imports: Iterable[tuple[str, int, str]]) -> str:
    """ "type-only" or "lazy" for an edge whose imports all run later or never, else ""."""
    wheres = {where for _, _, where in imports}
    if Where.MODULE.value in wheres:
        return ""
    return "type-only" if wheres == {Where.TYPE_CHECKING.value} else "lazy"


def _contract_steps(
    project: Project,
    configs: Sequence[CheckConfig],
    base: Path,
    edges: Mapping[str, Sequence[Edge]] | None,
) -> dict[tuple[str, str], tuple[set[str], set[tuple[str, int, str]]]]:
    """Each import on a chain that breaks a contract: the contracts' names, and where the
    imports are (file, line, where it runs)."""
    files = build_graph(project) if edges is None else edges
    found: dict[tuple[str, str], tuple[set[str], set[tuple[str, int, str]]]] = {}
    where = _where_of(project)
    graphs: dict[tuple[bool, bool], ModuleGraph] = {}
    modules = module_names(project, files)
    for config in configs:
        for contract in config.contracts:
            switches = (contract.include_type_checking, contract.include_function_imports)
            try:
                check_named(contract, modules)  # before building a graph it may not need
                if switches not in graphs:
                    graphs[switches] = module_graph(
                        project, files, type_checking=switches[0], function=switches[1]
                    )
                violations = evaluate(contract, graphs[switches])
            except NotInTreeError:
                if config.directory.is_relative_to(base):
                    raise
                continue
            for step in (s for v in violations for chain in v.chains for s in chain):
                arc = (step.importer, step.imported)
                names, lines = found.setdefault(arc, (set(), set()))
                names.add(contract.name)
                lines.add((step.path, step.span.line, where(step.importer, step.span)))
    return found


def _no_chains_note(configs: Sequence[CheckConfig], breaking: int, kept: int) -> str:
    """Why the contracts' graph is empty."""
    if breaking and not kept:
        if breaking == 1:
            return "--exclude left out the 1 import that breaks a contract"
        return f"--exclude left out all {breaking} imports that break a contract"
    if breaking:
        joins = (
            "import that breaks a contract joins"
            if kept == 1
            else ("imports that break a contract each join")
        )
        return f"the {kept} {joins} modules drawn as one node at this --depth or --collapse"
    if any(c.contracts for c in configs):
        return "every contract of [[tool.scaffold.check.contracts]] is kept"
    return "no [[tool.scaffold.check.contracts]] configured"


def _where_of(project: Project) -> Callable[[str, Span], str]:
    """Where the import of a module at a position runs (a `Where` value)."""
    by_module = {s.module: s.key for s in project.files.values() if s.module and not s.scope}

    def where(module: str, span: Span) -> str:
        facts = project.facts.get(by_module.get(module, ""))
        for imp in facts.imports if facts is not None else ():
            if imp.span == span:
                return imp.where.value
        return Where.MODULE.value

    return where
