"""Renderers: a CheckReport in, a string out (text, JSON, SARIF 2.1.0, GitHub annotations)."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

from scaffold import __version__
from scaffold.check.model import CheckReport, Diagnostic, Related, Severity
from scaffold.check.rules.registry import RULES

__all__ = [
    "render_github",
    "render_json",
    "render_rules",
    "render_sarif",
    "render_statistics",
    "render_text",
]

_SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_INFO_URI = "https://pypi.org/project/scaffold/"
_RED, _YELLOW, _BOLD, _RESET = "\033[31m", "\033[33m", "\033[1m", "\033[0m"


def _shown_path(report: CheckReport, path: str, relative_to: Path | None) -> str:
    """A finding's path as the user should see it: relative to `relative_to` when given."""
    if relative_to is None:
        return path
    full = os.path.join(report.root, path)
    try:
        shown = os.path.relpath(full, relative_to)
    except ValueError:  # another drive on Windows
        shown = full
    return shown.replace(os.sep, "/")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def render_text(
    report: CheckReport, *, relative_to: Path | None = None, color: bool = False
) -> str:
    """`path:line:col: CODE message` per finding, then a one-line summary."""
    lines: list[str] = []
    for d in report.diagnostics:
        where = f"{_shown_path(report, d.path, relative_to)}:{d.line}:{d.column}:"
        code = d.code
        if color:
            where = f"{_BOLD}{where}{_RESET}"
            code = f"{_RED if d.severity is Severity.ERROR else _YELLOW}{code}{_RESET}"
        # No `[*]` marker yet: it would promise a `--fix` that a later issue adds.
        lines.append(f"{where} {code} {d.message}")
    lines.append(_summary(report))
    return "\n".join(lines) + "\n"


def _summary(report: CheckReport) -> str:
    files = _plural(report.files, "file")
    if not report.diagnostics:
        return f"All checks passed ({files} checked)."
    text = (
        f"Found {_plural(len(report.diagnostics), 'finding')}"
        f" ({_plural(report.errors, 'error')}, {_plural(report.warnings, 'warning')})"
        f" in {files}."
    )
    return text


def render_statistics(report: CheckReport) -> str:
    """Counts per rule, most frequent first, like `ruff --statistics`."""
    counts = Counter(d.code for d in report.diagnostics)
    names = {d.code: d.name for d in report.diagnostics}
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    lines = [f"{count:>5}  {code}  {names[code]}" for code, count in rows]
    lines.append(_summary(report))
    return "\n".join(lines) + "\n"


def _diagnostic_json(d: Diagnostic) -> dict[str, Any]:
    return {
        "code": d.code,
        "name": d.name,
        "severity": d.severity.value,
        "message": d.message,
        "path": d.path,
        "line": d.line,
        "column": d.column,
        "end_line": d.end_line,
        "end_column": d.end_column,
        "fixable": d.fixable,
        "related": [
            {"path": r.path, "line": r.line, "column": r.column, "message": r.message}
            for r in d.related
        ],
    }


def render_json(report: CheckReport) -> str:
    """The JSON contract of DESIGN §5 (version 1)."""
    document = {
        "version": 1,
        "tool": {"name": "scaffold", "version": __version__},
        "summary": {
            "files": report.files,
            "findings": len(report.diagnostics),
            "errors": report.errors,
            "warnings": report.warnings,
            "fixable": report.fixable,
        },
        "diagnostics": [_diagnostic_json(d) for d in report.diagnostics],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


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


def render_sarif(report: CheckReport) -> str:
    """SARIF 2.1.0 for code scanning: every rule as a reportingDescriptor, one result each."""
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
    results = []
    for d in report.diagnostics:
        result: dict[str, Any] = {
            "ruleId": d.code,
            "ruleIndex": index[d.code],
            "level": "error" if d.severity is Severity.ERROR else "warning",
            "message": {"text": d.message},
            "locations": [_location(d)],
        }
        if d.related:
            result["relatedLocations"] = [_related_location(i, r) for i, r in enumerate(d.related)]
        results.append(result)
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
                "results": results,
            }
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(report: CheckReport, *, relative_to: Path | None = None) -> str:
    """GitHub Actions workflow commands: `::error file=...,line=...::message`."""
    lines = []
    for d in report.diagnostics:
        kind = "error" if d.severity is Severity.ERROR else "warning"
        path = _escape_property(_shown_path(report, d.path, relative_to))
        props = (
            f"file={path},line={d.line},col={d.column},endLine={d.end_line},"
            f"endColumn={d.end_column},title={_escape_property(d.code + ' ' + d.name)}"
        )
        lines.append(f"::{kind} {props}::{_escape_data(d.code + ' ' + d.message)}")
    return "".join(line + "\n" for line in lines)


def render_rules() -> str:
    """The table `scaffold rules` prints."""
    lines = []
    for rule in RULES:
        fix = {"none": "", "safe": "fix", "unsafe": "unsafe-fix"}[rule.fix.value]
        lines.append(
            f"{rule.code}  {rule.name:<28} {rule.severity.value:<8} {fix:<10} "
            f"{rule.summary.split('. ')[0].rstrip('.')}"
        )
    return "\n".join(line.rstrip() for line in lines) + "\n"
