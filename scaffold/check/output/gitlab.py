"""The `gitlab` format: a GitLab Code Quality report (a JSON list of issues)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from scaffold.check.model import CheckReport, Diagnostic, Severity
from scaffold.check.output.context import RenderContext, json_text

__all__ = ["render_gitlab"]


def _issue(d: Diagnostic, path: str) -> dict[str, Any]:
    return {
        "type": "issue",
        "check_name": d.code,
        "description": f"{d.code} {d.message}",
        "categories": ["Style"],
        "severity": "major" if d.severity is Severity.ERROR else "minor",
        "fingerprint": d.fingerprint,
        "location": {
            "path": path,
            "positions": {
                "begin": {"line": d.line, "column": d.column},
                "end": {"line": d.end_line, "column": d.end_column},
            },
        },
    }


def render_gitlab(report: CheckReport, context: RenderContext) -> str:
    """Code Quality issues; paths relative to the repository (the source root), as GitLab
    shows them in merge requests."""
    root = context.source_root or Path(report.root)

    def repository_path(path: str) -> str:
        return os.path.relpath(os.path.join(report.root, path), root).replace(os.sep, "/")

    issues = [_issue(d, repository_path(d.path)) for d in report.diagnostics]
    return json_text(json.dumps(issues, indent=2, ensure_ascii=False)) + "\n"
