"""ENT rules: `pyproject.toml` entry points checked against the code they name."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from scaffold.check.config import CheckConfig
from scaffold.check.model import Finding, Span
from scaffold.check.project import Project

__all__ = ["check_entry_points", "parse_entry_point"]

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
        self.lines = text.splitlines()
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


def _span(line: int) -> Span:
    return Span(line, 1, line, 1)


def check_entry_points(project: Project, config: CheckConfig, rel: str) -> Iterator[Finding]:
    """ENT001-ENT003 for one project's pyproject.toml (`rel` is its reported path)."""
    pyproject = config.pyproject
    if pyproject is None:
        return
    table = config.data.get("project")
    if not isinstance(table, dict):
        return
    try:
        lines = _Lines(Path(pyproject).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return
    dist = str(table.get("name", "")).lower().replace("-", "_").replace(".", "_")
    groups: list[tuple[tuple[str, ...], str, Mapping[str, object], bool]] = []
    path: tuple[str, ...]
    for key, header in _SCRIPT_GROUPS.items():
        value = table.get(key)
        if isinstance(value, dict):
            groups.append((tuple(header.split(".")), key, value, True))
    entry_points = table.get("entry-points")
    if isinstance(entry_points, dict):
        for group, value in sorted(entry_points.items()):
            path = ("project", "entry-points", group)
            if group in ("console_scripts", "gui_scripts"):
                yield Finding(
                    "ENT003",
                    rel,
                    _span(lines.header(path)),
                    f"[project.entry-points.{group}] is forbidden by PEP 621: use"
                    f" [project.{'scripts' if group == 'console_scripts' else 'gui-scripts'}]",
                )
                continue
            if isinstance(value, dict):
                groups.append((path, group, value, False))
    for path, group, entries, required in groups:
        for name, value in sorted(entries.items()):
            line = lines.key(path, name, value if isinstance(value, str) else "")
            yield from _check_one(project, rel, line, group, name, value, required, dist)


def _check_one(
    project: Project,
    rel: str,
    line: int,
    group: str,
    name: str,
    value: object,
    required: bool,
    dist: str,
) -> Iterator[Finding]:
    parsed = parse_entry_point(value, object_required=required) if isinstance(value, str) else None
    if parsed is None:
        form = "module.path:object" if required else "module.path[:object]"
        yield Finding(
            "ENT003",
            rel,
            _span(line),
            f"entry point {group}.{name} = {value!r} does not match `{form} [extras]`",
        )
        return
    module, obj = parsed
    top = module.partition(".")[0]
    if not project.is_first_party(module) and top != dist:
        return  # points at another distribution's code
    target = project.find(module)
    if target is None or target.file is None:
        yield Finding(
            "ENT001", rel, _span(line), f"entry point {group}.{name}: no module named '{module}'"
        )
        return
    if obj is None:
        return
    head = obj.partition(".")[0]
    if project.has_name(target, head, "") is False:
        yield Finding(
            "ENT002",
            rel,
            _span(line),
            f"entry point {group}.{name}: module '{module}' does not define '{head}'",
        )
