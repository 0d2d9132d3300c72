"""The Typer command line: parse options, call one library function, render, exit.

Nothing here imports copier or jinja2 at module level: `scaffold --help` and
`scaffold check` must stay fast, so the generate path is imported inside the
commands that need it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from scaffold import __version__
from scaffold.errors import ScaffoldError, UsageError

if TYPE_CHECKING:
    from scaffold.generate import GenerateResult

__all__ = ["app", "main"]

app = typer.Typer(
    name="scaffold",
    help="Generate Python modules, packages and workspaces; check their exports and imports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


# --- generate commands ---
new_app = typer.Typer(
    help="Create a module, package, workspace or game from a template.",
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
DescriptionOption = Annotated[
    str | None, typer.Option("--description", help="One-line description.")
]


class Layout(StrEnum):
    """Where the package folder lives."""

    flat = "flat"
    src = "src"


class License(StrEnum):
    """Licenses the package template knows."""

    mit = "MIT"
    apache = "Apache-2.0"
    bsd3 = "BSD-3-Clause"
    proprietary = "Proprietary"


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
    layout: Annotated[Layout, typer.Option("--layout", help="flat or src layout.")] = Layout.flat,
    python: Annotated[
        str, typer.Option("--python", help="Oldest supported Python (3.11-3.14).")
    ] = "3.11",
    description: DescriptionOption = None,
    author: Annotated[str | None, typer.Option("--author", help="Author name.")] = None,
    license: Annotated[
        License, typer.Option("--license", help="License of the project.")
    ] = License.mit,
    dest: DestOption = None,
    dry_run: DryRunOption = False,
    force: ForceOption = False,
    defaults: DefaultsOption = False,
    quiet: QuietOption = False,
    allow_stdlib_shadow: ShadowOption = False,
) -> None:
    """Create an installable package with __init__.py, __all__, __main__.py and a CLI."""
    from scaffold.generate import GenerateRequest, generate
    from scaffold.templates import builtin_template, package_answers

    name = _required_name(name, "package", "scaffold new package NAME", defaults=defaults)
    answers = package_answers(
        name,
        modules=module or (),
        subpackages=subpackage or (),
        scripts=script or (),
        layout=layout.value,
        python=python,
        description=description,
        author=author,
        license=license.value,
        allow_stdlib_shadow=allow_stdlib_shadow,
    )
    destination = dest if dest is not None else Path(name)
    result = generate(
        GenerateRequest(
            source=str(builtin_template("package")),
            destination=destination,
            data=answers,
            force=force,
            dry_run=dry_run,
            interactive=_interactive(defaults),
        )
    )
    if not quiet:
        _report_generated(
            result,
            kind="package",
            name=name,
            next_steps=_package_next_steps(result.destination, str(answers["package"]), answers),
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
    from scaffold.generate import GenerateRequest, generate
    from scaffold.templates import builtin_template, module_answers

    name = _required_name(name, "module", "scaffold new module NAME", defaults=defaults)
    answers = module_answers(name, description=description, allow_stdlib_shadow=allow_stdlib_shadow)
    result = generate(
        GenerateRequest(
            source=str(builtin_template("module")),
            destination=dest if dest is not None else Path.cwd(),
            data=answers,
            force=force,
            dry_run=dry_run,
            interactive=_interactive(defaults),
            merge=True,
        )
    )
    if not quiet:
        folder = _display_path(result.destination)
        steps = [f"cd {folder}"] if folder != "." else []
        steps += [f"python {name}.py --help", f"python -m pytest test_{name}.py"]
        _report_generated(result, kind="module", name=name, next_steps=steps)


@new_app.command("game")
def new_game(
    name: Annotated[str | None, typer.Argument(help="Import name of the game package.")] = None,
    python: Annotated[
        str, typer.Option("--python", help="Oldest supported Python (3.11-3.14).")
    ] = "3.11",
    description: DescriptionOption = None,
    author: Annotated[str | None, typer.Option("--author", help="Author name.")] = None,
    license: Annotated[
        License, typer.Option("--license", help="License of the project.")
    ] = License.mit,
    dest: DestOption = None,
    dry_run: DryRunOption = False,
    force: ForceOption = False,
    defaults: DefaultsOption = False,
    quiet: QuietOption = False,
    allow_stdlib_shadow: ShadowOption = False,
) -> None:
    """Create a playable terminal ping-pong game: logic in game.py, drawing in draw.py."""
    from scaffold.generate import GenerateRequest, generate
    from scaffold.templates import builtin_template, game_answers

    name = _required_name(name, "game", "scaffold new game NAME", defaults=defaults)
    answers = game_answers(
        name,
        python=python,
        description=description,
        author=author,
        license=license.value,
        allow_stdlib_shadow=allow_stdlib_shadow,
    )
    result = generate(
        GenerateRequest(
            source=str(builtin_template("game")),
            destination=dest if dest is not None else Path(name),
            data=answers,
            force=force,
            dry_run=dry_run,
            interactive=_interactive(defaults),
        )
    )
    if not quiet:
        command = str(answers["distribution"])
        steps = [
            f"cd {_display_path(result.destination)}",
            'python -m pip install -e ".[dev]"',
            f"{command}                      # play: arrows or W/S, q quits",
            f"{command} --demo --frames 200  # watch two bots play",
            "python -m pytest",
        ]
        _report_generated(result, kind="game", name=name, next_steps=steps)


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
    python: Annotated[
        str, typer.Option("--python", help="Oldest supported Python (3.11-3.14).")
    ] = "3.11",
    description: DescriptionOption = None,
    author: Annotated[str | None, typer.Option("--author", help="Author name.")] = None,
    license: Annotated[
        License, typer.Option("--license", help="License of every member.")
    ] = License.mit,
    dest: DestOption = None,
    dry_run: DryRunOption = False,
    force: ForceOption = False,
    defaults: DefaultsOption = False,
    quiet: QuietOption = False,
    allow_stdlib_shadow: ShadowOption = False,
) -> None:
    """Create a repository of several packages under packages/, each with src/ and tests."""
    from scaffold.generate import GenerateRequest, generate
    from scaffold.templates import builtin_template, workspace_answers

    usage = "scaffold new workspace NAME --package P [--package P]..."
    name = _required_name(name, "workspace", usage, defaults=defaults)
    answers = workspace_answers(
        name,
        packages=package or (),
        namespace=namespace,
        depends=depends or (),
        python=python,
        description=description,
        author=author,
        license=license.value,
        allow_stdlib_shadow=allow_stdlib_shadow,
    )
    result = generate(
        GenerateRequest(
            source=str(builtin_template("workspace")),
            destination=dest if dest is not None else Path(name),
            data=answers,
            force=force,
            dry_run=dry_run,
            interactive=_interactive(defaults),
        )
    )
    if not quiet:
        members = [f"-e packages/{member}" for member in package or ()]
        steps = [
            f"cd {_display_path(result.destination)}",
            f"python -m pip install {' '.join(members)} pytest",
            "python -m pytest",
            "scaffold check .",
        ]
        _report_generated(result, kind="workspace", name=name, next_steps=steps)


def _display_path(path: Path) -> str:
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    return str(path) if relative.startswith("..") else relative


def _package_next_steps(
    destination: Path, package: str, answers: Mapping[str, object]
) -> list[str]:
    scripts = answers.get("scripts")
    first = scripts[0] if isinstance(scripts, list) and scripts else {}
    command = first.get("name", package) if isinstance(first, dict) else package
    return [
        f"cd {_display_path(destination)}",
        'python -m pip install -e ".[dev]"',
        f"{command} --help",
        "python -m pytest",
        "scaffold check .",
    ]


def _report_generated(
    result: GenerateResult, *, kind: str, name: str, next_steps: list[str]
) -> None:
    from scaffold.generate import render_tree

    where = _display_path(result.destination)
    verb = "Would create" if result.dry_run else "Created"
    typer.echo(f"{verb} {kind} {name!r} in {where}:")
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
    typer.secho(f"error: {message}", err=True, fg=typer.colors.RED)


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
