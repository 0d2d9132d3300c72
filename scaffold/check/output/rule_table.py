"""The table `scaffold rules` prints: code, name, default severity, fix, one-line summary."""

from __future__ import annotations

from scaffold.check.rules.registry import RULES

__all__ = ["render_rules"]


def render_rules() -> str:
    """One line per rule, in registry order."""
    lines = []
    for rule in RULES:
        fix = {"none": "", "safe": "fix", "unsafe": "unsafe-fix"}[rule.fix.value]
        lines.append(
            f"{rule.code}  {rule.name:<28} {rule.severity.value:<8} {fix:<10} "
            f"{rule.summary.split('. ')[0].rstrip('.')}"
        )
    return "\n".join(line.rstrip() for line in lines) + "\n"
