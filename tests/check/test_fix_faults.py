"""`--fix` on a machine that is not quiet: concurrent editors, links, owners, failing writes.

Every file is fixed or left as it was with a note saying why, and the run goes on; a
Ctrl-C at any step leaves each file whole, old or new, and no temporary file behind.
"""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

import scaffold.check.fix
import scaffold.files
from scaffold.check import CheckOptions
from scaffold.check.fix import FileFix, _write, run_fixes
from scaffold.cli import main
from tests.check.check_support import write_tree
from tests.faults import FAULTS, Injector, arm_when_called, install

Tree = Callable[[Mapping[str, str | bytes]], Path]
UNSORTED = '__all__ = ["b", "a"]\na = b = 1\n'
SORTED = '__all__ = ["a", "b"]\na = b = 1\n'


def _fix(root: Path) -> list[str]:
    options = CheckOptions(paths=(root,), select=("EXP007",), use_cache=False)
    result = run_fixes(options)
    return result.not_written


def _edit_when(
    monkeypatch: pytest.MonkeyPatch, owner: object, name: str, edit: Callable[[], None]
) -> None:
    real = getattr(owner, name)

    def editing(*args: Any, **kwargs: Any) -> Any:
        edit()
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, editing)


@pytest.mark.parametrize(
    "moment",
    [
        (scaffold.check.fix, "_write"),  # saved after --fix read the file
        (scaffold.files, "_keep_identity"),  # saved while --fix wrote its copy
    ],
    ids=["after-reading", "while-writing"],
)
def test_an_edit_made_while_fix_runs_is_kept(
    tree: Tree, monkeypatch: pytest.MonkeyPatch, moment: tuple[object, str]
) -> None:
    root = tree({"mod.py": UNSORTED, "other.py": UNSORTED})
    edited = root / "mod.py"
    users_text = UNSORTED + "c = 3  # typed in the editor meanwhile\n"
    edits = iter([users_text])

    def edit_once() -> None:
        text = next(edits, None)
        if text is not None:
            edited.write_text(text)

    _edit_when(monkeypatch, *moment, edit_once)
    notes = _fix(root)
    assert edited.read_text() == users_text
    assert notes == [f"not fixed: {edited} changed while it was being fixed; it was left as it is"]
    assert (root / "other.py").read_text() == SORTED  # the run went on


def test_a_symlinked_file_is_fixed_through_the_link(tree: Tree) -> None:
    root = tree({"real/mod.py": UNSORTED, "pkg/__init__.py": ""})
    (root / "pkg" / "mod.py").symlink_to(root / "real" / "mod.py")
    assert _fix(root / "pkg") == []
    assert (root / "pkg" / "mod.py").is_symlink()
    assert (root / "real" / "mod.py").read_text() == SORTED


def test_a_file_checked_under_two_names_is_fixed_once_without_a_note(tree: Tree) -> None:
    """The link and its target are both in the tree: one write fixes both names, and the
    second plan finding the file already fixed is no edit by someone else."""
    root = tree({"real/mod.py": UNSORTED, "pkg/__init__.py": ""})
    (root / "pkg" / "mod.py").symlink_to(root / "real" / "mod.py")
    assert _fix(root) == []
    assert (root / "real" / "mod.py").read_text() == SORTED


def test_a_hard_linked_file_is_left_with_a_note(tree: Tree) -> None:
    root = tree({"mod.py": UNSORTED})
    os.link(root / "mod.py", root.parent / "elsewhere.py")
    notes = _fix(root)
    assert notes == [
        f"not fixed: {root / 'mod.py'} has 2 hard links, which rewriting it would split;"
        " apply the fix by hand"
    ]
    assert os.stat(root / "mod.py").st_nlink == 2
    assert (root.parent / "elsewhere.py").read_text() == UNSORTED


def test_mode_is_kept(tree: Tree) -> None:
    root = tree({"mod.py": UNSORTED})
    os.chmod(root / "mod.py", 0o640)
    assert _fix(root) == []
    assert stat.S_IMODE(os.stat(root / "mod.py").st_mode) == 0o640
    assert (root / "mod.py").read_text() == SORTED


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another user")
def test_owner_and_group_are_kept_when_root_fixes_a_users_file(tree: Tree) -> None:
    root = tree({"mod.py": UNSORTED})
    os.chown(root / "mod.py", 1000, 1000)
    os.chmod(root / "mod.py", 0o600)
    assert _fix(root) == []
    info = os.stat(root / "mod.py")
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (1000, 1000, 0o600)
    assert (root / "mod.py").read_text() == SORTED


def test_an_owner_that_cannot_be_kept_is_a_note(
    tree: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tree({"mod.py": UNSORTED})
    real_fstat = os.fstat

    def other_owner(handle: int) -> os.stat_result:
        found = list(real_fstat(handle))
        found[stat.ST_UID] += 1  # the new copy would belong to someone else
        return os.stat_result(found)

    def refused(*args: object) -> None:
        raise PermissionError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "fstat", other_owner)
    monkeypatch.setattr(os, "fchown", refused)
    notes = _fix(root)
    assert len(notes) == 1 and "belongs to another user or group" in notes[0]
    assert (root / "mod.py").read_text() == UNSORTED
    assert sorted(p.name for p in root.iterdir()) == ["mod.py"]  # no temporary file left


