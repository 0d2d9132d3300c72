"""docs/rules.md, the page the language server's diagnostics link to (`codeDescription`),
is the registry's `scaffold rule CODE` text for every rule; rerun this module as a script
(`python -m tests.test_rule_docs`) to write it again after a rule changes."""

from __future__ import annotations

from pathlib import Path

from scaffold.check.rules import RULES

PAGE = Path(__file__).resolve().parent.parent / "docs" / "rules.md"


def render() -> str:
    """One section per rule, anchored by its lower-case code (`rules.md#exp001`)."""
    parts = [
        "# Rules of `scaffold check`\n",
        "Generated from the rule registry (`python -m tests.test_rule_docs`); the same text as"
        " `scaffold rule CODE`. Editors link each diagnostic of `scaffold server` here.\n",
    ]
    for rule in RULES:
        parts.append(f'<a id="{rule.code.lower()}"></a>\n\n## {rule.code} {rule.name}\n')
        parts.append(f"```text\n{rule.explain()}```\n")
    return "\n".join(parts)


def test_the_rules_page_is_the_registrys_text() -> None:
    assert PAGE.read_text(encoding="utf-8") == render(), "run: python -m tests.test_rule_docs"


if __name__ == "__main__":
    PAGE.write_text(render(), encoding="utf-8")
