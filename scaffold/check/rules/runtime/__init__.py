"""RUN rules: what only importing the project's code for real can show (opt-in, `--import`)."""

from scaffold.check.rules.runtime import runtime_import_failure
from scaffold.check.rules.unit import Rule

__all__ = ["RULES"]

RULES: tuple[Rule, ...] = (runtime_import_failure.RULE,)
