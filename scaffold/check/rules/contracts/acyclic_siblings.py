"""ARC004 sibling-cycle: children of an `acyclic-siblings` package import each other in a loop."""

from __future__ import annotations

from collections.abc import Iterator

from scaffold.check.model import Finding, Severity
from scaffold.check.rules.contracts.chains import broken_contracts, step_related
from scaffold.check.rules.unit import Check, GraphContext, Rule, RuleDocs, Scope

__all__ = ["RULE"]


def check(ctx: GraphContext) -> Iterator[Finding]:
    """One finding per loop between the children of a package, at its first import."""
    for broken in broken_contracts(ctx, "acyclic-siblings"):
        for violation in broken.violations:
            loop = violation.chains[0]
            parts = violation.importer.count(".") + 2
            names = [".".join(step.importer.split(".")[:parts]) for step in loop]
            names.append(names[0])
            yield RULE.finding(
                loop[0].path,
                loop[0].span,
                related=tuple(step_related(step) for step in loop),
                contract=broken.contract.name,
                package=violation.importer,
                children=violation.imported,
                cycle=" -> ".join(names),
            )


RULE = Rule(
    code="ARC004",
    name="sibling-cycle",
    severity=Severity.ERROR,
    message="contract '{contract}': the children of `{package}` import each other in a loop"
    " ({children}); a shortest loop: {cycle}",
    docs=RuleDocs(
        what="Checks the `acyclic-siblings` contracts of `[[tool.scaffold.check.contracts]]`:"
        " the children of each listed package (each child with everything below it) may not"
        " import each other in a loop, and the same holds inside each child, `depth` levels"
        " down (10 unless set). One finding per loop, at its first import, every import of"
        " the loop in the related locations.",
        why="Sibling packages in a loop can only be understood, tested and split together;"
        " IMP002 finds loops between modules, this finds them between packages, where they"
        " hide behind imports of different modules.",
        example='# pyproject.toml\n[[tool.scaffold.check.contracts]]\nname = "no package'
        ' loops"\ntype = "acyclic-siblings"\nancestors = ["shop"]\n\n'
        "# shop/orders/place.py\nfrom shop.billing import invoice\n"
        "# shop/billing/invoice.py\nfrom shop.orders.model import Order",
        use_instead="# shop/billing/invoice.py: depend on what both share, below them\n"
        "from shop.model import Order",
        exemptions="Imports inside functions and under `if TYPE_CHECKING:` unless the contract"
        " sets `include-function-imports` / `include-type-checking`; imports listed in"
        " `ignore-imports`.",
        options='A `[[tool.scaffold.check.contracts]]` table with `type = "acyclic-siblings"`: '
        "`ancestors`, `depth`. Every kind also takes `ignore-imports`, "
        "`include-type-checking` and `include-function-imports` (see docs/contracts.md).",
    ),
    checks=(Check(Scope.GRAPH, check),),
)
