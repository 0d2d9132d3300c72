"""IMP005 relative-beyond-top: a relative import that climbs above the top-level package."""

from __future__ import annotations

from collections.abc import Iterator

from scaffold.check.model import Finding, Severity
from scaffold.check.rules.unit import Check, FileContext, PeerCode, Rule, RuleDocs, Scope

__all__ = ["RULE"]


def check(ctx: FileContext) -> Iterator[Finding]:
    project, source = ctx.project, ctx.source
    if not (source.module or source.scope):
        return
    # A script folder's file may also be imported by its dotted path through PEP 420
    # namespace packages (`import a.c.d` for a/c/d.py): then it has that many parents.
    portion = project.portion_of(source)
    parents = len(portion.split(".")) if portion else 0
    for imp in ctx.facts.imports:
        if not imp.level or imp.guarded or (source.scope and imp.level <= parents):
            # Under `try:` a failing relative import is expected (a fallback follows).
            continue
        if project.absolute(source, imp) is None:
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
        exemptions=(
            "Folders without `__init__.py` count as PEP 420 namespace packages: `a/c/d.py`"
            " imports as `a.c.d`, so `from ..b import B` there works. An import under `try:`"
            " with a handler is left alone: its fallback runs instead."
        ),
    ),
    checks=(Check(Scope.FILE, check),),
    peer_codes=(PeerCode("pylint", "E0402", "relative-beyond-top-level"),),
)
