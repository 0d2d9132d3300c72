"""`scaffold update`: merge a newer version of a project's template into it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from scaffold.cli.options import DefaultsOption, PathGiven, QuietOption, TrustOption, interactive
from scaffold.cli.render import display_path, examples

if TYPE_CHECKING:
    from scaffold.generate import UpdateResult

__all__ = ["app"]

app = typer.Typer()

ProjectArgument = Annotated[
    Path,
    typer.Argument(
        metavar="[PROJECT]",
        click_type=PathGiven("PROJECT", "name the project folder (none: the current one)"),
        help="Generated project folder (default: .).",
    ),
]
VcsRefOption = Annotated[
    str | None,
    typer.Option(
        "--vcs-ref", metavar="REF", help="Template tag, branch or commit (default: latest tag)."
    ),
]
DataOption = Annotated[
    list[str] | None,
    typer.Option("--data", "-d", metavar="KEY=VALUE", help="Answer a new question (repeatable)."),
]


@app.command(
    "update",
    epilog=examples(
        "scaffold update",
        "scaffold update billing --vcs-ref v2 --data owner=payments",
    ),
)
def update_project(
    project: ProjectArgument = Path("."),
    vcs_ref: VcsRefOption = None,
    data: DataOption = None,
    trust: TrustOption = False,
    defaults: DefaultsOption = False,
    quiet: QuietOption = False,
) -> None:
    """Merge a newer version of the project's git-hosted template into it (Copier's update).

    The project must be committed to git with no local changes. Conflicts are
    left in the files as <<<<<<< markers (and as unmerged paths in git); the
    command then exits 1.
    """
    from scaffold.generate import UpdateRequest, update_project
    from scaffold.generate.answers import team_answers

    result = update_project(
        UpdateRequest(
            project=project,
            vcs_ref=vcs_ref,
            data=team_answers(data or ()),
            interactive=interactive(defaults),
            trust=trust,
        )
    )
    if not quiet:
        _report_update(result)
        if result.message:
            # The template's own `_message_after_update`, as `copier update` would show it.
            typer.echo(f"\n{result.message}")
    if result.conflicts:
        raise typer.Exit(1)


def _report_update(result: UpdateResult) -> None:
    where = display_path(result.project)
    versions = f"{result.old_commit or '?'} -> {result.new_commit or '?'}"
    if not result.changed:
        typer.echo(f"{where} is up to date with {result.source} ({versions}).")
        return
    typer.echo(f"Updated {where} from {result.source} ({versions}); changed:")
    for path in result.changed:
        mark = "  conflict" if path in result.conflicts else ""
        typer.echo(f"  {path}{mark}")
    if result.conflicts:
        typer.echo(
            f"{len(result.conflicts)} file(s) have conflicts: resolve the <<<<<<< markers,"
            " `git add` them, then commit.",
            err=True,
        )
    else:
        typer.echo("Review with `git diff`, then commit.")
