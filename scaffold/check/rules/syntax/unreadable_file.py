"""SYN002 unreadable-file: a file that cannot be read or decoded."""

from __future__ import annotations

from collections.abc import Iterator

from scaffold.check.model import Finding, Severity
from scaffold.check.rules.unit import Check, FileContext, Rule, RuleDocs, Scope

__all__ = ["RULE"]


def check(ctx: FileContext) -> Iterator[Finding]:
    error = ctx.facts.error
    if error is not None and error.kind in ("read", "decode"):
        yield RULE.finding(ctx.source.rel, error.span, kind=error.kind, detail=error.detail)


RULE = Rule(
    code="SYN002",
    name="unreadable-file",
    severity=Severity.ERROR,
    message={"read": "cannot read file: {detail}", "decode": "{detail}"},
    docs=RuleDocs(
        what="Reports a file that cannot be read or decoded.",
        why="Python cannot import it either.",
        example="# a Latin-1 file without a coding cookie: caf\\xe9 = 1",
        use_instead="# -*- coding: latin-1 -*-\ncafé = 1",
    ),
    checks=(Check(Scope.UNPARSED, check),),
)
