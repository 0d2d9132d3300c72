"""The built-in `scaffold new` commands' arguments read without Typer, when plain."""

# Importing Typer and building the command costs ~0.045 s CPU, half of what `scaffold new
# package` spent over Copier alone rendering the same template (docs/decisions.md, issue
# 20). As check_argv.py does for `check`, this reads the common forms of the arguments of
# `new package|module|game|workspace` into the keyword arguments the Typer command passes
# on (new_run.py), and gives up (None) on anything else: help, a usage error, `--`, short
# options combined or joined to their value, a value that starts with `-`, a choice that is
# not one, a text the command's callback refuses, a missing NAME (asked for on a
# terminal). Typer then reads the arguments as before: its help and its errors stay the
# only ones. tests/test_cli_new_argv.py holds the tables to the Typer commands and
# compares both readings over generated arguments.

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import NamedTuple

from scaffold.choices import CI, DEFAULT_PYTHON, Layout, License
from scaffold.cli.check_argv import read_plain

__all__ = ["CHOICES", "COMMANDS", "PLAIN_TEXT", "Options", "new_fields"]


class Options(NamedTuple):
    """One command's options: flags, options taking one value, repeatable ones, defaults."""

    flags: dict[str, str]
    valued: dict[str, str]
    repeated: dict[str, str]
    defaults: dict[str, object]


_SWITCHES = {
    "--dry-run": "dry_run",
    "--force": "force",
    "--defaults": "defaults",
    "--quiet": "quiet",
    "-q": "quiet",
    "--allow-stdlib-shadow": "allow_stdlib_shadow",
}
_PROJECT_FLAGS = {**_SWITCHES, "--no-ci": "no_ci", "--no-git": "no_git"}
_PROJECT_VALUED = {
    "--python": "python",
    "--description": "description",
    "--author": "author",
    "--email": "email",
    "--repository": "repository",
    "--license": "license",
    "--ci": "ci",
    "--dest": "dest",
}
_PROJECT_DEFAULTS: dict[str, object] = {
    "python": DEFAULT_PYTHON,
    "license": License.MIT,
    "ci": CI.GITHUB,
}


def _options(
    flags: dict[str, str],
    valued: dict[str, str],
    repeated: dict[str, str],
    defaults: dict[str, object],
) -> Options:
    everything = {
        "name": None,
        **dict.fromkeys(flags.values(), False),
        **dict.fromkeys([*valued.values(), *repeated.values()]),
        **defaults,
    }
    return Options(flags, valued, repeated, everything)


COMMANDS: dict[str, Options] = {
    "package": _options(
        _PROJECT_FLAGS,
        {**_PROJECT_VALUED, "--layout": "layout"},
        {"--module": "module", "-m": "module", "--subpackage": "subpackage", "--script": "script"},
        {**_PROJECT_DEFAULTS, "layout": Layout.FLAT},
    ),
    "module": _options(_SWITCHES, {"--description": "description", "--dest": "dest"}, {}, {}),
    "game": _options(_PROJECT_FLAGS, _PROJECT_VALUED, {}, _PROJECT_DEFAULTS),
    "workspace": _options(
        _PROJECT_FLAGS,
        {**_PROJECT_VALUED, "--namespace": "namespace"},
        {"--package": "package", "-p": "package", "--depends": "depends"},
        _PROJECT_DEFAULTS,
    ),
}
# Options whose value must be one of an enumeration's values (as given: click compares
# them case-sensitively), and the enumeration.
CHOICES: dict[str, type[StrEnum]] = {"layout": Layout, "license": License, "ci": CI}
# Options whose Typer callback refuses control characters (options.py `plain_text`).
PLAIN_TEXT = frozenset({"author", "email", "repository", "description"})


def _plain(value: str) -> bool:
    return not any(
        (ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F) and not char.isspace() for char in value
    )


def new_fields(args: Sequence[str]) -> tuple[str, dict[str, object]] | None:
    """The command and the keyword arguments `scaffold new ARGS` stands for, or None when
    Typer must read ARGS."""
    options = COMMANDS.get(args[0]) if args else None
    if options is None:
        return None  # `new` alone, a team template, `--template SRC`, help
    given = dict(options.defaults)
    names = read_plain(args[1:], given, options.flags, options.valued, options.repeated)
    if names is None:
        return None
    return _converted(args[0], given, names)


def _converted(
    command: str, given: dict[str, object], names: list[str]
) -> tuple[str, dict[str, object]] | None:
    """`given` with each value of the type the Typer command gives it; None when Typer must
    say what is wrong (or ask for NAME)."""
    if len(names) != 1:
        return None
    given["name"] = names[0]
    for field, choices in CHOICES.items():
        value = given.get(field)
        if isinstance(value, str) and not isinstance(value, StrEnum):
            if value not in {member.value for member in choices}:
                return None
            given[field] = choices(value)
    for field in PLAIN_TEXT:
        value = given.get(field)
        if isinstance(value, str) and not _plain(value):
            return None
    dest = given.get("dest")
    if isinstance(dest, str):
        if not dest:
            return None
        given["dest"] = Path(dest)
    return command, given
