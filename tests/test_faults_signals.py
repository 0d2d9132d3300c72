"""SIGTERM and SIGHUP stop a writing command as Ctrl-C does, in a real interpreter.

`kill`, `timeout` or a cancelled CI job (SIGTERM) and a closed terminal (SIGHUP) ended the
process between two steps of `new --force` by default: the user's file replaced, its
original only in a staging folder. Now the change is undone (or reported complete) as for
a Ctrl-C, and the exit code is 128 + the signal's number. The signal is sent by a hook at
a chosen step, not by timing.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from scaffold.generate import temporaries
from scaffold.interrupts import exit_code_of_interrupt, stops_interrupt
from tests.faults import snapshot
from tests.test_faults_placement import TEMPLATE, _user_project, _write

# The user's a.txt has just been replaced by the template's when the signal arrives.
_SIGNALLED_RUN = textwrap.dedent(
    """
    import os, signal, sys
    from scaffold.cli import main
    from scaffold.generate import placement

    real = placement.move
    def move_then_signal(source, target):
        real(source, target)
        if target.name == "a.txt":
            os.kill(os.getpid(), int(os.environ["SIGNAL"]))

    placement.move = move_then_signal
    sys.exit(main(sys.argv[1:]))
    """
)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_a_stopping_signal_while_replacing_files_undoes_the_change(
    tmp_path: Path, signum: signal.Signals
) -> None:
    template = tmp_path / "template"
    _write(template, TEMPLATE)
    _user_project(tmp_path / "work", template)
    before = snapshot(tmp_path / "work")
    argv = ["new", "--template", str(template), "proj", "--force", "-q"]
    run = subprocess.run(
        [sys.executable, "-c", _SIGNALLED_RUN, *argv],
        cwd=tmp_path / "work",
        env={**os.environ, "SIGNAL": str(int(signum))},
        capture_output=True,
        text=True,
        check=False,
    )
    assert (run.returncode, run.stderr) == (128 + signum, "Interrupted.\n")
    assert snapshot(tmp_path / "work") == before  # no staging folder, every original back


_FIX_RUN = textwrap.dedent(
    """
    import os, signal, sys
    import scaffold.check.fix as fix
    from scaffold.cli import main

    real = fix._write
    def write_then_term(plan):
        problem = real(plan)
        os.kill(os.getpid(), signal.SIGTERM)  # after the first file's write
        return problem

    fix._write = write_then_term
    sys.exit(main(sys.argv[1:]))
    """
)


def test_a_sigterm_during_fix_names_the_files_fixed(tmp_path: Path) -> None:
    unsorted = '__all__ = ["b", "a"]\na = b = 1\n'
    _write(tmp_path, {"pkg/__init__.py": "", "pkg/one.py": unsorted, "pkg/two.py": unsorted})
    argv = ["check", "pkg", "--fix", "--select", "EXP007", "--no-cache"]
    run = subprocess.run(
        [sys.executable, "-c", _FIX_RUN, *argv],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 143, run.stderr
    assert run.stderr.startswith("Interrupted after fixing 1 file"), run.stderr
    texts = {(tmp_path / f"pkg/{n}.py").read_text() for n in ("one", "two")}
    assert texts == {unsorted, '__all__ = ["a", "b"]\na = b = 1\n'}


_NOQA_RUN = textwrap.dedent(
    """
    import os, signal, sys
    import scaffold.check.add_noqa as add_noqa
    from scaffold.cli import main

    real = add_noqa.write_fix
    def write_then_signal(plan):
        real(plan)
        os.kill(os.getpid(), int(os.environ["SIGNAL"]))  # after the first file's write

    add_noqa.write_fix = write_then_signal
    sys.exit(main(sys.argv[1:]))
    """
)


@pytest.mark.parametrize(
    "signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=["SIGINT", "SIGTERM", "SIGHUP"]
)
def test_a_signal_during_add_noqa_names_the_files_edited(
    tmp_path: Path, signum: signal.Signals
) -> None:
    # SIGTERM ended it silently mid-way (exit -15, no word of which files had comments).
    missing = '__all__ = ["gone"]\n'
    _write(tmp_path, {"pkg/__init__.py": "", "pkg/one.py": missing, "pkg/two.py": missing})
    run = subprocess.run(
        [sys.executable, "-c", _NOQA_RUN, "check", "pkg", "--add-noqa", "--no-cache"],
        cwd=tmp_path,
        env={**os.environ, "SIGNAL": str(int(signum))},
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 128 + signum, run.stderr
    edited = run.stderr.splitlines()
    assert edited[0] == (
        "Interrupted after adding noqa comments to 1 file; every other file is as it was:"
    ), run.stderr
    texts = {n: (tmp_path / f"pkg/{n}.py").read_text() for n in ("one", "two")}
    assert texts["one"] == '__all__ = ["gone"]  # noqa: EXP001\n'
    assert texts["two"] == missing
    assert edited[1:] == [f"  edited: {os.path.join('pkg', 'one.py')}"]


def test_a_ctrl_c_while_removing_copiers_temporaries_at_exit_is_held(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The command is over when the atexit handler runs: a Ctrl-C there printed a traceback
    # and left the folder half removed.
    folder = tmp_path / "own"
    _write(folder, {"a/b.txt": "x"})
    monkeypatch.setattr(temporaries._own, "folder", folder)
    real = shutil.rmtree

    def interrupted_rmtree(path: Any, **kwargs: Any) -> None:
        if path == folder:  # shutil is everyone's: pytest's own clean-up goes through it
            signal.raise_signal(signal.SIGINT)
        real(path, **kwargs)

    monkeypatch.setattr(shutil, "rmtree", interrupted_rmtree)
    temporaries._remove_own(os.getpid())
    assert not folder.exists()


def test_the_exit_code_of_a_sigterm_is_not_kept_for_the_next_command() -> None:
    # In one process (a test run, a program calling main twice) a Ctrl-C after a command
    # a SIGTERM ended exited 143 too.
    with pytest.raises(KeyboardInterrupt), stops_interrupt():
        signal.raise_signal(signal.SIGTERM)
    assert exit_code_of_interrupt() == 143
    assert exit_code_of_interrupt() == 130
