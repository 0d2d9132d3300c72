"""A rule's documentation as Markdown: SARIF's `help.markdown` (and rule pages)."""

from __future__ import annotations

from scaffold.check.rules.unit import FixKind, Rule

__all__ = ["rule_markdown"]

_FIX = {
    FixKind.NONE: "no automatic fix",
    FixKind.SAFE: "safe fix (`--fix`)",
    FixKind.UNSAFE: "unsafe fix (`--fix --unsafe-fixes`)",
}


def _code_block(text: str, language: str) -> str:
    return f"```{language}\n{text.strip(chr(10))}\n```"


def rule_markdown(rule: Rule) -> str:
    """The sections of `scaffold rule CODE`, in Markdown."""
    docs = rule.docs
    # The entry-point rules' examples are pyproject.toml tables, the layout rules' file trees.
    language = {"ENT": "toml", "PKG": "text"}.get(rule.code[:3], "python")
    sections = [
        f"# {rule.code} {rule.name}",
        f"Default severity: {rule.severity.value}; {_FIX[rule.fix]}.",
        f"## What it does\n\n{docs.what}",
        f"## Why is this bad?\n\n{docs.why}",
        f"## Example\n\n{_code_block(docs.example, language)}",
        f"## Use instead\n\n{_code_block(docs.use_instead, language)}",
    ]
    sections += [f"## {title}\n\n{text}" for title, text in rule.closing_sections()]
    if rule.peer_codes:
        peers = "\n".join(f"* {p.tool} `{p.code}` {p.name}" for p in rule.peer_codes)
        sections.append(f"## The same check in other tools\n\n{peers}")
    return "\n\n".join(sections) + "\n"
