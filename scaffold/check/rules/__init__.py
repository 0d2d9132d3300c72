"""The rules of `scaffold check`: each rule a unit in its family, every family registered.

The rules run where scaffold.check.analysis runs them, by scope; this package only names
the registry and the rule type.
"""

from __future__ import annotations

from scaffold.check.rules.registry import RULES, get_rule
from scaffold.check.rules.unit import FixKind, Rule

__all__ = ["RULES", "FixKind", "Rule", "get_rule"]
