"""Checking named files (what pre-commit passes): the project is analysed whole, and the
report keeps every finding whose location or related locations touch a named file."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from scaffold.check import CheckOptions, run_check
from scaffold.check.discover import discover
from scaffold.check.incremental.location import CACHE_DIR
from scaffold.cli import main

Tree = Callable[[Mapping[str, str | bytes]], Path]

CYCLE = {
    "app/__init__.py": "",
    "app/a.py": "from . import b\n\nX = 1\n",
    "app/b.py": "from . import a\n\nY = 2\n",
    "app/c.py": "from . import d\n",
    "app/d.py": "from . import c\n",
    "app/clean.py": "Z = 3\n",
}


def _codes(root: Path, *names: str) -> list[str]:
    options = CheckOptions(paths=tuple(root / n for n in names), use_cache=False)
    report = run_check(options)
    return sorted(f"{d.code} {d.path}" for d in report.diagnostics)


def test_a_cycle_reported_in_another_file_is_kept_for_the_file_that_closes_it(
    tree: Tree,
) -> None:
    root = tree(CYCLE)
    # The cycle a <-> b is reported at a.py's import; b.py is in its related locations.
    assert _codes(root, "app/b.py") == ["IMP002 a.py"]
    assert _codes(root, "app/clean.py") == []
    assert _codes(root, "app/b.py", "app/d.py") == ["IMP002 a.py", "IMP002 c.py"]


def test_several_named_files_of_one_root_are_walked_once(tree: Tree) -> None:
    root = tree(CYCLE)
    found = discover(root / "app/a.py", also=(root / "app/c.py",))
    assert sorted(f.rel for f in found.files if f.selected) == ["a.py", "c.py"]
    assert sorted(f.rel for f in found.files) == [
        "__init__.py",
        "a.py",
        "b.py",
        "c.py",
        "clean.py",
        "d.py",
    ]


def test_named_files_in_two_packages_and_a_script(tree: Tree) -> None:
    root = tree(
        {
            **CYCLE,
            "lib/__init__.py": "from lib import *\n",
            "tool.py": "import app.b\n",
        }
    )
    found = _codes(root, "tool.py", "lib/__init__.py", "app/b.py")
    assert "IMP001 lib/__init__.py" in found
    assert "IMP002 app/a.py" in found
    assert not any("app/c.py" in f for f in found)


def test_a_named_pyproject_checks_its_project(tree: Tree) -> None:
    root = tree({**CYCLE, "pyproject.toml": '[project]\nname = "app"\n'})
    assert _codes(root, "pyproject.toml") == ["IMP002 app/a.py", "IMP002 app/c.py"]


def test_the_command_line_exit_code_follows_the_named_files(
    tree: Tree, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tree(CYCLE)
    monkeypatch.chdir(root)
    assert main(["check", "--no-cache", "app/b.py"]) == 1
    assert "app/a.py:1:1: IMP002" in capsys.readouterr().out
    assert main(["check", "--no-cache", "app/clean.py"]) == 0


def test_a_named_file_is_checked_in_its_whole_project(tree: Tree) -> None:
    # Only the named file's top package was walked: a test's or a sibling package's import
    # of a name another top package lacks passed pre-commit's hook and failed `check .`.
    root = tree(
        {
            **CYCLE,
            "pyproject.toml": '[project]\nname = "app"\n',
            "lib/__init__.py": "from app.clean import nowhere\n",
            "tests/test_app.py": "from app.a import missing\n",
        }
    )
    whole = _codes(root, ".")
    assert "IMP006 lib/__init__.py" in whole and "IMP006 tests/test_app.py" in whole
    assert "IMP006 __init__.py" in _codes(root, "lib/__init__.py")  # relative to lib/
    assert _codes(root, "tests/test_app.py") == ["IMP006 test_app.py"]
    assert _codes(root, "tests/test_app.py", "app/clean.py") == ["IMP006 tests/test_app.py"]


def test_named_files_of_one_project_are_one_group(tree: Tree, tmp_path: Path) -> None:
    # Each named file is checked in its whole project: files under two of its package
    # roots (pre-commit staging tests/ and app/) walked and checked the project twice.
    from scaffold.check.pipeline import path_groups

    files = {**CYCLE, "tests/test_app.py": "from app.a import X\n", "lib/m.py": ""}
    root = tree({**files, "pyproject.toml": '[project]\nname = "app"\n'})
    named = [root / "tests/test_app.py", root / "app/clean.py", root / "lib/m.py"]
    assert path_groups(named) == [(named[0], tuple(named[1:]))]
    bare = tmp_path / "bare"  # no project: each package root is a tree of its own
    for name, text in files.items():
        (bare / name).parent.mkdir(parents=True, exist_ok=True)
        (bare / name).write_text(text)
    assert len(path_groups([bare / "tests/test_app.py", bare / "app/clean.py"])) == 2


def test_named_files_share_the_cache_of_their_project(
    tree: Tree, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Pre-commit names the staged files: the cache was the folder of them's own, so the first
    # commit in a folder parsed the whole project again, and `check .` warmed no hook run.
    files = {**CYCLE, "lib/m.py": "X = 1\n", "tests/test_app.py": "from app.a import X\n"}
    root = tree({**files, "pyproject.toml": '[project]\nname = "app"\n'})
    monkeypatch.chdir(root)

    def parsed(*named: str) -> str:
        main(["check", "-v", *named])
        err = capsys.readouterr().err
        found = re.search(r"^verbose: cache: .*\((\d+) of \d+ files parsed", err, re.M)
        assert found is not None, err
        return found[1]

    assert parsed(".") == str(len(files))
    assert parsed("lib/m.py") == "0"
    assert parsed("tests/test_app.py", "app/b.py") == "0"
    shutil.rmtree(root / CACHE_DIR)
    assert parsed("app/a.py") == str(len(files))  # a hook run in one folder...
    assert parsed("lib/m.py") == "0"  # ...warms the next in another
    (root / "lib/m.py").write_text("X = 2\n")
    monkeypatch.chdir(root / "tests")
    assert parsed("test_app.py", "../lib/m.py") == "1"
    monkeypatch.chdir(root)
    assert parsed(".") == "0"
    assert len(list((root / CACHE_DIR).glob("check-*.bin"))) == 1
    for named in (("app/b.py",), ("tests/test_app.py", "app/d.py"), ("lib/m.py",)):
        cached = run_check(CheckOptions(paths=tuple(root / n for n in named)))
        assert sorted(f"{d.code} {d.path}" for d in cached.diagnostics) == _codes(root, *named)
