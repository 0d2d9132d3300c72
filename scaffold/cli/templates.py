"""`scaffold templates`: list, register and remove named team templates."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from scaffold.cli.options import PathGiven, TrustOption, format_option, plain_text
from scaffold.cli.render import display_path, examples
from scaffold.errors import printable

if TYPE_CHECKING:
    from scaffold.template_testing.report import SetResult
    from scaffold.templates import TemplateEntry

__all__ = ["app"]

app = typer.Typer(
    help="List, register, remove, test and lint team templates (`scaffold new NAME PROJECT`).",
    invoke_without_command=True,
)


@app.callback()
def _templates_default(ctx: typer.Context) -> None:
    """List, register and remove named team templates; with no command, list them."""
    if ctx.invoked_subcommand is None:
        templates_list()


@app.command(
    "list",
    epilog=examples(
        "scaffold templates list",
    ),
)
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


@app.command(
    "add",
    epilog=examples(
        'scaffold templates add service gh:acme/service-template --description "Our services"',
    ),
)
def templates_add(
    name: Annotated[str, typer.Argument(metavar="NAME", help="Name to run it by.")],
    source: Annotated[
        str,
        typer.Argument(metavar="SRC", help="Template folder, git repository or git URL."),
    ],
    description: Annotated[
        str,
        typer.Option(
            "--description",
            metavar="TEXT",
            help="One line shown by `templates list`.",
            callback=plain_text("--description"),
        ),
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


@app.command(
    "remove",
    epilog=examples(
        "scaffold templates remove service",
    ),
)
def templates_remove(
    name: Annotated[str, typer.Argument(metavar="NAME", help="Registered name.")],
) -> None:
    """Remove NAME from your registry."""
    from scaffold.templates import remove_template

    entry = remove_template(name)
    typer.echo(f"Removed {entry.name!r} ({entry.source}) from {entry.origin}")


class TestFormat(StrEnum):
    """The renderings of a `templates test` report."""

    TABLE = "table"
    JSON = "json"
    JUNIT = "junit"


SpecArgument = Annotated[
    str,
    typer.Argument(
        metavar="SRC|NAME", help="A template folder or git URL, or a built-in or registered name."
    ),
]
VcsRefOption = Annotated[
    str | None,
    typer.Option("--vcs-ref", metavar="REF", help="Git tag, branch or commit of the template."),
]


DataFileOption = Annotated[
    Path | None,
    typer.Option(
        "--data-file",
        metavar="FILE",
        click_type=PathGiven("--data-file", "name a file, or leave --data-file out"),
        help="YAML or TOML answer sets: a list of answer mappings, or a matrix with"
        " exclude/include (default: the template's _scaffold_test answers).",
    ),
]
TestDataOption = Annotated[
    list[str] | None,
    typer.Option("--data", "-d", metavar="KEY=VALUE", help="An answer for every set."),
]
TestDefaultsOption = Annotated[
    bool, typer.Option("--defaults", help="Test the template's defaults alone.")
]
RunOption = Annotated[
    list[str] | None,
    typer.Option(
        "--run",
        metavar="CMD",
        help="Run CMD in each project (repeatable; replaces the template's _scaffold_test"
        " commands).",
    ),
]
CheckOnlyOption = Annotated[
    bool, typer.Option("--check-only", help="Run only `scaffold check`, no commands.")
]
VenvOption = Annotated[
    bool, typer.Option("--venv", help="Run the commands in a fresh virtual environment per set.")
]
TimeoutOption = Annotated[
    float, typer.Option("--timeout", metavar="SECONDS", help="Stop a command after this.")
]
JobsOption = Annotated[
    int | None,
    typer.Option("--jobs", "-j", metavar="N", help="Sets at a time (default: the cores)."),
]
KeepOption = Annotated[
    Path | None,
    typer.Option(
        "--keep",
        metavar="DIR",
        click_type=PathGiven("--keep", "name a folder, or leave --keep out"),
        help="Keep the rendered projects here.",
    ),
]
NameOption = Annotated[
    str, typer.Option("--name", metavar="NAME", help="The project folder name (_folder_name).")
]
TestFormatOption = Annotated[TestFormat, format_option(TestFormat)]


@app.command(
    "test",
    epilog=examples(
        "scaffold templates test package",
        "scaffold templates test ../service-template --data owner=payments --run pytest",
        "scaffold templates test service --defaults --venv --format junit",
    ),
)
def templates_test(
    spec: SpecArgument,
    data_file: DataFileOption = None,
    data: TestDataOption = None,
    defaults: TestDefaultsOption = False,
    run: RunOption = None,
    check_only: CheckOnlyOption = False,
    venv: VenvOption = False,
    timeout: TimeoutOption = 600.0,
    jobs: JobsOption = None,
    keep: KeepOption = None,
    name: NameOption = "demo",
    output_format: TestFormatOption = TestFormat.TABLE,
    vcs_ref: VcsRefOption = None,
    trust: TrustOption = False,
) -> None:
    """Render the template for each answer set and check each result; exit 1 if any fails."""
    from scaffold.template_testing import (
        TestOptions,
        plan_template_tests,
        render_json,
        render_junit,
        render_table,
        run_template_tests,
    )

    options = TestOptions(
        spec,
        tuple(data or ()),
        data_file,
        defaults,
        tuple(run or ()),
        check_only,
        venv,
        timeout,
        jobs,
        keep,
        trust,
        vcs_ref,
        name,
    )
    request = plan_template_tests(options)
    show_progress = sys.stderr.isatty()
    report = run_template_tests(request, _print_progress if show_progress else None)
    renderers = {"table": render_table, "json": render_json, "junit": render_junit}
    typer.echo(renderers[output_format.value](report), nl=False)
    raise typer.Exit(1 if report.failed else 0)


class LintFormat(StrEnum):
    """The renderings of lint findings: the same as `scaffold check`'s."""

    TEXT = "text"
    CONCISE = "concise"
    FULL = "full"
    JSON = "json"
    JSON_LINES = "json-lines"
    SARIF = "sarif"
    GITHUB = "github"
    GITLAB = "gitlab"
    JUNIT = "junit"


