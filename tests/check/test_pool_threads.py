"""The worker processes of a threaded process (the language server) are not forked from it:
a forked child inherits the locks other threads held, and hung for ever at the server's
first read of sympy. Run in a fresh interpreter, whose threads the test controls."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the pool forks on Linux only")

PROBE = """
import sys, threading
from scaffold.check.incremental import pool

def parse_all():
    jobs = [pool.ParseJob(str(i), path, False, 1) for i, path in enumerate(sys.argv[1:])]
    return sorted(parsed.key for parsed in pool.parse_jobs(jobs, 2))

print(pool._context().get_start_method(), pool.start_in_fork(lambda: b"x")())
stop = threading.Event()
thread = threading.Thread(target=stop.wait)
thread.start()
try:
    print(pool._context().get_start_method(), pool.start_in_fork(lambda: b"x")())
    print(parse_all())
finally:
    stop.set()
    thread.join()
"""


def test_a_threaded_process_starts_workers_from_a_forkserver_and_forks_nothing(
    tmp_path: Path,
) -> None:
    files = []
    for name in ("a", "b", "c"):
        (tmp_path / f"{name}.py").write_text(f"{name} = 1\n", encoding="utf-8")
        files.append(str(tmp_path / f"{name}.py"))
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *files], capture_output=True, text=True, check=True
    )
    assert done.stdout.splitlines() == [
        "fork b'x'",  # one thread: forked, as a cold check always was
        "forkserver None",  # threaded: no fork; the caller does the work itself
        "['0', '1', '2']",  # and the pool still parses every file
    ]


PREPARED = """
from multiprocessing import forkserver
from scaffold.check.incremental import pool

pool.prepare_forkserver()
server = forkserver._forkserver
print(server._forkserver_pid is not None, server._preload_modules)
"""


def test_a_prepared_forkserver_runs_already_with_the_parsing_modules_loaded() -> None:
    # The language server prepares it before its own slow imports, so the workers of its
    # first read fork from a process that has imported the checker once, not each its own.
    done = subprocess.run(
        [sys.executable, "-c", PREPARED], capture_output=True, text=True, check=True
    )
    assert done.stdout.splitlines() == ["True ['__main__', 'scaffold.check.incremental.pool']"]
