"""ENT002 entry-point-attr-missing: an entry point whose module does not bind the object."""

from __future__ import annotations

from collections.abc import Iterator

from scaffold.check.model import Finding, Severity
from scaffold.check.rules.entry_points.table import first_party_references
from scaffold.check.rules.unit import Check, ConfigContext, Rule, RuleDocs, Scope

__all__ = ["RULE"]


def check(ctx: ConfigContext) -> Iterator[Finding]:
    for ref in first_party_references(ctx):
        if ref.target is None or ref.object is None:
            continue  # no module is ENT001's; a group without `:object` names none
        head = ref.object.partition(".")[0]
        if ctx.project.has_name(ref.target, head, "") is False:
            entry = ref.entry
            yield RULE.finding(
                ctx.rel,
                entry.span,
                group=entry.group,
                name=entry.name,
                module=ref.module,
                object=head,
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
