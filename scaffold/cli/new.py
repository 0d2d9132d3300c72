"""`scaffold new`: a project or module from a built-in template, a registered one, or any source."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from typer.core import TyperGroup

from scaffold.choices import CI, DEFAULT_PYTHON, Layout, License
from scaffold.cli import new_run
from scaffold.cli.options import (
    AuthorOption,
    CIOption,
    DefaultsOption,
    DescriptionOption,
    DestOption,
    DryRunOption,
    EmailOption,
    ForceOption,
    LicenseOption,
    NewSwitches,
    NoCIOption,
    NoGitOption,
    PythonOption,
    QuietOption,
    RepositoryOption,
    ShadowOption,
    TrustOption,
)
from scaffold.cli.render import display_path, examples, print_notes, report_generated

if TYPE_CHECKING:
    # typer 0.28 vendors click as typer._click; only the annotations need it.
    import typer._click as click

    from scaffold.generate import GenerateResult
    from scaffold.templates import TemplateEntry

__all__ = ["app"]

#: The hidden command behind `new TEMPLATE NAME` and `new --template SRC NAME`. Its
#: name cannot be a registered template's (those start with a letter or digit).
_TEAM_COMMAND = "_team-template"
_TEMPLATE_META = "scaffold.template"


class _NewGroup(TyperGroup):
    """`scaffold new`: a built-in command, else a team template by name or by --template SRC.

    Built-in commands resolve first, so a registered name never hides one; any
    other first word is handed to the team-template command, with the template
    name (when it is one) passed along in the context's meta.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = [_TEAM_COMMAND, *args]
        return super().parse_args(ctx, args)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        if not args or args[0] != _TEAM_COMMAND:
            return super().resolve_command(ctx, args)
        command, rest = self.commands[_TEAM_COMMAND], args[1:]
        if rest and not rest[0].startswith("-"):
            ctx.meta[_TEMPLATE_META] = rest[0]
            if any(arg in ctx.help_option_names for arg in rest[1:]):
                from scaffold.templates import find_template

                find_template(rest[0])  # `new typo --help`: say it is unknown, not the help
            return rest[0], command, rest[1:]
        return "--template SRC", command, rest


app = typer.Typer(
    cls=_NewGroup,
    help="Create a module, package, workspace or game from a template.\n\n"
    "Also: `scaffold new TEMPLATE NAME` runs a registered team template (see"
    " `scaffold templates list`), and `scaffold new --template SRC NAME` runs any Copier"
    " template from a folder, a git repository or a git URL (gh:org/repo); see"
    " `scaffold new TEMPLATE --help` for their options.",
    subcommand_metavar="COMMAND|TEMPLATE [ARGS]...",
    no_args_is_help=True,
    epilog="Team templates take --template SRC, --data KEY=VALUE (repeatable), --vcs-ref REF"
    " and --trust (allow the template's tasks, migrations and Jinja extensions), with"
    " --dest, --dry-run, --force, --defaults and --quiet as the built-in commands do.\n\n"
    + examples(
        "scaffold new package foo --module core",
        "scaffold new service billing --data owner=payments",
        "scaffold new --template gh:acme/service-template billing --vcs-ref v2",
    ),
)

#: Every `new` command needs NAME; it is optional on the command line only because a
#: terminal run asks for it (as `hatch new` does), so the help says so.
_NAME_HELP = "{}. Required: asked for when left out on a terminal."

