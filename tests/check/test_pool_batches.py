"""How a cold run hands files to the parsing workers, and what it asks them to compute."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from scaffold.check import select
from scaffold.check.facts import parse_source
from scaffold.check.incremental import pool
from scaffold.check.incremental.chunks import Chunk
from scaffold.check.incremental.pool import MIN_BATCH_BYTES, ParseJob
from scaffold.check.model import ModuleFacts
from scaffold.check.rules import RULES


def _jobs(sizes: list[int]) -> list[ParseJob]:
    return [ParseJob(f"k{i}", f"p{i}", False, size) for i, size in enumerate(sizes)]


def _sympy_like_sizes() -> list[int]:
    # Many small files and a long tail of large ones, as in sympy (1,533 files, 26 MB).
    rng = random.Random(20)
    return [int(rng.lognormvariate(9, 1.3)) for _ in range(1500)]


def _three_files(folder: Path) -> list[ParseJob]:
    jobs = []
    for name in ("a", "b", "c"):
        path = folder / f"{name}.py"
        path.write_text(f"import os\n{name} = 1\n")
        jobs.append(ParseJob(name, str(path), False, path.stat().st_size))
    return jobs


def test_every_job_is_in_one_batch_and_the_largest_files_go_first() -> None:
    jobs = _jobs(_sympy_like_sizes())
    batches = pool._batches(jobs, 2)
    dealt = [job for batch in batches for job in batch]
    assert sorted(job.key for job in dealt) == sorted(job.key for job in jobs)
    assert [job.size for job in dealt] == sorted((job.size for job in jobs), reverse=True)


def test_batches_shrink_so_that_the_workers_finish_together() -> None:
    # The last batches hold little source: the worker that takes one last finishes at most
    # that much after the other. Eight even batches per worker left 1/16 of the tree.
    sizes = _sympy_like_sizes()
    total = sum(sizes)
    batches = pool._batches(_jobs(sizes), 2)
    weights = [sum(job.size for job in batch) for batch in batches]
    assert weights[0] >= total // 5
    tail = weights[-4:]
    assert max(tail) <= 2 * MIN_BATCH_BYTES
    assert max(tail) < total / 100
    assert weights[0] == max(weights)


def test_a_file_larger_than_any_share_is_a_batch_of_its_own() -> None:
    batches = pool._batches(_jobs([10_000_000, 10, 20, 30]), 2)
    assert [job.size for job in batches[0]] == [10_000_000]
    assert sum(len(batch) for batch in batches) == 4


def test_a_run_without_a_cache_does_not_digest_contents(tmp_path: Path) -> None:
    files = _three_files(tmp_path)
    for workers in (0, 2):
        uncached = list(pool.parse_jobs(files, workers))
        cached = list(pool.parse_jobs(files, workers, for_cache=True))
        assert {parsed.digest for parsed in uncached} == {None}
        assert None not in {parsed.digest for parsed in cached}
        assert {p.key: p.decoded() for p in uncached} == {p.key: p.decoded() for p in cached}


def test_only_plain_tuples_cross_between_the_processes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Pickling a slotted record goes through Python-level methods on both sides: ~10x the
    # cost of a tuple, 0.3 s of the main process for a 10,000-file tree. The forked workers
    # inherit these patches, so a job or a result pickled as a record fails the run.
    def refuse(self: object, protocol: int) -> object:
        raise AssertionError(f"{type(self).__name__} pickled")

    monkeypatch.setattr(pool.ParseJob, "__reduce_ex__", refuse)
    monkeypatch.setattr(pool.Parsed, "__reduce_ex__", refuse)
    files = _three_files(tmp_path)
    for for_cache in (False, True):
        parsed = list(pool.parse_jobs(files, 2, for_cache=for_cache))
        assert sorted(p.key for p in parsed) == ["a", "b", "c"]
        assert all(p.encoded is not None and p.facts is None for p in parsed)
        assert parsed[0].decoded().bindings == {parsed[0].key, "os"}


def test_the_workers_results_are_named_by_this_process_own_keys(tmp_path: Path) -> None:
    # A worker names each file by its place in the batch; a key it sent back would be a new
    # string, whose every lookup in the cache's dicts compared characters. A file it cannot
    # read (gone since the walk) comes as a result, the others in the batch's Chunk.
    jobs = _three_files(tmp_path)
    jobs.insert(1, ParseJob("gone", str(tmp_path / "gone.py"), False, 50))
    jobs = [ParseJob(f"key-{job.key}", job.path, False, job.size) for job in jobs]
    mine = {job.key: job.key for job in jobs}
    chunks: list[Chunk] = []
    for workers, for_cache in ((2, True), (2, False), (0, True)):
        chunks.clear()
        found = pool.parse_jobs(jobs, workers, for_cache=for_cache, stored=chunks.append)
        parsed = {p.key: p for p in found}
        assert parsed.keys() == mine.keys()
        assert all(key is mine[key] for key in parsed)
        assert parsed["key-gone"].decoded().error is not None
        assert parsed["key-a"].decoded().bindings == {"a", "os"}
        if workers and for_cache:
            stored = [key for chunk in chunks for key in chunk.keys]
            assert sorted(stored) == ["key-a", "key-b", "key-c"]
            assert all(key is mine[key] for key in stored)
            assert parsed["key-gone"].digest is None


_MAIN_PID = os.getpid()


def _dies_in_a_worker(data: bytes, is_package: bool = False) -> ModuleFacts:
    """parse_source, except that a worker given a file saying DIE ends at once."""
    if b"DIE" in data and os.getpid() != _MAIN_PID:
        os._exit(1)
    return parse_source(data, is_package=is_package)


def test_the_batches_a_killed_worker_left_are_parsed_here(tmp_path: Path) -> None:
    # Out of memory, say: the pool breaks, and every file it did not send back is parsed
    # here, once, so the run still reports on each (those of the batches before, if they
    # came back, not again). Sized for batches of ten files, then fewer.
    jobs = []
    for n in range(40):
        path = tmp_path / f"m{n}.py"
        path.write_text(f"import os\nX{n} = {'DIE' if n == 30 else n}\n")
        jobs.append(ParseJob(f"m{n}", str(path), False, 40_000))
    assert len(pool._batches(jobs, 2)) > 3
    for for_cache in (False, True):
        parsed = list(pool.parse_jobs(jobs, 2, _dies_in_a_worker, for_cache=for_cache))
        assert sorted(p.key for p in parsed) == sorted(job.key for job in jobs)
        assert parsed[-1].facts is not None  # the last ones parsed here
        facts = {p.key: p.decoded() for p in parsed}
        assert facts["m30"].bindings == {"X30", "os"}
        assert facts["m39"].bindings == {"X39", "os"}


def test_unknown_noqa_codes_builds_the_known_codes_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # Asked once per file of a run: building every rule's codes each time cost ~16 ms of a
    # cold run on sympy.
    calls: list[str] = []
    letters = select._letters

    def counted(code: str) -> str:
        calls.append(code)
        return letters(code)

    monkeypatch.setattr(select, "_letters", counted)
    select._known_codes.cache_clear()
    for _ in range(50):
        assert select.unknown_noqa_codes([(1, frozenset({"EXP001"}))]) == []
    assert len(calls) <= 2 * len(RULES) + 50
    assert select.unknown_noqa_codes([(3, frozenset({"EXP999", "E501"}))])[0][:2] == (
        3,
        "EXP999",
    )


def test_meanwhile_runs_once_the_workers_have_their_work(tmp_path: Path) -> None:
    jobs = _three_files(tmp_path)
    seen: list[str] = []
    for parsed in pool.parse_jobs(jobs, 2, meanwhile=lambda: seen.append("meanwhile")):
        seen.append(parsed.key)
    assert seen[0] == "meanwhile"
    assert sorted(seen[1:]) == ["a", "b", "c"]
    # Parsing here leaves nothing to wait for: nothing runs meanwhile.
    assert len(list(pool.parse_jobs(jobs, 0, meanwhile=lambda: seen.append("here")))) == 3
    assert "here" not in seen


PROBE = """
import sys
from scaffold.check.incremental import pool
from scaffold.check.incremental.chunks import Chunk
from scaffold.check.model import ModuleFacts
from scaffold.check.incremental.run import run_check
from scaffold.check.options import CheckOptions