def test_text_the_files_encoding_cannot_hold_is_a_note(tmp_path: Path) -> None:
    path = tmp_path / "mod.py"
    path.write_bytes(b"# -*- coding: latin-1 -*-\n__all__ = []\n")
    plan = FileFix(path, "", '# -*- coding: latin-1 -*-\n__all__ = ["\u03c0"]\n', 1, "latin-1")
    note = _write(plan)
    assert (
        note
        == f"{path} not fixed: the fix needs '\u03c0', which its encoding (latin-1) cannot hold"
    )


@pytest.mark.parametrize(
    ("error", "shown"),
    [
        (OSError(errno.ENOSPC, "No space left on device"), "No space left on device"),
        (OSError(errno.EROFS, "Read-only file system"), "Read-only file system"),
        (PermissionError(errno.EACCES, "Permission denied"), "Permission denied"),
    ],
)
def test_a_failing_write_is_a_note_and_the_run_goes_on(
    tree: Tree,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    error: OSError,
    shown: str,
) -> None:
    root = tree({"a.py": UNSORTED, "b.py": UNSORTED})
    real_replace = os.replace

    def failing_for_a(source: Any, target: Any) -> None:
        if Path(target).name == "a.py":
            raise error
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", failing_for_a)
    code = main(["check", str(root), "--select", "EXP007", "--fix", "--no-cache"])
    err = capsys.readouterr().err
    assert code == 1  # a.py's finding is still there
    assert f"note: {root / 'a.py'} not fixed: {shown}" in err
    assert (root / "a.py").read_text() == UNSORTED
    assert (root / "b.py").read_text() == SORTED
    assert sorted(p.name for p in root.iterdir()) == ["a.py", "b.py"]


def test_a_file_deleted_while_fix_runs_is_a_note(
    tree: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tree({"a.py": UNSORTED, "b.py": UNSORTED})
    deletions = iter([lambda: (root / "a.py").unlink()])
    _edit_when(monkeypatch, scaffold.check.fix, "_write", lambda: next(deletions, lambda: None)())
    notes = _fix(root)
    assert len(notes) == 1 and notes[0].startswith(f"{root / 'a.py'} not fixed:")
    assert not (root / "a.py").exists()
    assert (root / "b.py").read_text() == SORTED


@pytest.mark.parametrize("fault", FAULTS)
def test_a_fault_at_any_step_of_fix_leaves_every_file_whole(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fault: str,
) -> None:
    files = {"a.py": UNSORTED, "b.py": UNSORTED, "c.py": '__all__ = ["z", "y"]\ny = z = 1\n'}
    fixed = {"a.py": SORTED, "b.py": SORTED, "c.py": '__all__ = ["y", "z"]\ny = z = 1\n'}
    argv = ["--select", "EXP007", "--fix", "--no-cache"]

    def run(injector: Injector, root: Path) -> tuple[int, str]:
        with monkeypatch.context() as patch:
            install(patch, injector)
            arm_when_called(patch, injector, scaffold.check.fix, "_write")
            monkeypatch.chdir(root)
            code = main(["check", ".", *argv])
        return code, capsys.readouterr().err

    counter = Injector(fault=fault)
    assert run(counter, write_tree(tmp_path / "count", files))[0] == 0
    for at in range(1, counter.count + 1):
        root = write_tree(tmp_path / f"run-{at}", files)
        code, err = run(Injector(fault=fault, at=at), root)
        found = {p.name: p.read_text() for p in root.iterdir()}
        assert set(found) == set(files), f"step {at}: {sorted(found)}"
        for name, text in found.items():
            assert text in (files[name], fixed[name]), f"step {at}: {name} is neither"
        assert code in (0, 1, 130), f"step {at}"
        if code == 130:
            # The interrupted run names exactly the files it fixed; the others are as
            # they were (a bare "Interrupted." left the user to diff every file).
            named = {line.split("fixed: ")[1] for line in err.splitlines() if "fixed: " in line}
            changed = {name for name, text in found.items() if text != files[name]}
            assert named == changed, f"step {at}: {err}"
            assert err.startswith("Interrupted"), err


def test_temp_files_of_a_killed_fix_are_removed_by_the_next(tree: Tree) -> None:
    root = tree({"mod.py": UNSORTED})
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    stale = root / f".mod.py.{dead.stdout.strip()}-0123456789ab.tmp"
    running = root / f".mod.py.{os.getppid()}-0123456789ab.tmp"  # a writer still at work
    # A file the killed run was fixing that needs no fix now (the user fixed it by hand):
    # only the next write in its folder can find its temp file.
    beside = root / f".done.py.{dead.stdout.strip()}-0123456789ab.tmp"
    mine = root / f".notes.{dead.stdout.strip()}-backup.tmp"  # not a name scaffold makes
    for temp in (stale, running, beside, mine):
        temp.write_text("half of a fix")
    assert _fix(root) == []
    assert not stale.exists() and not beside.exists()
    assert running.exists() and mine.exists()
    assert (root / "mod.py").read_text() == SORTED
