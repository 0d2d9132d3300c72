"""Ctrl-C and I/O errors at every step of `new` and `add`: all or nothing, nothing lost.

A Ctrl-C before the change is complete leaves the tree exactly as it was (exit 130): one
that arrives while a file is being moved is held until the step is done, then everything
is undone. One after the last file is in place finds the change complete: the run reports
success (exit 0), with nothing left behind. An I/O error anywhere leaves the tree as it
was (exit 2), or, when it hits only the clean-up, the complete change.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import pytest

import scaffold.add
import scaffold.generate.run
from scaffold.cli import main
from scaffold.errors import DestinationError
from scaffold.generate import placement
from tests.faults import (
    FAULTS,
    Injector,
    Outcome,
    arm_when_called,
    copy_tree,
    install,
    snapshot,
    steps_of,
)

TEMPLATE = {
    "copier.yml": "_answers_file: .answers.yml\nname:\n  type: str\n  default: x\n",
    "a.txt.jinja": "new a {{ name }}\n",
    "c.txt": "new c\n",
    "sub/b.txt": "new b\n",
    "d/e.txt": "new e\n",
    "{{ _copier_conf.answers_file }}.jinja": "{{ _copier_answers|to_nice_yaml }}",
}


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


@dataclass(frozen=True)
class Command:
    """A writing command, the tree it runs in, and the function where placing begins."""

    name: str
    argv: Callable[[Path], list[str]]
    prepare: Callable[[Path, Path], None]  # (root, template)
    places: tuple[object, str]


def _user_project(root: Path, template: Path) -> None:
    del template
    _write(root, {"proj/a.txt": "user a\n", "proj/sub/b.txt": "user b\n", "proj/mine.txt": "m\n"})
    os.chmod(root / "proj/sub/b.txt", 0o600)
    os.link(root / "proj/mine.txt", root / "proj/sub/b-link.txt")


def _package(root: Path, template: Path, *, with_util: bool = False) -> None:
    del template
    root.mkdir(parents=True, exist_ok=True)
    cwd = Path.cwd()
    os.chdir(root)
    try:
        assert main(["new", "package", "foo", "--module", "bar", "--quiet"]) == 0
    finally:
        os.chdir(cwd)
    if with_util:
        _write(root, {"foo/foo/util.py": "# mine\n", "foo/tests/test_util.py": "# my test\n"})


COMMANDS = (
    Command(
        "new --force into a project",
        lambda tpl: ["new", "--template", str(tpl), "proj", "--force", "-q"],
        _user_project,
        (scaffold.generate.run, "move_into_place"),
    ),
    Command(
        "new into a new folder",
        lambda tpl: ["new", "--template", str(tpl), "proj", "--dest", "out/deep/proj", "-q"],
        lambda root, tpl: root.mkdir(parents=True),
        (scaffold.generate.run, "move_into_place"),
    ),
    Command(
        "add module",
        lambda tpl: ["add", "module", "util", "--to", "foo/foo", "-q"],
        _package,
        (scaffold.add, "place_files"),
    ),
    Command(
        "add module --force",
        lambda tpl: ["add", "module", "util", "--to", "foo/foo", "--force", "-q"],
        lambda root, tpl: _package(root, tpl, with_util=True),
        (scaffold.add, "place_files"),
    ),
)


@pytest.fixture
def template(tmp_path: Path) -> Path:
    _write(tmp_path / "template", TEMPLATE)
    return tmp_path / "template"


def _runner(
    command: Command,
    base: Path,
    template: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    *,
    whole_run: bool,
) -> Callable[[Injector], Outcome]:
    runs = iter(range(1_000_000))

    def run(injector: Injector) -> Outcome:
        root = copy_tree(base, base.parent / f"run-{next(runs)}")
        capsys.readouterr()
        with monkeypatch.context() as patch:
            patch.chdir(root)
            install(patch, injector)
            if whole_run:
                injector.armed = True
            else:
                arm_when_called(patch, injector, *command.places)
            code = main(command.argv(template))
        return Outcome(code, capsys.readouterr().err, snapshot(root))

    return run


def _check_every_step(run: Callable[[Injector], Outcome], base: Path, fault: str) -> None:
    before = snapshot(copy_tree(base, base.parent / "before"))  # as a run starts from
    total, done = steps_of(run, fault)
    codes: set[int] = set()
    for at in range(1, total + 1):
        injector = Injector(fault=fault, at=at)
        outcome = run(injector)
        where = f"{fault} at step {at} ({injector.names[at - 1]}): {outcome.err}"
        codes.add(outcome.code)
        if outcome.code == 0:
            tree = outcome.tree
            if fault == "oserror":  # a failed clean-up may leave an empty staging folder
                tree = {k: v for k, v in tree.items() if ".scaffold-" not in k}
            assert tree == done.tree, where
        else:
            assert outcome.code == (130 if fault == "sigint" else 2), where
            assert outcome.tree == before, where
            if fault == "sigint":
                assert outcome.err.strip() == "Interrupted.", where
    assert codes == {0, 130 if fault == "sigint" else 2}, "an outcome never happened"


# `add module` places what `add module --force` does, less the backups; the slow test has it.
FAST = [c for c in COMMANDS if c.name != "add module"]


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("command", FAST, ids=[c.name for c in FAST])
def test_a_fault_at_any_step_of_placing_files_loses_nothing(
    command: Command,
    fault: str,
    template: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    base = tmp_path / "base"
    command.prepare(base, template)
    run = _runner(command, base, template, monkeypatch, capsys, whole_run=False)
    _check_every_step(run, base, fault)


@pytest.mark.slow
@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("command", COMMANDS, ids=[c.name for c in COMMANDS])
def test_a_fault_at_any_step_of_the_whole_run_loses_nothing(
    command: Command,
    fault: str,
    template: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    base = tmp_path / "base"
    command.prepare(base, template)
    run = _runner(command, base, template, monkeypatch, capsys, whole_run=True)
    _check_every_step(run, base, fault)


def test_force_keeps_the_replaced_files_inode_until_done(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The backup is a hard link: the original never stops existing under some name.
    staged, destination = tmp_path / "staged", tmp_path / "dest"
    _write(staged, {"a.txt": "new\n"})
    _write(destination, {"a.txt": "old\n"})
    seen: list[int] = []
    real_move = placement.move

    def watching_move(source: Path, target: Path) -> None:
        seen.append(os.stat(tmp_path / "backup" / "a.txt").st_nlink)
        real_move(source, target)

    monkeypatch.setattr(placement, "move", watching_move)
    placement.place_files(
        staged,
        destination,
        (PurePosixPath("a.txt"),),
        may_replace=frozenset({PurePosixPath("a.txt")}),
        backup=tmp_path / "backup",
    )
    assert seen == [2]
    assert (destination / "a.txt").read_text() == "new\n"
    assert not (tmp_path / "backup").exists()


def test_a_staging_folder_holding_originals_is_never_deleted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When an original cannot be put back, its backup and the folder holding it stay."""
    destination = tmp_path / "dest"
    _write(destination, {"a.txt": "old a\n", "b.txt": "old b\n"})
    files = (PurePosixPath("a.txt"), PurePosixPath("b.txt"))
    calls: list[str] = []
    real_move = placement.move

    def failing_move(source: Path, target: Path) -> None:
        calls.append(source.name)
        if len(calls) >= 2:  # b.txt cannot be moved in, and a.txt not put back
            raise OSError(5, "I/O error")
        real_move(source, target)

    with placement.staging_folder(destination) as staging:
        _write(staging / "staged", {"a.txt": "new a\n", "b.txt": "new b\n"})
        monkeypatch.setattr(placement, "move", failing_move)
        with pytest.raises(DestinationError, match="originals are kept in"):
            placement.place_files(
                staging / "staged",
                destination,
                files,
                may_replace=frozenset(files),
                backup=staging / placement.BACKUP_FOLDER,
            )
    assert (staging / placement.BACKUP_FOLDER / "a.txt").read_text() == "old a\n"
    assert (destination / "b.txt").read_text() == "old b\n"


