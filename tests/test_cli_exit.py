"""The console script exits without the interpreter's teardown, and only when that is safe."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

# Run as the console script runs: `run_console` with the arguments in sys.argv. An object
# that says when it is freed shows whether the interpreter's teardown ran; an atexit
# handler that the handlers still run.
_CONSOLE = textwrap.dedent(
    """
    import atexit, os, sys, threading

    class Freed:
        def __del__(self):
            os.write(2, b"torn down\\n")

    kept = Freed()
    atexit.register(lambda: os.write(2, b"atexit ran\\n"))
    if os.environ.get("WITH_THREAD"):
        def later():
            threading.main_thread().join()  # returns once the interpreter exits as usual
            os.write(2, b"thread done\\n")
        threading.Thread(target=later).start()
    sys.argv = ["scaffold", *sys.argv[1:]]
    from scaffold.cli import run_console
    run_console()
    """
)


def _run(tmp_path: Path, *args: str, thread: bool = False) -> subprocess.CompletedProcess[str]:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("from os import *\n")
    return subprocess.run(
        [sys.executable, "-c", _CONSOLE, *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "WITH_THREAD": "1" if thread else ""},
        check=False,
    )


def test_the_console_script_skips_the_teardown_but_runs_atexit_and_flushes(
    tmp_path: Path,
) -> None:
    proc = _run(tmp_path, "check", "pkg", "--no-cache")
    assert proc.returncode == 1  # the finding fails the check: the code comes through
    assert "F403" in proc.stdout or "IMP" in proc.stdout  # the report, flushed
    assert "atexit ran" in proc.stderr
    assert "torn down" not in proc.stderr


def test_a_running_thread_is_waited_for_as_by_a_normal_exit(tmp_path: Path) -> None:
    proc = _run(tmp_path, "check", "pkg", "--no-cache", "--exit-zero", thread=True)
    assert proc.returncode == 0
    assert "thread done" in proc.stderr
    assert "atexit ran" in proc.stderr


def test_python_dash_m_scaffold_exits_with_the_command_s_code(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("from os import *\n")
    proc = subprocess.run(
        [sys.executable, "-m", "scaffold", "check", "pkg", "--no-cache", "--select", "NOPE1"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert proc.returncode == 2
    assert "NOPE1" in proc.stderr
