"""The walk of discovery: one listing per folder answers which special files a folder
holds, and each folder's ignore patterns are picked once; results as git and Python see
them."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest

from scaffold.check.discover import discover

Tree = Callable[[Mapping[str, str | bytes]], Path]
D = '"""Module."""\n'
_LOOKED_UP = {"pyproject.toml", ".gitignore", "pyvenv.cfg"}


def files(root: Path) -> list[str]:
    return [f.rel for f in discover(root).files]


def below(root: Path, paths: list[str]) -> list[str]:
    """The paths in folders below `root` (the walk's: the configuration and ignore files of
    the checked folder and above it are looked up before it)."""
    return [p for p in paths if os.path.dirname(p).startswith(str(root) + os.sep)]


@pytest.fixture
def looked_up(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The paths of pyproject.toml, .gitignore or pyvenv.cfg (any case) that discovery
    stats: every os.path test of a path goes through os.stat or os.lstat."""
    asked: list[str] = []
    for name in ("stat", "lstat"):
        real = getattr(os, name)

        def counting(path: object, *args: object, _real: object = real, **kw: object) -> object:
            text = str(os.fspath(path)) if isinstance(path, (str, os.PathLike)) else ""
            if os.path.basename(text).lower() in _LOOKED_UP:
                asked.append(text)
            return _real(path, *args, **kw)  # type: ignore[operator]

        monkeypatch.setattr(os, name, counting)
    yield asked


def test_folders_without_special_files_cost_no_stat_for_them(
    tree: Tree, looked_up: list[str]
) -> None:
    # Before: a stat each for pyproject.toml and .gitignore per folder and pyvenv.cfg per
    # subfolder, three of every four stats of a warm run's discovery.
    root = tree({f"pkg/sub{i}/deeper/mod.py": D for i in range(10)} | {"pkg/__init__.py": D})
    found = files(root)
    assert len(found) == 11
    assert below(root, looked_up) == []


def test_a_special_file_in_another_case_is_still_asked_for(
    tree: Tree, looked_up: list[str]
) -> None:
    # On a case-insensitive file system `PyProject.TOML` is the pyproject.toml: asked as before.
    root = tree(
        {"app/PyProject.TOML": "", "app/m.py": D, "app/PYVENV.cfg": "", "app/.GitIgnore": ""}
    )
    assert files(root) == ["app/m.py"]  # here (case-sensitive) neither is what it names
    asked = sorted(os.path.basename(p) for p in below(root, looked_up))
    assert asked == [".gitignore", "pyproject.toml", "pyvenv.cfg"]


def test_a_virtual_environment_is_skipped_however_it_is_reached(tree: Tree) -> None:
    root = tree({"venv/pyvenv.cfg": "", "venv/lib/c.py": D, "kept.py": D})
    os.symlink(root / "venv", root / "alias")
    tree_found = discover(root)
    assert [f.rel for f in tree_found.files] == ["kept.py"]
    assert tree_found.notes == []  # neither path is a "repeated folder"


def test_a_broken_pyvenv_link_is_no_virtual_environment(tree: Tree) -> None:
    root = tree({"env/c.py": D})
    os.symlink(root / "missing", root / "env" / "pyvenv.cfg")
    assert files(root) == ["env/c.py"]


def test_the_checked_folder_is_walked_even_when_it_holds_pyvenv_cfg(tree: Tree) -> None:
    root = tree({"pyvenv.cfg": "", "a.py": D, "pkg/__init__.py": D})
    assert files(root) == ["a.py", "pkg/__init__.py"]


def test_a_folder_named_pyproject_toml_is_no_configuration(tree: Tree) -> None:
    root = tree({"pyproject.toml/x.py": D, "pkg/__init__.py": D})
    tree_found = discover(root)
    assert [c.pyproject for c in tree_found.configs] == [None]
    assert [f.rel for f in tree_found.files] == ["pkg/__init__.py", "pyproject.toml/x.py"]


def _left_by_git(root: Path) -> list[str]:
    """The .py/.pyi files below `root` that git does not ignore (its own answer)."""
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    git = ["git", "-c", "core.excludesFile=/dev/null", "ls-files", "--others", "--exclude-standard"]
    listed = subprocess.run(git, cwd=root, capture_output=True, text=True, check=True).stdout
    return sorted(p for p in listed.splitlines() if p.endswith((".py", ".pyi")))


