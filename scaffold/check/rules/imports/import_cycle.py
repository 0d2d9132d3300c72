"""IMP002 import-cycle: first-party modules that import each other at module level."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from scaffold.check.imports.breaking import feedback_edges
from scaffold.check.imports.graph import Edge, shortest_cycle, strongly_connected
from scaffold.check.imports.moving import move_of
from scaffold.check.model import Finding, Related, Severity, Span
from scaffold.check.project import Project
from scaffold.check.rules.unit import Check, GraphContext, PeerCode, Rule, RuleDocs, Scope

__all__ = ["RULE"]


def check(ctx: GraphContext) -> Iterator[Finding]:
    """One finding per strongly connected group, at an import of its shortest loop."""
    graph, files = ctx.graph, ctx.project.files
    for group in strongly_connected(graph):
        loop = shortest_cycle(group, graph)
        if not loop:
            continue
        first = min(range(len(loop)), key=lambda i: files[loop[i].source].rel)
        loop = loop[first:] + loop[:first]
        # A noqa comment silences its own line: the finding goes to the first import of the
        # loop that has none, and the group is silent only when every one of them has one.
        first = next((i for i, e in enumerate(loop) if not _silenced(ctx, e.source, e.span)), 0)
        loop = loop[first:] + loop[:first]
        names = [files[e.source].module for e in loop] + [files[loop[0].source].module]
        related = [
            Related(
                files[e.source].rel,
                e.span.line,
                e.span.column,
                f"'{files[e.source].module}' imports '{files[e.target].module}'",
            )
            for e in loop
        ]
        in_loop = {e.source for e in loop}
        related += [
            Related(files[key].rel, 1, 1, f"'{files[key].module}' is in the same import cycle")
            for key in sorted(group, key=lambda k: files[k].rel)
            if key not in in_loop
        ]
        related += _breakers(ctx.project, group, graph)
        kind = "group" if len(group) > len(loop) else "loop"
        yield RULE.finding(
            files[loop[0].source].rel,
            loop[0].span,
            related=tuple(related),
            kind=kind,
            cycle=" -> ".join(names),
            size=len(group),
        )


def _breakers(project: Project, group: list[str], graph: Mapping[str, list[Edge]]) -> list[Related]:
    """The imports whose move (into a function, under TYPE_CHECKING) or removal leaves the
    group without a loop: few, and the cheapest to move (`moving.Move.cost`: those only
    annotations use, then those only functions use, then by the names they bring)."""
    members = set(group)
    edges = {(e.source, e.target): e for key in group for e in graph[key] if e.target in members}
    moves = {
        arc: move_of(project.facts.get(e.source), e.span.line, e.span.column)
        for arc, e in edges.items()
    }
    cost = {arc: move.cost for arc, move in moves.items()}
    files = project.files
    related: list[Related] = []
    for arc in feedback_edges(group, edges, cost):
        edge = edges[arc]
        advice = moves[arc].advice(files[edge.target].module)
        related.append(Related(files[edge.source].rel, edge.span.line, edge.span.column, advice))
    return related


def _silenced(ctx: GraphContext, key: str, span: Span) -> bool:
    facts = ctx.project.facts.get(key)
    return facts is not None and any(
        facts.suppressed(code, span.line, span.end_line) for code in (RULE.code, *RULE.ruff_codes)
    )


RULE = Rule(
    code="IMP002",
    name="import-cycle",
    severity=Severity.WARNING,
    message={
        "loop": "import cycle: {cycle}",
        "group": "import cycle: {cycle} (a group of {size} modules)",
    },
    docs=RuleDocs(
        what="Finds first-party modules that import each other in a loop at module level; one"
        " finding per strongly connected group, at an import of its shortest loop. The related"
        " locations list that loop, then a small set of imports whose move into a function"
        " or under `if TYPE_CHECKING:` breaks every loop of the group, each saying how: the"
        " cheapest preferred (an import only annotations use goes under TYPE_CHECKING, one"
        " only functions use into them, one that code running at import time needs last;"
        " then imports of few names).",
        why="Loops make import order matter, break on refactors and slow start-up; they often"
        " become IMP003 failures later.",
        example="# a.py\nimport b\n# b.py\nimport a",
        use_instead="# move what both need into c.py\n# a.py\nimport c\n# b.py\nimport c",
        exemptions="Imports inside functions and under `if TYPE_CHECKING:`, which do not run"
        " when the module is imported; a module's import of its own ancestor package (with"
        " those edges networkx would be one group of 269 modules, sympy's largest 250):"
        " a package `__init__` and its submodule importing each other is IMP003's when it"
        " fails, and IMP003 names that loop itself. A `# noqa` (bare or naming IMP002) on"
        " one import of the loop silences that line only: the finding moves to the next"
        " import of the loop, and the group is silent only when every import of its loop"
        " carries one.",
    ),
    checks=(Check(Scope.GRAPH, check, by_group=True),),
    peer_codes=(PeerCode("pylint", "R0401", "cyclic-import"),),
)
