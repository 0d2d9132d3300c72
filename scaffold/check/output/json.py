"""The JSON format: the versioned contract of DESIGN §5 that tools may parse."""

from __future__ import annotations

import json
from typing import Any

from scaffold import __version__
from scaffold.check.model import CheckReport, Diagnostic
from scaffold.check.output.context import RenderContext

__all__ = ["render_json"]


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


def render_json(report: CheckReport, context: RenderContext) -> str:
    """The JSON contract of DESIGN §5 (version 1); paths stay relative to the checked root."""
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
