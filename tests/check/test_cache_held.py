"""A first run's cache made after the parse, by the children of the forked pool's workers
(incremental.held): every file stored as a worker stored it during the parse, and nothing
lost, kept open or trusted wrongly when a child fails or is cut short."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import suppress
from functools import partial
from pathlib import Path

import pytest

import scaffold.check.incremental.held as held
import scaffold.check.incremental.pool as pool
from scaffold.check import CheckOptions, run_check
from scaffold.check.discover import discover
from scaffold.check.incremental.chunks import Chunk, make_chunk
from scaffold.check.incremental.pool import ParseJob
from scaffold.check.incremental.store import FactsCache, content_digest

from .check_support import DEFAULT
from .test_cache_write_overlap import _tree as _ring

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="forked workers: Linux only")


def _jobs(folder: Path, count: int) -> list[ParseJob]:
    jobs = []
    for n in range(count):
        path = folder / f"m{n}.py"
        path.write_text(f"import os\nX{n} = {n}\n")
        jobs.append(ParseJob(f"key-m{n}", str(path), False, 40_000, rel=f"m{n}.py"))
    return jobs


def _open_descriptors() -> set[str]:
    return set(os.listdir("/proc/self/fd"))


def _children() -> list[str]:
    """This process's children, zombies included (the workers' children are handed to it
    when the workers end, and reaped once they are done)."""
    tasks = Path("/proc/self/task")
    return [pid for task in tasks.iterdir() for pid in (task / "children").read_text().split()]


def test_the_chunks_come_after_the_parse_with_every_file_read(tmp_path: Path) -> None:
    # During the parse no chunk is stored and every file's facts come as a result; the
    # chunks come after it, named by this process's own keys, one entry per file read
    # (not the one gone since the walk), with the content hash of its bytes and the digest
    # of the facts sent for it.
    jobs = _jobs(tmp_path, 30)
    jobs.insert(7, ParseJob("key-gone", str(tmp_path / "gone.py"), False, 40_000, rel="gone.py"))
    mine = {job.key: job.key for job in jobs}
    assert len(pool._batches(jobs, 2)) > 3
    before = _open_descriptors()
    during: list[Chunk] = []
    later: list[object] = []
    parsed = {
        p.key: p
        for p in pool.parse_jobs(jobs, 2, for_cache=True, stored=during.append, later=later.append)
    }
    assert during == [] and len(later) == 1
    assert parsed.keys() == mine.keys()
    assert all(p.encoded is not None and p.digest is None for p in parsed.values())
    chunks = list(later[0])  # type: ignore[call-overload]
    stored = [key for chunk in chunks for key in chunk.keys]
    assert sorted(stored) == sorted(key for key in mine if key != "key-gone")
    assert all(key is mine[key] for key in stored)
    for chunk in chunks:
        for key, digest, facts_digest in zip(
            chunk.keys, chunk.digests, chunk.facts_digests, strict=True
        ):
            path = tmp_path / f"{key.removeprefix('key-')}.py"
            assert digest == content_digest(path.read_bytes())
            assert facts_digest == content_digest(bytes(parsed[key].encoded))  # type: ignore[arg-type]
    del chunks, chunk, later  # what they are read from (mapped) is let go with them
    assert _open_descriptors() == before
    assert _children() == []  # none left behind, not even a zombie
    assert held._reaper(None) == 0  # and orphans are this process's no more


def _tree(root: Path, count: int) -> Path:
    """A ring of `count` modules (an import cycle), and a module that imports nothing there."""
    root = _ring(root, count)
    (root / "pkg" / "bad.py").write_text("import nowhere_at_all\n")
    return root


def _report(root: Path, *, use_cache: bool = True) -> list[tuple[str, str, int]]:
    options = CheckOptions(paths=(root / "pkg",), select=DEFAULT, use_cache=use_cache, workers=2)
    return sorted((d.code, d.path, d.line) for d in run_check(options).diagnostics)


def _stored(root: Path) -> tuple[object, ...]:
    # Each file's size and content hash (its inode and times are its tree's own).
    cache = FactsCache.open(discover(root / "pkg"))
    index = {rel: (entry[0], entry[4]) for rel, entry in cache._index.items()}
    return index, cache._entry_digests, cache._entries


@pytest.fixture
def in_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pool, "MIN_BATCH_BYTES", 1)
    monkeypatch.setattr(pool, "POOL_MIN_BYTES", 0)


@pytest.mark.usefixtures("in_batches")
def test_the_cache_made_after_the_parse_is_the_one_made_during_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The same index, entry digests and entries as when each worker made its batches'
    # chunks as it parsed them (its pipe left unclaimed: the way of a forkserver's workers).
    after, during = _tree(tmp_path / "after", 12), _tree(tmp_path / "during", 12)
    expected = _report(after, use_cache=False)
    assert expected and _report(after) == expected
    with monkeypatch.context() as patched:
        patched.setattr(held, "claim", lambda fds: None)
        assert _report(during) == _report(after)
    assert _stored(after) == _stored(during)
    warm: list[object] = []

    def parse_jobs(*args: object, **kwargs: object) -> Iterator[object]:
        warm.append(args)
        return iter(())

    monkeypatch.setattr(pool, "parse_jobs", parse_jobs)
    assert _report(after) == expected  # nothing parsed again
    assert warm == []


@pytest.mark.usefixtures("in_batches")
def test_a_child_that_fails_leaves_its_files_to_the_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Its files are not stored (they are parsed again next time); the run reports as
    # without the cache, and keeps no pipe open.
    root = _tree(tmp_path, 12)
    expected = _report(root, use_cache=False)

    def fails(*args: object) -> object:
        raise MemoryError

    before = _open_descriptors()
    with monkeypatch.context() as patched:
        patched.setattr(held, "_made", fails)  # in the children forked after this
        assert _report(root) == expected
    assert _open_descriptors() == before
    tree = discover(root / "pkg")
    cache = FactsCache.open(tree)
    assert not any(cache.has_facts(source) for source in tree.files)
    assert _report(root) == expected  # stored now
    cache = FactsCache.open(tree)
    assert all(cache.has_facts(source) for source in tree.files)


def test_what_a_child_sent_is_read_up_to_where_it_was_cut_short(tmp_path: Path) -> None:
    batches = [[f"b{b}-f{f}" for f in range(4)] for b in range(2)]
    made = [
        (
            number,
            [0, 2, 3],
            make_chunk(
                (),
                [f"{number}/{f}.py" for f in (0, 2, 3)],
                [(10 + f, 20, 30, 40, content_digest(b"%d" % f)) for f in (0, 2, 3)],
                [False, True, False],
                [b"facts %d %d" % (number, f) for f in (0, 2, 3)],
            ),
        )
        for number in (1, 0)
    ]
    data = b"".join(held._sent(made))
    whole = list(held._received(data, batches))
    assert [chunk.keys for chunk in whole] == [
        ["b1-f0", "b1-f2", "b1-f3"],
        ["b0-f0", "b0-f2", "b0-f3"],
    ]
    for chunk, (_, _, sent) in zip(whole, made, strict=True):
        assert chunk.digests == sent.digests and chunk.facts_digests == sent.facts_digests
        assert bytes(chunk.index_items) == sent.index_items
        assert bytes(chunk.digest_items) == sent.digest_items
        assert bytes(chunk.entry_items) == sent.entry_items
        assert chunk.sample == sent.sample and chunk.racy == sent.racy
    first_end = len(data) - sum(len(part) for part in made[1][2][4:7])
    assert [len(list(held._received(data[:cut], batches))) for cut in (0, 5, 20)] == [0, 0, 0]
    assert len(list(held._received(data[: first_end - 1], batches))) == 0
    assert len(list(held._received(data[:first_end], batches))) == 1
    assert len(list(held._received(data[:-1], batches))) == 1


@pytest.mark.usefixtures("in_batches")
def test_a_worker_that_cannot_start_a_child_makes_the_chunks_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A limit on processes: each worker makes its batches' chunks as it ends, and every
    # file is stored all the same.
    root = _tree(tmp_path, 12)

    def no_process() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(held, "_fork", no_process)  # in the workers forked after this
    assert _report(root) == _report(root, use_cache=False)
    tree = discover(root / "pkg")
    cache = FactsCache.open(tree)
    assert all(cache.has_facts(source) for source in tree.files)


def test_an_interrupted_worker_starts_no_child(monkeypatch: pytest.MonkeyPatch) -> None:
    # Ctrl-C reaches the workers too: a worker ending on it makes no chunks.
    started: list[str] = []
    monkeypatch.setattr(held, "_fork", partial(started.append, "fork"))
    read, write = os.pipe()
    memory = os.memfd_create("test")
    monkeypatch.setattr(held, "_held", [(0, 1, [], [], [], [], [], [])])
    monkeypatch.setattr(held, "_out", (write, memory))
    monkeypatch.setattr(held, "_interrupted", False)
    with pytest.raises(KeyboardInterrupt):
        held._interrupt(signal.default_int_handler, signal.SIGINT, None)
    held._make_held()
    assert started == [] and held._out is None
    assert os.read(read, 1) == b""  # its ends closed, nothing said
    os.close(read)


def test_a_child_not_waited_for_is_ended_and_reaped(tmp_path: Path) -> None:
    # A run interrupted before it took the chunks: what its workers said of their children
    # is read as the pipes are let go, and each child is ended and reaped.
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child's coverage is not collected
        time.sleep(60)
        os._exit(0)
    os.write(write, held._CHILD + child.to_bytes(4, "little"))
    held._end([read, write], [read], {}, held._reaper(None) or 0)
    with pytest.raises(ChildProcessError):
        os.waitpid(child, os.WNOHANG)


INTERRUPTED = """
import os, signal, sys
from scaffold.check.incremental import held, pool
from scaffold.check import CheckOptions, run_check

signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a terminal, wherever run
pool.MIN_BATCH_BYTES, pool.POOL_MIN_BYTES = 1, 0
chunks = held.Pipes.chunks

def interrupted_as_taken(self, batches):
    os.killpg(0, signal.SIGINT)  # Ctrl-C, as the workers' children make their chunks
    return chunks(self, batches)

held.Pipes.chunks = interrupted_as_taken
try:
    run_check(CheckOptions(paths=(sys.argv[1],), workers=2))
except KeyboardInterrupt:
    sys.exit(130)
"""


def test_ctrl_c_while_the_children_make_the_chunks_leaves_nothing(tmp_path: Path) -> None:
    root = _tree(tmp_path, 12)
    child = subprocess.Popen(
        [sys.executable, "-c", INTERRUPTED, str(root / "pkg")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        child.communicate(timeout=60)
    finally:
        left = subprocess.run(
            ["ps", "-o", "pid=,stat=", "-g", str(child.pid)], capture_output=True, text=True
        ).stdout.split("\n")
        with suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)
    assert child.returncode == 130
    assert [line for line in left if line.strip()] == []  # no process, not even a zombie
    assert not (root / ".scaffold_cache").exists() or not any((root / ".scaffold_cache").iterdir())
