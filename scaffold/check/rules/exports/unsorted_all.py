"""EXP007 unsorted-all: an `__all__` literal out of order."""

from __future__ import annotations

from collections.abc import Iterator

from scaffold.check.model import Finding, Severity
from scaffold.check.rules.exports.all_literal import fix_all_literals
from scaffold.check.rules.unit import Check, FileContext, FixKind, Rule, RuleDocs, Scope
from scaffold.edit import ruf022_key

__all__ = ["RULE"]


def check(ctx: FileContext) -> Iterator[Finding]:
    if not ctx.facts.defines_all:
        return
    for literal in ctx.facts.all_literals:
        names = list(literal.names)
        if len(names) > 1 and names != sorted(names, key=ruf022_key):
            yield RULE.finding(ctx.source.rel, literal.span)


RULE = Rule(
    code="EXP007",
    name="unsorted-all",
    severity=Severity.OFF,
    message="__all__ is not sorted",
    docs=RuleDocs(
        what="Finds an `__all__` literal that is not sorted the way ruff's RUF022 sorts it"
        " (SCREAMING_CASE, then CamelCase, then the rest; natural order within each).",
        why="A sorted `__all__` makes diffs small and duplicates obvious. Off by default;"
        " select it by its code.",
        example='__all__ = ["save", "Loader", "MAX"]',
        use_instead='__all__ = ["MAX", "Loader", "save"]',
        exemptions="A literal with comments between its items is left to a human to sort.",
        fix_safety="The order of `__all__` does not change what it exports.",
    ),
    checks=(Check(Scope.FILE, check),),
    fix=FixKind.SAFE,
    fixer=fix_all_literals,
    ruff_codes=("RUF022",),
)
