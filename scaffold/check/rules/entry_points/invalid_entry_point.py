"""ENT003 entry-point-invalid: an entry point value or table that build tools reject."""

from __future__ import annotations

from collections.abc import Iterator

from scaffold.check.model import Finding, Severity
from scaffold.check.rules.entry_points.table import declared_entry_points, parse_entry_point
from scaffold.check.rules.unit import Check, ConfigContext, Rule, RuleDocs, Scope

__all__ = ["RULE"]


def check(ctx: ConfigContext) -> Iterator[Finding]:
    for entry in declared_entry_points(ctx):
        if entry.forbidden:
            table = "scripts" if entry.group == "console_scripts" else "gui-scripts"
            yield RULE.finding(ctx.rel, entry.span, kind="table", group=entry.group, table=table)
            continue
        value = entry.value
        if isinstance(value, str) and parse_entry_point(value, object_required=entry.required):
            continue
        form = "module.path:object" if entry.required else "module.path[:object]"
        yield RULE.finding(
            ctx.rel,
            entry.span,
            kind="value",
            group=entry.group,
            name=entry.name,
            value=repr(value),
            form=form,
        )


RULE = Rule(
    code="ENT003",
    name="entry-point-invalid",
    severity=Severity.ERROR,
    message={
        "table": "[project.entry-points.{group}] is forbidden by PEP 621: use [project.{table}]",
        "value": "entry point {group}.{name} = {value} does not match `{form} [extras]`",
    },
    docs=RuleDocs(
        what="Finds an entry point value that does not match `module.path:object.attr"
        " [extras]` (`:object` required for scripts and gui-scripts), or a"
        " `[project.entry-points.console_scripts]` table, which PEP 621 forbids.",
        why="Build backends reject the project or install a command that cannot start.",
        example='[project.scripts]\nmygame = "mygame.cli"',
        use_instead='[project.scripts]\nmygame = "mygame.cli:main"',
    ),
    checks=(Check(Scope.CONFIG, check),),
)
