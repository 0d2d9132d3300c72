"""ARC001 layer-violation: a lower layer of a `layers` contract imports a higher one."""

from __future__ import annotations

from collections.abc import Iterator

from scaffold.check.model import Finding, Severity
from scaffold.check.rules.contracts.chains import broken_contracts, chain_findings
from scaffold.check.rules.unit import Check, GraphContext, Rule, RuleDocs, Scope

__all__ = ["RULE"]


def check(ctx: GraphContext) -> Iterator[Finding]:
    """Each `layers` contract the graph breaks, at the first import of each chain."""
    for broken in broken_contracts(ctx, "layers"):
        yield from chain_findings(RULE, broken)


RULE = Rule(
    code="ARC001",
    name="layer-violation",
    severity=Severity.ERROR,
    message={
        "default": "contract '{contract}': `{importer}` imports `{imported}`, so the lower layer"
        " `{low}` reaches the higher layer `{high}`{via}",
        "sibling": "contract '{contract}': `{importer}` imports `{imported}`, so `{low}` reaches"
        " `{high}`, an independent sibling in its layer{via}",
        "undeclared": "contract '{contract}': `{low}` is a child of `{high}` but no layer of"
        " this exhaustive contract",
    },
    docs=RuleDocs(
        what="Checks the `layers` contracts of `[[tool.scaffold.check.contracts]]`: a module"
        " of a lower layer may not import a higher layer, directly or through other modules;"
        " siblings written `a | b` may not import each other; with `exhaustive = true`, every"
        " child of a container must be a layer. Reported at the first import of each chain,"
        " the chain in the related locations.",
        why="Layers keep the parts that change often (the UI) above the parts everything"
        " depends on (the domain); one upward import ties them together again, and the next"
        " refactor of the lower layer breaks the higher one or loops back into it.",
        example='# pyproject.toml\n[[tool.scaffold.check.contracts]]\nname = "UI above'
        ' domain"\ntype = "layers"\nlayers = ["shop.ui", "shop.domain"]\n\n'
        "# shop/domain/order.py\nfrom shop.ui.format import money  # the domain reaches up",
        use_instead="# shop/domain/order.py: move `money` down into the domain (or a lower"
        " layer)\nfrom shop.domain.money import money",
        exemptions="Imports inside functions and under `if TYPE_CHECKING:` unless the contract"
        " sets `include-function-imports` / `include-type-checking`; imports listed in"
        " `ignore-imports`; chains through a third layer (that layer's own imports are"
        " reported instead).",
        options='A `[[tool.scaffold.check.contracts]]` table with `type = "layers"`: `layers` '
        "(higher first), `containers`, `exhaustive`. Every kind also takes `ignore-imports`, "
        "`include-type-checking` and `include-function-imports` (see docs/contracts.md).",
    ),
    checks=(Check(Scope.GRAPH, check),),
)
