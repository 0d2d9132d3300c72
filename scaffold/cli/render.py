"""How the commands show what they did: paths as the user would type them, file trees."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scaffold.generate import GenerateResult

__all__ = ["display_path", "examples", "print_notes", "render_tree", "report_generated"]


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


def print_notes(notes: tuple[str, ...]) -> None:
    """What a run noticed besides its files, one `note:` line each on stderr."""
    if not notes:
        return
    import typer  # on output only: `scaffold new --quiet` runs without Typer (new_argv.py)

    for note in notes:
        typer.echo(f"note: {note}", err=True)


def report_generated(
    result: GenerateResult,
    kind: str,
    name: str,
    next_steps: list[str],
    *,
    origin: str | None = None,
    git_note: str | None = None,
) -> None:
    """Say what was written (or would be, on a dry run) as a tree, then what to do next."""
    import typer  # on output only, as in print_notes

    where = display_path(result.destination)
    verb = "Would create" if result.dry_run else "Created"
    source = f" from {origin}" if origin else ""
    typer.echo(f"{verb} {kind} {name!r}{source} in {where}:")
    typer.echo(render_tree(where, result.files))
    if result.replaced:
        # Every file --force replaced, by name: the user must be able to check each one.
        action = "Would overwrite" if result.dry_run else "Overwrote"
        count = len(result.replaced)
        typer.echo(f"{action} {count} existing file{'s' if count != 1 else ''}:")
        for rel in result.replaced:
            typer.echo(f"  {rel}")
    if result.dry_run:
        typer.echo("Dry run: nothing was written.")
        return
    if git_note:
        typer.echo(git_note)
    typer.echo("\nNext:")
    for step in next_steps:
        typer.echo(f"  {step}")
    if result.message:
        # The template's own `_message_after_copy`, as `copier copy` would show it.
        typer.echo(f"\n{result.message}")