parse_jobs = pool.parse_jobs
loaded = []

def watched(*args, **kwargs):
    for parsed in parse_jobs(*args, **kwargs):
        loaded.append("scaffold.check.analysis" in sys.modules)
        yield parsed

pool.parse_jobs = watched
run_check(CheckOptions(paths=(sys.argv[1],), use_cache=False, workers=2))
print(loaded[0], len(loaded))
"""


def test_a_cold_run_loads_the_rules_while_the_workers_parse(tmp_path: Path) -> None:
    # In a fresh interpreter: this one has imported the rules long ago.
    _three_files(tmp_path)
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path)], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["True", "3"]


ORPHANED = """
import os, signal, sys
from scaffold.check.incremental import pool
from scaffold.check.incremental.chunks import Chunk
from scaffold.check.model import ModuleFacts
from scaffold.check.incremental.run import run_check
from scaffold.check.options import CheckOptions

real = pool._encode_batch

def end_the_command_then_parse(*args):
    os.kill(os.getppid(), signal.SIGTERM)  # `kill PID`: the command alone, not its workers
    return real(*args)

pool._encode_batch = end_the_command_then_parse
run_check(CheckOptions(paths=(sys.argv[1],), use_cache=False, workers=2))
"""


def _run_until_its_pipes_close(script: str, tmp_path: Path) -> int:
    """Run `script` on three files in a session of its own; its exit status once nothing
    holds its stdout and stderr (the workers, if they outlived it, are killed after)."""
    _three_files(tmp_path)
    child = subprocess.Popen(
        [sys.executable, "-c", script, str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        child.communicate(timeout=30)  # returns once nothing holds the pipes
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)  # the workers, if they outlived it
        child.wait()
    return child.returncode


def test_the_workers_end_with_the_command(tmp_path: Path) -> None:
    # Killed alone, the command left its workers waiting for work for good, holding its
    # stdout and stderr: whatever read its output (a CI step, an editor, `$(...)`) hung.
    assert _run_until_its_pipes_close(ORPHANED, tmp_path) == -signal.SIGTERM


ORPHANED_EARLY = """
import os, signal, sys
from scaffold.check.incremental import pool
from scaffold.check.incremental.chunks import Chunk
from scaffold.check.model import ModuleFacts
from scaffold.check.incremental.run import run_check
from scaffold.check.options import CheckOptions

real = pool._start_worker

def end_the_command_first(parent):
    # The command ends before this worker asks to be killed with it: the request is made
    # for a parent that is gone, and no signal ever comes.
    with __import__("contextlib").suppress(ProcessLookupError):
        os.kill(parent, signal.SIGTERM)
    while os.getppid() == parent:
        os.sched_yield()
    real(parent)

pool._start_worker = end_the_command_first
run_check(CheckOptions(paths=(sys.argv[1],), use_cache=False, workers=2))
"""


def test_a_worker_whose_command_ended_before_it_started_ends(tmp_path: Path) -> None:
    # CI found this race: the command was killed while its second worker was still starting.
    assert _run_until_its_pipes_close(ORPHANED_EARLY, tmp_path) == -signal.SIGTERM
