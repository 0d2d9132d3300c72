"""A new project's git repository: `git init` and a first commit of what was generated."""

from __future__ import annotations

import subprocess
from pathlib import Path

__all__ = ["first_commit"]


def _git(folder: Path, *args: str) -> subprocess.CompletedProcess[str] | None:
    try:
        return subprocess.run(
            ["git", *args], cwd=folder, capture_output=True, text=True, check=False
        )
    except OSError:  # no git on PATH: the project is complete without a repository
        return None


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "no message")


def first_commit(destination: Path, message: str) -> str:
    """Make `destination` a git repository holding one commit of its files.

    Nothing is done inside an existing repository (the project joins it) or without
    git. Returns one line saying what was done or why not; a commit git refuses (no
    user.name / user.email configured) leaves the files staged and says how to finish.
    """
    inside = _git(destination, "rev-parse", "--show-toplevel")
    if inside is None:
        return "git is not installed: no repository was made (git init later)"
    if inside.returncode == 0:
        return f"inside the git repository {inside.stdout.strip()}: no new repository made"
    init = _git(destination, "init", "-q")
    if init is None or init.returncode != 0:
        return f"git init failed: {_first_line(init.stderr if init else '')}"
    added = _git(destination, "add", "-A")
    if added is None or added.returncode != 0:
        return f"git init done; git add failed: {_first_line(added.stderr if added else '')}"
    commit = _git(destination, "commit", "-q", "-m", message)
    if commit is None or commit.returncode != 0:
        reason = _first_line((commit.stderr + commit.stdout) if commit else "")
        return (
            f"git init done, files staged; the commit failed ({reason}): git commit -m {message!r}"
        )
    return f"git init: first commit {message!r}"
