"""Which imports to move to break an import cycle: a small, cheap feedback arc set.

Removing (or moving into a function, or under `TYPE_CHECKING`) every import of the set
leaves the group without a loop. Finding the cheapest such set is NP-hard; the heuristic is
Eades, Lin and Smyth's ordering with weights (each import costs what moving it costs: the
number of names it brings), then made minimal by putting back every import that no longer
closes a loop, the dearest first. `minimum_feedback_edges` is the exact search, for small
groups: the tests and docs/decisions.md compare the two.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterable, Mapping, Sequence

__all__ = ["feedback_edges", "is_acyclic", "minimum_feedback_edges"]

Arc = tuple[str, str]


def feedback_edges(nodes: Iterable[str], arcs: Iterable[Arc], cost: Mapping[Arc, int]) -> list[Arc]:
    """A minimal set of `arcs` whose removal leaves no loop, cheap by `cost` (default 1);
    sorted."""
    arcs = sorted(set(arcs))
    order = _ordering(sorted(set(nodes)), arcs, cost)
    position = {node: index for index, node in enumerate(order)}
    backward = [arc for arc in arcs if position[arc[0]] > position[arc[1]]]
    kept = [arc for arc in arcs if position[arc[0]] < position[arc[1]]]
    # Put back what is no longer needed: an arc closes a loop only if its target already
    # reaches its source.
    needed: list[Arc] = []
    for arc in sorted(backward, key=lambda a: (-cost.get(a, 1), a)):
        if _reaches(kept, arc[1], arc[0]):
            needed.append(arc)
        else:
            kept.append(arc)
    return sorted(needed)


def _ordering(nodes: Sequence[str], arcs: Sequence[Arc], cost: Mapping[Arc, int]) -> list[str]:
    """Eades-Lin-Smyth: sinks to the end, sources to the front, else the node whose outgoing
    arcs outweigh its incoming ones most (its incoming arcs become the backward ones)."""
    return _Ordering(nodes, arcs, cost).order()


class _Ordering:
    """The ordering of `_ordering`, in O(arcs log arcs).

    Sinks and sources are taken in passes over the remaining nodes in name order (a node
    that becomes one after its turn waits for the next pass), then the heaviest node, the
    first by name among equals. Rescanning every node on each pass, and weighing every node
    for each choice, cost a pass over the group per node taken (quadratic on a long loop
    whose names do not follow it); here only the nodes an arc removal touched are looked at
    again, and the weights sit in a heap.
    """

    def __init__(self, nodes: Sequence[str], arcs: Sequence[Arc], cost: Mapping[Arc, int]) -> None:
        self.out: dict[str, dict[str, int]] = {n: {} for n in nodes}
        self.into: dict[str, dict[str, int]] = {n: {} for n in nodes}
        for source, target in arcs:
            if source != target:
                self.out[source][target] = self.into[target][source] = cost.get((source, target), 1)
        self.remaining = set(nodes)
        self.weight = {n: sum(self.out[n].values()) - sum(self.into[n].values()) for n in nodes}
        self.heaviest: list[tuple[int, str]] = [(-w, n) for n, w in self.weight.items()]
        heapq.heapify(self.heaviest)
        self.this_pass: list[str] = []
        self.next_pass = [n for n in nodes if self._is_end(n)]
        self.left: list[str] = []
        self.right: list[str] = []

    def order(self) -> list[str]:
        while self.remaining:
            self._take_ends()
            if self.remaining:
                best = self._take_heaviest()
                self.left.append(best)
                self._remove(best, None)
        return self.left + self.right[::-1]

    def _is_end(self, node: str) -> bool:
        return not self.out[node] or not self.into[node]

    def _take_ends(self) -> None:
        while self.next_pass:
            self.this_pass = sorted(set(self.next_pass))
            self.next_pass = []
            while self.this_pass:
                node = heapq.heappop(self.this_pass)
                if node not in self.remaining:
                    continue
                (self.left if self.out[node] else self.right).append(node)
                self._remove(node, node)

    def _take_heaviest(self) -> str:
        while True:
            negative, node = heapq.heappop(self.heaviest)
            if node in self.remaining and -negative == self.weight[node]:
                return node

    def _remove(self, node: str, turn: str | None) -> None:
        """Take `node` out; `turn` is the pass's position (None: between passes)."""
        self.remaining.discard(node)
        for target, weight in self.out[node].items():
            del self.into[target][node]
            self._touched(target, weight, turn)
        for source, weight in self.into[node].items():
            del self.out[source][node]
            self._touched(source, -weight, turn)

    def _touched(self, node: str, change: int, turn: str | None) -> None:
        self.weight[node] += change
        heapq.heappush(self.heaviest, (-self.weight[node], node))
        if self._is_end(node):
            if turn is not None and node > turn:
                heapq.heappush(self.this_pass, node)
            else:
                self.next_pass.append(node)


def _reaches(arcs: Iterable[Arc], start: str, goal: str) -> bool:
    following: dict[str, list[str]] = {}
    for source, target in arcs:
        following.setdefault(source, []).append(target)
    seen = {start}
    stack = [start]
    while stack:
        node = stack.pop()
        if node == goal:
            return True
        for nxt in following.get(node, ()):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return False


def is_acyclic(arcs: Iterable[Arc]) -> bool:
    """Whether the arcs hold no loop."""
    arcs = list(arcs)
    return not any(_reaches(arcs, target, source) for source, target in arcs)


def minimum_feedback_edges(
    arcs: Iterable[Arc], cost: Mapping[Arc, int], limit: int = 16
) -> list[Arc] | None:
    """The cheapest set of arcs whose removal leaves no loop (exact search over subsets by
    size); None when there are more than `limit` arcs."""
    arcs = sorted(set(arcs))
    if len(arcs) > limit:
        return None
    best: list[Arc] | None = None
    best_cost = sum(cost.get(a, 1) for a in arcs) + 1
    for size in range(len(arcs) + 1):
        for chosen in itertools.combinations(arcs, size):
            price = sum(cost.get(a, 1) for a in chosen)
            if price >= best_cost:
                continue
            removed = set(chosen)
            if is_acyclic(a for a in arcs if a not in removed):
                best, best_cost = list(chosen), price
    return best
