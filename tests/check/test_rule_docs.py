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


# Each equivalent or close check of another tool, as that tool's own docs name it (checked
# against pylint's message pages, pyflakes' messages.py, ruff's rule pages and flake8-noqa's
# README); a rule of scaffold's without one has none listed, rather than an invented one.
PEERS = {
    "EXP001": ["pyflakes UndefinedExport", "pylint E0603 undefined-all-variable"],
    "EXP002": ["pylint E0604 invalid-all-object", "pylint E0605 invalid-all-format"],
    "EXP006": ["pyflakes UnusedImport"],
    "IMP001": ["pyflakes ImportStarUsed", "pylint W0401 wildcard-import"],
    "IMP002": ["pylint R0401 cyclic-import"],
    "IMP005": ["pylint E0402 relative-beyond-top-level"],
    "IMP006": ["pylint E0401 import-error", "pylint E0611 no-name-in-module"],
    "IMP007": ["pylint C2701 import-private-name", "ruff PLC2701 import-private-name"],
    "PKG001": ["ruff INP001 implicit-namespace-package"],
    "PKG002": ["ruff A005 stdlib-module-shadowing"],
    "SYN001": ["pylint E0001 syntax-error"],
    "SUP001": ["flake8-noqa NQA101", "flake8-noqa NQA102", "flake8-noqa NQA103"],
}


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_other_tools_codes_are_listed_in_every_format(
    rule: object, capsys: pytest.CaptureFixture[str]
) -> None:
    from scaffold.check.rules.unit import Rule

    assert isinstance(rule, Rule)
    expected = PEERS.get(rule.code, [])
    shown = [str(peer) for peer in rule.peer_codes]
    assert [s for s in shown if any(s.startswith(e) for e in expected)] == shown
    assert len(shown) == len(expected)
    text = rule.explain()
    markdown = (DOCS / f"{rule.code}.md").read_text(encoding="utf-8")
    assert main(["rule", rule.code, "--output-format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [f"{p['tool']} {p['code']} {p['name']}" for p in data["peer_codes"]] == shown
    for peer in rule.peer_codes:
        assert str(peer) in text
        assert f"* {peer.tool} `{peer.code}` {peer.name}" in markdown
    if not expected:
        assert "other tools" not in text and "other tools" not in markdown


def test_a_pylint_code_in_a_noqa_silences_nothing(tmp_path: Path) -> None:
    # Only ruff's codes share scaffold's noqa comments; pylint's live in `# pylint:` ones.
    from scaffold.check import CheckOptions, run_check

    (tmp_path / "mod.py").write_text('__all__ = ["gone"]  # noqa: E0603\n')
    report = run_check(CheckOptions(paths=(tmp_path,), use_cache=False))
    assert [d.code for d in report.diagnostics] == ["EXP001"]


@pytest.mark.parametrize("rule", [r for r in RULES if r.docs.options], ids=lambda r: r.code)
def test_options_name_real_configuration_keys(
    rule: object, capsys: pytest.CaptureFixture[str]
) -> None:
    import re

    from scaffold.check import config, contracts
    from scaffold.check.rules.unit import Rule

    assert isinstance(rule, Rule)
    known = set(config._KEYS) | {k for keys in contracts._KEYS.values() for k in keys}
    named = set(re.findall(r"`([a-z]+(?:-[a-z]+)*)`", rule.docs.options))
    assert named and named <= known, named - known
    assert f"Options\n    {rule.docs.options}" in rule.explain()
    page = (DOCS / f"{rule.code}.md").read_text(encoding="utf-8")
    assert f"## Options\n\n{rule.docs.options}" in page
    assert main(["rule", rule.code, "--output-format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["options"] == rule.docs.options
