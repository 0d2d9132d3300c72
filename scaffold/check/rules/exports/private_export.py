"""EXP004 private-export: a `_private` name listed in `__all__`."""

from __future__ import annotations

from collections.abc import Iterator

from scaffold.check.model import Finding, Severity
from scaffold.check.rules.names import is_private
from scaffold.check.rules.unit import Check, FileContext, Rule, RuleDocs, Scope

__all__ = ["RULE"]


def check(ctx: FileContext) -> Iterator[Finding]:
    if not ctx.facts.defines_all:
        return
    for entry in ctx.facts.all_entries:
        if is_private(entry.name):
            yield RULE.finding(ctx.source.rel, entry.span, name=entry.name)


RULE = Rule(
    code="EXP004",
    name="private-export",
    severity=Severity.OFF,  # opt-in: always true on real trees, rarely worth acting on
    message="'{name}' is private but listed in __all__",
    docs=RuleDocs(
        what="Finds `_private` names in `__all__` (dunders such as `__version__` are fine).",
        why="A leading underscore says 'not public'; exporting it says the opposite.",
        example='__all__ = ["load", "_cache"]',
        use_instead='__all__ = ["load"]',
    ),
    checks=(Check(Scope.FILE, check),),
)
