"""ARC002 forbidden-import: a module of a `forbidden` contract reaches a forbidden module."""

from __future__ import annotations

from collections.abc import Iterator

from scaffold.check.model import Finding, Severity
from scaffold.check.rules.contracts.chains import broken_contracts, chain_findings
from scaffold.check.rules.unit import Check, GraphContext, Rule, RuleDocs, Scope

__all__ = ["RULE"]


def check(ctx: GraphContext) -> Iterator[Finding]:
    """Each `forbidden` contract the graph breaks, at the first import of each chain."""
    for broken in broken_contracts(ctx, "forbidden"):
        yield from chain_findings(RULE, broken)


RULE = Rule(
    code="ARC002",
    name="forbidden-import",
    severity=Severity.ERROR,
    message="contract '{contract}': `{importer}` imports `{imported}`, so `{low}` reaches the"
    " forbidden `{high}`{via}",
    docs=RuleDocs(
        what="Checks the `forbidden` contracts of `[[tool.scaffold.check.contracts]]`: no"
        " module of `source-modules` may import a module of `forbidden-modules`, directly or"
        " (unless `allow-indirect = true`) through other modules. Reported at the first"
        " import of each chain, the chain in the related locations.",
        why="Some arrows must never exist (the domain importing the web framework's views,"
        " one plugin importing another); nothing else notices when one appears.",
        example='# pyproject.toml\n[[tool.scaffold.check.contracts]]\nname = "domain stays'
        ' pure"\ntype = "forbidden"\nsource-modules = ["shop.domain"]\nforbidden-modules ='
        ' ["shop.web"]\n\n# shop/domain/order.py\nfrom shop.web.session import current_user',
        use_instead="# shop/domain/order.py: take what the domain needs as an argument\n"
        "def place(order, user): ...",
        exemptions="Imports inside functions and under `if TYPE_CHECKING:` unless the contract"
        " sets `include-function-imports` / `include-type-checking`; imports listed in"
        " `ignore-imports`; a module and its own package.",
        options='A `[[tool.scaffold.check.contracts]]` table with `type = "forbidden"`: '
        "`source-modules`, `forbidden-modules`, `allow-indirect`. Every kind also takes "
        "`ignore-imports`, `include-type-checking` and `include-function-imports` (see "
        "docs/contracts.md).",
    ),
    checks=(Check(Scope.GRAPH, check),),
)
