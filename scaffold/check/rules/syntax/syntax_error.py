"""SYN001 syntax-error: a file (or pyproject.toml) that does not parse or compile."""

from __future__ import annotations

from collections.abc import Iterator

from scaffold.check.model import Finding, Severity, Span
from scaffold.check.rules.unit import (
    Check,
    ConfigContext,
    FileContext,
    PeerCode,
    Rule,
    RuleDocs,
    Scope,
)

__all__ = ["RULE"]

# The kinds of SourceError this rule reports; the others are SYN002's.
_KINDS = frozenset({"syntax", "invalid", "nesting", "size"})


def check_file(ctx: FileContext) -> Iterator[Finding]:
    error = ctx.facts.error
    if error is not None and error.kind in _KINDS:
        yield RULE.finding(ctx.source.rel, error.span, kind=error.kind, detail=error.detail)


def check_config(ctx: ConfigContext) -> Iterator[Finding]:
    if ctx.config.error is not None:
        line, message = ctx.config.error
        yield RULE.finding(ctx.rel, Span(line, 1, line, 1), kind="syntax", detail=message)


RULE = Rule(
    code="SYN001",
    name="syntax-error",
    severity=Severity.ERROR,
    message={
        "syntax": "{detail}",
        "invalid": "{detail}",
        "nesting": "the file is too deeply nested to analyse",
        "size": "the file is too large or too deeply nested to parse",
    },
    docs=RuleDocs(
        what="Reports a file that does not parse or compile (or is too deeply nested to analyse).",
        why="Nothing else can be checked in it, and importing it raises SyntaxError. Some"
        " errors only the compiler finds, after parsing: `return` or `await` outside a"
        " function, `break` outside a loop, `import *` in a function, a late"
        " `from __future__` import, a parameter named twice.",
        example="def f(:\n    pass",
        use_instead="def f():\n    pass",
    ),
    checks=(Check(Scope.UNPARSED, check_file), Check(Scope.CONFIG, check_config)),
    peer_codes=(PeerCode("pylint", "E0001", "syntax-error"),),
)
