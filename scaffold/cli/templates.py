"""`scaffold templates`: list, register and remove named team templates."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from scaffold.cli.render import display_path

if TYPE_CHECKING:
    from scaffold.templates import TemplateEntry

__all__ = ["app"]

app = typer.Typer(
    help="List, register and remove named team templates (`scaffold new NAME PROJECT`).",
    invoke_without_command=True,
)


@app.callback()
def _templates_default(ctx: typer.Context) -> None:
    """List, register and remove named team templates; with no command, list them."""
    if ctx.invoked_subcommand is None:
        templates_list()


@app.command("list")
def templates_list() -> None:
    """List built-in and registered templates with their source and description."""
    from scaffold.templates import all_templates, user_registry_path

    entries = all_templates()
    typer.echo(_render_template_table(entries))
    files = sorted({entry.origin for entry in entries if not entry.builtin})
    typer.echo(f"\nYour registry: {user_registry_path()}")
    for origin in files:
        if origin != str(user_registry_path()):
            typer.echo(f"Project registry: {display_path(Path(origin))} [tool.scaffold.templates]")


@app.command("add")
def templates_add(
    name: Annotated[str, typer.Argument(metavar="NAME", help="Name to run it by.")],
    source: Annotated[
        str,
        typer.Argument(metavar="SRC", help="Template folder, git repository or git URL."),
    ],
    description: Annotated[
        str, typer.Option("--description", help="One line shown by `templates list`.")
    ] = "",
    force: Annotated[
        bool, typer.Option("--force", help="Replace NAME if it is already registered.")
    ] = False,
) -> None:
    """Register SRC as NAME in your registry (it is not trusted by being registered)."""
    from scaffold.templates import add_template

    entry = add_template(name, source, description=description, replace=force)
    typer.echo(f"Registered {entry.name!r} -> {entry.source} in {entry.origin}")
    typer.echo(f"Run it with: scaffold new {entry.name} PROJECT")


@app.command("remove")
def templates_remove(
    name: Annotated[str, typer.Argument(metavar="NAME", help="Registered name.")],
) -> None:
    """Remove NAME from your registry."""
    from scaffold.templates import remove_template

    entry = remove_template(name)
    typer.echo(f"Removed {entry.name!r} ({entry.source}) from {entry.origin}")


def _render_template_table(entries: list[TemplateEntry]) -> str:
    rows = [("NAME", "FROM", "SOURCE", "DESCRIPTION")]
    for entry in entries:
        origin = "built-in" if entry.builtin else Path(entry.origin).name
        rows.append((entry.name, origin, entry.source, entry.description))
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True))
        + f"  {row[3]}".rstrip()
        for row in rows
    )
