"""The cache wherever it is restored: moved trees, new mtimes, foreign caches, its folder."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import scaffold
from scaffold.check import CheckOptions, run_check
from scaffold.check.discover import discover
from scaffold.check.incremental.location import CACHE_DIR, CACHE_DIR_ENV, CacheLocation
from scaffold.check.incremental.pool import read_facts
from scaffold.check.incremental.store import FactsCache
from scaffold.check.model import Diagnostic

from .check_support import DEFAULT, FIXTURES, CountingParser, write_tree

REPO = Path(__file__).resolve().parents[2]

PROJECT = {
    "pyproject.toml": '[project]\nname = "demo"\nversion = "0"\n',
    "demo/__init__.py": 'from .core import run\n\n__all__ = ["run", "missing"]\n',
    "demo/core.py": "from demo import helpers\n\n\ndef run() -> None:\n    helpers.go()\n",
    "demo/helpers.py": "import sys\n\nsys.path.insert(0, '.')\n\n\ndef go() -> None:\n    pass\n",
    "demo/broken.py": "def (:\n",
}

Report = tuple[tuple[Diagnostic, ...], int]


def _report(path: Path, **changes: object) -> Report:
    options = CheckOptions(paths=(path,), select=DEFAULT, **changes)  # type: ignore[arg-type]
    report = run_check(options)
    return report.diagnostics, report.files


def _parsed_with_cache(root: Path) -> list[bytes]:
    tree = discover(root)
    cache = FactsCache.open(tree)
    parser = CountingParser()
    read_facts(tree.files, parser, cache=cache, workers=0)
    cache.save()
    return parser.parsed


def _move(source: Path, target: Path) -> Path:
    """A copy at another path, as a restore makes it: new inodes, new ctimes."""
    shutil.copytree(source, target, symlinks=True)
    shutil.rmtree(source)
    return target


def test_a_cache_moved_with_its_tree_is_used(tmp_path: Path) -> None:
    first = write_tree(tmp_path / "first" / "checkout", PROJECT)
    assert len(_parsed_with_cache(first)) == 4
    moved = _move(first.parent, tmp_path / "elsewhere" / "second")
    assert _parsed_with_cache(moved / "checkout") == []


def test_a_moved_tree_reports_what_a_fresh_check_reports(tmp_path: Path) -> None:
    first = write_tree(tmp_path / "a" / "project", PROJECT)
    _report(first)
    moved = _move(tmp_path / "a", tmp_path / "b") / "project"
    expected = _report(moved, use_cache=False)
    assert expected[0]
    assert _report(moved) == expected
    assert _report(moved) == expected


@pytest.mark.parametrize(
    "fixture", ["ENT001", "EXP001", "EXP002", "IMP001", "IMP003", "PKG001", "SYN001"]
)
def test_a_moved_fixture_reports_what_a_fresh_check_reports(tmp_path: Path, fixture: str) -> None:
    first = shutil.copytree(FIXTURES / fixture, tmp_path / "one" / fixture)
    _report(first)
    moved = _move(tmp_path / "one", tmp_path / "two") / fixture
    expected = _report(moved, use_cache=False)
    assert expected[0], f"{fixture} should have findings"
    assert _report(moved) == expected


def test_new_mtimes_are_read_again_but_not_parsed(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "project", PROJECT)
    _report(root)
    expected = _report(root, use_cache=False)
    for path in root.rglob("*.py"):
        os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    assert _parsed_with_cache(root) == []
    assert _report(root) == expected


def test_an_edit_that_keeps_size_and_mtime_is_still_seen(tmp_path: Path) -> None:
    # Tools that set every mtime (Nix, a restore, `git restore-mtime`) can leave a changed
    # file with its old size and mtime: only its inode or ctime tells.
    root = write_tree(tmp_path / "project", PROJECT)
    init = root / "demo" / "__init__.py"
    os.utime(init, ns=(1_000_000_000, 1_000_000_000))
    before = _report(root)
    text = init.read_text(encoding="utf-8")
    init.write_text(text.replace('"missing"', '"nowhere"'), encoding="utf-8")
    os.utime(init, ns=(1_000_000_000, 1_000_000_000))
    expected = _report(root, use_cache=False)
    assert expected != before
    assert _report(root) == expected


def test_a_restored_cache_with_one_file_changed_reports_what_no_cache_reports(
    tmp_path: Path,
) -> None:
    first = write_tree(tmp_path / "a" / "project", PROJECT)
    before = _report(first)
    moved = _move(tmp_path / "a", tmp_path / "b") / "project"
    (moved / "demo" / "__init__.py").write_text(
        'from .core import run\n\n__all__ = ["run"]\n', encoding="utf-8"
    )
    expected = _report(moved, use_cache=False)
    assert expected != before
    assert _report(moved) == expected


def test_a_foreign_cache_is_ignored(tmp_path: Path) -> None:
    # Another project's cache under this one's file name: every entry misses.
    other = write_tree(tmp_path / "other", {**PROJECT, "demo/core.py": "import demo.nothing\n"})
    _report(other)
    root = write_tree(tmp_path / "project", PROJECT)
    shutil.copytree(other / CACHE_DIR, root / CACHE_DIR)
    expected = _report(root, use_cache=False)
    assert _report(root) == expected
    assert _report(root) == expected


def test_a_cache_of_another_version_or_python_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_tree(tmp_path / "project", PROJECT)
    _report(root)
    assert CacheLocation.of(discover(root)).file.is_file()
    monkeypatch.setattr(scaffold, "__version__", "99.0.0")
    assert len(_parsed_with_cache(root)) == 4
    monkeypatch.setattr(sys, "version", sys.version + " (another build)")
    assert len(_parsed_with_cache(root)) == 4


def test_checking_one_file_keeps_the_cache_out_of_the_package(tmp_path: Path) -> None:
    files = {k: v for k, v in PROJECT.items() if k != "pyproject.toml"}
    root = write_tree(tmp_path / "checkout", files)
    _report(root / "demo" / "core.py")
    assert list((root / CACHE_DIR).glob("check-*.bin"))
    assert not (root / "demo" / CACHE_DIR).exists()


def _scaffold(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scaffold", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, **(env or {})},
        check=False,
    )


def test_cache_dir_and_its_variable_move_the_cache(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "project", PROJECT)
    by_option = _scaffold("check", str(root), "--cache-dir", str(tmp_path / "opt"))
    by_variable = _scaffold("check", str(root), env={CACHE_DIR_ENV: str(tmp_path / "env")})
    assert by_option.returncode == by_variable.returncode == 1
    assert by_option.stdout == by_variable.stdout
    assert len(list((tmp_path / "opt").glob("check-*.bin"))) == 1
    assert len(list((tmp_path / "env").glob("check-*.bin"))) == 1
    assert not (root / CACHE_DIR).exists()


def _parsed_in(root: Path, cache_dir: Path) -> int:
    tree = discover(root)
    cache = FactsCache.open(tree, cache_dir)
    parser = CountingParser()
    read_facts(tree.files, parser, cache=cache, workers=0)
    cache.save()
    return len(parser.parsed)


def test_projects_without_a_name_sharing_a_cache_dir_keep_their_own(tmp_path: Path) -> None:
    # Two CI jobs, or two repositories, with one SCAFFOLD_CACHE_DIR: without a `[project]
    # name` both took the same file, and each run of one found the other's cache (cold).
    unnamed = {**PROJECT, "pyproject.toml": "[tool.scaffold.check]\n"}
    one = write_tree(tmp_path / "one", unnamed)
    other = write_tree(tmp_path / "other", {**unnamed, "demo/extra.py": "import demo\n"})
    shared = tmp_path / "shared"
    assert (_parsed_in(one, shared), _parsed_in(other, shared)) == (4, 5)
    assert (_parsed_in(one, shared), _parsed_in(other, shared)) == (0, 0)
    moved = _move(one, tmp_path / "elsewhere" / "one")  # the same folder name elsewhere
    assert _parsed_in(moved, shared) == 0


@pytest.mark.parametrize("how", ["option", "variable"])
def test_a_cache_dir_that_is_a_file_is_refused(tmp_path: Path, how: str) -> None:
    root = write_tree(tmp_path / "project", PROJECT)
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    if how == "option":
        result = _scaffold("check", str(root), "--cache-dir", str(blocker))
    else:
        result = _scaffold("check", str(root), env={CACHE_DIR_ENV: str(blocker)})
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert "is not a folder" in result.stderr
    assert not (root / CACHE_DIR).exists()


@pytest.mark.parametrize("how", ["option", "variable"])
def test_a_cache_dir_that_cannot_be_made_is_refused(tmp_path: Path, how: str) -> None:
    # It was silently left out: every run a cold one, and nothing said why.
    root = write_tree(tmp_path / "project", PROJECT)
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    folder = str(blocker / "cache")
    if how == "option":
        result = _scaffold("check", str(root), "--cache-dir", folder)
    else:
        result = _scaffold("check", str(root), env={CACHE_DIR_ENV: folder})
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert "cannot create" in result.stderr and "not a writable folder" in result.stderr
    assert not (root / CACHE_DIR).exists()
