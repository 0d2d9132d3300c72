"""The kept printout of a checkout at another path with its cache restored (a CI runner's
workspace, a second worktree, a container): replayed when the same command runs from the
same place in it, and always what `--no-cache` prints there."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from scaffold.check.command import CheckCommand, run_check_command
from scaffold.check.incremental.location import CACHE_DIR
from scaffold.check.output import FORMATS

from .check_support import write_tree

PROJECT = {
    "pyproject.toml": '[project]\nname = "demo"\nversion = "0"\n',
    "demo/__init__.py": 'from .core import run\n\n__all__ = ["run", "missing"]\n',
    "demo/core.py": "from demo import helpers\n\n\ndef run() -> None:\n    helpers.go()\n",
    "demo/helpers.py": "é = 1; import demo.core\n\n\ndef go() -> None:\n    pass\n",
    "demo/broken.py": "def (:\n",
}

Printed = tuple[int, str, str]


def _check(
    cwd: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, **given: object
) -> Printed:
    monkeypatch.chdir(cwd)
    command = CheckCommand(paths=("demo",), **given)  # type: ignore[arg-type]
    code = run_check_command(command)
    out, err = capsys.readouterr()
    return code, out, err


def _clone_elsewhere(first: Path, second: Path) -> Path:
    """A fresh clone at `second` with the cache of `first` restored: new paths, inodes,
    ctimes and mtimes."""
    shutil.copytree(first, second)
    for path in second.rglob("*.py"):
        path.touch()
    return second


def _kept(root: Path) -> Path:
    (found,) = (root / CACHE_DIR).glob("check-*.output")
    return found


def _checked_then_cloned(
    fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[Printed, Path]:
    """What a check of a repository printed in `fmt`, and a clone of it at another path with
    the cache restored."""
    first = write_tree(tmp_path / "one" / "repo", PROJECT)
    (first / ".git").mkdir()  # the source root: SARIF's and GitLab's paths, fingerprints
    printed = _check(first, capsys, monkeypatch, output_format=fmt)
    return printed, _clone_elsewhere(first, tmp_path / "two" / "repo")


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_a_clone_at_another_path_prints_what_no_cache_prints(
    fmt: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # JSON's `base` and SARIF's source root are absolute: a printout kept at the first
    # path must not be printed at the second for them.
    _, second = _checked_then_cloned(fmt, tmp_path, capsys, monkeypatch)
    fresh = _check(second, capsys, monkeypatch, output_format=fmt, use_cache=False)
    assert fresh[1] or fresh[2]
    for _ in range(2):  # the restored run, then a warm one
        assert _check(second, capsys, monkeypatch, output_format=fmt) == fresh


@pytest.mark.parametrize("fmt", ["text", "github", "gitlab"])
def test_a_clone_at_another_path_replays_the_kept_printout(
    fmt: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The printout was keyed on the absolute current folder: a clone elsewhere decoded,
    # located and rendered the findings again, and wrote the same printout again.
    printed, second = _checked_then_cloned(fmt, tmp_path, capsys, monkeypatch)
    kept = os.stat(_kept(second)).st_ino
    assert _check(second, capsys, monkeypatch, output_format=fmt) == printed
    assert os.stat(_kept(second)).st_ino == kept  # replayed: not written again


def test_a_clone_with_its_source_root_elsewhere_prints_its_own(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # GitLab's paths are relative to the repository's top: the same project one folder
    # deeper in its repository prints other paths, from the same place in the project.
    first = write_tree(tmp_path / "one" / "repo", PROJECT)
    (first / ".git").mkdir()
    _check(first, capsys, monkeypatch, output_format="gitlab")
    second = tmp_path / "two" / "repo" / "sub"
    _clone_elsewhere(first, second)
    shutil.rmtree(second / ".git")
    (second.parent / ".git").mkdir()
    fresh = _check(second, capsys, monkeypatch, output_format="gitlab", use_cache=False)
    assert _check(second, capsys, monkeypatch, output_format="gitlab") == fresh


@pytest.mark.parametrize(
    ("fmt", "before", "after"),
    [
        ("text", '"missing"]', '"nowhere"]'),  # the findings change
        ("full", '["run", "missing"]', "['run', \"missing\"]"),  # only the shown source line
    ],
)
def test_a_clone_with_one_file_edited_prints_what_no_cache_prints(
    fmt: str,
    before: str,
    after: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Issue 21: a restored cache with one file changed in content (same size, the clone's
    # new stat) prints exactly what a run without the cache prints there, and so does the
    # warm run after it (the printout kept by the restored run).
    printed, second = _checked_then_cloned(fmt, tmp_path, capsys, monkeypatch)
    edited = second / "demo" / "__init__.py"
    text = edited.read_text(encoding="utf-8")
    assert before in text and len(before) == len(after)
    edited.write_text(text.replace(before, after), encoding="utf-8")
    fresh = _check(second, capsys, monkeypatch, output_format=fmt, use_cache=False)
    assert fresh != printed
    for _ in range(2):  # the restored run, then a warm one
        assert _check(second, capsys, monkeypatch, output_format=fmt) == fresh
