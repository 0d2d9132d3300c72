"""The SARIF 2.1.0 format for code scanning: every rule a reportingDescriptor, one result each."""

from __future__ import annotations

import json
from typing import Any

from scaffold import __version__
from scaffold.check.model import CheckReport, Diagnostic, Related, Severity
from scaffold.check.output.context import RenderContext
from scaffold.check.rules.registry import RULES

__all__ = ["render_sarif"]

_SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_INFO_URI = "https://pypi.org/project/scaffold/"


def _artifact(path: str) -> dict[str, Any]:
    return {"artifactLocation": {"uri": path, "uriBaseId": "%SRCROOT%"}}


def _location(d: Diagnostic) -> dict[str, Any]:
    physical = _artifact(d.path)
    # A folder finding (PKG001 on `pkg/sub`) has no lines to point at.
    if d.path.endswith((".py", ".pyi", ".toml")):
        physical["region"] = {
            "startLine": d.line,
            "startColumn": d.column,
            "endLine": d.end_line,
            "endColumn": d.end_column,
        }
    return {"physicalLocation": physical}


def _related_location(index: int, related: Related) -> dict[str, Any]:
    physical = _artifact(related.path)
    physical["region"] = {"startLine": related.line, "startColumn": related.column}
    return {"id": index, "physicalLocation": physical, "message": {"text": related.message}}


def _rule_descriptors() -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Every rule, sorted by code, and each code's index in that list (`ruleIndex`)."""
    rules = []
    index = {}
    for position, rule in enumerate(sorted(RULES, key=lambda r: r.code)):
        index[rule.code] = position
        enabled = rule.severity is not Severity.OFF
        rules.append(
            {
                "id": rule.code,
                "name": rule.name,
                "shortDescription": {"text": rule.summary},
                "fullDescription": {"text": f"{rule.summary} {rule.why}"},
                "help": {"text": rule.explain()},
                "defaultConfiguration": {
                    "enabled": enabled,
                    "level": rule.severity.value if enabled else "warning",
                },
                "properties": {"tags": [rule.code[:3].lower()]},
            }
        )
    return rules, index


def _result(d: Diagnostic, rule_index: int) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": d.code,
        "ruleIndex": rule_index,
        "level": "error" if d.severity is Severity.ERROR else "warning",
        "message": {"text": d.message},
        "locations": [_location(d)],
    }
    if d.related:
        result["relatedLocations"] = [_related_location(i, r) for i, r in enumerate(d.related)]
    return result


def render_sarif(report: CheckReport, context: RenderContext) -> str:
    """One SARIF 2.1.0 run; paths stay relative to the checked root (`%SRCROOT%`)."""
    rules, index = _rule_descriptors()
    document = {
        "$schema": _SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "scaffold",
                        "version": __version__,
                        "informationUri": _INFO_URI,
                        "rules": rules,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": [_result(d, index[d.code]) for d in report.diagnostics],
            }
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
