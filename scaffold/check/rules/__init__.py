"""The rules of `scaffold check`: the registry of every rule, and the rule families.

The families (exports, imports, layout, entry_points) are imported where they run
(scaffold.check.analysis), so reading the registry imports none of them.
"""

from __future__ import annotations

from scaffold.check.rules.registry import RULES, FixKind, Rule, get_rule

__all__ = ["RULES", "FixKind", "Rule", "get_rule"]
