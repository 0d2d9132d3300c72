"""`scaffold check`: a static checker of `__all__` exports and first-party import hygiene."""

from scaffold.check.diagnostics import CheckReport, Diagnostic, Related, Severity
from scaffold.check.engine import CheckOptions, OutputFormat, check_tree, read_facts, run_check
from scaffold.check.parse import ModuleFacts, parse_source
from scaffold.check.report import (
    render_github,
    render_json,
    render_rules,
    render_sarif,
    render_statistics,
    render_text,
)
from scaffold.check.rules import RULES, FixKind, Rule, get_rule

__all__ = [
    "RULES",
    "CheckOptions",
    "CheckReport",
    "Diagnostic",
    "FixKind",
    "ModuleFacts",
    "OutputFormat",
    "Related",
    "Rule",
    "Severity",
    "check_tree",
    "get_rule",
    "parse_source",
    "read_facts",
    "render_github",
    "render_json",
    "render_rules",
    "render_sarif",
    "render_statistics",
    "render_text",
    "run_check",
]