ModuleOption = Annotated[
    list[str] | None,
    typer.Option("--module", "-m", metavar="NAME", help="Add a module (repeatable)."),
]
SubpackageOption = Annotated[
    list[str] | None,
    typer.Option("--subpackage", metavar="NAME", help="Add a subpackage (repeatable)."),
]
ScriptOption = Annotated[
    list[str] | None,
    typer.Option(
        "--script",
        metavar="NAME=MODULE:FUNC",
        help="Console script (repeatable; default: NAME=cli:main).",
    ),
]
LayoutOption = Annotated[
    Layout, typer.Option("--layout", metavar="LAYOUT", help=f"{' or '.join(Layout)} layout.")
]
PackageOption = Annotated[
    list[str] | None,
    typer.Option("--package", "-p", metavar="NAME", help="Add a member package (repeatable)."),
]
NamespaceOption = Annotated[
    str | None,
    typer.Option("--namespace", metavar="NS", help="Make members PEP 420 portions NS.PACKAGE."),
]
DependsOption = Annotated[
    list[str] | None,
    typer.Option(
        "--depends",
        metavar="MEMBER:REQUIRED",
        help="A member needs another, e.g. api:core (repeatable).",
    ),
]
TemplateOption = Annotated[
    str | None,
    typer.Option(
        "--template",
        "-t",
        metavar="SRC",
        help="Any Copier template: a folder, a git repository, or a git URL"
        " (https://…, git@…, gh:org/repo, gl:org/repo).",
    ),
]
DataOption = Annotated[
    list[str] | None,
    typer.Option("--data", "-d", metavar="KEY=VALUE", help="Answer a question (repeatable)."),
]
VcsRefOption = Annotated[
    str | None,
    typer.Option(
        "--vcs-ref",
        metavar="REF",
        help="Git tag, branch or commit to render (default: the latest tag).",
    ),
]


@app.command(
    "package",
    epilog=examples(
        "scaffold new package foo",
        "scaffold new package foo --module core --script foo=cli:main --layout src",
        "scaffold new package foo --no-ci --no-git --dry-run",
    ),
)
def new_package(
    name: Annotated[
        str | None,
        typer.Argument(metavar="NAME", help=_NAME_HELP.format("Import name of the package")),
    ] = None,
    module: ModuleOption = None,
    subpackage: SubpackageOption = None,
    script: ScriptOption = None,
    layout: LayoutOption = Layout.FLAT,
    python: PythonOption = DEFAULT_PYTHON,
    description: DescriptionOption = None,
    author: AuthorOption = None,
    email: EmailOption = None,
    repository: RepositoryOption = None,
    license: LicenseOption = License.MIT,
    ci: CIOption = CI.GITHUB,
    no_ci: NoCIOption = False,
    no_git: NoGitOption = False,
    dest: DestOption = None,
    dry_run: DryRunOption = False,
    force: ForceOption = False,
    defaults: DefaultsOption = False,
    quiet: QuietOption = False,
    allow_stdlib_shadow: ShadowOption = False,
) -> None:
    """Create an installable package with __init__.py, __all__, __main__.py and a CLI."""
    new_run.new_package(**locals())  # every parameter, by name


@app.command(
    "module",
    epilog=examples(
        "scaffold new module tool",
        'scaffold new module tool --description "Small helpers." --dest src',
    ),
)
def new_module(
    name: Annotated[
        str | None,
        typer.Argument(metavar="NAME", help=_NAME_HELP.format("Module name (writes NAME.py)")),
    ] = None,
    description: DescriptionOption = None,
    dest: DestOption = None,
    dry_run: DryRunOption = False,
    force: ForceOption = False,
    defaults: DefaultsOption = False,
    quiet: QuietOption = False,
    allow_stdlib_shadow: ShadowOption = False,
) -> None:
    """Write NAME.py and test_NAME.py into the destination folder (default: here)."""
    new_run.new_module(**locals())  # every parameter, by name


@app.command(
    "game",
    epilog=examples(
        "scaffold new game pong",
        "scaffold new game pong --license BSD-3-Clause --no-git",
    ),
)
def new_game(
    name: Annotated[
        str | None,
        typer.Argument(metavar="NAME", help=_NAME_HELP.format("Import name of the game package")),
    ] = None,
    python: PythonOption = DEFAULT_PYTHON,
    description: DescriptionOption = None,
    author: AuthorOption = None,
    email: EmailOption = None,
    repository: RepositoryOption = None,
    license: LicenseOption = License.MIT,
    ci: CIOption = CI.GITHUB,
    no_ci: NoCIOption = False,
    no_git: NoGitOption = False,
    dest: DestOption = None,
    dry_run: DryRunOption = False,
    force: ForceOption = False,
    defaults: DefaultsOption = False,
    quiet: QuietOption = False,
    allow_stdlib_shadow: ShadowOption = False,
) -> None:
    """Create a playable terminal ping-pong game: logic in game.py, drawing in draw.py."""
    new_run.new_game(**locals())  # every parameter, by name


