"""`scaffold check` read without Typer gives the Typer command's reading, or leaves it to Typer."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import typer.main
from hypothesis import given, settings
from hypothesis import strategies as st

import scaffold.cli
from scaffold.check.command import CheckCommand
from scaffold.check.output import FORMATS
from scaffold.cli import check, main
from scaffold.cli.check_argv import DEFAULTS, FLAGS, VALUED, check_fields
from scaffold.cli.root import app_for

FIXTURES = Path(__file__).parent / "check" / "fixtures"


def _check_command() -> Any:
    group = typer.main.get_command(check.app)
    return group.commands["check"]  # type: ignore[attr-defined]


def test_the_option_table_is_the_typer_commands() -> None:
    flags: dict[str, str] = {}
    valued: dict[str, str] = {}
    defaults: dict[str, object] = {}
    for param in _check_command().params:
        if param.param_type_name == "argument":
            assert (param.name, param.nargs) == ("paths", -1)
            continue
        assert not param.secondary_opts, param.name  # no --no-X forms to read
        assert not param.multiple and param.envvar is None, param.name
        (flags if param.is_flag else valued).update(dict.fromkeys(param.opts, param.name))
        default = param.default
        defaults[param.name] = default.value if isinstance(default, check.CheckFormat) else default
    assert flags == FLAGS
    assert valued == VALUED
    assert defaults == DEFAULTS


def _typer_reading(args: list[str]) -> CheckCommand | str:
    """What the Typer command passes to run_check_command for `scaffold check ARGS`, or
    the name of what it raised instead."""
    taken: list[CheckCommand] = []

    def run(command: CheckCommand) -> int:
        taken.append(command)
        return 0

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("scaffold.check.command.run_check_command", run)
        try:
            app_for(["check", *args])(
                args=["check", *args], prog_name="scaffold", standalone_mode=False
            )
        except BaseException as exc:  # a usage error, help's exit: Typer's to report
            return type(exc).__name__
    return taken[0] if taken else "no command"


def _agrees(args: list[str]) -> bool:
    """Whether the reading without Typer is Typer's; True when it leaves `args` to Typer."""
    fields = check_fields(args, FORMATS)
    if fields is None:
        return False
    assert CheckCommand(**fields) == _typer_reading(args), args  # type: ignore[arg-type]
    return True


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["."],
        ["src", "tests", "--exit-zero"],
        ["--no-cache", "sympy"],
        ["src", "--output-format", "JSON", "-o", "out.json", "-q"],
        ["--format=sarif", "--select=EXP,IMP", "--ignore", "IMP002", "src"],
        ["--select", "", "--color=", "--cache-dir", "c", "--config", "pyproject.toml"],
        ["-v", "-s", "--fix", "--unsafe-fixes", "--diff", "--add-noqa", "--import"],
        ["--baseline", "b.json", "--update-baseline", "--fail-on", "error", "--statistics"],
        ["--fix-only", "--exit-non-zero-on-fix", "--show-fixes", "--show-files"],
        ["--show-settings", "--watch", "--isolated", "--stdin-filename", "pkg/m.py"],
        ["--extend-select", "PKG", "--extend-ignore", "EXP003", "--output-file=-"],
        ["--select", "EXP", "--select", "IMP", "-q", "-q", "--format", "text", "--format=full"],
        ["--select=-x", "--format=Json", "a b", ""],
    ],
)
def test_common_arguments_are_read_without_typer_as_typer_reads_them(args: list[str]) -> None:
    assert _agrees(args)


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["src", "--help"],
        ["-h"],
        ["--"],
        ["--", "--fix"],
        ["-"],
        ["-qv"],
        ["-oout.txt"],
        ["-o=out.txt"],
        ["--fix=1"],
        ["--no-fix"],
        ["--sel", "EXP"],
        ["--select"],
        ["--select", "-x"],
        ["--select", "--help"],
        ["--format", "xml"],
        ["--format=xml"],
        ["--output-format"],
        ["--unknown"],
    ],
)
def test_help_errors_and_rare_forms_are_left_to_typer(args: list[str]) -> None:
    assert check_fields(args, FORMATS) is None


_VALUES = ["x", "", "-x", "JSON", "Json", "sarif", "xml", "src", "a b", "=", "--help", "-"]
_RARE = ["--", "-", "-h", "--help", "-qv", "-oout", "--fix=1", "--no-fix", "--out", "-x"]
_TOKENS = st.one_of(
    st.sampled_from(sorted(FLAGS) + sorted(VALUED) + _VALUES + _RARE),
    st.builds(
        lambda name, value: f"{name}={value}",
        st.sampled_from(sorted(VALUED)),
        st.sampled_from(_VALUES),
    ),
    st.text(alphabet="ab-=. ", max_size=4),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_TOKENS, max_size=8))
def test_any_arguments_read_without_typer_are_read_as_typer_reads_them(args: list[str]) -> None:
    _agrees(args)


def _outputs(
    args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[tuple[int, str, str], tuple[int, str, str]]:
    """`main(["check", *args])`'s exit code and output, without Typer and with it."""
    fast = (main(["check", *args]), *capsys.readouterr())
    with monkeypatch.context() as patch:
        patch.setattr(scaffold.cli, "check_fields", lambda args, formats: None)
        typed = (main(["check", *args]), *capsys.readouterr())
    return fast, typed


@pytest.mark.parametrize(
    "args",
    [
        ["--no-cache"],
        ["--no-cache", "--output-format", "json"],
        ["--no-cache", "--statistics", "-q"],
        ["--no-cache", "--select", "NOPE1"],
        ["--no-cache", "--fail-on", "fatal"],
        ["--no-cache", "missing-folder"],
        ["--no-cache", "--color", "sometimes"],
    ],
)
def test_a_check_prints_and_exits_the_same_with_and_without_typer(
    args: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shutil.copytree(FIXTURES / "IMP002", tmp_path / "tree")
    monkeypatch.chdir(tmp_path / "tree")
    fast, typed = _outputs(args, capsys, monkeypatch)
    assert check_fields(args, FORMATS) is not None
    assert fast == typed
