"""ENT002 entry-point-attr-missing: an entry point whose module does not bind the object."""

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
        module, obj = parsed
        if obj is None:
            continue
        if not project.is_first_party(module) and module.partition(".")[0] != dist:
            continue  # points at another distribution's code
        target = project.find(module)
        if target is None or target.file is None:
            continue  # ENT001
        head = obj.partition(".")[0]
        if project.has_name(target, head, "") is False:
            yield RULE.finding(
                ctx.rel, entry.span, group=entry.group, name=entry.name, module=module, object=head
            )


RULE = Rule(
    code="ENT002",
    name="entry-point-attr-missing",
    severity=Severity.ERROR,
    message="entry point {group}.{name}: module '{module}' does not define '{object}'",
    docs=RuleDocs(
        what="Finds an entry point whose module exists but does not bind the object.",
        why="The installed command fails with AttributeError.",
        example='[project.scripts]\nmygame = "mygame.cli:mian"',
        use_instead='[project.scripts]\nmygame = "mygame.cli:main"',
        exemptions="Modules whose names cannot be known statically (`__getattr__`,"
        " `globals()` writes).",
    ),
    checks=(Check(Scope.CONFIG, check),),
)
