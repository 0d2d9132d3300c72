"""Options the commands share, declared once (the `new` switches themselves: switches.py)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from scaffold.choices import CI, PYTHON_VERSIONS, License
from scaffold.cli.switches import NewSwitches, interactive
from scaffold.errors import UsageError

if TYPE_CHECKING:
    # typer 0.28 vendors click as typer._click; only the annotations need it.
    import typer._click as click

try:  # typer vendors click in some versions and depends on it in others
    from typer._click.types import ParamType
except ImportError:  # pragma: no cover
    # Where click is installed too (import-linter, a test dependency, brings it) its
    # ParamType is a different class to mypy; where it is not, the module is missing.
    from click.types import ParamType  # type: ignore[import-not-found, no-redef, assignment, unused-ignore]

__all__ = [
    "AuthorOption",
    "CIOption",
    "CacheDirOption",
    "DefaultsOption",
    "DescriptionOption",
    "DestOption",
    "DryRunOption",
    "EmailOption",
    "ForceOption",
    "FormatChoice",
    "LicenseOption",
    "NewSwitches",
    "NoCIOption",
    "NoCacheOption",
    "NoGitOption",
    "PathGiven",
    "PythonOption",
    "QuietOption",
    "RepositoryOption",
    "ShadowOption",
    "TrustOption",
    "format_option",
    "interactive",
    "plain_text",
]


class PathGiven(ParamType):
    """A path option or argument; an empty one is a usage error, not the current folder.

    Click's path type turns '' into `Path('.')` before any callback sees it, so
    `new --dest ""` wrote into the current folder; `check ""` is refused the same way.
    """

    name = "path"

    def __init__(self, option: str, remedy: str) -> None:
        self.option = option
        self.remedy = remedy  # what would be right

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Path:
        if isinstance(value, Path):
            return value
        if value == "":
            raise UsageError(f"{self.option} is empty; {self.remedy}")
        return Path(value)


CIOption = Annotated[
    CI,
    typer.Option(
        "--ci",
        metavar="CI",
        help="Continuous integration to write: github (a GitHub Actions workflow running"
        " ruff, mypy, pytest on every supported Python, and scaffold check) or none.",
    ),
]
NoCIOption = Annotated[
    bool, typer.Option("--no-ci", help="Write no CI workflow (the same as --ci none).")
]
NoGitOption = Annotated[
    bool,
    typer.Option(
        "--no-git",
        help="Make no git repository (by default a new project outside any repository gets"
        " `git init` and a first commit).",
    ),
]
DestOption = Annotated[
    Path | None,
    typer.Option(
        "--dest",
        metavar="DIR",
        click_type=PathGiven("--dest", "name a folder, or leave --dest out"),
        help="Folder to write into (default: ./NAME; for `module`, .).",
    ),
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
NoCacheOption = Annotated[
    bool, typer.Option("--no-cache", help="Neither read nor write .scaffold_cache/.")
]
CacheDirOption = Annotated[
    str | None,
    typer.Option(
        "--cache-dir",
        metavar="DIR",
        help="Keep the cache in DIR (default: $SCAFFOLD_CACHE_DIR, else .scaffold_cache/ at"
        " the project root).",
    ),
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
        "--python",
        metavar="X.Y",
        help=f"Oldest supported Python ({PYTHON_VERSIONS[0]}-{PYTHON_VERSIONS[-1]}).",
    ),
]


def plain_text(option: str) -> Any:
    """A callback refusing control characters other than whitespace (folded into spaces):
    a template writes the text into TOML, YAML and Python strings, and not every template
    escapes each of them (DEL broke TOML)."""

    def check(value: str | None) -> str | None:
        if value is None:
            return None
        for char in value:
            if (ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F) and not char.isspace():
                raise UsageError(
                    f"{option} contains the control character U+{ord(char):04X};"
                    " use plain one-line text"
                )
        return value

    return check


AuthorOption = Annotated[
    str | None,
    typer.Option(
        "--author",
        metavar="NAME",
        help="Author name (default: git config user.name; '' for none).",
        callback=plain_text("--author"),
    ),
]
EmailOption = Annotated[
    str | None,
    typer.Option(
        "--email",
        metavar="EMAIL",
        help="Author email (default: git config user.email; '' for none).",
        callback=plain_text("--email"),
    ),
]
RepositoryOption = Annotated[
    str | None,
    typer.Option(
        "--repository",
        metavar="URL",
        help="Web address of the project's repository, for [project.urls] (default: the"
        " https address of the enclosing git repository's origin, if any; '' for none).",
        callback=plain_text("--repository"),
    ),
]
DescriptionOption = Annotated[
    str | None,
    typer.Option(
        "--description",
        metavar="TEXT",
        help="One-line description.",
        callback=plain_text("--description"),
    ),
]
LicenseOption = Annotated[
    License,
    typer.Option(
        "--license",
        metavar="LICENSE",
        help=f"License of the project: {', '.join(License)}.",
    ),
]
TrustOption = Annotated[
    bool,
    typer.Option(
        "--trust",
        help="Allow a template that runs code (tasks, migrations, Jinja extensions).",
    ),
]


class FormatChoice(ParamType):
    """A `--format` value: one of the choices in any case; any other is a usage error.

    Click's own choice type words a bad value its way; scaffold's message names the
    option and the choices on one line, as the library it mirrors does.
    """

    name = "choice"

    def __init__(self, choices: list[str]) -> None:
        self.choices = choices

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return f"<{'|'.join(self.choices)}>"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value)
        if text.lower() in self.choices:
            return text.lower()
        choices = ", ".join(self.choices)
        raise UsageError(f"unknown --format {text!r} (choose one of: {choices})")


def format_option(
    formats: type[StrEnum], *, metavar: str | None = None, names: tuple[str, ...] = ("--format",)
) -> Any:
    """The `--format` option (or `names`) choosing one of `formats`; its help lists them."""
    values = [member.value for member in formats]
    listed = f"{', '.join(values[:-1])} or {values[-1]}"
    return typer.Option(
        *names,
        metavar=metavar or "FORMAT",
        click_type=FormatChoice(values),
        help=f"Output: {listed}.",
    )
