"""SYN rules: files that cannot be read or parsed, reported instead of crashing the check."""

from scaffold.check.rules.syntax import syntax_error, unreadable_file
from scaffold.check.rules.unit import Rule

__all__ = ["RULES"]

RULES: tuple[Rule, ...] = (syntax_error.RULE, unreadable_file.RULE)
