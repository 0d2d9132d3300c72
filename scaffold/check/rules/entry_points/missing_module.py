"""ENT001 entry-point-module-missing: an entry point naming a first-party module that is not."""

from __future__ import annotations

from collections.abc import Iterator

from scaffold.check.model import Finding, Severity
from scaffold.check.rules.entry_points.table import first_party_references
from scaffold.check.rules.unit import Check, ConfigContext, Rule, RuleDocs, Scope

__all__ = ["RULE"]


def check(ctx: ConfigContext) -> Iterator[Finding]:
    for ref in first_party_references(ctx):
        if ref.target is None:
            entry = ref.entry
            yield RULE.finding(
                ctx.rel, entry.span, group=entry.group, name=entry.name, module=ref.module
            )


RULE = Rule(
    code="ENT001",
    name="entry-point-module-missing",
    severity=Severity.ERROR,
    message="entry point {group}.{name}: no module named '{module}'",
    docs=RuleDocs(
        what="Finds an entry point in pyproject.toml whose first-party module does not exist.",
        why="The installed command fails with ModuleNotFoundError.",
        example='[project.scripts]\nmygame = "mygame.clii:main"',
        use_instead='[project.scripts]\nmygame = "mygame.cli:main"',
        exemptions="Entry points into other distributions' code.",
    ),
    checks=(Check(Scope.CONFIG, check),),
)
