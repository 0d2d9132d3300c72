"""Every command's --help ends with examples that use its real options; shell completion
is offered; `scaffold new TEMPLATE --help` for an unknown TEMPLATE says so."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator

import pytest
import typer

from scaffold.cli import app, main

#: The hidden command behind `scaffold new TEMPLATE` / `--template SRC`.
TEAM = "_team-template"


def _commands() -> Iterator[tuple[str, typer.core.TyperCommand]]:
    root = typer.main.get_command(app)
    assert isinstance(root, typer.core.TyperGroup)
    for name, command in root.commands.items():
        if isinstance(command, typer.core.TyperGroup):
            for sub_name, sub in command.commands.items():
                yield f"{name} {sub_name}", sub  # type: ignore[misc]
        else:
            yield name, command  # type: ignore[misc]


COMMANDS = dict(_commands())


def _examples(command: typer.core.TyperCommand) -> list[list[str]]:
    epilog = command.epilog or ""
    assert "Examples:" in epilog
    lines = [line.strip() for line in epilog.split("Examples:", 1)[1].splitlines()]
    return [shlex.split(line.removeprefix("$ ")) for line in lines if line.startswith("$ ")]


@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_every_command_has_examples_using_its_own_options(path: str) -> None:
    command = COMMANDS[path]
    examples = _examples(command)
    assert examples, path
    known = {opt for param in command.params for opt in param.opts}
    for argv in examples:
        assert argv[0] == "scaffold"
        words = path.split()
        if words[-1] == TEAM:  # `scaffold new TEMPLATE ...` or `scaffold new --template ...`
            assert argv[1] == "new"
        else:
            assert argv[1 : 1 + len(words)] == words, (path, argv)
        options = [arg.split("=")[0] for arg in argv if arg.startswith("-")]
        assert set(options) <= known, (path, sorted(set(options) - known))


def test_new_help_lists_the_team_template_options(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", "--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    for option in ("--template SRC", "--data KEY=VALUE", "--vcs-ref REF", "--trust"):
        assert option in out


def test_new_help_of_an_unknown_template_says_it_is_unknown(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["new", "typo", "--help"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("error: no template named 'typo'")
    assert len(captured.err.strip().splitlines()) == 1


def test_shell_completion_is_offered(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "--install-completion" in out and "--show-completion" in out


#: A placeholder: upper-case words, digits and the separators a value's shape uses
#: (`NAME=MODULE:FUNC`, `X.Y`, `SRC|NAME`), optionally repeated (`...`), in brackets when
#: optional (`[PATH]`) or braces when required (the help formatter's own marks).
PLACEHOLDER = re.compile(r"^[\[{]?[A-Z][A-Z0-9_.=:|-]*[\]}]?(\.\.\.)?$")


@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_every_placeholder_has_one_style(path: str) -> None:
    """Values are named in capitals (`--dest DIR`), never Typer's `<str>` or `<a|b>`, nor a
    lower-case parameter name (`[name]`); choices are listed in the option's help."""
    command = COMMANDS[path]
    ctx = typer.Context(command, info_name=path)
    for param in command.params:
        if isinstance(param, typer.core.TyperOption) and (param.is_flag or param.count):
            continue
        if isinstance(param, typer.core.TyperArgument):
            metavars = [param.make_metavar(ctx), param.make_metavar(ctx, usage=True)]
        else:
            metavars = [param.make_metavar(ctx)]
        for metavar in metavars:
            assert PLACEHOLDER.match(metavar), (path, param.name, metavar)
        choices = getattr(param.type, "choices", None)
        if choices and isinstance(param, typer.core.TyperOption):
            assert all(str(choice) in (param.help or "") for choice in choices), param.name


@pytest.mark.parametrize("template", ["package", "module", "game", "workspace"])
def test_new_says_name_is_required(template: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", template, "--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert f"Usage: scaffold new {template} [OPTIONS] [NAME]" in out
    assert "NAME" in out and "Required: asked for when left out on a terminal." in out
