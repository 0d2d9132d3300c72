"""Running one check command: in the project, with a timeout, its whole process group stoppable."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
from collections.abc import Mapping
from pathlib import Path

from scaffold.template_testing.declared import Command

__all__ = ["Processes", "run_command"]


class Processes:
    """The commands running now, so Ctrl-C can stop every one of them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: set[subprocess.Popen[str]] = set()

    def add(self, process: subprocess.Popen[str]) -> None:
        with self._lock:
            self._running.add(process)

    def discard(self, process: subprocess.Popen[str]) -> None:
        with self._lock:
            self._running.discard(process)

    def kill_all(self) -> None:
        with self._lock:
            running = list(self._running)
        for process in running:
            _kill(process)


def _kill(process: subprocess.Popen[str]) -> None:
    # Each command leads its own process group, so a shell's children stop with it.
    with contextlib.suppress(OSError):
        if hasattr(os, "killpg"):
            os.killpg(process.pid, signal.SIGKILL)
        else:  # pragma: no cover - Windows
            process.kill()


def run_command(
    command: Command,
    cwd: Path,
    env: Mapping[str, str],
    timeout: float,
    processes: Processes,
) -> tuple[bool, str]:
    """Run `command` in `cwd`; return whether it exited 0 and its output (stderr merged).

    A string runs through the shell (pipes, `&&`, variables work as in CI); a tuple runs
    as it is. A command that outlives `timeout` seconds is killed, with its children,
    and fails.
    """
    shell = isinstance(command, str)
    try:
        process = subprocess.Popen(
            command if shell else list(command),
            shell=shell,
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            start_new_session=True,
        )
    except OSError as exc:
        return False, f"cannot run {command[0] if not shell else command!r}: {exc.strerror or exc}"
    processes.add(process)
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(process)
        output, _ = process.communicate()
        return False, f"timed out after {timeout:g} s and was stopped\n{output}"
    except BaseException:
        _kill(process)
        process.wait()
        raise
    finally:
        processes.discard(process)
    if process.returncode != 0:
        return False, output if output.strip() else f"exit code {process.returncode}, no output"
    return True, output