def test_nested_gitignores_leave_what_git_leaves(tree: Tree) -> None:
    # Each folder's patterns are picked once for all its entries: what they leave is what
    # `git ls-files --others --exclude-standard` lists, at every depth.
    root = tree(
        {
            ".gitignore": "*.gen.py\n/top_only.py\nout/\n",
            "top_only.py": D,
            "a.py": D,
            "a.gen.py": D,
            "out/x.py": D,
            "pkg/__init__.py": D,
            "pkg/top_only.py": D,
            "pkg/.gitignore": "/local.py\nsub/*.py\n",
            "pkg/local.py": D,
            "pkg/deep/local.py": D,
            "pkg/sub/s.py": D,
            "pkg/sub/s.pyi": "",
            "pkg/sub/inner/t.py": D,
            "pkg/out/y.py": D,
            "pkg/b.gen.py": D,
        }
    )
    expected = _left_by_git(root)
    assert sorted(files(root)) == expected
    assert "pkg/top_only.py" in expected and "pkg/sub/inner/t.py" in expected


def test_a_deeper_gitignore_overrides_a_shallower_one_as_in_git(tree: Tree) -> None:
    # git: "patterns in the higher level files being overridden by those in lower level
    # files". Before, any matching pattern of any file ignored the path: `!keep.gen.py`
    # below could not keep what `*.gen.py` above ignored, nor `!gen/` a folder.
    root = tree(
        {
            ".gitignore": "*.gen.py\ngen/\nold.py\n",
            "a.gen.py": D,
            "gen/x.py": D,
            "sub/.gitignore": "!keep.gen.py\n!gen/\nlocal.py\n",
            "sub/keep.gen.py": D,
            "sub/drop.gen.py": D,
            "sub/gen/y.py": D,
            "sub/local.py": D,
            "sub/old.py": D,
            "sub/deeper/.gitignore": "*.gen.py\n!old.py\n",
            "sub/deeper/keep.gen.py": D,
            "sub/deeper/old.py": D,
            "sub/deeper/local.py": D,
            "sub/deeper/plain.py": D,
        }
    )
    expected = _left_by_git(root)
    assert "sub/keep.gen.py" in expected and "sub/gen/y.py" in expected
    assert "sub/deeper/old.py" in expected and "sub/deeper/keep.gen.py" not in expected
    assert sorted(files(root)) == expected


@pytest.mark.parametrize("configured", ["default", "gitconfig", "xdg-config", "repository"])
def test_gits_other_exclude_files_are_read_as_git_reads_them(
    tree: Tree, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, configured: str
) -> None:
    # git ignores what `.git/info/exclude` and `core.excludesFile` (by default
    # $XDG_CONFIG_HOME/git/ignore) list, below the .gitignore files; the check read only
    # the .gitignore files and checked those files. `git ls-files` is the oracle.
    home, xdg = tmp_path / "home", tmp_path / "xdg"
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(xdg))
    monkeypatch.delenv("GIT_CONFIG_GLOBAL")
    root = tree(
        {
            ".gitignore": "!kept_by_gitignore.py\n",
            "a.py": D,
            "local/x.py": D,
            "glob.py": D,
            "kept_by_gitignore.py": D,
            "sub/glob.py": D,
        }
    )
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / ".git" / "info" / "exclude").write_text("local/\n")
    excludes = "glob.py\nkept_by_gitignore.py\n"
    if configured == "default":
        (xdg / "git").mkdir(parents=True)
        (xdg / "git" / "ignore").write_text(excludes)
    else:
        (tmp_path / "my-ignores").write_text(excludes)
        config = {
            "gitconfig": home / ".gitconfig",
            "xdg-config": xdg / "git" / "config",
            "repository": root / ".git" / "config",
        }[configured]
        config.parent.mkdir(parents=True, exist_ok=True)
        with config.open("a") as out:
            out.write(f'[user]\n\tname = x\n[Core]\n\texcludesFile = "{tmp_path}/my-ignores"\n')
    git = ["git", "ls-files", "--others", "--exclude-standard"]
    listed = subprocess.run(git, cwd=root, capture_output=True, text=True, check=True).stdout
    expected = sorted(p for p in listed.splitlines() if p.endswith(".py"))
    assert expected == ["a.py", "kept_by_gitignore.py"]
    assert sorted(files(root)) == expected
