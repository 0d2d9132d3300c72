"""The tests a template declares for itself: the `_scaffold_test` key of its copier.yml."""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from scaffold.errors import TemplateError

__all__ = ["SETTING", "Command", "DeclaredTests", "command_text", "declared_tests"]

#: The copier.yml key (Copier ignores settings it does not know, so plain Copier still runs).
SETTING = "_scaffold_test"

#: A command: a string run by the shell, or an argument list run as it is.
Command = str | tuple[str, ...]


@dataclass(frozen=True)
class DeclaredTests:
    """What `_scaffold_test` says: commands to run in each rendered project, and answers.

    `install` commands run first, and only in a fresh virtual environment (`--venv`):
    they put the project's tools there. `answers` is a list of answer mappings or a
    matrix, as a `--data-file` holds (None: the template's defaults alone).
    """

    run: tuple[Command, ...] = ()
    install: tuple[Command, ...] = ()
    answers: Any = None


def declared_tests(config: Mapping[str, Any]) -> DeclaredTests:
    """Read `_scaffold_test` from the template's settings (`config`, keys without the `_`).

    The short form is a list of commands; the long form a mapping with `run`, `install`
    and `answers`. Anything else is a TemplateError that says what the key holds.
    """
    value = config.get(SETTING[1:])
    if value is None:
        return DeclaredTests()
    if isinstance(value, list):
        return DeclaredTests(run=_commands(value, "run"))
    if not isinstance(value, Mapping):
        raise TemplateError(
            f"copier.yml {SETTING} must be a list of commands or a mapping with run,"
            f" install and answers, not {value!r}"
        )
    unknown = sorted(set(value) - {"run", "install", "answers"})
    if unknown:
        raise TemplateError(
            f"copier.yml {SETTING} has an unknown key {unknown[0]!r}; it takes run, install"
            " and answers"
        )
    return DeclaredTests(
        run=_commands(value.get("run") or [], "run"),
        install=_commands(value.get("install") or [], "install"),
        answers=value.get("answers"),
    )


def _commands(values: object, key: str) -> tuple[Command, ...]:
    if not isinstance(values, list):
        raise TemplateError(f"copier.yml {SETTING}.{key} must be a list of commands")
    commands: list[Command] = []
    for value in values:
        if isinstance(value, str) and value.strip():
            commands.append(value)
        elif isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            commands.append(tuple(value))
        else:
            raise TemplateError(
                f"copier.yml {SETTING}.{key}: {value!r} is not a command (a string for the"
                " shell, or a list of arguments)"
            )
    return tuple(commands)


def command_text(command: Command) -> str:
    """A command as a user would type it."""
    return command if isinstance(command, str) else shlex.join(command)
