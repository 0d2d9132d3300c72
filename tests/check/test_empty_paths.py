"""An empty file or folder name (an unset shell variable, say) is bad input, not the current
folder: `--cache-dir ""` wrote the cache and a `*` .gitignore into the current folder,
`-o ""` stopped with an internal error, `check ""` checked the current folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.check.check_support import write_tree
from tests.conftest import assert_refused

# (arguments after `check`, what the message names)
EMPTY = [
    ([""], "PATH"),
    (["pkg", ""], "PATH"),
    (["pkg", "--cache-dir", ""], "--cache-dir"),
    (["pkg", "--output-file", ""], "--output-file"),
    (["pkg", "-o", ""], "--output-file"),
    (["pkg", "--baseline", ""], "--baseline"),
    (["pkg", "--config", ""], "--config"),
    (["pkg", "--stdin-filename", ""], "--stdin-filename"),
    (["pkg", "--watch", "--cache-dir", ""], "--cache-dir"),
]


@pytest.mark.parametrize(("args", "option"), EMPTY, ids=[" ".join(a) for a, _ in EMPTY])
def test_an_empty_path_is_refused_in_one_line_and_writes_nothing(
    args: list[str],
    option: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    write_tree(tmp_path, {"pkg/__init__.py": "", "pkg/mod.py": "import os\n"})
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sys.stdin", open(tmp_path / "pkg" / "mod.py"))  # noqa: SIM115
    assert_refused(["check", *args], f"{option} is empty", tmp_path, capsys)


@pytest.mark.parametrize("command", [["graph", "pkg"], ["check", "pkg"]])
def test_an_empty_cache_dir_is_refused_by_every_command_that_keeps_a_cache(
    command: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    write_tree(tmp_path, {"pkg/__init__.py": "", "pkg/mod.py": "import os\n"})
    monkeypatch.chdir(tmp_path)
    assert_refused([*command, "--cache-dir", ""], "--cache-dir is empty", tmp_path, capsys)


def test_an_empty_cache_dir_variable_is_as_if_unset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # `SCAFFOLD_CACHE_DIR= scaffold check` is how a shell unsets it for one command.
    from scaffold.cli import main

    write_tree(tmp_path, {"pkg/__init__.py": "", "pkg/mod.py": "import os\n"})
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SCAFFOLD_CACHE_DIR", "")
    assert main(["check", "pkg"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [".scaffold_cache", "pkg"]
