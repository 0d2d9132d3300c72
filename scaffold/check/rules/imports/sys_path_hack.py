"""IMP008 sys-path-hack: code that changes `sys.path` or calls `site.addsitedir`."""

from __future__ import annotations

from collections.abc import Iterator

from scaffold.check.model import Finding, Severity
from scaffold.check.rules.unit import Check, FileContext, Rule, RuleDocs, Scope

__all__ = ["RULE"]


def check(ctx: FileContext) -> Iterator[Finding]:
    if ctx.source.exempt:
        return
    for hack in ctx.facts.path_hacks:
        yield RULE.finding(ctx.source.rel, hack.span, kind=hack.kind, name=hack.name)


RULE = Rule(
    code="IMP008",
    name="sys-path-hack",
    severity=Severity.OFF,  # opt-in: always true on real trees, rarely worth acting on
    message={"assign": "`{name}` is changed", "call": "`{name}(...)` changes sys.path"},
    docs=RuleDocs(
        what="Finds code that changes `sys.path` or calls `site.addsitedir`.",
        why="Imports then depend on where the program runs from; install the project instead"
        " (`pip install -e .`). Test files, setup.py and __main__.py are exempt.",
        example='import sys\nsys.path.insert(0, "..")\nimport mylib',
        use_instead="# pip install -e .\nimport mylib",
        exemptions="Test files, setup.py, conftest.py and __main__.py.",
    ),
    checks=(Check(Scope.FILE, check),),
)
