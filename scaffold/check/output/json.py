"""The JSON format: the versioned contract of DESIGN §5 that tools may parse."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from scaffold import __version__
from scaffold.check.model import CheckReport, Diagnostic
from scaffold.check.output.context import RenderContext

__all__ = ["render_json"]


def _diagnostic_json(d: Diagnostic, shown: Callable[[str], str]) -> dict[str, Any]:
    return {
        "code": d.code,
        "name": d.name,
        "severity": d.severity.value,
        "message": d.message,
        "path": shown(d.path),
        "line": d.line,
        "column": d.column,
        "end_line": d.end_line,
        "end_column": d.end_column,
        "fixable": d.fixable,
        "fingerprint": d.fingerprint,
        "related": [
            {"path": shown(r.path), "line": r.line, "column": r.column, "message": r.message}
            for r in d.related
        ],
    }


def render_json(report: CheckReport, context: RenderContext) -> str:
    """The JSON contract of DESIGN §5 (version 1): paths relative to `base`, the folder the
    command ran in (the checked root when the context names none)."""

    def shown(path: str) -> str:
        return context.shown_path(report, path)

    document = {
        "version": 1,
        "tool": {"name": "scaffold", "version": __version__},
        "base": str(context.relative_to or report.root),
        "summary": {
            "files": report.files,
            "findings": len(report.diagnostics),
            "errors": report.errors,
            "warnings": report.warnings,
            "fixable": report.fixable,
        },
        "diagnostics": [_diagnostic_json(d, shown) for d in report.diagnostics],
        "notes": list(report.notes),
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
