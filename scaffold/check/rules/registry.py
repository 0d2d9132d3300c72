"""The rule registry: every rule family, loaded the way a plugin would be, by module path.

A family is a package whose `RULES` tuple lists its rule units (see `unit.Rule`). The
built-in families are listed here by name; a plugin family is one more name. Nothing else
in the checker knows which rules exist.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Iterable

from scaffold.check.model import Finding
from scaffold.check.rules.unit import CheckFunction, Rule, Scope

__all__ = ["FAMILIES", "RULES", "checks_in", "get_rule", "run_checks"]

FAMILIES: tuple[str, ...] = (
    "scaffold.check.rules.exports",
    "scaffold.check.rules.imports",
    "scaffold.check.rules.layout",
    "scaffold.check.rules.entry_points",
    "scaffold.check.rules.syntax",
    "scaffold.check.rules.runtime",
    "scaffold.check.rules.contracts",
    "scaffold.check.rules.suppression",
)


def _load(families: Iterable[str]) -> tuple[Rule, ...]:
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    for family in families:
        for rule in importlib.import_module(family).RULES:
            if rule.code in seen:
                raise ValueError(f"rule {rule.code} is defined by {seen[rule.code]} and {family}")
            seen[rule.code] = family
            rules.append(rule)
    return tuple(rules)


RULES: tuple[Rule, ...] = _load(FAMILIES)
_BY_CODE = {rule.code: rule for rule in RULES}
_BY_NAME = {rule.name: rule for rule in RULES}


def get_rule(code: str) -> Rule | None:
    """The rule with this code (case-insensitive) or kebab-case name, or None."""
    key = code.strip()
    return _BY_CODE.get(key.upper()) or _BY_NAME.get(key.lower())


@functools.cache
def checks_in(scope: Scope, enabled: frozenset[str]) -> tuple[CheckFunction, ...]:
    """The checks of the enabled rules that run in `scope`."""
    return tuple(
        check.run
        for rule in RULES
        if rule.code in enabled
        for check in rule.checks
        if check.scope is scope
    )


def run_checks(scope: Scope, context: object, enabled: frozenset[str]) -> list[Finding]:
    """Every finding of the enabled rules' checks of `scope` over one context."""
    findings: list[Finding] = []
    for check in checks_in(scope, enabled):
        findings.extend(check(context))
    return findings
