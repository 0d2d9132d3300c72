"""ENT001 entry-point-module-missing: an entry point naming a first-party module that is not."""

from __future__ import annotations

from collections.abc import Iterator

from scaffold.check.model import Finding, Severity
from scaffold.check.rules.entry_points.table import (
    declared_entry_points,
    distribution_module,
    parse_entry_point,
)
from scaffold.check.rules.unit import Check, ConfigContext, Rule, RuleDocs, Scope

__all__ = ["RULE"]


def check(ctx: ConfigContext) -> Iterator[Finding]:
    project, dist = ctx.project, distribution_module(ctx)
    for entry in declared_entry_points(ctx):
        if entry.forbidden or not isinstance(entry.value, str):
            continue
        parsed = parse_entry_point(entry.value, object_required=entry.required)
        if parsed is None:
            continue
        module = parsed[0]
        if not project.is_first_party(module) and module.partition(".")[0] != dist:
            continue  # points at another distribution's code
        target = project.find(module)
        if target is None or target.file is None:
            yield RULE.finding(
                ctx.rel, entry.span, group=entry.group, name=entry.name, module=module
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
