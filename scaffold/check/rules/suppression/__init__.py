"""SUP rules: the suppression comments themselves (opt-in)."""

from scaffold.check.rules.suppression import unused_noqa
from scaffold.check.rules.unit import Rule

__all__ = ["RULES"]

RULES: tuple[Rule, ...] = (unused_noqa.RULE,)
