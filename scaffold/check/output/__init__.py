"""The output formats of `scaffold check`: a registry from `--format` name to renderer.

A renderer is a pure function from a CheckReport (plus a RenderContext) to the text to
print: it neither prints nor decides the exit code. Adding a format is one module with its
render function and one entry in `FORMATS` (see CONTRIBUTING.md).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from scaffold.check.model import CheckReport
from scaffold.check.output.context import RenderContext
from scaffold.check.output.full import render_full
from scaffold.check.output.github import render_github
from scaffold.check.output.gitlab import render_gitlab
from scaffold.check.output.json import render_json, render_json_statistics
from scaffold.check.output.json_lines import render_json_lines
from scaffold.check.output.junit import render_junit
from scaffold.check.output.sarif import render_sarif
from scaffold.check.output.text import render_statistics, render_text
from scaffold.errors import UsageError

__all__ = ["FORMATS", "Renderer", "format_named"]

Render = Callable[[CheckReport, RenderContext], str]
_Entry = TypeVar("_Entry")


@dataclass(frozen=True, slots=True)
class Renderer:
    """One `--format`: its name, how it renders a report, and what `--statistics` prints.

    `statistics` is None for a format that ignores `--statistics` (a machine-read format
    always carries every finding).
    """

    name: str
    render: Render
    statistics: Render | None = None


# The order is the order `--format`'s error message lists the choices in.
FORMATS: Mapping[str, Renderer] = {
    renderer.name: renderer
    for renderer in (
        Renderer("text", render_text, statistics=render_statistics),
        # ruff's one-line-per-finding format; scaffold's text already is that.
        Renderer("concise", render_text, statistics=render_statistics),
        Renderer("full", render_full, statistics=render_statistics),
        Renderer("json", render_json, statistics=render_json_statistics),
        Renderer("json-lines", render_json_lines),
        Renderer("sarif", render_sarif),
        Renderer("github", render_github),
        Renderer("gitlab", render_gitlab),
        Renderer("junit", render_junit),
    )
}


def format_named(formats: Mapping[str, _Entry], name: str) -> _Entry:
    """The entry of `formats` for `--format NAME` (any case); a UsageError lists the choices."""
    entry = formats.get(name.lower())
    if entry is None:
        choices = ", ".join(formats)
        raise UsageError(f"unknown --format {name!r} (choose one of: {choices})")
    return entry
