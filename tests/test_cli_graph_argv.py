"""`scaffold graph` read without Typer gives the Typer command's reading, or leaves it to Typer;
a warm graph imports neither Typer nor the graph's builders."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer.main
from hypothesis import given, settings
from hypothesis import strategies as st

from scaffold.check import graph_render
from scaffold.cli import graph, main
from scaffold.cli.graph_argv import (
    DEFAULTS,
    FLAGS,
    FORMATS,
    NUMBERS,
    REPEATED,
    VALUED,
    graph_fields,
)
from scaffold.cli.root import app_for

FIXTURES = Path(__file__).parent / "check" / "fixtures"


def _graph_command() -> Any:
    group = typer.main.get_command(app_for(["graph"]))
    return group.commands["graph"]  # type: ignore[attr-defined]


def test_the_option_table_is_the_typer_commands() -> None:
    flags: dict[str, str] = {}
    valued: dict[str, str] = {}
    repeated: dict[str, str] = {}
    defaults: dict[str, object] = {}
    numbers: dict[str, int] = {}
    for param in _graph_command().params:
        if param.param_type_name == "argument":
            assert (param.name, param.nargs, param.default) == ("path", 1, ".")
            continue
        assert not param.secondary_opts and param.envvar is None, param.name
        table = flags if param.is_flag else repeated if param.multiple else valued
        table.update(dict.fromkeys(param.opts, param.name))
        default = param.default
        defaults[param.name] = default.value if isinstance(default, graph.GraphFormat) else default
        if getattr(param.type, "min", None) is not None:
            numbers[param.name] = param.type.min
    assert (flags, valued, repeated, numbers) == (FLAGS, VALUED, REPEATED, NUMBERS)
    assert defaults == DEFAULTS
    assert tuple(member.value for member in graph.GraphFormat) == FORMATS
    assert FORMATS[:-1] == graph_render.GRAPH_FORMAT_NAMES  # svg: dot drawn by Graphviz


def _typer_reading(args: list[str]) -> dict[str, object] | str:
    """What the Typer command passes to print_graph for `scaffold graph ARGS`, or the name
    of what it raised instead."""
    taken: list[dict[str, object]] = []

    def run(path: str, output_format: str, **keywords: object) -> int:
        taken.append({"path": path, "output_format": output_format, **keywords})
        return 0

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(graph_render, "print_graph", run)
        try:
            app_for(["graph", *args])(
                args=["graph", *args], prog_name="scaffold", standalone_mode=False
            )
        except BaseException as exc:  # a usage error, help's exit: Typer's to report
            return type(exc).__name__
    if not taken:
        return "no command"
    return {
        key: list(value) if isinstance(value, (list, tuple)) else value
        for key, value in taken[0].items()
    }


def _agrees(args: list[str]) -> bool:
    """Whether the reading without Typer is Typer's; True when it leaves `args` to Typer."""
    fields = graph_fields(args)
    if fields is None:
        return False
    plain = {
        key: list(value) if isinstance(value, (list, tuple)) else value
        for key, value in fields.items()
    }
    assert plain == _typer_reading(args), args
    return True


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["."],
        ["src", "--cycles"],
        ["--format", "JSON", "src", "--depth", "2"],
        ["--format=svg", "--focus", "pkg.a", "--upstream", "--radius", "0"],
        ["--focus=pkg.a", "--downstream", "--radius=3", "--exclude", "pkg.t*"],
        ["--exclude", "a", "--exclude=b.**", "--collapse", "c", "--collapse", "d"],
        ["--check-contracts", "--no-cache", "--cache-dir", "c", "--format", "dot"],
        ["--all-imports", "--depth", "1", "--depth", "3", "a b"],
        ["--depth", "+4", "--radius", " 2"],
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
        ["-"],
        ["a", "b"],
        ["--format", "xml"],
        ["--depth", "0"],
        ["--depth", "x"],
        ["--depth", "1.5"],
        ["--radius", "-1"],
        ["--radius=-1"],
        ["--cycles=1"],
        ["--focus"],
        ["--exclude", "-x"],
        ["--unknown"],
    ],
)
def test_help_errors_and_rare_forms_are_left_to_typer(args: list[str]) -> None:
    assert graph_fields(args) is None


_VALUES = ["x", "", "-x", "0", "1", "-1", "2 ", "JSON", "svg", "xml", "src", "a b", "=", "--help"]
_RARE = ["--", "-", "-h", "--help", "--cycles=1", "--no-cycles", "--foc", "-x"]
_NAMES = sorted(FLAGS) + sorted(VALUED) + sorted(REPEATED)
_TOKENS = st.one_of(
    st.sampled_from(_NAMES + _VALUES + _RARE),
    st.builds(
        lambda name, value: f"{name}={value}",
        st.sampled_from(sorted(VALUED) + sorted(REPEATED)),
        st.sampled_from(_VALUES),
    ),
    st.text(alphabet="ab-=. 1", max_size=4),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_TOKENS, max_size=8))
def test_any_arguments_read_without_typer_are_read_as_typer_reads_them(args: list[str]) -> None:
    _agrees(args)


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--format", "json"],
        ["--format", "dot", "--cycles"],
        ["--focus", "pkg.a", "--radius", "1"],
        ["--focus", "nowhere"],
        ["--check-contracts", "--cycles"],
        ["missing-folder"],
        ["--exclude", "a..b"],
    ],
)
def test_a_graph_prints_and_exits_the_same_with_and_without_typer(
    args: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shutil.copytree(FIXTURES / "IMP002", tmp_path / "tree")
    monkeypatch.chdir(tmp_path / "tree")
    args = ["--no-cache", *args]
    assert graph_fields(args) is not None
    fast = (main(["graph", *args]), *capsys.readouterr())
    with monkeypatch.context() as patch:
        patch.setattr("scaffold.cli.graph_argv.graph_fields", lambda args: None)
        typed = (main(["graph", *args]), *capsys.readouterr())
    assert fast == typed


def _imported_after_warm_graph(tree: Path) -> set[str]:
    """The modules a second `scaffold graph --format json` of `tree` imports."""
    command = [sys.executable, "-X", "importtime", "-m", "scaffold", "graph", str(tree)]
    for _ in range(2):
        done = subprocess.run(
            [*command, "--format", "json"], capture_output=True, text=True, check=True
        )
    return {
        line.rsplit("|", 1)[1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }


def test_a_warm_graph_imports_neither_typer_nor_the_graph_builders(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "IMP002", tmp_path / "tree")
    imported = _imported_after_warm_graph(tmp_path / "tree")
    assert "scaffold.check.graph_render" in imported  # it did run the graph
    heavy = {
        "typer",
        "click",
        "scaffold.cli.root",
        "scaffold.check.imports.diagram",
        "scaffold.check.imports.contracts",
        "scaffold.check.output.graph",
    }
    assert not imported & heavy, sorted(imported & heavy)
