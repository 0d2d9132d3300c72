"""PKG rules: folders without `__init__.py`, stdlib shadowing, unimportable names, conflicts."""

from scaffold.check.rules.layout import (
    invalid_module_name,
    missing_init,
    module_package_conflict,
    stdlib_shadow,
)
from scaffold.check.rules.unit import Rule

__all__ = ["RULES"]

RULES: tuple[Rule, ...] = (
    missing_init.RULE,
    stdlib_shadow.RULE,
    invalid_module_name.RULE,
    module_package_conflict.RULE,
)
