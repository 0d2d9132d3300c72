"""The built-in `scaffold new` commands read without Typer give the Typer commands' reading,
or leave the arguments to Typer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import typer.main
from hypothesis import given, settings
from hypothesis import strategies as st

from scaffold.cli import main, new
from scaffold.cli.new_argv import CHOICES, COMMANDS, PLAIN_TEXT, new_fields
from scaffold.cli.root import app_for
from tests.conftest import tree_snapshot


def _typer_command(name: str) -> Any:
    return typer.main.get_command(new.app).commands[name]  # type: ignore[attr-defined]


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_the_option_tables_are_the_typer_commands(command: str) -> None:
    flags: dict[str, str] = {}
    valued: dict[str, str] = {}
    repeated: dict[str, str] = {}
    defaults: dict[str, object] = {}
    choices: set[str] = set()
    plain_text: set[str] = set()
    for param in _typer_command(command).params:
        defaults[param.name] = param.default
        if param.param_type_name == "argument":
            assert (param.name, param.nargs, param.default) == ("name", 1, None)
            continue
        assert not param.secondary_opts and param.envvar is None, param.name
        table = flags if param.is_flag else repeated if param.multiple else valued
        table.update(dict.fromkeys(param.opts, param.name))
        if "Choice" in type(param.type).__name__:
            choices.add(param.name)
            assert sorted(param.type.choices) == sorted(CHOICES[param.name]), param.name
        if param.callback is not None:
            plain_text.add(param.name)
    options = COMMANDS[command]
    assert (flags, valued, repeated) == (options.flags, options.valued, options.repeated)
    assert defaults == options.defaults
    assert choices == set(CHOICES) & set(defaults)
    assert plain_text == PLAIN_TEXT & set(defaults)


def _typer_reading(args: list[str]) -> tuple[str, dict[str, object]] | str:
    """What the Typer command passes on for `scaffold new ARGS`, or the name of what it
    raised instead."""
    taken: list[tuple[str, dict[str, object]]] = []
    with pytest.MonkeyPatch.context() as patch:
        for command in COMMANDS:

            def run(command: str = command, **keywords: object) -> None:
                taken.append((command, keywords))

            patch.setattr(f"scaffold.cli.new_run.new_{command}", run)
        try:
            app_for(["new", *args])(
                args=["new", *args], prog_name="scaffold", standalone_mode=False
            )
        except BaseException as exc:  # a usage error, help's exit: Typer's to report
            return type(exc).__name__
    return taken[0] if taken else "no command"


def _agrees(args: list[str]) -> bool:
    """Whether the reading without Typer is Typer's; True when it leaves `args` to Typer."""
    reading = new_fields(args)
    if reading is None:
        return False
    assert reading == _typer_reading(args), args
    return True


@pytest.mark.parametrize(
    "args",
    [
        ["package", "demo"],
        ["package", "demo", "--module", "core", "--module", "draw"],
        ["package", "demo", "-m", "core", "--subpackage=ui", "--script", "d=cli:main", "-q"],
        ["package", "--layout", "src", "demo", "--python", "3.12", "--license", "Apache-2.0"],
        ["package", "demo", "--ci=none", "--no-ci", "--no-git", "--dest", "out", "--dry-run"],
        ["package", "demo", "--author", "A B", "--email", "a@b.c", "--repository", ""],
        ["package", "demo", "--description", "tab\tand space", "--force", "--defaults"],
        ["package", "demo", "--allow-stdlib-shadow", "--layout=flat", "--layout", "src"],
        ["module", "tool", "--description", "Tools.", "--dest", "src", "--quiet"],
        ["module", "--dest=.", "tool"],
        ["game", "pong", "--license", "BSD-3-Clause", "--python", "9.9", "--no-git"],
        ["workspace", "acme", "-p", "core", "--package", "api", "--depends", "api:core"],
        ["workspace", "acme", "--namespace", "acme", "--namespace=other", "-p", "x"],
        ["package", "bad name!", "--python", "nope"],  # the answers refuse them, not Typer
    ],
)
def test_common_arguments_are_read_without_typer_as_typer_reads_them(args: list[str]) -> None:
    assert _agrees(args)


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--help"],
        ["service", "billing"],  # a team template
        ["--template", "gh:o/r", "x"],
        ["package"],  # NAME is asked for on a terminal, or its absence is an error
        ["package", "a", "b"],
        ["package", "demo", "--help"],
        ["package", "-h"],
        ["package", "demo", "--"],
        ["package", "demo", "-"],
        ["package", "demo", "-qm", "core"],
        ["package", "demo", "-mcore"],
        ["package", "demo", "-m=core"],
        ["package", "demo", "--quiet=1"],
        ["package", "demo", "--module"],
        ["package", "demo", "--module", "-x"],
        ["package", "demo", "--layout", "FLAT"],
        ["package", "demo", "--license", "mit"],
        ["package", "demo", "--ci", "gitlab"],
        ["package", "demo", "--author", "a\x7fb"],
        ["package", "demo", "--dest", ""],
        ["package", "demo", "--namespace", "x"],  # a workspace's option
        ["module", "tool", "--no-git"],  # a project's option
        ["package", "demo", "--mod", "core"],
    ],
)
def test_help_errors_and_rare_forms_are_left_to_typer(args: list[str]) -> None:
    assert new_fields(args) is None


_VALUES = ["x", "", "-x", "src", "flat", "FLAT", "MIT", "none", "github", "a b", "=", "--help"]
_OPTIONS = sorted(
    {o for c in COMMANDS.values() for o in (*c.flags, *c.valued, *c.repeated)} | {"--layout"}
)
_RARE = ["--", "-", "-h", "--help", "-qm", "-mcore", "--quiet=1", "--mod", "-x", "\x01"]
_TOKENS = st.one_of(
    st.sampled_from(_OPTIONS + _VALUES + _RARE),
    st.builds(
        lambda name, value: f"{name}={value}", st.sampled_from(_OPTIONS), st.sampled_from(_VALUES)
    ),
    st.text(alphabet="ab-=. \x7f", max_size=4),
)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(COMMANDS)), st.lists(_TOKENS, max_size=8))
def test_any_arguments_read_without_typer_are_read_as_typer_reads_them(
    command: str, args: list[str]
) -> None:
    _agrees([command, *args])


@pytest.mark.parametrize(
    "args",
    [
        ["package", "demo", "--module", "core"],
        ["package", "demo", "--dry-run", "--module", "core", "--layout", "src"],
        ["module", "tool", "--quiet"],
        ["package", "bad-name"],
        ["package", "demo", "--python", "2.7"],
        ["workspace", "acme", "--depends", "api:core"],
    ],
)
def test_new_prints_writes_and_exits_the_same_with_and_without_typer(
    args: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert new_fields(args) is not None
    outcomes = []
    for folder, reader in (("fast", new_fields), ("typer", lambda args: None)):
        (tmp_path / folder).mkdir()
        monkeypatch.chdir(tmp_path / folder)
        with monkeypatch.context() as patch:
            patch.setattr("scaffold.cli.new_argv.new_fields", reader)
            code = main(["new", *args, "--no-git"] if args[0] != "module" else ["new", *args])
        out, err = capsys.readouterr()
        snapshot = tree_snapshot(tmp_path / folder)
        outcomes.append((code, out, err, sorted(snapshot)))
    assert outcomes[0] == outcomes[1]
