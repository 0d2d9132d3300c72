"""IMP002 import-cycle: first-party modules that import each other at module level."""

from __future__ import annotations

from collections.abc import Iterator

from scaffold.check.imports.graph import shortest_cycle, strongly_connected
from scaffold.check.model import Finding, Related, Severity
from scaffold.check.rules.unit import Check, GraphContext, Rule, RuleDocs, Scope

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
        kind = "group" if len(group) > len(loop) else "loop"
        yield RULE.finding(
            files[loop[0].source].rel,
            loop[0].span,
            related=tuple(related),
            kind=kind,
            cycle=" -> ".join(names),
            size=len(group),
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
        " finding per strongly connected group, at an import of its shortest loop.",
        why="Loops make import order matter, break on refactors and slow start-up; they often"
        " become IMP003 failures later.",
        example="# a.py\nimport b\n# b.py\nimport a",
        use_instead="# move what both need into c.py\n# a.py\nimport c\n# b.py\nimport c",
        exemptions="Imports inside functions and under `if TYPE_CHECKING:`, which do not run"
        " when the module is imported.",
    ),
    checks=(Check(Scope.GRAPH, check),),
)
