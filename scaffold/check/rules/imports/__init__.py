"""IMP rules: wildcard, cyclic, sibling, relative, unresolved, private and path-hacking imports."""

from scaffold.check.rules.imports import (
    bare_sibling_import,
    import_cycle,
    import_side_effect,
    import_time_cycle,
    private_import,
    relative_beyond_top,
    sys_path_hack,
    unresolved_import,
    wildcard_import,
)
from scaffold.check.rules.unit import Rule

__all__ = ["RULES"]

RULES: tuple[Rule, ...] = (
    wildcard_import.RULE,
    import_cycle.RULE,
    import_time_cycle.RULE,
    bare_sibling_import.RULE,
    relative_beyond_top.RULE,
    unresolved_import.RULE,
    private_import.RULE,
    sys_path_hack.RULE,
    import_side_effect.RULE,
)
