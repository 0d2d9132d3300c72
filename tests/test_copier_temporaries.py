"""Copier's clones of git templates never outlive scaffold: a run that is killed leaves them in
a folder named by its process id, and the next run removes it."""

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


def _new(template: Path, dest: Path, temporary: Path) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "scaffold", "new", "-t", str(template), "demo"]
    return subprocess.run(
        [*argv, "--dest", str(dest), "--trust", "-q"],
        env={**os.environ, "TMPDIR": str(temporary)},  # the system temporary folder, here
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_clones_of_a_killed_run_are_removed_by_the_next(tmp_path: Path) -> None:
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    template = tmp_path / "template"
    # The template's task kills scaffold (its parent's parent) while Copier's clone exists.
    killing = {**ANSWERS_FILE, "copier.yml": '_tasks:\n  - "kill -9 $PPID"\n', "a.txt": "a\n"}
    commit_version(template, killing, "v1")
    killed = _new(template, tmp_path / "first", temporary)
    assert killed.returncode == -9, killed.stderr
    left = [p for p in temporary.iterdir() if p.name.startswith(PREFIX)]
    assert len(left) == 1 and any(left[0].iterdir()), "the killed run left no clone to find"

    commit_version(template, {"copier.yml": "{}\n"}, "v2")
    done = _new(template, tmp_path / "second", temporary)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "second" / "a.txt").read_text() == "a\n"
    assert list(temporary.iterdir()) == []  # the leftover and this run's own folder: gone
