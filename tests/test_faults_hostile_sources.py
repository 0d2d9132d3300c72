"""A source file replaced by a FIFO after discovery listed it (between the walk and the
parse) is a file that cannot be read (SYN002, as an unreadable file): opening it for
reading blocked for ever, in this process or in a parsing worker (whose parent then waited
on it, and a killed parent left it behind).

Each check runs in a child process, whose walk is wrapped to swap the file once the walk is
done (a step, not a timing); a hung child fails the test when the guard kills it (a
ceiling far above a run of about a second, not a measurement).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.check.check_support import write_tree

HANG_GUARD = 120

_CHILD = """
import os, sys
import scaffold.check.walk as walk
from scaffold.cli import main

real = walk.Walk.run

def run_then_swap(self, walk_from):
    real(self, walk_from)
    target = sys.argv[1]
    if os.path.isfile(target):
        os.unlink(target)
        os.mkfifo(target)

walk.Walk.run = run_then_swap
sys.exit(main(["check", *sys.argv[2:]]))
"""

# Above the pool's threshold (1 MB of source), so that workers parse it.
_BIG = "".join(f"NAME_{n} = {n}\n" for n in range(4000))


@pytest.mark.parametrize("size", ["small", "pooled"])
@pytest.mark.parametrize("cache", ["--no-cache", "cache"])
def test_a_source_swapped_for_a_fifo_after_the_walk_is_reported_not_waited_on(
    tmp_path: Path, size: str, cache: str
) -> None:
    files = {"pkg/__init__.py": "", "pkg/victim.py": "x = 1\n"}
    if size == "pooled":
        files |= {f"pkg/big{n}.py": _BIG for n in range(30)}
    root = write_tree(tmp_path / "project", files)
    extra = ["--no-cache"] if cache == "--no-cache" else ["--cache-dir", str(tmp_path / "c")]
    argv = [sys.executable, "-c", _CHILD, str(root / "pkg" / "victim.py"), str(root), *extra]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=HANG_GUARD)
    except subprocess.TimeoutExpired:
        pytest.fail("the check hung on a FIFO swapped in after the walk")
    assert done.returncode == 1, done.stderr
    found = [line for line in done.stdout.splitlines() if "SYN002" in line]
    assert len(found) == 1 and "victim.py" in found[0], done.stdout
    assert "not a regular file" in found[0]
    assert "Traceback" not in done.stderr
