"""Copier's temporary folders never outlive scaffold: a killed run leaves them in a folder of
its own, which the next run removes; a running process's folder is never touched."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from scaffold.generate.temporaries import PREFIX
from tests.template_repos import ANSWERS_FILE, commit_version, git_environment


@pytest.fixture(autouse=True)
def _git(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    git_environment(monkeypatch, tmp_path_factory.mktemp("copier-cache"))


def _scaffold(argv: list[str], temporary: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scaffold", *argv],
        env={**os.environ, "TMPDIR": str(temporary)},  # the system temporary folder, here
        capture_output=True,
        text=True,
        check=False,
    )


def _new(template: Path, dest: Path, temporary: Path) -> subprocess.CompletedProcess[str]:
    return _scaffold(["new", "-t", str(template), "demo", "--dest", str(dest), "-q"], temporary)


@pytest.fixture
def killed(tmp_path: Path) -> tuple[Path, Path]:
    """A git template whose task kills scaffold while Copier's clone exists, run once:
    (the template, the temporary folder the killed run left its clone in)."""
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    template = tmp_path / "template"
    # The task's shell is Copier's child: $PPID is scaffold itself.
    killing = {**ANSWERS_FILE, "copier.yml": '_tasks:\n  - "kill -9 $PPID"\n', "a.txt": "a\n"}
    commit_version(template, killing, "v1")
    argv = ["new", "-t", str(template), "demo", "--dest", str(tmp_path / "first"), "--trust"]
    dead = _scaffold([*argv, "-q"], temporary)
    assert dead.returncode == -9, dead.stderr
    (left,) = temporary.iterdir()
    assert left.name.startswith(PREFIX)
    assert any(p.name.startswith("copier._vcs.clone.") for p in left.iterdir()), "no clone left"
    commit_version(template, {"copier.yml": "{}\n"}, "v2")  # no task any more
    return template, temporary


def test_the_clones_of_a_killed_run_are_removed_by_the_next(
    killed: tuple[Path, Path], tmp_path: Path
) -> None:
    template, temporary = killed
    done = _new(template, tmp_path / "second", temporary)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "second" / "a.txt").read_text() == "a\n"
    assert list(temporary.iterdir()) == []  # the leftover and this run's own folder: gone


def test_a_running_processs_folder_is_kept(killed: tuple[Path, Path], tmp_path: Path) -> None:
    """A process holding its folder's lock is alive, whatever its pid says: its clone stays."""
    template, temporary = killed
    (left,) = temporary.iterdir()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, sys; f = open(sys.argv[1]); fcntl.flock(f, fcntl.LOCK_SH);"
            " print('locked', flush=True); sys.stdin.read()",
            str(left / ".lock"),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        done = _new(template, tmp_path / "second", temporary)
        assert done.returncode == 0, done.stderr
        assert list(temporary.iterdir()) == [left] and any(left.iterdir())
    finally:
        holder.communicate("")
    assert _new(template, tmp_path / "third", temporary).returncode == 0
    assert list(temporary.iterdir()) == []


def test_a_git_template_is_linted_from_a_clone_that_is_still_there(
    tmp_path: Path,
) -> None:
    """`templates lint` reads the clone after Copier returns: it must still exist then."""
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    template = tmp_path / "template"
    # A question without a default (TPL008): a finding only a read of the clone can give.
    commit_version(template, {**ANSWERS_FILE, "copier.yml": "name:\n  type: str\n"}, "v1")
    linted = _scaffold(["templates", "lint", f"git+file://{template}"], temporary)
    assert "copier.yml:1:1: TPL008 question 'name' has no default" in linted.stdout, linted.stderr
    assert list(temporary.iterdir()) == []  # and gone once scaffold exits
