"""ARC003 independence-violation: modules of an `independence` contract import each other."""

from __future__ import annotations

from collections.abc import Iterator

from scaffold.check.model import Finding, Severity
from scaffold.check.rules.contracts.chains import broken_contracts, chain_findings
from scaffold.check.rules.unit import Check, GraphContext, Rule, RuleDocs, Scope

__all__ = ["RULE"]


def check(ctx: GraphContext) -> Iterator[Finding]:
    """Each `independence` contract the graph breaks, at the first import of each chain."""
    for broken in broken_contracts(ctx, "independence"):
        yield from chain_findings(RULE, broken, {"sibling": "default"})


RULE = Rule(
    code="ARC003",
    name="independence-violation",
    severity=Severity.ERROR,
    message="contract '{contract}': `{importer}` imports `{imported}`, so `{low}` depends on"
    " `{high}`, which must stay independent of it{via}",
    docs=RuleDocs(
        what="Checks the `independence` contracts of `[[tool.scaffold.check.contracts]]`: none"
        " of the listed modules (each with everything below it) may import another, directly"
        " or through modules outside the list. Reported at the first import of each chain,"
        " the chain in the related locations.",
        why="Independent parts (plugins, workspace members, bounded contexts) can be changed,"
        " tested and removed one at a time only while none of them imports another.",
        example='# pyproject.toml\n[[tool.scaffold.check.contracts]]\nname = "plugins stand'
        ' alone"\ntype = "independence"\nmodules = ["app.plugins.*"]\n\n'
        "# app/plugins/csv.py\nfrom app.plugins.json import dumps",
        use_instead="# move what both plugins need below them\nfrom app.formats import dumps",
        exemptions="Imports inside functions and under `if TYPE_CHECKING:` unless the contract"
        " sets `include-function-imports` / `include-type-checking`; imports listed in"
        " `ignore-imports`.",
        options='A `[[tool.scaffold.check.contracts]]` table with `type = "independence"`: '
        "`modules`. Every kind also takes `ignore-imports`, `include-type-checking` and "
        "`include-function-imports` (see docs/contracts.md).",
    ),
    checks=(Check(Scope.GRAPH, check),),
)
