"""Testing and linting Copier templates: `scaffold templates test` and `scaffold templates lint`."""

from __future__ import annotations

from scaffold.template_testing.plan import TestOptions, plan_template_tests
from scaffold.template_testing.report import TestReport, render_json, render_junit, render_table
from scaffold.template_testing.runner import TemplateTestRequest, run_template_tests

__all__ = [
    "TemplateTestRequest",
    "TestOptions",
    "TestReport",
    "plan_template_tests",
    "render_json",
    "render_junit",
    "render_table",
    "run_template_tests",
]