@app.command(
    "workspace",
    epilog=examples(
        "scaffold new workspace acme --package core --package api --depends api:core",
        "scaffold new workspace acme -p core -p api --namespace acme",
    ),
)
def new_workspace(
    name: Annotated[
        str | None,
        typer.Argument(metavar="NAME", help=_NAME_HELP.format("Name of the workspace folder")),
    ] = None,
    package: PackageOption = None,
    namespace: NamespaceOption = None,
    depends: DependsOption = None,
    python: PythonOption = DEFAULT_PYTHON,
    description: DescriptionOption = None,
    author: AuthorOption = None,
    email: EmailOption = None,
    repository: RepositoryOption = None,
    license: LicenseOption = License.MIT,
    ci: CIOption = CI.GITHUB,
    no_ci: NoCIOption = False,
    no_git: NoGitOption = False,
    dest: DestOption = None,
    dry_run: DryRunOption = False,
    force: ForceOption = False,
    defaults: DefaultsOption = False,
    quiet: QuietOption = False,
    allow_stdlib_shadow: ShadowOption = False,
) -> None:
    """Create a repository of several packages under packages/, each with src/ and tests."""
    new_run.new_workspace(**locals())  # every parameter, by name


@app.command(
    _TEAM_COMMAND,
    hidden=True,
    context_settings={"help_option_names": ["--help", "-h"]},
    epilog=examples(
        "scaffold new service billing --data owner=payments",
        "scaffold new --template ../service-template billing --dry-run",
    ),
)
def new_from_template(
    ctx: typer.Context,
    name: Annotated[
        str | None,
        typer.Argument(
            metavar="NAME", help=_NAME_HELP.format("Project folder name (Copier's _folder_name)")
        ),
    ] = None,
    template: TemplateOption = None,
    data: DataOption = None,
    vcs_ref: VcsRefOption = None,
    trust: TrustOption = False,
    dest: DestOption = None,
    dry_run: DryRunOption = False,
    force: ForceOption = False,
    defaults: DefaultsOption = False,
    quiet: QuietOption = False,
) -> None:
    """Create a project NAME from a team template: a registered name, or --template SRC."""
    from scaffold.generate import GenerateRequest, generate
    from scaffold.generate.answers import team_answers
    from scaffold.names import validate_destination_name
    from scaffold.templates import team_template

    switches = NewSwitches(dest, dry_run, force, defaults, quiet)
    entry = team_template(ctx.meta.get(_TEMPLATE_META), template)
    usage = f"scaffold new {entry.name or '--template SRC'} NAME"
    name = validate_destination_name(switches.required_name(name, "project", usage))
    result = generate(
        GenerateRequest(
            source=entry.source,
            destination=switches.dest if switches.dest is not None else Path(name),
            data=team_answers(data or ()),
            vcs_ref=vcs_ref,
            force=switches.force,
            dry_run=switches.dry_run,
            interactive=switches.interactive,
            trust=trust,
        )
    )
    print_notes(result.notes)
    if not switches.quiet:
        origin = _template_label(entry, result.commit)
        report_generated(result, "project", name, _team_next_steps(result), origin=origin)


def _template_label(entry: TemplateEntry, commit: str | None) -> str:
    label = f"template {entry.name!r} ({entry.source})" if entry.name else entry.source
    return f"{label} at {commit}" if commit else label


def _team_next_steps(result: GenerateResult) -> list[str]:
    steps = [f"cd {display_path(result.destination)}"]
    if result.commit is not None and not (result.destination / ".git").exists():
        # `scaffold update` merges through git: the generated state must be committed.
        steps.append('git init && git add -A && git commit -m "Generate from template"')
    if result.commit is not None:
        steps.append("scaffold update    # later, to merge a newer template version")
    return steps
