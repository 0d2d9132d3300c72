"""Rule docs: `scaffold rule CODE|NAME` in text, Markdown and JSON, and docs/rules/*.md
(the pages SARIF's helpUri links to) generated from the same units, never edited by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scaffold import RULE_DOCS_URL
from scaffold.check.output.rule_docs import rule_pages
from scaffold.check.rules import RULES
from scaffold.cli import main

DOCS = Path(__file__).resolve().parents[2] / "docs" / "rules"


def test_docs_rules_are_the_generated_pages() -> None:
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in DOCS.iterdir()}
    # Regenerate with: scaffold rules --output-format markdown --output-dir docs/rules
    assert on_disk == dict(rule_pages())


def test_every_help_uri_names_a_page_that_exists() -> None:
    for rule in RULES:
        url = RULE_DOCS_URL.format(code=rule.code)
        assert url.endswith(f"/docs/rules/{rule.code}.md")
        assert (DOCS / f"{rule.code}.md").is_file()


@pytest.mark.parametrize("key", ["IMP002", "imp002", "import-cycle", "Import-Cycle"])
def test_a_rule_is_found_by_code_or_name(key: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rule", key]) == 0
    assert capsys.readouterr().out.startswith("IMP002 (import-cycle)")


def test_rule_markdown_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rule", "EXP006", "--output-format", "markdown"]) == 0
    markdown = capsys.readouterr().out
    assert markdown.startswith("# EXP006 implicit-reexport\n")
    assert "## Exemptions" in markdown and "## Fix safety" in markdown
    assert main(["rule", "EXP001", "--output-format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["code"] == "EXP001" and data["ruff_codes"] == ["F822"]
    assert main(["rules", "--output-format", "json"]) == 0
    assert [r["code"] for r in json.loads(capsys.readouterr().out)] == [r.code for r in RULES]


def test_unknown_rules_and_bad_combinations_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rule", "no-such-rule"]) == 2
    assert "unknown rule code or name 'no-such-rule'" in capsys.readouterr().err
    assert main(["rules", "--output-dir", "x"]) == 2
    assert "add --output-format markdown" in capsys.readouterr().err


def test_rules_output_dir_writes_every_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["rules", "--output-format", "markdown", "--output-dir", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(rule_pages())
