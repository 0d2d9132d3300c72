"""`--show-files` and `--show-settings`: what a check would read, and how it is configured."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from scaffold.check.config import CheckConfig, Settings
from scaffold.check.discover import Tree, discover
from scaffold.check.pipeline import path_groups
from scaffold.check.select import Selection

__all__ = ["show_files", "show_settings"]


def _trees(paths: Sequence[str], settings: Settings | None) -> list[Tree]:
    return [discover(path, also=also, settings=settings) for path, also in path_groups(paths)]


def show_files(paths: Sequence[str], relative_to: Path, settings: Settings | None = None) -> str:
    """Every file the check reports on, one a line, relative to `relative_to`, sorted."""
    files = {
        os.path.relpath(f.path, relative_to).replace(os.sep, "/")
        for tree in _trees(paths, settings)
        for f in tree.files
        if f.selected
    }
    return "".join(f"{name}\n" for name in sorted(files))


def _config_lines(config: CheckConfig) -> list[str]:
    def listed(values: Sequence[str] | frozenset[str]) -> str:
        return "[" + ", ".join(f'"{v}"' for v in sorted(values)) + "]"

    return [
        f"[{config.pyproject or config.directory}]",
        f"select = {listed(config.select) if config.select is not None else '(default)'}",
        f"extend-select = {listed(config.extend_select)}",
        f"ignore = {listed(config.ignore)}",
        f"extend-ignore = {listed(config.extend_ignore)}",
        "per-file-ignores = {"
        + ", ".join(f'"{p}" = {listed(c)}' for p, c in config.per_file_ignores)
        + "}",
        f"exclude = {listed(config.exclude)}",
        f"namespace-packages = {listed(config.namespace_packages)}",
        f"src = {listed(config.src)}",
        f"fail-on = {f'{chr(34)}{config.fail_on}{chr(34)}' if config.fail_on else '(any finding)'}",
        f"max-file-size = {config.max_file_size}",
    ]


# Found only by importing the project (`--import`): selected or not, it runs with it alone.
_RUNTIME = "RUN001"


def show_settings(
    paths: Sequence[str],
    select: tuple[str, ...] | None,
    ignore: tuple[str, ...] | None,
    extend_select: tuple[str, ...],
    settings: Settings | None = None,
    *,
    run_imports: bool = False,
) -> str:
    """Each configuration the check reads, and the rules that run with the command line's
    selection on top (RUN001 only with `--import`, the one way it runs)."""
    lines: list[str] = []
    enabled: set[str] = set()
    for tree in _trees(paths, settings):
        for config in tree.configs:
            lines.extend([*_config_lines(config), ""])
        enabled |= Selection(tree, select, ignore, extend_select).enabled
    if not run_imports:
        enabled.discard(_RUNTIME)
    lines.append(f"rules run: {', '.join(sorted(enabled)) or '(none)'}")
    return "\n".join(lines) + "\n"
