"""An empty path given to `new`, `add`, `update`, `rules` or `templates` is bad input, not
the current folder: click's path type turned `--dest ""` into `Path('.')`, so `scaffold new
package foo --dest ""` wrote the project into the folder the user stood in."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.main

from scaffold.cli.root import app
from tests.conftest import assert_refused

# (argv, the option the message names); both spellings of an empty value.
EMPTY = [
    (["new", "package", "foo", "--dest", ""], "--dest"),
    (["new", "package", "foo", "--dest="], "--dest"),
    (["new", "module", "foo", "--dest", ""], "--dest"),
    (["new", "game", "foo", "--dest", ""], "--dest"),
    (["new", "workspace", "foo", "--dest", ""], "--dest"),
    (["add", "module", "x", "--to", ""], "--to"),
    (["update", ""], "PROJECT"),
    (["rules", "--output-format", "markdown", "--output-dir", ""], "--output-dir"),
    (["templates", "test", "x", "--keep", ""], "--keep"),
    (["templates", "test", "x", "--data-file", ""], "--data-file"),
]


@pytest.mark.parametrize(("argv", "option"), EMPTY, ids=[" ".join(a) for a, _ in EMPTY])
def test_an_empty_path_is_refused_in_one_line_and_writes_nothing(
    argv: list[str],
    option: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "keep.txt").write_text("the user's\n")  # a folder the user stands in
    monkeypatch.chdir(tmp_path)
    assert_refused(argv, f"{option} is empty", tmp_path, capsys)


def _parameters(command: Any, where: tuple[str, ...] = ()) -> Iterator[tuple[str, Any]]:
    for param in command.params:
        yield " ".join((*where, param.name or "")), param
    for name, sub in getattr(command, "commands", {}).items():
        yield from _parameters(sub, (*where, name))


def test_every_path_parameter_refuses_an_empty_value() -> None:
    # The class, not the examples: any option or argument whose value is a path, in any
    # command (a new one too), must refuse '' rather than take it for the current folder.
    paths = [
        (where, param)
        for where, param in _parameters(typer.main.get_command(app))
        if param.type.name == "path"
    ]
    assert len(paths) >= len(EMPTY) - 3  # the four `new` commands share one option
    for where, param in paths:
        with pytest.raises(Exception, match="is empty") as refused:
            param.type.convert("", param, None)
        assert type(refused.value).__name__ == "UsageError", where