@app.command(
    "lint",
    epilog=examples(
        "scaffold templates lint ../service-template",
        "scaffold templates lint service --format github",
    ),
)
def templates_lint(
    spec: SpecArgument,
    output_format: Annotated[LintFormat, format_option(LintFormat)] = LintFormat.TEXT,
    vcs_ref: VcsRefOption = None,
) -> None:
    """Check copier.yml and the template's files without rendering; exit 1 on findings."""
    from scaffold.check.output import FORMATS
    from scaffold.check.output.context import RenderContext
    from scaffold.template_testing.lint import lint_template

    report = lint_template(spec, vcs_ref)
    # Paths from the template's root: a git template is linted in a temporary clone.
    context = RenderContext(relative_to=None, color=False)
    typer.echo(FORMATS[output_format.value].render(report, context), nl=False)
    raise typer.Exit(1 if report.diagnostics else 0)


def _print_progress(result: SetResult, finished: int, total: int) -> None:
    verdict = "pass" if result.passed else "FAIL"
    seconds = sum(step.seconds for step in result.steps)
    typer.echo(f"[{finished}/{total}] {result.label}: {verdict} ({seconds:.1f}s)", err=True)


def _render_template_table(entries: list[TemplateEntry]) -> str:
    rows = [("NAME", "FROM", "SOURCE", "DESCRIPTION")]
    for entry in entries:
        origin = "built-in" if entry.builtin else Path(entry.origin).name
        # A project's pyproject.toml (a cloned repository's) may hold escape sequences.
        rows.append(
            (
                printable(entry.name),
                printable(origin),
                printable(entry.source),
                printable(entry.description),
            )
        )
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True))
        + f"  {row[3]}".rstrip()
        for row in rows
    )
