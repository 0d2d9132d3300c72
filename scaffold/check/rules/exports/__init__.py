"""EXP rules: what `__all__` says against what the module really binds."""

from scaffold.check.rules.exports import (
    duplicate_export,
    implicit_reexport,
    invalid_all,
    missing_all,
    private_export,
    undefined_export,
    unsorted_all,
)
from scaffold.check.rules.unit import Rule

__all__ = ["RULES"]

RULES: tuple[Rule, ...] = (
    undefined_export.RULE,
    invalid_all.RULE,
    duplicate_export.RULE,
    private_export.RULE,
    missing_all.RULE,
    implicit_reexport.RULE,
    unsorted_all.RULE,
)
