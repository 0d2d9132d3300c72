"""The SARIF 2.1.0 format for code scanning: every rule a reportingDescriptor, one result each."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from scaffold import HOME_URL, RULE_DOCS_URL, __version__
from scaffold.check.model import CheckReport, Diagnostic, Related, Severity
from scaffold.check.output.context import RenderContext, json_text
from scaffold.check.output.rule_markdown import rule_markdown
from scaffold.check.rules.registry import RULES

__all__ = ["FINGERPRINT_KEY", "render_sarif"]

_SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_SRCROOT = "%SRCROOT%"
# The partialFingerprints key of scaffold's fingerprint (scaffold.check.locations); the
# version suffix changes if the fingerprint's recipe ever does.
FINGERPRINT_KEY = "scaffoldFingerprint/v1"


class _Uris:
    """Finding paths (relative to the report's root) as URIs relative to the source root."""

    def __init__(self, report: CheckReport, source_root: Path) -> None:
        self.report = report
        self.source_root = source_root

    def artifact(self, path: str) -> dict[str, Any]:
        full = os.path.join(self.report.root, path)
        rel = os.path.relpath(full, self.source_root).replace(os.sep, "/")
        return {"artifactLocation": {"uri": _quote(rel), "uriBaseId": _SRCROOT}}


def _quote(path: str) -> str:
    from urllib.parse import quote

    # The file name's own bytes, undecodable ones included (URIs are percent-encoded bytes).
    return quote(path.encode("utf-8", "surrogateescape"), safe="/")


def _location(uris: _Uris, d: Diagnostic) -> dict[str, Any]:
    physical = uris.artifact(d.path)
    # A folder finding (PKG001 on `pkg/sub`) has no lines to point at: by convention its
    # location is the folder's URI with no region (docs/check-adoption.md).
    if d.path.endswith((".py", ".pyi", ".toml")):
        physical["region"] = {
            "startLine": d.line,
            "startColumn": d.column,
            "endLine": d.end_line,
            "endColumn": d.end_column,
        }
    return {"physicalLocation": physical}


def _related_location(uris: _Uris, index: int, related: Related) -> dict[str, Any]:
    physical = uris.artifact(related.path)
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
                "helpUri": RULE_DOCS_URL.format(code=rule.code),
                "help": {"text": rule.explain(), "markdown": rule_markdown(rule)},
                "defaultConfiguration": {
                    "enabled": enabled,
                    "level": rule.severity.value if enabled else "warning",
                },
                "properties": {"tags": [rule.code[:3].lower()]},
            }
        )
    return rules, index


def _result(uris: _Uris, d: Diagnostic, rule_index: int | None) -> dict[str, Any]:
    result: dict[str, Any] = {"ruleId": d.code}
    if rule_index is not None:  # `templates lint`'s codes are not among the check's rules
        result["ruleIndex"] = rule_index
    result |= {
        "level": "error" if d.severity is Severity.ERROR else "warning",
        "message": {"text": d.message},
        "locations": [_location(uris, d)],
    }
    if d.fingerprint:
        result["partialFingerprints"] = {FINGERPRINT_KEY: d.fingerprint}
    if d.related:
        result["relatedLocations"] = [
            _related_location(uris, i, r) for i, r in enumerate(d.related)
        ]
    return result


def _invocation(report: CheckReport, context: RenderContext) -> dict[str, Any]:
    invocation: dict[str, Any] = {"executionSuccessful": True}
    if context.exit_code is not None:
        invocation["exitCode"] = context.exit_code
    if report.notes:
        invocation["toolExecutionNotifications"] = [
            {"level": "note", "message": {"text": note}} for note in report.notes
        ]
    return invocation


def render_sarif(report: CheckReport, context: RenderContext) -> str:
    """One SARIF 2.1.0 run; URIs relative to the source root, named `%SRCROOT%`."""
    rules, index = _rule_descriptors()
    root = context.source_root or Path(report.root)
    uris = _Uris(report, root)
    document = {
        "$schema": _SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "scaffold",
                        "version": __version__,
                        "informationUri": HOME_URL,
                        "rules": rules,
                    }
                },
                "invocations": [_invocation(report, context)],
                "originalUriBaseIds": {_SRCROOT: {"uri": root.as_uri().rstrip("/") + "/"}},
                "columnKind": "unicodeCodePoints",
                "results": [_result(uris, d, index.get(d.code)) for d in report.diagnostics],
            }
        ],
    }
    return json_text(json.dumps(document, indent=2, ensure_ascii=False)) + "\n"
