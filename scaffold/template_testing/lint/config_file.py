"""Reading copier.yml for the linter: its values, merged as Copier merges them, and positions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ConfigFile", "Included", "Position", "read_config"]


@dataclass(frozen=True)
class Position:
    """Where a key or value sits in copier.yml: 1-based line and column; block scalars."""

    line: int
    column: int
    block: bool = False


class Included:
    """A value brought in by `!include`: read by Copier, not by the linter."""

    def __repr__(self) -> str:
        return "!include"


@dataclass(frozen=True)
class ConfigFile:
    """copier.yml as data, with the position of each key (`("_exclude",)`, `("q", "type")`)
    and of each value (the same path with "=" appended), and of list items (index as str)."""

    data: Mapping[str, Any]
    positions: Mapping[tuple[str, ...], Position] = field(default_factory=dict)

    def at(self, *path: str) -> Position:
        """The position of `path`, or of the nearest enclosing key that has one."""
        while path:
            if path in self.positions:
                return self.positions[path]
            path = path[:-1]
        return Position(1, 1)


def read_config(text: str) -> ConfigFile:
    """Parse copier.yml; documents merge as Copier merges them; raises yaml.YAMLError."""
    import yaml

    class Loader(yaml.SafeLoader):
        """SafeLoader that leaves `!include` unread."""

    def include(loader: yaml.SafeLoader, node: yaml.Node) -> Included:
        return Included()

    Loader.add_constructor("!include", include)
    data: dict[str, Any] = {}
    for document in yaml.load_all(text, Loader=Loader):
        if isinstance(document, Mapping):
            data.update(document)
    positions: dict[tuple[str, ...], Position] = {}
    for node in yaml.compose_all(text, Loader=Loader):
        _record(node, (), positions, depth=0)
    return ConfigFile(data, positions)


def _record(
    node: Any, path: tuple[str, ...], into: dict[tuple[str, ...], Position], depth: int
) -> None:
    import yaml

    if depth > 3:
        return
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            name = str(key.value)
            into[(*path, name)] = Position(key.start_mark.line + 1, key.start_mark.column + 1)
            into[(*path, name, "=")] = _position(value)
            _record(value, (*path, name), into, depth + 1)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            into[(*path, str(index))] = _position(item)
            _record(item, (*path, str(index)), into, depth + 1)


def _position(node: Any) -> Position:
    block = getattr(node, "style", None) in ("|", ">")
    return Position(node.start_mark.line + 1, node.start_mark.column + 1, block)
