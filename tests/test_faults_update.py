"""Ctrl-C and I/O errors at every step of `scaffold update`: the project is left exactly as
it was (its last commit, nothing new), or fully updated.

Copier's update is a three-way merge through git; scaffold restores the last commit when it
fails or is interrupted. A Ctrl-C that arrives while that restore runs is held until it is
done, and one after the update is complete finds it complete (exit 0).
"""

from __future__ import annotations

import errno
import signal
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

import scaffold.generate.run as run_module
import scaffold.generate.update as update_module
from scaffold.cli import main
from tests.faults import FAULTS, Injector, Outcome, arm_when_called, copy_tree, install
from tests.template_repos import ANSWERS_FILE, commit_version, git, git_environment

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
    real = run_module.record_scaffold_version

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


def _updater(
    base: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[[Injector], tuple[Outcome, tuple[dict[str, bytes], str]]]:
    """One faulted `update` of a fresh copy of the project in `base`."""
    runs = iter(range(1_000_000))

    def run(injector: Injector) -> tuple[Outcome, tuple[dict[str, bytes], str]]:
        root = copy_tree(base, base.parent / f"run-{next(runs)}")
        project = root / "proj"
        with monkeypatch.context() as patch:
            install(patch, injector)
            arm_when_called(patch, injector, update_module, "run_asking_for_missing")
            code, err = _update(project, capsys)
        return Outcome(code, err, {}), _state(project)

    return run


def _check_steps(
    project: Path,
    fault: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    steps: Callable[[int], Iterable[int]],
) -> dict[int, list[str]]:
    """Fault `update` at `steps(total)`: exit 130 or 2 with the last commit's tree, or the
    full update (exit 0); the exit codes seen, each with the steps that gave it (the
    message of a failed assertion on them names where the faults landed)."""
    before = _state(project)
    run = _updater(project.parent, monkeypatch, capsys)
    run(Injector(fault=fault))  # counted on the second run, as `steps_of` does: see there
    counter = Injector(fault=fault)
    done, updated = run(counter)
    assert done.code == 0, done.err
    assert counter.count > 0, "the injector saw no step: nothing would be tested"
    codes: dict[int, list[str]] = {}
    for at in steps(counter.count):
        injector = Injector(fault=fault, at=at)
        outcome, state = run(injector)
        where = f"{fault} at step {at} ({injector.names[at - 1]}): {outcome.err}"
        codes.setdefault(outcome.code, []).append(f"{at}: {injector.names[at - 1]}")
        if outcome.code == 0:
            assert state == updated, where
        else:
            assert outcome.code == (130 if fault == "sigint" else 2), where
            assert state == before, where
            if fault == "sigint":
                assert outcome.err.strip() == "Interrupted.", where
    return codes


@pytest.mark.parametrize("fault", FAULTS)
def test_faults_at_some_steps_of_copiers_update(
    project: Path, fault: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The first, a middle and the last fault point; the slow test below takes them all."""
    codes = _check_steps(
        project, fault, monkeypatch, capsys, lambda total: sorted({1, total // 2, total})
    )
    assert (130 if fault == "sigint" else 2) in codes, codes


@pytest.mark.slow
@pytest.mark.parametrize("fault", FAULTS)
def test_a_fault_at_any_step_of_copiers_update_leaves_the_project_as_it_was_or_updated(
    project: Path, fault: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every filesystem step of Copier's update, a Ctrl-C before and after it or an I/O
    error instead of it."""
    codes = _check_steps(project, fault, monkeypatch, capsys, lambda total: range(1, total + 1))
    assert set(codes) == {0, 130 if fault == "sigint" else 2}, f"an outcome never happened: {codes}"
