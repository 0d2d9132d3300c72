"""The output formats of `scaffold check`: a registry from `--format` name to renderer.

A renderer is a pure function from a CheckReport (plus a RenderContext) to the text to
print: it neither prints nor decides the exit code. Adding a format is one module with its
render function and one entry in `FORMATS` naming them (see CONTRIBUTING.md). A format's
module is imported when the format is used, not with the registry: a check that prints
text does not pay for json, sarif or junit (and json's import of every rule).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING, TypeVar

from scaffold.errors import UsageError

if TYPE_CHECKING:
    from scaffold.check.model import CheckReport
    from scaffold.check.output.context import RenderContext

__all__ = ["FORMATS", "Renderer", "format_named"]

Render = Callable[["CheckReport", "RenderContext"], str]
_Entry = TypeVar("_Entry")


@dataclass(frozen=True, slots=True)
class Renderer:
    """One `--format`: its name, where its render function is, and where the function that
    prints `--statistics` in it is, each as "module:function" of this package.

    `statistics_at` is None for a format that ignores `--statistics` (a machine-read format
    always carries every finding). `fingerprints` False: the format shows no finding's
    fingerprint, so a run without a baseline need not compute them. `absolute` True: the
    format prints an absolute path (the folder it ran in, the source root), so its printout
    is kept for that folder only, not for a checkout of the same project at another path.
    """

    name: str
    render_at: str
    statistics_at: str | None = None
    fingerprints: bool = True
    absolute: bool = False

    @property
    def render(self) -> Render:
        """The render function, its module imported on first use."""
        return _function(self.render_at)

    @property
    def statistics(self) -> Render | None:
        """What `--statistics` prints in this format, or None when it ignores the flag."""
        return None if self.statistics_at is None else _function(self.statistics_at)


def _function(where: str) -> Render:
    module, _, name = where.partition(":")
    render: Render = getattr(import_module(f"{__name__}.{module}"), name)
    return render


# The order is the order `--format`'s error message lists the choices in.
FORMATS: Mapping[str, Renderer] = {
    renderer.name: renderer
    for renderer in (
        Renderer("text", "text:render_text", "text:render_statistics", fingerprints=False),
        # ruff's one-line-per-finding format; scaffold's text already is that.
        Renderer("concise", "text:render_text", "text:render_statistics", fingerprints=False),
        Renderer("full", "full:render_full", "text:render_statistics", fingerprints=False),
        # JSON's `base` is the folder the command ran in; SARIF names the source root's URI.
        Renderer("json", "json:render_json", "json:render_json_statistics", absolute=True),
        Renderer("json-lines", "json_lines:render_json_lines"),
        Renderer("sarif", "sarif:render_sarif", absolute=True),
        Renderer("github", "github:render_github", fingerprints=False),
        Renderer("gitlab", "gitlab:render_gitlab"),
        Renderer("junit", "junit:render_junit", fingerprints=False),
    )
}


def format_named(formats: Mapping[str, _Entry], name: str) -> _Entry:
    """The entry of `formats` for `--format NAME` (any case); a UsageError lists the choices."""
    entry = formats.get(name.lower())
    if entry is None:
        choices = ", ".join(formats)
        raise UsageError(f"unknown --format {name!r} (choose one of: {choices})")
    return entry
