"""`scaffold new package|workspace|game` makes a git repository with a first commit,
unless --no-git, a dry run, or the project lands inside an existing repository."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from scaffold.cli import main
from scaffold.generate.repository import first_commit


def _git(folder: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=folder, capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture
def identity(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Ada Lovelace")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "ada@example.invalid")


@pytest.mark.parametrize(
    "argv",
    [
        ["package", "foo", "--module", "bar"],
        ["workspace", "foo", "--package", "core"],
        ["game", "foo"],
    ],
    ids=["package", "workspace", "game"],
)
def test_a_new_project_is_one_clean_commit(
    argv: list[str], tmp_path: Path, identity: None, capsys: pytest.CaptureFixture[str]
) -> None:
    project = tmp_path / "foo"
    assert main(["new", *argv, "--dest", str(project)]) == 0
    assert "git init: first commit" in capsys.readouterr().out
    assert _git(project, "log", "--format=%s").splitlines() == [
        f"Generate foo with scaffold new {argv[0]}"
    ]
    assert _git(project, "status", "--porcelain") == ""
    tracked = set(_git(project, "ls-files").split())
    assert "pyproject.toml" in tracked and ".copier-answers.yml" in tracked


def test_no_git_and_dry_run_make_no_repository(tmp_path: Path, identity: None) -> None:
    assert main(["new", "package", "foo", "--dest", str(tmp_path / "a"), "--no-git", "-q"]) == 0
    assert (tmp_path / "a" / "pyproject.toml").is_file()
    assert not (tmp_path / "a" / ".git").exists()
    assert main(["new", "package", "foo", "--dest", str(tmp_path / "b"), "--dry-run"]) == 0
    assert not (tmp_path / "b").exists()


def test_inside_a_repository_the_project_joins_it(
    tmp_path: Path, identity: None, capsys: pytest.CaptureFixture[str]
) -> None:
    _git(tmp_path, "init", "-q")
    assert main(["new", "package", "foo", "--dest", str(tmp_path / "foo")]) == 0
    assert "no new repository made" in capsys.readouterr().out
    assert not (tmp_path / "foo" / ".git").exists()
    assert _git(tmp_path, "log", "--all", "--format=%s") == ""  # nothing committed for the user


def test_without_an_identity_the_files_stay_staged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("HOME", str(tmp_path))
    for variable in [v for v in os.environ if v.startswith(("GIT_AUTHOR", "GIT_COMMITTER"))]:
        monkeypatch.delenv(variable)
    monkeypatch.setenv("EMAIL", "")
    project = tmp_path / "foo"
    assert main(["new", "package", "foo", "--dest", str(project)]) == 0
    out = capsys.readouterr().out
    if "first commit" in out:  # git found a usable identity (user@hostname) anyway
        return
    assert "the commit failed" in out and "git commit -m" in out
    assert "A  pyproject.toml" in _git(project, "status", "--porcelain").splitlines()


def test_without_git_it_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert "git is not installed" in first_commit(tmp_path, "Generate")
    assert not (tmp_path / ".git").exists()
