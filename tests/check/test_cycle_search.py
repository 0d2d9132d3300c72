"""IMP002 on large groups: the loop and the advice it always gave, in about linear work.

`reference_shortest_cycle` is the shortest-loop search as it was before `CycleSearch`: a
breadth-first search from every member of the group, over the whole group;
`reference_ordering` the cycle advice's Eades-Lin-Smyth ordering as it was, every node
rescanned on each pass. The differential tests compare each with its replacement over
random groups; the ring and budget tests count the edges the search looks at.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from scaffold.check import CheckOptions, run_check
from scaffold.check.imports import breaking
from scaffold.check.imports.graph import CycleSearch, Edge, shortest_cycle, strongly_connected
from scaffold.check.model import Span

Tree = Callable[[Mapping[str, str | bytes]], Path]


def reference_shortest_cycle(group: list[str], graph: Mapping[str, list[Edge]]) -> list[Edge]:
    """The search before `CycleSearch` (BFS from each member, pruned by the best so far)."""
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


def _graph(arcs: list[tuple[str, str]], nodes: list[str]) -> dict[str, list[Edge]]:
    graph: dict[str, list[Edge]] = {node: [] for node in nodes}
    for line, (source, target) in enumerate(arcs, 1):
        graph[source].append(Edge(source, target, Span(line, 1, line, 2)))
    return graph


def random_graph(seed: int) -> dict[str, list[Edge]]:
    """Sparse groups with long and short loops, rings with chords, and dense clusters."""
    rng = random.Random(seed)
    count = rng.randint(3, 60)
    nodes = [f"m{i}" for i in range(count)]
    order = nodes[:]
    rng.shuffle(order)
    arcs = set()
    if rng.random() < 0.5:  # a ring through everything, in a shuffled order
        arcs |= {(order[i], order[(i + 1) % count]) for i in range(count)}
    density = rng.choice([0.5, 1.0, 2.0, 4.0]) / count
    arcs |= {(a, b) for a in nodes for b in nodes if a != b and rng.random() < density}
    arcs_list = sorted(arcs)
    rng.shuffle(arcs_list)  # the order of a module's imports decides ties
    return _graph(arcs_list, nodes)


@pytest.mark.parametrize("batch", range(4))
def test_the_search_finds_the_loop_the_reference_finds(batch: int) -> None:
    groups = 0
    for seed in range(batch * 100, batch * 100 + 100):
        graph = random_graph(seed)
        for group in strongly_connected(graph):
            groups += 1
            assert shortest_cycle(group, graph) == reference_shortest_cycle(group, graph), seed
    assert groups > 60


def _is_loop(loop: list[Edge], graph: Mapping[str, list[Edge]]) -> bool:
    closed = all(a.target == b.source for a, b in zip(loop, loop[1:] + loop[:1], strict=True))
    return closed and all(edge in graph[edge.source] for edge in loop)


@pytest.mark.parametrize("size", [50, 500, 5000])
def test_a_ring_is_searched_in_linear_work(size: int) -> None:
    nodes = [f"m{i}" for i in range(size)]
    graph = _graph([(nodes[i], nodes[(i + 1) % size]) for i in range(size)], nodes)
    [group] = strongly_connected(graph)
    search = CycleSearch(group, graph)
    loop = search.shortest()
    assert len(loop) == size and _is_loop(loop, graph)
    # One search around the ring, then one cascade taking every member out: the reference
    # looked at size * (size - 1) edges.
    assert search.visits <= 4 * size


def test_a_ring_with_a_short_cut_is_searched_in_linear_work() -> None:
    size = 1000
    nodes = [f"m{i:04d}" for i in range(size)]
    arcs = [(nodes[i], nodes[(i + 1) % size]) for i in range(size)]
    arcs.append((nodes[700], nodes[690]))  # an 11-module loop far from the first member
    graph = _graph(arcs, nodes)
    [group] = strongly_connected(graph)
    search = CycleSearch(group, graph)
    loop = search.shortest()
    assert len(loop) == 11 and loop == reference_shortest_cycle(group, graph)
    assert search.visits <= 6 * size


def test_a_ring_with_chords_is_searched_in_linear_work() -> None:
    # Every module imports the next two: every loop is long (size / 2), and taking the
    # first two members out leaves the third without an import into the group.
    size = 2000
    nodes = [f"m{i:04d}" for i in range(size)]
    arcs = [(nodes[i], nodes[(i + step) % size]) for i in range(size) for step in (1, 2)]
    graph = _graph(arcs, nodes)
    [group] = strongly_connected(graph)
    search = CycleSearch(group, graph)
    loop = search.shortest()
    assert _is_loop(loop, graph) and len(loop) == size // 2
    assert search.visits <= 5 * len(arcs)


def _torus(side: int) -> dict[str, list[Edge]]:
    # Each module imports its right and its lower neighbour, wrapping around: every loop is
    # at least `side` long and taking members out leaves loops until whole rows are gone.
    def name(row: int, column: int) -> str:
        return f"m{row % side:03d}_{column % side:03d}"

    nodes = [name(r, c) for r in range(side) for c in range(side)]
    arcs = [
        (name(r, c), name(r + down, c + right))
        for r in range(side)
        for c in range(side)
        for down, right in ((1, 0), (0, 1))
    ]
    return _graph(arcs, nodes)


def test_long_overlapping_loops_stop_at_the_budget_with_a_shortest_loop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    graph = _torus(40)
    [group] = strongly_connected(graph)
    whole = CycleSearch(group, graph)
    assert len(whole.shortest()) == 40
    monkeypatch.setattr(CycleSearch, "VISITS_PER_EDGE", 2)
    search = CycleSearch(group, graph)
    loop = search.shortest()
    assert _is_loop(loop, graph) and len(loop) == 40  # the first search's loop is a shortest
    arcs = sum(len(edges) for edges in graph.values())
    assert whole.visits > search.budget  # without the cut it would have gone on
    assert search.visits <= search.budget + 2 * arcs  # the search under way is finished


def test_imp002_reports_a_long_ring_once_with_its_whole_loop(tree: Tree) -> None:
    size = 300
    files: dict[str, str | bytes] = {"ring/__init__.py": ""}
    for i in range(size):
        files[f"ring/m{i}.py"] = f"import ring.m{(i + 1) % size}\n"
    root = tree(files)
    report = run_check(CheckOptions(paths=(root,), select=("IMP002",)))
    [finding] = report.diagnostics
    assert finding.path == "ring/m0.py"
    assert finding.message.count(" -> ") == size


def reference_ordering(
    nodes: list[str], arcs: list[tuple[str, str]], cost: Mapping[tuple[str, str], int]
) -> list[str]:
    """`breaking._ordering` before `_Ordering`: every remaining node rescanned per pass."""
    out: dict[str, dict[str, int]] = {n: {} for n in nodes}
    into: dict[str, dict[str, int]] = {n: {} for n in nodes}
    for source, target in arcs:
        if source != target:
            out[source][target] = into[target][source] = cost.get((source, target), 1)
    left: list[str] = []
    right: list[str] = []
    remaining = set(nodes)

    def remove(node: str) -> None:
        remaining.discard(node)
        for target in out[node]:
            into[target].pop(node, None)
        for source in into[node]:
            out[source].pop(node, None)

    while remaining:
        changed = True
        while changed:
            changed = False
            for node in sorted(remaining):
                if node not in remaining:
                    continue
                if not out[node]:
                    right.append(node)
                    remove(node)
                    changed = True
                elif not into[node]:
                    left.append(node)
                    remove(node)
                    changed = True
        if remaining:
            best = max(
                sorted(remaining), key=lambda n: sum(out[n].values()) - sum(into[n].values())
            )
            left.append(best)
            remove(best)
    return left + right[::-1]


@pytest.mark.parametrize("batch", range(4))
def test_the_advice_orders_the_modules_as_the_reference_does(batch: int) -> None:
    for seed in range(batch * 100, batch * 100 + 100):
        graph = random_graph(seed)
        rng = random.Random(seed)
        nodes = sorted(graph)
        arcs = sorted({(e.source, e.target) for edges in graph.values() for e in edges})
        cost = {arc: rng.choice([1, 1, 2, 3, 5]) for arc in arcs}
        expected = reference_ordering(nodes, arcs, cost)
        assert breaking._ordering(nodes, arcs, cost) == expected, seed


def test_the_advice_for_a_long_ring_in_no_name_order_is_linear(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    size = 3000
    nodes = [f"m{i}" for i in range(size)]
    order = nodes[:]
    random.Random(7).shuffle(order)
    arcs = [(order[i], order[i - 1]) for i in range(size)]
    looked_at: list[str] = []
    is_end = breaking._Ordering._is_end

    def counted(self: breaking._Ordering, node: str) -> bool:
        looked_at.append(node)
        return is_end(self, node)

    monkeypatch.setattr(breaking._Ordering, "_is_end", counted)
    [advice] = breaking.feedback_edges(nodes, arcs, {})
    assert advice in arcs
    # Each removal looks at its two neighbours; rescanning every node on each pass looked
    # at about size * size / 4 of them.
    assert len(looked_at) <= 4 * size
