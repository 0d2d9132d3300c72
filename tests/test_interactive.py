"""On a terminal, scaffold asks for what is missing; Ctrl-C at a question writes nothing."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")

ROOT = Path(__file__).resolve().parents[1]


class Terminal:
    """A child process on a pseudo-terminal, read until a given text appears."""

    def __init__(self, argv: list[str], cwd: Path) -> None:
        import pty

        self.master, slave = pty.openpty()
        env = {**os.environ, "PYTHONPATH": str(ROOT), "TERM": "dumb"}
        self.proc = subprocess.Popen(
            argv, stdin=slave, stdout=slave, stderr=slave, cwd=cwd, env=env, close_fds=True
        )
        os.close(slave)
        self.output = b""

    def expect(self, text: bytes, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.output:
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"{text!r} never appeared in {self.output[-500:]!r}"
            ready, _, _ = select.select([self.master], [], [], min(remaining, 0.2))
            if ready:
                try:
                    self.output += os.read(self.master, 4096)
                except OSError:  # the child closed the terminal
                    assert text in self.output, self.output[-500:]

    def send(self, data: bytes) -> None:
        os.write(self.master, data)

    def close(self) -> int:
        code = self.proc.wait(timeout=30)
        os.close(self.master)
        return code


def test_missing_name_and_questions_are_asked_on_a_terminal(tmp_path: Path) -> None:
    term = Terminal([sys.executable, "-m", "scaffold", "new", "module"], tmp_path)
    term.expect(b"module name")
    term.send(b"asked\r")
    term.expect(b"description")
    term.send(b"\r")
    term.expect(b"Created module 'asked'")
    assert term.close() == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["asked.py", "test_asked.py"]


def test_ctrl_c_at_a_question_writes_nothing(tmp_path: Path) -> None:
    term = Terminal([sys.executable, "-m", "scaffold", "new", "package", "demo"], tmp_path)
    term.expect(b"description")
    term.send(b"\x03")
    assert term.close() != 0
    assert list(tmp_path.iterdir()) == []
