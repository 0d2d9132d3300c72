"""IMP005 relative-beyond-top: a relative import that climbs above the top-level package."""

from __future__ import annotations

from collections.abc import Iterator

from scaffold.check.model import Finding, Severity
from scaffold.check.rules.unit import Check, FileContext, Rule, RuleDocs, Scope

__all__ = ["RULE"]


def check(ctx: FileContext) -> Iterator[Finding]:
    project, source = ctx.project, ctx.source
    if not (source.module or source.scope):
        return
    for imp in ctx.facts.imports:
        if imp.level and project.absolute(source, imp) is None:
            yield RULE.finding(source.rel, imp.span, module="." * imp.level + imp.module)


RULE = Rule(
    code="IMP005",
    name="relative-beyond-top",
    severity=Severity.ERROR,
    message="relative import `from {module} import ...` climbs above the top-level package",
    docs=RuleDocs(
        what="Finds a relative import that climbs above the top-level package.",
        why="`ImportError: attempted relative import beyond top-level package`.",
        example="# pkg/mod.py\nfrom .. import other",
        use_instead="# pkg/mod.py\nfrom . import other",
    ),
    checks=(Check(Scope.FILE, check),),
)
