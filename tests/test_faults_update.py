"""Ctrl-C and I/O errors at every step of `scaffold update`: the project is left exactly as
it was (its last commit, nothing new), or fully updated.

Copier's update is a three-way merge through git; scaffold restores the last commit when it
fails or is interrupted. A Ctrl-C that arrives while that restore runs is held until it is
done, and one after the update is complete finds it complete (exit 0).
"""

from __future__ import annotations

import errno
import importlib
import signal
from pathlib import Path

import pytest

from scaffold.cli import main
from tests.faults import FAULTS, Injector, arm_when_called, install
from tests.template_repos import ANSWERS_FILE, commit_version, git, git_environment

# The module, not the function `scaffold.generate.update` that the package exports.
update_module = importlib.import_module("scaffold.generate.update")

V1 = {
    **ANSWERS_FILE,
    "copier.yml": "name:\n  type: str\n  default: demo\n",
    "README.md.jinja": "# {{ name }}\n",
    "app.py.jinja": 'NAME = "{{ name }}"\n',
}
V2 = {
    "README.md.jinja": "# {{ name }}, version 2\n",
    "CHANGES.md.jinja": "# Changes to {{ name }}\n",
    "sub/new.txt": "new in v2\n",
}


@pytest.fixture(autouse=True)
def _git(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    git_environment(monkeypatch, tmp_path_factory.mktemp("copier-cache"))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project generated from v1 of a git template, committed, with a local edit."""
    repo = tmp_path / "template"
    commit_version(repo, V1, "v1")
    commit_version(repo, V2, "v2")
    project = tmp_path / "base" / "proj"
    argv = ["new", "-t", str(repo), "proj", "--dest", str(project), "--vcs-ref", "v1", "-q"]
    assert main(argv) == 0
    (project / "app.py").write_text('NAME = "demo"\nLOCAL = 1\n', encoding="utf-8")
    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "Generated")
    return project


def _worktree(root: Path) -> dict[str, bytes]:
    """The project's files, without git's own."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and ".git" not in path.relative_to(root).parts
    }


def _update(project: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["update", str(project)])
    return code, capsys.readouterr().err


def _state(project: Path) -> tuple[dict[str, bytes], str]:
    return _worktree(project), git(project, "status", "--porcelain", "--untracked-files=all")


def test_a_ctrl_c_once_copier_is_done_finds_the_update_complete(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real = update_module.record_scaffold_version

    def interrupted(answers_file: Path) -> None:
        signal.raise_signal(signal.SIGINT)  # the user presses Ctrl-C as the update ends
        real(answers_file)

    monkeypatch.setattr(update_module, "record_scaffold_version", interrupted)
    code, err = _update(project, capsys)
    assert code == 0, err
    assert b"version 2" in (project / "README.md").read_bytes()
    assert b"_scaffold_version" in (project / ".copier-answers.yml").read_bytes()


@pytest.mark.parametrize("when", ["before", "after"])
def test_a_ctrl_c_while_the_project_is_restored_does_not_stop_the_restore(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], when: str
) -> None:
    before = _state(project)
    real_git = update_module._git
    calls: list[tuple[str, ...]] = []

    def failing_record(answers_file: Path) -> None:
        raise OSError(errno.EIO, "injected I/O error", str(answers_file))

    def git_with_ctrl_c(where: Path, *args: str) -> object:
        calls.append(args)
        restoring = args[:1] in (("reset",), ("checkout",), ("clean",))
        if restoring and when == "before":
            signal.raise_signal(signal.SIGINT)  # a second Ctrl-C, at each restore step
        result = real_git(where, *args)
        if restoring and when == "after":
            signal.raise_signal(signal.SIGINT)
        return result

    monkeypatch.setattr(update_module, "record_scaffold_version", failing_record)
    monkeypatch.setattr(update_module, "_git", git_with_ctrl_c)
    code, err = _update(project, capsys)
    assert code == 2, err
    assert [c[0] for c in calls if c[0] in ("reset", "checkout", "clean")] == [
        "reset",
        "checkout",
        "clean",
    ]
    assert _state(project) == before


def test_faults_in_copier_leave_the_project_as_it_was(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A Ctrl-C and an I/O error at a few steps of Copier's own work in the project."""
    before = _state(project)
    for fault in FAULTS:
        for at in (1, 5, 20):
            injector = Injector(fault=fault, at=at)
            with monkeypatch.context() as patch:
                install(patch, injector)
                arm_when_called(patch, injector, update_module, "run_asking_for_missing")
                code, err = _update(project, capsys)
            where = f"{fault} at step {at}: {err}"
            assert code == (130 if fault == "sigint" else 2), where
            assert _state(project) == before, where
