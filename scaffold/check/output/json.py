"""The JSON format: the versioned contract that tools may parse."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from typing import Any

from scaffold import __version__
from scaffold.check.model import CheckReport, Diagnostic
from scaffold.check.output.context import RenderContext, json_text
from scaffold.check.rules.registry import get_rule
from scaffold.check.rules.unit import FixKind

__all__ = ["diagnostic_json", "render_json", "render_json_statistics", "report_schema"]


_FIX_SAFETY = {FixKind.NONE: None, FixKind.SAFE: "safe", FixKind.UNSAFE: "unsafe"}


def report_schema() -> str:
    """The JSON Schema of this format (`scaffold schema`), as published in the package."""
    from importlib import resources

    return resources.files(__package__).joinpath("report.schema.json").read_text("utf-8")


def diagnostic_json(d: Diagnostic, shown: Callable[[str], str]) -> dict[str, Any]:
    rule = get_rule(d.code)
    # Codes outside the registry (`templates lint`'s TPL codes) have a safe fix or none.
    fix = rule.fix if rule is not None else FixKind.SAFE if d.fixable else FixKind.NONE
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
        "fixable": _FIX_SAFETY[fix] is not None,
        "fix_safety": _FIX_SAFETY[fix],
        "fingerprint": d.fingerprint,
        "related": [
            {"path": shown(r.path), "line": r.line, "column": r.column, "message": r.message}
            for r in d.related
        ],
    }


def render_json(report: CheckReport, context: RenderContext) -> str:
    """The JSON contract (version 1): paths relative to `base`, the folder the
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
        "diagnostics": [diagnostic_json(d, shown) for d in report.diagnostics],
        "notes": list(report.notes),
    }
    return json_text(json.dumps(document, indent=2, ensure_ascii=False)) + "\n"


def render_json_statistics(report: CheckReport, context: RenderContext) -> str:
    """`--statistics`: counts per rule as a JSON list, most frequent first (ruff's shape)."""
    counts = Counter(d.code for d in report.diagnostics)
    first = {d.code: d for d in reversed(report.diagnostics)}
    rows = [
        {"code": code, "name": first[code].name, "count": count, "fixable": first[code].fixable}
        for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]
    return json_text(json.dumps(rows, indent=2, ensure_ascii=False)) + "\n"
