"""The entry points a pyproject.toml declares, each with the line it sits on."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

from scaffold.check.model import Span
from scaffold.check.project import Target
from scaffold.check.rules.unit import ConfigContext
from scaffold.edit import source_lines

__all__ = [
    "EntryPoint",
    "Reference",
    "declared_entry_points",
    "first_party_references",
    "parse_entry_point",
]

_DOTTED = r"[^\W\d]\w*(?:\s*\.\s*[^\W\d]\w*)*"
_ENTRY = re.compile(
    rf"^\s*(?P<module>{_DOTTED})\s*(?::\s*(?P<object>{_DOTTED}))?\s*"
    r"(?:\[\s*(?:[\w.-]+(?:\s*,\s*[\w.-]+)*)?\s*\])?\s*$"
)
_SCRIPT_GROUPS = {"scripts": "project.scripts", "gui-scripts": "project.gui-scripts"}


def parse_entry_point(value: str, *, object_required: bool) -> tuple[str, str | None] | None:
    """Split `module.path:object.attr [extras]` into (module, object); None when invalid."""
    match = _ENTRY.match(value)
    if match is None:
        return None
    obj = match.group("object")
    if object_required and obj is None:
        return None
    module = re.sub(r"\s+", "", match.group("module"))
    return module, (re.sub(r"\s+", "", obj) if obj is not None else None)


def _header_path(line: str) -> tuple[str, ...] | None:
    stripped = line.strip()
    if not stripped.startswith("[") or stripped.startswith("[["):
        return None
    try:
        data: Mapping[str, Any] = tomllib.loads(stripped)
    except tomllib.TOMLDecodeError:
        return None
    path: list[str] = []
    while len(data) == 1:
        key, value = next(iter(data.items()))
        path.append(key)
        if not isinstance(value, dict):
            break
        data = value
    return tuple(path)


class _Lines:
    """Find the pyproject.toml line that holds a table header or one of its keys."""

    def __init__(self, text: str) -> None:
        self.lines = source_lines(text)
        self.headers: dict[tuple[str, ...], int] = {}
        for number, line in enumerate(self.lines, start=1):
            if line.lstrip().startswith("["):
                path = _header_path(line)
                if path is not None:
                    self.headers.setdefault(path, number)

    def header(self, path: tuple[str, ...]) -> int:
        return self.headers.get(path, 1)

    def key(self, table: tuple[str, ...], key: str, value: str) -> int:
        start = self.headers.get(table)
        if start is not None:
            pattern = re.compile(
                rf"""^\s*(?:{re.escape(key)}|"{re.escape(key)}"|'{re.escape(key)}')\s*="""
            )
            for number in range(start + 1, len(self.lines) + 1):
                line = self.lines[number - 1]
                if line.lstrip().startswith("["):
                    break
                if pattern.match(line):
                    return number
        for number, line in enumerate(self.lines, start=1):
            if value and value in line:
                return number
        return start or 1


class EntryPoint(NamedTuple):
    """One `name = value` of an entry-point group, or a whole forbidden group (`name` empty)."""

    group: str
    name: str
    value: object
    required: bool  # scripts and gui-scripts need `:object`
    span: Span
    forbidden: bool = False


def declared_entry_points(ctx: ConfigContext) -> Iterator[EntryPoint]:
    """Every entry point of the project table, in file order of groups, sorted by name."""
    pyproject = ctx.config.pyproject
    if pyproject is None or ctx.config.error is not None:
        return
    table = ctx.config.data.get("project")
    if not isinstance(table, dict):
        return
    lines = _Lines(ctx.config.text)
    groups: list[tuple[tuple[str, ...], str, Mapping[str, object], bool]] = []
    for key, header in _SCRIPT_GROUPS.items():
        value = table.get(key)
        if isinstance(value, dict):
            groups.append((tuple(header.split(".")), key, value, True))
    entry_points = table.get("entry-points")
    if isinstance(entry_points, dict):
        for group, value in sorted(entry_points.items()):
            table_path = ("project", "entry-points", group)
            if group in ("console_scripts", "gui_scripts"):
                span = _line(lines.header(table_path))
                yield EntryPoint(group, "", None, False, span, forbidden=True)
            elif isinstance(value, dict):
                groups.append((table_path, group, value, False))
    for path, group, entries, required in groups:
        for name, value in sorted(entries.items()):
            line = lines.key(path, name, value if isinstance(value, str) else "")
            yield EntryPoint(group, name, value, required, _line(line))


def _distribution_module(ctx: ConfigContext) -> str:
    """The project's name as a module name: entry points into it count as first-party."""
    table = ctx.config.data.get("project")
    name = table.get("name", "") if isinstance(table, dict) else ""
    return str(name).lower().replace("-", "_").replace(".", "_")


def _line(line: int) -> Span:
    return Span(line, 1, line, 1)


class Reference(NamedTuple):
    """A well-formed entry point into this project's code: its module, its object (None for
    a group that needs none), and the module's target (None: no such module)."""

    entry: EntryPoint
    module: str
    object: str | None
    target: Target | None


def first_party_references(ctx: ConfigContext) -> Iterator[Reference]:
    """Every well-formed entry point whose module is this project's (ENT003 has the rest)."""
    project, dist = ctx.project, _distribution_module(ctx)
    for entry in declared_entry_points(ctx):
        if entry.forbidden or not isinstance(entry.value, str):
            continue
        parsed = parse_entry_point(entry.value, object_required=entry.required)
        if parsed is None:
            continue
        module, obj = parsed
        if not project.is_first_party(module) and module.partition(".")[0] != dist:
            continue  # points at another distribution's code
        target = project.find(module)
        yield Reference(entry, module, obj, target if target and target.file else None)
