"""ARC rules: the architecture contracts of `[[tool.scaffold.check.contracts]]`."""

from scaffold.check.rules.contracts import acyclic_siblings, forbidden, independence, layers
from scaffold.check.rules.unit import Rule

__all__ = ["RULES"]

RULES: tuple[Rule, ...] = (
    layers.RULE,
    forbidden.RULE,
    independence.RULE,
    acyclic_siblings.RULE,
)
