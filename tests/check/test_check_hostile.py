"""Hostile trees: a FIFO or `/dev/zero` where the check reads a file never hangs it or fills
memory; what cannot be used is skipped with a note.

The check runs in a child process: before the fix these trees hung it for good, and a hung
child is killed by the guard below and fails the test instead of hanging the suite (the
guard is a ceiling for a run of well under a second, not a measurement).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from scaffold.check.incremental.store import CACHE_DIR
from scaffold.files import read_regular

from .check_support import write_tree

HANG_GUARD = 120  # seconds; a run that is not hung takes about one


def _check(root: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            [sys.executable, "-m", "scaffold", "check", str(root), *extra],
            capture_output=True,
            text=True,
            timeout=HANG_GUARD,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"scaffold check {root} hung")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = write_tree(tmp_path / "repo", {"pkg/__init__.py": '__all__ = ["x"]\nx = 1\n'})
    (root / ".git").mkdir()  # a repository: the .gitignore files up to it are read
    return root


@pytest.mark.parametrize("where", ["top", "ancestor", "inside"])
def test_a_fifo_gitignore_is_skipped_with_a_note(repo: Path, where: str) -> None:
    folder = {"top": repo / "pkg", "ancestor": repo, "inside": repo / "pkg" / "sub"}[where]
    folder.mkdir(exist_ok=True)
    os.mkfifo(folder / ".gitignore")
    done = _check(repo / "pkg")
    assert done.returncode == 0, done.stderr
    assert f"note: skipped {folder / '.gitignore'}: not a regular file" in done.stderr


def test_a_gitignore_linked_to_dev_zero_is_skipped_with_a_note(repo: Path) -> None:
    (repo / ".gitignore").symlink_to("/dev/zero")
    done = _check(repo)
    assert done.returncode == 0, done.stderr
    assert f"note: skipped {repo / '.gitignore'}: not a regular file" in done.stderr


def test_a_fifo_cache_file_is_no_cache(repo: Path) -> None:
    assert _check(repo).returncode == 0  # writes the cache
    (cache,) = (repo / CACHE_DIR).glob("check-*.bin")
    cache.unlink()
    os.mkfifo(cache)
    done = _check(repo)
    assert done.returncode == 0, done.stderr


def test_read_regular_refuses_what_is_not_a_regular_file(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo")
    for path in (tmp_path / "fifo", Path("/dev/zero"), tmp_path):
        with pytest.raises(OSError, match="not a regular file"):
            read_regular(path)
    (tmp_path / "big").write_bytes(b"x" * 11)
    with pytest.raises(OSError, match="larger than 10 bytes"):
        read_regular(tmp_path / "big", limit=10)
    assert read_regular(tmp_path / "big", limit=11) == b"x" * 11


def test_fifos_devices_and_broken_links_named_like_sources_are_skipped_with_a_note(
    repo: Path,
) -> None:
    os.mkfifo(repo / "pkg" / "pipe.py")
    (repo / "pkg" / "zero.py").symlink_to("/dev/zero")
    (repo / "pkg" / "gone.py").symlink_to(repo / "nowhere.py")
    done = _check(repo / "pkg")
    assert done.returncode == 0, done.stderr
    notes = [line for line in done.stderr.splitlines() if line.startswith("note: skipped")]
    assert notes == [
        "note: skipped gone.py: a broken link",
        "note: skipped pipe.py: not a regular file",
        "note: skipped zero.py: not a regular file",
    ]


@pytest.mark.parametrize("kind", ["/dev/null", "fifo"])
def test_a_path_that_is_no_file_or_folder_is_refused(tmp_path: Path, kind: str) -> None:
    path = Path(kind)
    if kind == "fifo":
        path = tmp_path / "pipe.py"
        os.mkfifo(path)
    done = _check(path)
    assert done.returncode == 2
    assert done.stderr == (
        f"error: not a file or folder: {path} (a device, FIFO or socket); give a Python file"
        " or a folder\n"
    )


@pytest.mark.parametrize("where", ["top", "nested"])
@pytest.mark.parametrize("kind", ["fifo", "broken link"])
def test_a_pyproject_that_cannot_be_read_is_a_finding(repo: Path, where: str, kind: str) -> None:
    # It was taken for no pyproject.toml at all: the check ran silently with the defaults
    # (and another project root), as an unreadable one is not.
    folder = {"top": repo, "nested": repo / "tools"}[where]
    write_tree(folder, {"tools_pkg/__init__.py": "x = 1\n"} if where == "nested" else {})
    if kind == "fifo":
        os.mkfifo(folder / "pyproject.toml")
    else:
        (folder / "pyproject.toml").symlink_to("nowhere.toml")
    done = _check(repo)
    assert done.returncode == 1, done.stderr
    assert "internal error" not in done.stderr
    shown = (folder / "pyproject.toml").relative_to(repo)
    assert f"{shown}:1:1: SYN001 cannot read pyproject.toml" in done.stdout


def test_a_fifo_beside_a_module_of_a_bad_name_is_skipped_with_a_note(repo: Path) -> None:
    # PKG003 reads the folder's modules to see whether one loads the other by a path; it
    # opened the FIFO and hung.
    write_tree(repo / "pkg", {"bad-name.py": "y = 1\n"})
    os.mkfifo(repo / "pkg" / "zz.py")
    done = _check(repo)
    assert done.returncode == 1, done.stderr
    assert "PKG003 module file 'bad-name.py'" in done.stdout
    assert "note: skipped pkg/zz.py: not a regular file" in done.stderr


def test_fix_reads_only_a_regular_file(tmp_path: Path) -> None:
    # A file swapped for a FIFO after discovery: --fix's read returns "cannot edit", not a
    # hang (in a child process: the hang would take the suite with it).
    os.mkfifo(tmp_path / "mod.py")
    probe = "import sys; from pathlib import Path; from scaffold.check.fix import read_for_edit"
    probe += "; print(read_for_edit(Path(sys.argv[1])))"
    try:
        done = subprocess.run(
            [sys.executable, "-c", probe, str(tmp_path / "mod.py")],
            capture_output=True,
            text=True,
            timeout=HANG_GUARD,
            check=True,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("read_for_edit hung on a FIFO")
    assert done.stdout == "None\n"
