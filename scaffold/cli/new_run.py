"""What the built-in `scaffold new` commands do once their arguments are read, without Typer.

The Typer commands (new.py) and the reading of plain arguments without Typer (new_argv.py)
both end here, with the same keyword arguments.
"""

# Typer and its app cost ~0.045 s of a `scaffold new package` (docs/decisions.md, issue
# 20): nothing here imports it (tests/test_startup.py). Generation is imported inside the
# functions, as in the other command modules.

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from scaffold.choices import CI, Layout, License
from scaffold.cli.render import display_path, print_notes, report_generated
from scaffold.cli.switches import NewSwitches

if TYPE_CHECKING:
    from scaffold.generate.answers import BuiltinAnswers, PackageAnswers

__all__ = ["new_game", "new_module", "new_package", "new_workspace"]


def new_package(
    *,
    name: str | None,
    module: list[str] | None,
    subpackage: list[str] | None,
    script: list[str] | None,
    layout: Layout,
    python: str,
    description: str | None,
    author: str | None,
    email: str | None,
    repository: str | None,
    license: License,
    ci: CI,
    no_ci: bool,
    no_git: bool,
    dest: Path | None,
    dry_run: bool,
    force: bool,
    defaults: bool,
    quiet: bool,
    allow_stdlib_shadow: bool,
) -> None:
    """`scaffold new package`."""
    from scaffold.generate.answers import ProjectInfo, package_answers

    switches = NewSwitches(dest, dry_run, force, defaults, quiet)
    name = switches.required_name(name, "package", "scaffold new package NAME")
    answers = package_answers(
        name,
        modules=module or (),
        subpackages=subpackage or (),
        scripts=script or (),
        layout=layout,
        project=ProjectInfo(python, license, description, author, email, repository),
        allow_stdlib_shadow=allow_stdlib_shadow,
        ci=CI.NONE if no_ci else ci,
    )
    _run_builtin(
        answers, name, switches, lambda where: _package_next_steps(where, answers), git=not no_git
    )


def new_module(
    *,
    name: str | None,
    description: str | None,
    dest: Path | None,
    dry_run: bool,
    force: bool,
    defaults: bool,
    quiet: bool,
    allow_stdlib_shadow: bool,
) -> None:
    """`scaffold new module`."""
    from scaffold.generate.answers import module_answers

    switches = NewSwitches(dest, dry_run, force, defaults, quiet)
    name = switches.required_name(name, "module", "scaffold new module NAME")
    answers = module_answers(name, description=description, allow_stdlib_shadow=allow_stdlib_shadow)

    def steps(where: Path) -> list[str]:
        folder = display_path(where)
        enter = [] if folder == "." else [f"cd {folder}"]
        return [*enter, f"python {name}.py --help", f"python -m pytest test_{name}.py"]

    _run_builtin(answers, name, switches, steps, merge=True)


def new_game(
    *,
    name: str | None,
    python: str,
    description: str | None,
    author: str | None,
    email: str | None,
    repository: str | None,
    license: License,
    ci: CI,
    no_ci: bool,
    no_git: bool,
    dest: Path | None,
    dry_run: bool,
    force: bool,
    defaults: bool,
    quiet: bool,
    allow_stdlib_shadow: bool,
) -> None:
    """`scaffold new game`."""
    from scaffold.generate.answers import ProjectInfo, game_answers

    switches = NewSwitches(dest, dry_run, force, defaults, quiet)
    name = switches.required_name(name, "game", "scaffold new game NAME")
    answers = game_answers(
        name,
        project=ProjectInfo(python, license, description, author, email, repository),
        allow_stdlib_shadow=allow_stdlib_shadow,
        ci=CI.NONE if no_ci else ci,
    )
    command = answers.distribution
    _run_builtin(
        answers,
        name,
        switches,
        lambda where: [
            f"cd {display_path(where)}",
            "python -m pip install -U pip && python -m pip install --group dev -e .",
            f"{command}                      # play: arrows or W/S, q quits",
            f"{command} --demo --frames 200  # watch two bots play",
            "python -m pytest",
        ],
        git=not no_git,
    )


def new_workspace(
    *,
    name: str | None,
    package: list[str] | None,
    namespace: str | None,
    depends: list[str] | None,
    python: str,
    description: str | None,
    author: str | None,
    email: str | None,
    repository: str | None,
    license: License,
    ci: CI,
    no_ci: bool,
    no_git: bool,
    dest: Path | None,
    dry_run: bool,
    force: bool,
    defaults: bool,
    quiet: bool,
    allow_stdlib_shadow: bool,
) -> None:
    """`scaffold new workspace`."""
    from scaffold.generate.answers import ProjectInfo, workspace_answers

    switches = NewSwitches(dest, dry_run, force, defaults, quiet)
    usage = "scaffold new workspace NAME --package P [--package P]..."
    name = switches.required_name(name, "workspace", usage)
    answers = workspace_answers(
        name,
        packages=package or (),
        namespace=namespace,
        depends=depends or (),
        project=ProjectInfo(python, license, description, author, email, repository),
        allow_stdlib_shadow=allow_stdlib_shadow,
        ci=CI.NONE if no_ci else ci,
    )
    members = " ".join(f"-e packages/{member}" for member in answers.packages)
    _run_builtin(
        answers,
        name,
        switches,
        lambda where: [
            f"cd {display_path(where)}",
            f"python -m pip install {members} pytest",
            "python -m pytest",
            "scaffold check .",
        ],
        git=not no_git,
    )


def _run_builtin(
    answers: BuiltinAnswers,
    name: str,
    switches: NewSwitches,
    next_steps: Callable[[Path], list[str]],
    *,
    merge: bool = False,
    git: bool = False,
) -> None:
    """Render the built-in template `answers` are for and, unless quiet, report it.

    The destination defaults to a folder NAME here; with `merge` (files that join a
    folder), to here. With `git`, a new project outside any repository gets `git init`
    and a first commit.
    """
    from scaffold.generate import GenerateRequest, generate
    from scaffold.templates import builtin_template

    default = Path.cwd() if merge else Path(name)
    destination = switches.dest if switches.dest is not None else default
    result = generate(
        GenerateRequest(
            source=str(builtin_template(answers.template)),
            destination=destination,
            data=answers,
            force=switches.force,
            dry_run=switches.dry_run,
            interactive=switches.interactive,
            merge=merge,
            user_defaults=_project_defaults(answers, destination),
        )
    )
    print_notes(result.notes)
    note = None
    if git and not switches.dry_run:
        from scaffold.generate.repository import first_commit

        note = first_commit(
            result.destination, f"Generate {name} with scaffold new {answers.template}"
        )
    if not switches.quiet:
        report_generated(
            result, answers.template, name, next_steps(result.destination), git_note=note
        )


def _project_defaults(answers: BuiltinAnswers, destination: Path) -> dict[str, str]:
    """What git knows of the author and the repository, for templates that ask them."""
    from scaffold.generate.answers import ModuleAnswers
    from scaffold.generate.identity import git_defaults

    return {} if isinstance(answers, ModuleAnswers) else git_defaults(destination.absolute())


def _package_next_steps(destination: Path, answers: PackageAnswers) -> list[str]:
    return [
        f"cd {display_path(destination)}",
        # --group needs pip 25.1, newer than many a Python ships: upgrade it first.
        "python -m pip install -U pip && python -m pip install --group dev -e .    # or: uv sync",
        f"{answers.scripts[0].name} --help",
        "python -m pytest",
        "scaffold check .",
    ]
