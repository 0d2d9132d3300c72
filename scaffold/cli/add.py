"""`scaffold add`: a module or subpackage added to a package and registered in __init__.py."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from scaffold.cli.options import DryRunOption, ForceOption, PathGiven, QuietOption
from scaffold.cli.render import display_path, examples

__all__ = ["app"]

app = typer.Typer(
    help="Grow a package: add a module or subpackage and register it in __init__.py.",
    no_args_is_help=True,
)

ToOption = Annotated[
    Path,
    typer.Option(
        "--to",
        metavar="DIR",
        click_type=PathGiven("--to", "name the package folder (it holds __init__.py)"),
        help="The package folder (it holds __init__.py).",
    ),
]


@app.command(
    "module",
    epilog=examples(
        "scaffold add module util --to foo/foo",
        "scaffold add module util --to src/acme/core --dry-run",
    ),
)
def add_module(
    name: Annotated[str, typer.Argument(metavar="NAME", help="Name of the new module.")],
    to: ToOption,
    dry_run: DryRunOption = False,
    force: ForceOption = False,
    quiet: QuietOption = False,
) -> None:
    """Add NAME.py to the package at --to, import it in __init__.py and list it in __all__."""
    _add("module", name, to, force=force, dry_run=dry_run, quiet=quiet)


@app.command(
    "package",
    epilog=examples(
        "scaffold add package plugins --to foo/foo",
    ),
)
def add_package(
    name: Annotated[str, typer.Argument(metavar="NAME", help="Name of the new subpackage.")],
    to: ToOption,
    dry_run: DryRunOption = False,
    force: ForceOption = False,
    quiet: QuietOption = False,
) -> None:
    """Add the subpackage NAME/ to the package at --to and register it in __init__.py."""
    _add("package", name, to, force=force, dry_run=dry_run, quiet=quiet)


def _add(kind: str, name: str, to: Path, *, force: bool, dry_run: bool, quiet: bool) -> None:
    from scaffold.add import add_to_package

    result = add_to_package(kind, name, to, force=force, dry_run=dry_run)
    for note in result.leftovers:
        typer.echo(f"note: {note}", err=True)
    if quiet:
        return
    where = display_path(result.location.project_root)
    verb = "Would add" if result.dry_run else "Added"
    noun = "module" if kind == "module" else "subpackage"
    typer.echo(f"{verb} {noun} {result.location.dotted}.{name} in {where}:")
    for rel in result.created:
        if rel in result.replaced:
            typer.echo(f"  {rel} (would overwrite)" if result.dry_run else f"  overwrote {rel}")
        else:
            typer.echo(f"  {rel}" if result.dry_run else f"  new {rel}")
    typer.echo(f"  edit {result.edited}: {'; '.join(result.notes)}")
    if result.dry_run:
        typer.echo("Dry run: nothing was written.")
