"""Which imports to move to break an import cycle: a small, cheap feedback arc set.

Removing (or moving into a function, or under `TYPE_CHECKING`) every import of the set
leaves the group without a loop. Finding the cheapest such set is NP-hard; the heuristic is
Eades, Lin and Smyth's ordering with weights (each import costs what moving it costs: the
number of names it brings), then made minimal by putting back every import that no longer
closes a loop, the dearest first. `minimum_feedback_edges` is the exact search, for small
groups: the tests and docs/decisions.md compare the two.
"""

from __future__ import annotations

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
                sorted(remaining),
                key=lambda n: sum(out[n].values()) - sum(into[n].values()),
            )
            left.append(best)
            remove(best)
    return left + right[::-1]


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
