"""The `json-lines` format: one JSON object per finding per line, as in the json format."""

from __future__ import annotations

import json

from scaffold.check.model import CheckReport
from scaffold.check.output.context import RenderContext, json_text
from scaffold.check.output.json import diagnostic_json

__all__ = ["render_json_lines"]


def render_json_lines(report: CheckReport, context: RenderContext) -> str:
    """Each diagnostic as the json format writes it (schema `$defs/diagnostic`), one a line."""

    def shown(path: str) -> str:
        return context.shown_path(report, path)

    return json_text(
        "".join(
            json.dumps(diagnostic_json(d, shown), ensure_ascii=False) + "\n"
            for d in report.diagnostics
        )
    )
