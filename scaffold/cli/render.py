"""How the commands show what they did: paths as the user would type them, file trees."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

__all__ = ["display_path", "examples", "render_tree"]


def display_path(path: Path) -> str:
    """`path` relative to the current folder when it is under it, else as it is."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    return str(path) if relative.startswith("..") else relative


def examples(*commands: str) -> str:
    """A command's `--help` epilog: its example command lines, one a paragraph (the help
    formatter rewraps lines within a paragraph)."""
    return "Examples:\n\n" + "\n\n".join(f"  $ {command}" for command in commands)


def render_tree(root_label: str, files: tuple[PurePosixPath, ...]) -> str:
    """Draw `files` (relative paths) as an indented tree under `root_label`."""
    tree: dict[str, dict[str, object]] = {}
    for rel in files:
        node = tree
        for part in rel.parts:
            node = node.setdefault(part, {})  # type: ignore[assignment]
    lines = [root_label.rstrip("/") + "/"]

    def walk(node: dict[str, dict[str, object]], prefix: str) -> None:
        entries = sorted(node.items(), key=lambda item: (not item[1], item[0]))
        for index, (name, child) in enumerate(entries):
            last = index == len(entries) - 1
            lines.append(f"{prefix}{'└── ' if last else '├── '}{name}{'/' if child else ''}")
            walk(child, prefix + ("    " if last else "│   "))  # type: ignore[arg-type]

    walk(tree, "")
    return "\n".join(lines)
