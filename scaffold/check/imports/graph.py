"""The first-party import graph: module-level edges, strongly connected groups, shortest loops."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from scaffold.check.discover import SourceFile
from scaffold.check.model import ImportFact, Span, Where
from scaffold.check.project import Project, Target

__all__ = [
    "Edge",
    "build_graph",
    "file_edges",
    "import_targets",
    "in_graph",
    "shortest_cycle",
    "strongly_connected",
]


@dataclass(frozen=True, slots=True)
class Edge:
    """Module `source` imports module `target` at import time, at `span`."""

    source: str
    target: str
    span: Span


def import_targets(project: Project, source: SourceFile, imp: ImportFact) -> Iterator[Target]:
    """The first-party modules one import statement reaches (a package for a name it binds)."""
    module = project.absolute(source, imp)
    if module is None:
        return
    if not imp.is_from:
        target = project.find(module, source.scope)
        if target is not None:
            yield target
        return
    package = project.find(module, source.scope)
    if package is None:
        return
    pointed_at_package = False
    for alias in imp.names:
        sub = None if alias.name == "*" else project.submodule(package, alias.name, source.scope)
        if sub is not None:
            yield sub
        else:
            pointed_at_package = True
    if pointed_at_package:
        yield package


def file_edges(project: Project, source: SourceFile) -> list[Edge]:
    """The module-level imports of one file that reach other first-party files."""
    key = source.key
    facts = project.facts.get(key)
    edges: list[Edge] = []
    if facts is None or facts.error is not None:
        return edges
    ancestors = project.ancestors_of(source)
    seen: set[str] = set()
    for imp in facts.imports:
        if imp.where is not Where.MODULE:
            continue
        for target in import_targets(project, source, imp):
            if target.file is None or target.file.key == key:
                continue
            if not source.scope and target.name in ancestors:
                continue
            if target.file.key not in seen:
                seen.add(target.file.key)
                edges.append(Edge(key, target.file.key, imp.span))
    return edges


def in_graph(source: SourceFile) -> bool:
    """Whether a file is a node of the import graph."""
    return bool(source.module) and not source.is_stub


def build_graph(project: Project) -> dict[str, list[Edge]]:
    """Edges of module-level imports between first-party files, ancestors and self left out."""
    return {
        key: file_edges(project, source)
        for key, source in sorted(project.files.items())
        if in_graph(source)
    }


def strongly_connected(graph: Mapping[str, list[Edge]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative; groups of two or more modules, sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    groups: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work: list[tuple[str, int]] = [(start, 0)]
        while work:
            node, position = work.pop()
            if position == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            edges = graph.get(node, [])
            advanced = False
            while position < len(edges):
                nxt = edges[position].target
                position += 1
                if nxt not in graph:
                    continue
                if nxt not in index:
                    work.append((node, position))
                    work.append((nxt, 0))
                    advanced = True
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            if advanced:
                continue
            if low[node] == index[node]:
                group: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    groups.sort()
    return groups


def shortest_cycle(group: list[str], graph: Mapping[str, list[Edge]]) -> list[Edge]:
    """A shortest loop inside one strongly connected group (BFS from each member, pruned)."""
    members = set(group)
    best: list[Edge] | None = None
    for start in group:
        limit = len(best) - 1 if best is not None else len(group)
        if limit < 2:
            break
        parents: dict[str, Edge] = {}
        depth = {start: 0}
        queue = deque([start])
        found: Edge | None = None
        while queue and found is None:
            node = queue.popleft()
            if depth[node] >= limit:
                break
            for edge in graph[node]:
                if edge.target not in members:
                    continue
                if edge.target == start:
                    found = edge
                    break
                if edge.target not in depth:
                    depth[edge.target] = depth[node] + 1
                    parents[edge.target] = edge
                    queue.append(edge.target)
        if found is None:
            continue
        path = [found]
        node = found.source
        while node != start:
            edge = parents[node]
            path.append(edge)
            node = edge.source
        path.reverse()
        if best is None or len(path) < len(best):
            best = path
    return best or []
