"""EXP003 duplicate-export: a name listed twice in `__all__`."""

from __future__ import annotations

from collections.abc import Iterator

from scaffold.check.model import AllEntry, Finding, ModuleFacts, Severity
from scaffold.check.rules.exports.all_literal import fix_all_literals
from scaffold.check.rules.unit import Check, FileContext, FixKind, Rule, RuleDocs, Scope

__all__ = ["RULE"]


def _in_one_literal(facts: ModuleFacts, first: AllEntry, entry: AllEntry) -> bool:
    return any(
        lit.span.line <= first.span.line
        and entry.span.end_line <= lit.span.end_line
        and (lit.span.line, lit.span.column) <= (first.span.line, first.span.column)
        and (entry.span.end_line, entry.span.end_column) <= (lit.span.end_line, lit.span.end_column)
        for lit in facts.all_literals
    )


def check(ctx: FileContext) -> Iterator[Finding]:
    facts = ctx.facts
    if not facts.defines_all:
        return
    seen: dict[str, AllEntry] = {}
    for entry in facts.all_entries:
        first = seen.get(entry.name)
        if first is None:
            seen[entry.name] = entry
            continue
        # Alternatives in if/else or try/except branches may each list the name once.
        if _in_one_literal(facts, first, entry) or not (first.conditional or entry.conditional):
            yield RULE.finding(ctx.source.rel, entry.span, name=entry.name)


RULE = Rule(
    code="EXP003",
    name="duplicate-export",
    severity=Severity.WARNING,
    message="'{name}' is listed in __all__ more than once",
    docs=RuleDocs(
        what="Finds a name listed twice in `__all__`.",
        why="The repeat is noise and usually a merge leftover; it hides what changed.",
        example='__all__ = ["load", "save", "load"]',
        use_instead='__all__ = ["load", "save"]',
        exemptions="Alternatives in `if`/`else` or `try`/`except` branches may each list the"
        " name once.",
        fix_safety="Removing a repeat leaves the exported names as they were.",
    ),
    checks=(Check(Scope.FILE, check),),
    fix=FixKind.SAFE,
    fixer=fix_all_literals,
)
