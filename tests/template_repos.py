"""Build Copier templates as real git repositories in a temporary folder (no network)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

import pytest

__all__ = ["ANSWERS_FILE", "commit_version", "git", "git_environment", "write_tree"]

#: The answers-file template every test template carries, so projects can be updated.
ANSWERS_FILE = {"{{ _copier_conf.answers_file }}.jinja": "{{ _copier_answers | to_nice_yaml -}}\n"}


def git_environment(monkeypatch: pytest.MonkeyPatch, cache: Path) -> None:
    """A git identity from the environment and a private Copier clone cache."""
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Scaffold Tests")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "tests@scaffold.invalid")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("COPIER_CACHE_DIR", str(cache))


def git(cwd: Path, *args: str) -> str:
    proc = subprocess.run(
        ["git", "-c", "init.defaultBranch=main", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    return proc.stdout


def write_tree(root: Path, files: Mapping[str, str]) -> Path:
    """Write `files` (relative path -> text) under `root`; return `root`."""
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def commit_version(repo: Path, files: Mapping[str, str], tag: str) -> None:
    """Write `files` into the repository `repo` (created if needed), commit, and tag."""
    if not (repo / ".git").exists():
        repo.mkdir(parents=True, exist_ok=True)
        git(repo, "init", "-q")
    write_tree(repo, files)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", f"template {tag}")
    git(repo, "tag", tag)
