"""Folders the user cannot read: inside a checked tree a note, and the run goes on; named as
PATH, as a destination or a project, a one-line error (exit 2) and nothing written.

Root reads every folder, so when the tests run as root each command runs as `nobody`
(tests/faults.py `run_unprivileged`) in a tree made in the shared temporary folder.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults import SharedFolder, remove_shared, run_unprivileged, shared_folder

from .check.check_support import write_tree


@pytest.fixture
def shared() -> Iterator[SharedFolder]:
    folder = shared_folder()
    yield folder
    remove_shared(folder)


@pytest.fixture
def project(shared: SharedFolder) -> Path:
    """A project whose `pkg/secret` folder (a package with a module) cannot be read."""
    root = write_tree(
        shared.path / "proj",
        {
            "pyproject.toml": '[project]\nname = "proj"\n',
            "pkg/__init__.py": "",
            "pkg/used.py": '__all__ = ["missing"]\n',
            "pkg/secret/__init__.py": "",
            "pkg/secret/hidden.py": "x = 1\n",
        },
    )
    (root / ".git").mkdir()
    shared.open_up()
    shared.lock(root / "pkg" / "secret")
    return root


def _one_line_error(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: ") and "internal error" not in lines[0], stderr
    return lines[0]


@pytest.mark.parametrize("output_format", ["text", "json", "sarif"])
def test_an_unreadable_folder_inside_the_tree_is_a_note_and_the_rest_is_checked(
    project: Path, output_format: str
) -> None:
    done = run_unprivileged(["check", ".", "--format", output_format], project)
    assert done.returncode == 1, done.stderr  # the undefined export in pkg/used.py
    assert "internal error" not in done.stderr
    assert "note: skipped pkg/secret: Permission denied" in done.stderr.splitlines()
    assert "pkg/used.py" in done.stdout


@pytest.mark.parametrize("named", ["pkg/secret", "pkg/secret/hidden.py"])
def test_an_unreadable_path_or_a_file_inside_one_is_a_one_line_error(
    project: Path, named: str
) -> None:
    done = run_unprivileged(["check", named], project)
    assert done.returncode == 2
    line = _one_line_error(done.stderr)
    assert f"cannot read {project / named}: Permission denied" in line


def test_an_unreadable_pyproject_is_a_finding_not_a_crash(
    project: Path, shared: SharedFolder
) -> None:
    shared.lock(project / "pyproject.toml")
    done = run_unprivileged(["check", "."], project)
    assert done.returncode == 1, done.stderr
    assert "internal error" not in done.stderr
    assert "pyproject.toml:1:1: SYN001 cannot read pyproject.toml" in done.stdout


@pytest.mark.parametrize("command", ["package", "module"])
def test_a_destination_below_an_unreadable_folder_is_a_one_line_error(
    shared: SharedFolder, command: str
) -> None:
    home = shared.path / "home"
    home.mkdir()
    locked = shared.path / "locked"
    locked.mkdir()
    shared.open_up()
    shared.lock(locked)
    done = run_unprivileged(["new", command, "demo", "--dest", str(locked / "demo")], home)
    assert done.returncode == 2
    line = _one_line_error(done.stderr)
    assert f"cannot reach {locked / 'demo'}: Permission denied" in line
    assert "nothing was written" in line
    assert list(home.iterdir()) == []


def test_update_of_a_project_below_an_unreadable_folder_is_a_one_line_error(
    shared: SharedFolder,
) -> None:
    home = shared.path / "home"
    home.mkdir()
    locked = shared.path / "locked"
    locked.mkdir()
    shared.open_up()
    shared.lock(locked)
    done = run_unprivileged(["update", str(locked / "project")], home)
    assert done.returncode == 2
    assert f"cannot reach {locked / 'project'}: Permission denied" in _one_line_error(done.stderr)


def test_fix_leaves_a_read_only_file_with_a_note(shared: SharedFolder) -> None:
    # A rename replaced it all the same (its folder is writable): a file kept read-only
    # (checked out read-only until `p4 edit`, say) was rewritten.
    unsorted = '__all__ = ["b", "a"]\na = b = 1\n'
    root = write_tree(shared.path / "proj", {"pkg/__init__.py": "", "pkg/ro.py": unsorted})
    shared.open_up()
    (root / "pkg" / "ro.py").chmod(0o444)
    done = run_unprivileged(["check", "pkg", "--fix", "--select", "EXP007", "--no-cache"], root)
    assert done.returncode == 1, done.stderr
    assert f"{root / 'pkg' / 'ro.py'} is read-only; make it writable to fix it" in done.stderr
    assert (root / "pkg" / "ro.py").read_text() == unsorted
