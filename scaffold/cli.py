"""The Typer command line: parse options, call one library function, render, exit.

Nothing here imports copier or jinja2 at module level: `scaffold --help` and
`scaffold check` must stay fast, so the generate path is imported inside the
commands that need it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from typer.core import TyperGroup

from scaffold import __version__
from scaffold.choices import DEFAULT_PYTHON, PYTHON_VERSIONS, Layout, License
from scaffold.errors import ScaffoldError, UsageError

if TYPE_CHECKING:
    # typer 0.28 vendors click as typer._click; only the annotations need it.
    import typer._click as click

    from scaffold.generate import GenerateResult, UpdateResult
    from scaffold.generate.answers import BuiltinAnswers, PackageAnswers
    from scaffold.templates import TemplateEntry

__all__ = ["app", "main"]

app = typer.Typer(
    name="scaffold",
    help="Generate Python modules, packages and workspaces; check their exports and imports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


# --- generate commands ---
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
            return rest[0], command, rest[1:]
        return "--template SRC", command, rest


new_app = typer.Typer(
    cls=_NewGroup,
    help="Create a module, package, workspace or game from a template.\n\n"
    "Also: `scaffold new TEMPLATE NAME` runs a registered team template (see"
    " `scaffold templates list`), and `scaffold new --template SRC NAME` runs any Copier"
    " template from a folder, a git repository or a git URL (gh:org/repo); see"
    " `scaffold new TEMPLATE --help` for their options.",
    subcommand_metavar="COMMAND|TEMPLATE [ARGS]...",
    no_args_is_help=True,
)
app.add_typer(new_app, name="new")

DestOption = Annotated[
    Path | None,
    typer.Option("--dest", help="Folder to write into (default: ./NAME; for `module`, .)."),
]
DryRunOption = Annotated[
    bool, typer.Option("--dry-run", help="Print the tree that would be written; write nothing.")
]
ForceOption = Annotated[
    bool,
    typer.Option(
        "--force",
        help="Write into a non-empty destination (never deletes files the template does not"
        " produce).",
    ),
]
DefaultsOption = Annotated[
    bool, typer.Option("--defaults", help="Never ask; use defaults for every question.")
]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing on success.")]
ShadowOption = Annotated[
    bool,
    typer.Option(
        "--allow-stdlib-shadow", help="Allow a top-level name that shadows a stdlib module."
    ),
]
PythonOption = Annotated[
    str,
    typer.Option(
        "--python", help=f"Oldest supported Python ({PYTHON_VERSIONS[0]}-{PYTHON_VERSIONS[-1]})."
    ),
]
AuthorOption = Annotated[str | None, typer.Option("--author", help="Author name.")]
DescriptionOption = Annotated[
    str | None, typer.Option("--description", help="One-line description.")
]


LicenseOption = Annotated[License, typer.Option("--license", help="License of the project.")]


def _interactive(defaults: bool) -> bool:
    return not defaults and sys.stdin.isatty()


def _required_name(name: str | None, what: str, usage: str, *, defaults: bool) -> str:
    """NAME when given; asked for on a terminal; otherwise a usage error (never a hang)."""
    if name is not None:
        return name
    if _interactive(defaults):
        return str(typer.prompt(f"{what} name"))
    raise UsageError(f"missing {what} NAME; usage: {usage}")


@new_app.command("package")
def new_package(
    name: Annotated[str | None, typer.Argument(help="Import name of the package.")] = None,
    module: Annotated[
        list[str] | None, typer.Option("--module", "-m", help="Add a module (repeatable).")
    ] = None,
    subpackage: Annotated[
        list[str] | None, typer.Option("--subpackage", help="Add a subpackage (repeatable).")
    ] = None,
    script: Annotated[
        list[str] | None,
        typer.Option(
            "--script",
            help="Console script NAME=MODULE:FUNC (repeatable; default: NAME=cli:main).",
        ),
    ] = None,
    layout: Annotated[Layout, typer.Option("--layout", help="flat or src layout.")] = Layout.FLAT,
    python: PythonOption = DEFAULT_PYTHON,
    description: DescriptionOption = None,
    author: AuthorOption = None,
    license: LicenseOption = License.MIT,
    dest: DestOption = None,
    dry_run: DryRunOption = False,
    force: ForceOption = False,
    defaults: DefaultsOption = False,
    quiet: QuietOption = False,
    allow_stdlib_shadow: ShadowOption = False,
) -> None:
    """Create an installable package with __init__.py, __all__, __main__.py and a CLI."""
    from scaffold.generate.answers import ProjectInfo, package_answers

    name = _required_name(name, "package", "scaffold new package NAME", defaults=defaults)
    answers = package_answers(
        name,
        modules=module or (),
        subpackages=subpackage or (),
        scripts=script or (),
        layout=layout,
        project=ProjectInfo(python, license, description, author),
        allow_stdlib_shadow=allow_stdlib_shadow,
    )
    _new_builtin(
        "package",
        name,
        answers,
        dest,
        force=force,
        dry_run=dry_run,
        defaults=defaults,
        quiet=quiet,
        next_steps=lambda where: _package_next_steps(where, answers),
    )


@new_app.command("module")
def new_module(
    name: Annotated[str | None, typer.Argument(help="Module name (writes NAME.py).")] = None,
    description: DescriptionOption = None,
    dest: DestOption = None,
    dry_run: DryRunOption = False,
    force: ForceOption = False,
    defaults: DefaultsOption = False,
    quiet: QuietOption = False,
    allow_stdlib_shadow: ShadowOption = False,
) -> None:
    """Write NAME.py and test_NAME.py into the destination folder (default: here)."""
    from scaffold.generate.answers import module_answers

    name = _required_name(name, "module", "scaffold new module NAME", defaults=defaults)
    answers = module_answers(name, description=description, allow_stdlib_shadow=allow_stdlib_shadow)

    def steps(where: Path) -> list[str]:
        folder = _display_path(where)
        enter = [] if folder == "." else [f"cd {folder}"]
        return [*enter, f"python {name}.py --help", f"python -m pytest test_{name}.py"]

    _new_builtin(
        "module",
        name,
        answers,
        dest if dest is not None else Path.cwd(),
        force=force,
        dry_run=dry_run,
        defaults=defaults,
        quiet=quiet,
        next_steps=steps,
        merge=True,
    )


@new_app.command("game")
def new_game(
    name: Annotated[str | None, typer.Argument(help="Import name of the game package.")] = None,
    python: PythonOption = DEFAULT_PYTHON,
    description: DescriptionOption = None,
    author: AuthorOption = None,
    license: LicenseOption = License.MIT,
    dest: DestOption = None,
    dry_run: DryRunOption = False,
    force: ForceOption = False,
    defaults: DefaultsOption = False,
    quiet: QuietOption = False,
    allow_stdlib_shadow: ShadowOption = False,
) -> None:
    """Create a playable terminal ping-pong game: logic in game.py, drawing in draw.py."""
    from scaffold.generate.answers import ProjectInfo, game_answers

    name = _required_name(name, "game", "scaffold new game NAME", defaults=defaults)
    answers = game_answers(
        name,
        project=ProjectInfo(python, license, description, author),
        allow_stdlib_shadow=allow_stdlib_shadow,
    )
    command = answers.distribution
    _new_builtin(
        "game",
        name,
        answers,
        dest,
        force=force,
        dry_run=dry_run,
        defaults=defaults,
        quiet=quiet,
        next_steps=lambda where: [
            f"cd {_display_path(where)}",
            'python -m pip install -e ".[dev]"',
            f"{command}                      # play: arrows or W/S, q quits",
            f"{command} --demo --frames 200  # watch two bots play",
            "python -m pytest",
        ],
    )


@new_app.command("workspace")
def new_workspace(
    name: Annotated[str | None, typer.Argument(help="Name of the workspace folder.")] = None,
    package: Annotated[
        list[str] | None,
        typer.Option("--package", "-p", help="Add a member package (repeatable)."),
    ] = None,
    namespace: Annotated[
        str | None,
        typer.Option("--namespace", help="Make members PEP 420 portions NS.PACKAGE."),
    ] = None,
    depends: Annotated[
        list[str] | None,
        typer.Option("--depends", help="MEMBER:REQUIRED, e.g. api:core (repeatable)."),
    ] = None,
    python: PythonOption = DEFAULT_PYTHON,
    description: DescriptionOption = None,
    author: AuthorOption = None,
    license: LicenseOption = License.MIT,
    dest: DestOption = None,
    dry_run: DryRunOption = False,
    force: ForceOption = False,
    defaults: DefaultsOption = False,
    quiet: QuietOption = False,
    allow_stdlib_shadow: ShadowOption = False,
) -> None:
    """Create a repository of several packages under packages/, each with src/ and tests."""
    from scaffold.generate.answers import ProjectInfo, workspace_answers

    usage = "scaffold new workspace NAME --package P [--package P]..."
    name = _required_name(name, "workspace", usage, defaults=defaults)
    answers = workspace_answers(
        name,
        packages=package or (),
        namespace=namespace,
        depends=depends or (),
        project=ProjectInfo(python, license, description, author),
        allow_stdlib_shadow=allow_stdlib_shadow,
    )
    members = " ".join(f"-e packages/{member}" for member in package or ())
    _new_builtin(
        "workspace",
        name,
        answers,
        dest,
        force=force,
        dry_run=dry_run,
        defaults=defaults,
        quiet=quiet,
        next_steps=lambda where: [
            f"cd {_display_path(where)}",
            f"python -m pip install {members} pytest",
            "python -m pytest",
            "scaffold check .",
        ],
    )


@new_app.command(
    _TEAM_COMMAND,
    hidden=True,
    context_settings={"help_option_names": ["--help", "-h"]},
)
def new_from_template(
    ctx: typer.Context,
    name: Annotated[
        str | None,
        typer.Argument(metavar="NAME", help="Project folder name (Copier's _folder_name)."),
    ] = None,
    template: Annotated[
        str | None,
        typer.Option(
            "--template",
            "-t",
            metavar="SRC",
            help="Any Copier template: a folder, a git repository, or a git URL"
            " (https://…, git@…, gh:org/repo, gl:org/repo).",
        ),
    ] = None,
    data: Annotated[
        list[str] | None,
        typer.Option("--data", "-d", metavar="KEY=VALUE", help="Answer a question (repeatable)."),
    ] = None,
    vcs_ref: Annotated[
        str | None,
        typer.Option(
            "--vcs-ref", help="Git tag, branch or commit to render (default: the latest tag)."
        ),
    ] = None,
    trust: Annotated[
        bool,
        typer.Option(
            "--trust",
            help="Allow a template that runs code (tasks, migrations, Jinja extensions).",
        ),
    ] = False,
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

    entry = team_template(ctx.meta.get(_TEMPLATE_META), template)
    usage = f"scaffold new {entry.name or '--template SRC'} NAME"
    name = validate_destination_name(_required_name(name, "project", usage, defaults=defaults))
    result = generate(
        GenerateRequest(
            source=entry.source,
            destination=dest if dest is not None else Path(name),
            data=team_answers(data or ()),
            vcs_ref=vcs_ref,
            force=force,
            dry_run=dry_run,
            interactive=_interactive(defaults),
            trust=trust,
        )
    )
    if not quiet:
        _report_generated(
            result,
            kind="project",
            name=name,
            origin=_template_label(entry, result.commit),
            next_steps=_team_next_steps(result),
        )


def _template_label(entry: TemplateEntry, commit: str | None) -> str:
    label = f"template {entry.name!r} ({entry.source})" if entry.name else entry.source
    return f"{label} at {commit}" if commit else label


def _team_next_steps(result: GenerateResult) -> list[str]:
    steps = [f"cd {_display_path(result.destination)}"]
    if result.commit is not None and not (result.destination / ".git").exists():
        # `scaffold update` merges through git: the generated state must be committed.
        steps.append('git init && git add -A && git commit -m "Generate from template"')
    if result.commit is not None:
        steps.append("scaffold update    # later, to merge a newer template version")
    return steps


def _new_builtin(
    template: str,
    name: str,
    answers: BuiltinAnswers,
    destination: Path | None,
    *,
    force: bool,
    dry_run: bool,
    defaults: bool,
    quiet: bool,
    next_steps: Callable[[Path], list[str]],
    merge: bool = False,
) -> None:
    """Render a built-in template into `destination` (None: a folder NAME here) and,
    unless quiet, say what was written and what to do next."""
    from scaffold.generate import GenerateRequest, generate
    from scaffold.templates import builtin_template

    result = generate(
        GenerateRequest(
            source=str(builtin_template(template)),
            destination=destination if destination is not None else Path(name),
            data=answers,
            force=force,
            dry_run=dry_run,
            interactive=_interactive(defaults),
            merge=merge,
        )
    )
    if not quiet:
        steps = next_steps(result.destination)
        _report_generated(result, kind=template, name=name, next_steps=steps)


def _display_path(path: Path) -> str:
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    return str(path) if relative.startswith("..") else relative


def _package_next_steps(destination: Path, answers: PackageAnswers) -> list[str]:
    return [
        f"cd {_display_path(destination)}",
        'python -m pip install -e ".[dev]"',
        f"{answers.scripts[0].name} --help",
        "python -m pytest",
        "scaffold check .",
    ]


def _report_generated(
    result: GenerateResult,
    *,
    kind: str,
    name: str,
    next_steps: list[str],
    origin: str | None = None,
) -> None:
    from scaffold.generate import render_tree

    where = _display_path(result.destination)
    verb = "Would create" if result.dry_run else "Created"
    source = f" from {origin}" if origin else ""
    typer.echo(f"{verb} {kind} {name!r}{source} in {where}:")
    typer.echo(render_tree(where, result.files))
    if result.replaced:
        action = "would overwrite" if result.dry_run else "overwrote"
        typer.echo(f"({action} {len(result.replaced)} existing file(s))")
    if result.dry_run:
        typer.echo("Dry run: nothing was written.")
        return
    typer.echo("\nNext:")
    for step in next_steps:
        typer.echo(f"  {step}")


add_app = typer.Typer(
    help="Grow a package: add a module or subpackage and register it in __init__.py.",
    no_args_is_help=True,
)
app.add_typer(add_app, name="add")

ToOption = Annotated[Path, typer.Option("--to", help="The package folder (it holds __init__.py).")]


def _add(kind: str, name: str, to: Path, *, force: bool, dry_run: bool, quiet: bool) -> None:
    from scaffold.add import add_to_package

    result = add_to_package(kind, name, to, force=force, dry_run=dry_run)
    if quiet:
        return
    where = _display_path(result.location.project_root)
    verb = "Would add" if result.dry_run else "Added"
    noun = "module" if kind == "module" else "subpackage"
    typer.echo(f"{verb} {noun} {result.location.dotted}.{name} in {where}:")
    for rel in result.created:
        typer.echo(f"  {'new ' if not result.dry_run else ''}{rel}")
    typer.echo(f"  edit {result.edited}: {'; '.join(result.notes)}")
    if result.dry_run:
        typer.echo("Dry run: nothing was written.")


@add_app.command("module")
def add_module(
    name: Annotated[str, typer.Argument(help="Name of the new module.")],
    to: ToOption,
    dry_run: DryRunOption = False,
    force: ForceOption = False,
    quiet: QuietOption = False,
) -> None:
    """Add NAME.py to the package at --to, import it in __init__.py and list it in __all__."""
    _add("module", name, to, force=force, dry_run=dry_run, quiet=quiet)


@add_app.command("package")
def add_package(
    name: Annotated[str, typer.Argument(help="Name of the new subpackage.")],
    to: ToOption,
    dry_run: DryRunOption = False,
    force: ForceOption = False,
    quiet: QuietOption = False,
) -> None:
    """Add the subpackage NAME/ to the package at --to and register it in __init__.py."""
    _add("package", name, to, force=force, dry_run=dry_run, quiet=quiet)


# --- end generate commands ---


# --- templates commands ---
templates_app = typer.Typer(
    help="List, register and remove named team templates (`scaffold new NAME PROJECT`).",
    invoke_without_command=True,
)
app.add_typer(templates_app, name="templates")


@templates_app.callback()
def _templates_default(ctx: typer.Context) -> None:
    """List, register and remove named team templates; with no command, list them."""
    if ctx.invoked_subcommand is None:
        templates_list()


@templates_app.command("list")
def templates_list() -> None:
    """List built-in and registered templates with their source and description."""
    from scaffold.templates import all_templates, user_registry_path

    entries = all_templates()
    typer.echo(_render_template_table(entries))
    files = sorted({entry.origin for entry in entries if not entry.builtin})
    typer.echo(f"\nYour registry: {user_registry_path()}")
    for origin in files:
        if origin != str(user_registry_path()):
            typer.echo(f"Project registry: {_display_path(Path(origin))} [tool.scaffold.templates]")


@templates_app.command("add")
def templates_add(
    name: Annotated[str, typer.Argument(metavar="NAME", help="Name to run it by.")],
    source: Annotated[
        str,
        typer.Argument(metavar="SRC", help="Template folder, git repository or git URL."),
    ],
    description: Annotated[
        str, typer.Option("--description", help="One line shown by `templates list`.")
    ] = "",
) -> None:
    """Register SRC as NAME in your registry (it is not trusted by being registered)."""
    from scaffold.templates import add_template

    entry = add_template(name, source, description=description)
    typer.echo(f"Registered {entry.name!r} -> {entry.source} in {entry.origin}")
    typer.echo(f"Run it with: scaffold new {entry.name} PROJECT")


@templates_app.command("remove")
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


# --- end templates commands ---


# --- update command ---
@app.command("update")
def update_project(
    project: Annotated[
        Path, typer.Argument(metavar="[PROJECT]", help="Generated project folder (default: .).")
    ] = Path("."),
    vcs_ref: Annotated[
        str | None,
        typer.Option("--vcs-ref", help="Template tag, branch or commit (default: latest tag)."),
    ] = None,
    data: Annotated[
        list[str] | None,
        typer.Option(
            "--data", "-d", metavar="KEY=VALUE", help="Answer a new question (repeatable)."
        ),
    ] = None,
    trust: Annotated[
        bool,
        typer.Option(
            "--trust",
            help="Allow a template that runs code (tasks, migrations, Jinja extensions).",
        ),
    ] = False,
    defaults: DefaultsOption = False,
    quiet: QuietOption = False,
) -> None:
    """Merge a newer version of the project's git-hosted template into it (Copier's update).

    The project must be committed to git with no local changes. Conflicts are
    left in the files as <<<<<<< markers (and as unmerged paths in git); the
    command then exits 1.
    """
    from scaffold.generate import UpdateRequest, update
    from scaffold.generate.answers import team_answers

    result = update(
        UpdateRequest(
            project=project,
            vcs_ref=vcs_ref,
            data=team_answers(data or ()),
            interactive=_interactive(defaults),
            trust=trust,
        )
    )
    if not quiet:
        _report_update(result)
    if result.conflicts:
        raise typer.Exit(1)


def _report_update(result: UpdateResult) -> None:
    where = _display_path(result.project)
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


# --- end update command ---
# --- check commands ---
@app.command("check")
def _check(
    paths: Annotated[
        list[str] | None,
        typer.Argument(metavar="[PATH]...", help="Projects, folders or files (default: .)."),
    ] = None,
    output_format: Annotated[
        str, typer.Option("--format", metavar="FORMAT", help="Output: text, json, sarif or github.")
    ] = "text",
    select: Annotated[
        str | None,
        typer.Option(
            "--select", metavar="CODES", help="Rule codes or prefixes to run, comma-separated."
        ),
    ] = None,
    ignore: Annotated[
        str | None,
        typer.Option(
            "--ignore", metavar="CODES", help="Rule codes or prefixes to skip, comma-separated."
        ),
    ] = None,
    exit_zero: Annotated[
        bool, typer.Option("--exit-zero", help="Exit 0 even when there are findings.")
    ] = False,
    statistics: Annotated[
        bool, typer.Option("--statistics", help="Print counts per rule instead of findings.")
    ] = False,
    fix: Annotated[
        bool, typer.Option("--fix", help="Apply the safe fixes, then report what remains.")
    ] = False,
    unsafe_fixes: Annotated[
        bool,
        typer.Option("--unsafe-fixes", help="With --fix, also apply fixes that change the API."),
    ] = False,
    diff: Annotated[
        bool, typer.Option("--diff", help="Print the fixes as a unified diff; write nothing.")
    ] = False,
    run_imports: Annotated[
        bool,
        typer.Option(
            "--import",
            help="Also import each package in a subprocess (runs its code) and report RUN001.",
        ),
    ] = False,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Neither read nor write .scaffold_cache/.")
    ] = False,
) -> None:
    """Check exports (__all__) and import hygiene of a Python tree."""
    from scaffold.check.command import run_check_command

    raise typer.Exit(
        run_check_command(
            paths or ["."],
            output_format,
            select,
            ignore,
            exit_zero,
            statistics,
            fix=fix,
            unsafe_fixes=unsafe_fixes,
            diff=diff,
            run_imports=run_imports,
            use_cache=not no_cache,
        )
    )


@app.command("rules")
def _rules() -> None:
    """List every check rule: code, name, default severity, fix."""
    from scaffold.check.report import render_rules

    typer.echo(render_rules(), nl=False)


@app.command("rule")
def _rule(
    code: Annotated[str, typer.Argument(metavar="CODE", help="A rule code such as EXP001.")],
) -> None:
    """Explain one check rule, with a bad and a good example."""
    from scaffold.check.rules import get_rule

    rule = get_rule(code)
    if rule is None:
        raise ScaffoldError(f"unknown rule code {code!r} (see `scaffold rules`)")
    typer.echo(rule.explain(), nl=False)


# --- end check commands ---


# --- graph command ---
@app.command("graph")
def _graph(
    path: Annotated[str, typer.Argument(help="A project, folder or file (default: .).")] = ".",
    output_format: Annotated[
        str, typer.Option("--format", help="Output: mermaid, dot or json.")
    ] = "mermaid",
    cycles: Annotated[
        bool, typer.Option("--cycles", help="Show only the modules in import cycles.")
    ] = False,
    depth: Annotated[
        int | None,
        typer.Option("--depth", help="Collapse modules to packages of N name parts.", min=1),
    ] = None,
) -> None:
    """Print the first-party import graph; modules in cycles are highlighted."""
    from scaffold.check.graph_render import render_graph

    typer.echo(render_graph(path, output_format, cycles_only=cycles, depth=depth), nl=False)


# --- end graph command ---


def _debug_enabled() -> bool:
    return os.environ.get("SCAFFOLD_DEBUG", "") not in ("", "0")


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"scaffold {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version_callback, is_eager=True, help="Print the version."
        ),
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks for internal errors.")
    ] = False,
) -> None:
    """Generate Python modules, packages and workspaces; check their exports and imports."""
    if debug:
        os.environ["SCAFFOLD_DEBUG"] = "1"


def main(argv: list[str] | None = None) -> int:
    """Run the command line; map every failure to a one-line message and an exit code."""
    try:
        result = app(args=argv, prog_name="scaffold", standalone_mode=False)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    except ScaffoldError as exc:
        if _debug_enabled():
            raise
        _error(exc.message)
        return exc.exit_code
    except KeyboardInterrupt:
        typer.echo("Interrupted.", err=True)
        return 130
    except Exception as exc:
        if _is_click_exception(exc):
            return _report_click_exception(exc)
        if _debug_enabled():
            raise
        _error(f"internal error: {type(exc).__name__}: {exc} (rerun with --debug for details)")
        return 2
    return result if isinstance(result, int) else 0


def _error(message: str) -> None:
    # click drops the colour when stderr is not a terminal; NO_COLOR is the user's veto.
    colour = None if os.environ.get("NO_COLOR") else typer.colors.RED
    typer.secho(f"error: {message}", err=True, fg=colour)


def _is_click_exception(exc: BaseException) -> bool:
    # Typer vendors click in some versions and depends on it in others; the
    # exception's class name is the one stable handle on its usage errors.
    return any(cls.__name__ == "ClickException" for cls in type(exc).__mro__)


def _report_click_exception(exc: Exception) -> int:
    exit_code = int(getattr(exc, "exit_code", 2))
    if type(exc).__name__ == "NoArgsIsHelpError":
        ctx = getattr(exc, "ctx", None)
        if ctx is not None:
            typer.echo(ctx.get_help())
        return exit_code
    message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
    ctx = getattr(exc, "ctx", None)
    hint = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
    _error(" ".join(f"{message}{hint}".split()))
    return exit_code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
