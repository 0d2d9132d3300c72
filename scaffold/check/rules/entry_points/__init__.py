"""ENT rules: `pyproject.toml` entry points checked against the code they name."""

from scaffold.check.rules.entry_points import invalid_entry_point, missing_module, missing_object
from scaffold.check.rules.unit import Rule

__all__ = ["RULES"]

RULES: tuple[Rule, ...] = (missing_module.RULE, missing_object.RULE, invalid_entry_point.RULE)