_KILLED_RUN = textwrap.dedent(
    """
    import os, signal, sys
    from scaffold.cli import main
    from scaffold.generate import placement

    real = placement.move
    def move_then_die(source, target):
        real(source, target)
        if target.name == "a.txt":  # the user's a.txt was just replaced
            os.kill(os.getpid(), signal.SIGKILL)

    placement.move = move_then_die
    sys.exit(main(sys.argv[1:]))
    """
)


def _killed_while_replacing(template: Path, tmp_path: Path) -> tuple[list[str], Path]:
    """`new --force` over the user's project, killed (SIGKILL) right after it replaced the
    user's a.txt: its argv and the staging folder it left, the original kept in it."""
    _user_project(tmp_path, template)
    argv = ["new", "--template", str(template), "proj", "--force", "-q"]
    killed = subprocess.run([sys.executable, "-c", _KILLED_RUN, *argv], cwd=tmp_path, check=False)
    assert killed.returncode == -9
    (leftover,) = (tmp_path / "proj").glob(".proj.scaffold-*")
    return argv, leftover


def test_the_run_after_a_killed_one_names_the_kept_originals(
    template: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv, leftover = _killed_while_replacing(template, tmp_path)
    assert (leftover / ".backup" / "a.txt").read_text() == "user a\n"
    assert (tmp_path / "proj" / "a.txt").read_text() == "new a x\n"  # replaced, then killed
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert f"the originals it replaced are kept in {leftover / '.backup'}" in err
    assert (leftover / ".backup" / "a.txt").read_text() == "user a\n"


def test_the_run_after_a_killed_one_removes_its_empty_staging(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    leftover = tmp_path / "proj" / f".proj.scaffold-{dead.stdout.strip()}-abc"
    _write(leftover, {"proj/half.txt": "half-rendered\n"})
    alive = tmp_path / "proj" / f".proj.scaffold-{os.getppid()}-abc"  # a running process
    alive.mkdir()
    monkeypatch.chdir(tmp_path)
    assert main(["new", "module", "util", "--dest", "proj", "-q"]) == 0
    assert f"removed {leftover}" in capsys.readouterr().err
    assert not leftover.exists() and alive.is_dir()


def test_a_ctrl_c_while_rendering_says_interrupted_and_changes_nothing(
    template: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _user_project(tmp_path, template)
    before = snapshot(tmp_path)
    injector = Injector(fault="sigint", at=1)
    arm_when_called(monkeypatch, injector, scaffold.generate.run, "_render")
    install(monkeypatch, injector)
    monkeypatch.chdir(tmp_path)
    code = main(["new", "--template", str(template), "proj", "--force", "-q"])
    # Where the Ctrl-C landed, should it not interrupt: the first steps the injector saw.
    assert code == 130, injector.names[:4]
    assert capsys.readouterr().err == "Interrupted.\n"
    assert snapshot(tmp_path) == before


def test_a_dry_run_names_a_killed_runs_staging_and_removes_nothing(
    template: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv, kept = _killed_while_replacing(template, tmp_path)
    dead = kept.name.split("-")[1]
    empty = tmp_path / "proj" / f".proj.scaffold-{dead}-empty"
    _write(empty, {"proj/half.txt": "half-rendered\n"})
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    monkeypatch.chdir(tmp_path)
    assert main([*argv, "--dry-run"]) == 0
    err = capsys.readouterr().err
    assert f"the originals it replaced are kept in {kept / '.backup'}" in err
    assert f"{empty} was left by an earlier scaffold run that was stopped" in err
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before
