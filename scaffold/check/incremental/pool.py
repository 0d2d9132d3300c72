"""Worker processes: parse files into encoded facts when that pays; run work in a fork.

`read_facts` is a pipeline FactsReader (with the cache or without); `in_fork` runs a whole
import-time simulation beside the other rules.
"""

from __future__ import annotations

import marshal
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import TYPE_CHECKING, TypeVar

from scaffold.check.discover import SourceFile
from scaffold.check.facts import parse_source
from scaffold.check.facts.files import read_source, read_source_stated
from scaffold.check.incremental.chunks import Chunk, make_chunk
from scaffold.check.incremental.contents import sample_step
from scaffold.check.incremental.held import Pipes, claim, encode_held, holding
from scaffold.check.incremental.records import CODEC, decode_sent_facts, encode_facts
from scaffold.check.incremental.stat_index import file_size
from scaffold.check.incremental.store import FactsCache, NewEntry, content_digest
from scaffold.check.memory import finish_background, without_cyclic_gc
from scaffold.check.model import ModuleFacts

if TYPE_CHECKING:
    from multiprocessing.context import BaseContext

__all__ = [
    "ParseJob",
    "Parsed",
    "in_fork",
    "parse_jobs",
    "plan_workers",
    "prepare_forkserver",
    "read_facts",
    "start_in_fork",
]

# Below this much source a pool costs more than it saves: forking and collecting results
# take ~30-60 ms, which is what parsing about a megabyte takes on one core.
POOL_MIN_BYTES = 1_000_000
# Each worker is handed at least this much source, so a pool is never wider than its work.
BYTES_PER_WORKER = 500_000
# Batch sizes shrink as the work left does (guided scheduling): each batch holds this share
# of the source not yet batched, divided among the workers, and never less than
# MIN_BATCH_BYTES. Big batches first cost few round trips; small ones last let both workers
# finish within one small batch of each other. Eight even batches per worker left one
# worker up to a whole batch (1/16 of the tree, ~0.2 s on sympy) behind the other, ~0.04 s
# on average (docs/decisions.md, issue 20).
GUIDED_SHARE = 2
MIN_BATCH_BYTES = 64_000

Parser = Callable[..., ModuleFacts]
T = TypeVar("T")
_TREE_KEY = attrgetter("key")


@dataclass(frozen=True, slots=True)
class ParseJob:
    """One file to parse: its tree key, path, whether it is an `__init__`, its size, the
    size above which it is not parsed (`max-file-size`; None: no limit), and its key in the
    cache's index (for a cache)."""

    key: str
    path: str
    is_package: bool
    size: int
    limit: int | None = None
    rel: str = ""


@dataclass(frozen=True, slots=True)
class Parsed:
    """One parsed file: its content hash (None: unreadable, or parsed for no cache) and its
    facts.

    From a worker the facts arrive encoded (marshal is much faster than pickling records);
    parsed in this process they stay objects.
    """

    key: str
    digest: bytes | None
    # A worker's encoded facts: their own bytes, or a view of its Chunk's entries from where
    # they start (marshal reads one value and leaves the rest).
    encoded: bytes | memoryview | None = None
    facts: ModuleFacts | None = None

    def decoded(self) -> ModuleFacts:
        """The facts, decoding them if they came from a worker."""
        if self.facts is not None:
            return self.facts
        assert self.encoded is not None
        return decode_sent_facts(self.encoded)


def _usable_cores() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def plan_workers(total_bytes: int, cores: int | None = None) -> int:
    """How many processes to parse `total_bytes` of source with; 0 means in this process."""
    cores = _usable_cores() if cores is None else cores
    if cores < 2 or total_bytes < POOL_MIN_BYTES:
        return 0
    return max(2, min(cores, total_bytes // BYTES_PER_WORKER))


def _parse_one(job: ParseJob, parse: Parser, for_cache: bool) -> Parsed:
    data, facts = read_source(job.path, job.is_package, parse, job.limit)
    # Only the cache keeps the hash: a run without one need not pay for it.
    digest = content_digest(data) if data is not None and for_cache else None
    return Parsed(job.key, digest, facts=facts)


def _parse_batch(
    batch: Sequence[ParseJob], parse: Parser = parse_source, for_cache: bool = False
) -> list[Parsed]:
    """Parse each job here, into facts."""
    with without_cyclic_gc():
        return [_parse_one(job, parse, for_cache) for job in batch]


# What crosses between the processes is plain tuples: pickling records (a slotted dataclass
# pickles through Python-level __getstate__/__setstate__) cost ~10x as much, 0.3 s of the
# main process's CPU on each side for a 10,000-file tree (docs/decisions.md, issue 20).
# A job sent: path, is_package, limit, index key. A result: the file's place in its batch,
# content digest (for the cache: a file it cannot store, unreadable), encoded facts; a file
# the cache stores comes in the batch's Chunk instead. The keys stay here (`_parsed`): a
# key unpickled is a new string, and each lookup of a tree key in a dict keyed by it
# compared their characters, away in memory: on 100,000 tiny files ~0.035 s per pass over
# the files, several on a first run (docs/decisions.md, issues 19/21, session 18).
SentJob = tuple[str, bool, "int | None", str]
SentResult = tuple[int, "bytes | None", bytes]
SentBatch = tuple[list[SentResult], "Chunk | None"]


def _start_worker(
    parent: int | None,
    pipes: tuple[int, tuple[int, ...], tuple[int, ...], tuple[int, ...]] | None = None,
) -> None:
    """A pool worker's start (Linux): be killed when the process that started it ends, and
    keep the heap's freed top for the next file.

    Killed alone (`kill PID`, a service manager, an editor), the command left its workers
    waiting for work for good, holding its stdout and stderr, so whatever read its output
    hung. (A Ctrl-C reaches the whole process group, and the workers with it.) `parent`:
    the pid that forked this worker (None when a forkserver did): a parent that ended
    before the request below was made sends nothing, so the worker ends itself then.
    `pipes`: a forked worker's for the cache's Chunks made after the parse (held.claim).
    """
    if sys.platform != "linux":
        return
    import ctypes
    import signal

    pr_set_pdeathsig = 1
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(pr_set_pdeathsig, signal.SIGKILL)
    # glibc gave the heap's freed top back to the system after each file's tree and took it
    # again, page by page, for the next: keep up to 256 MiB of it for this short-lived worker
    # (the environment: 0.6x the page faults and system time; docs/decisions.md, issue 20).
    mallopt = getattr(libc, "mallopt", None)
    if mallopt is not None:
        m_trim_threshold = -1
        mallopt(m_trim_threshold, 256 << 20)
    if parent is not None and os.getppid() != parent:
        os._exit(1)
    if pipes is not None:
        claim(pipes)


def _encode_batch(
    batch: Sequence[SentJob], parse: Parser, every: int, number: int = -1
) -> SentBatch:
    """Parse each job in a worker, into encoded facts (marshal is much faster than pickling
    records). `every` > 0: for the cache, whose part for the batch (a Chunk; one file in
    `every` goes into its sample) the worker makes too, or keeps what it needs for its
    child to make after the parse (incremental.held; `number`: the batch's)."""
    if every and holding():
        return encode_held(batch, parse, every, number), None
    if every:
        return _encode_for_cache(batch, parse, every)
    results: list[SentResult] = []
    with without_cyclic_gc():
        for at, (path, is_package, limit, _) in enumerate(batch):
            facts = read_source(path, is_package, parse, limit)[1]
            results.append((at, None, encode_facts(facts)))
    return results, None


def _encode_for_cache(batch: Sequence[SentJob], parse: Parser, every: int) -> SentBatch:
    """`_encode_batch` for the cache: each file read is stored in the batch's Chunk, under
    the stat of the open file taken before it was read; the others are sent as results.
    The Chunk's keys are left to the process that sent the batch (`_parsed`)."""
    results: list[SentResult] = []
    rels: list[str] = []
    entries: list[tuple[int, int, int, int, bytes]] = []
    packages: list[bool] = []
    encoded: list[bytes] = []
    with without_cyclic_gc():
        for at, (path, is_package, limit, rel) in enumerate(batch):
            data, facts, info = read_source_stated(path, is_package, parse, limit)
            if data is None or info is None:
                results.append((at, None, encode_facts(facts)))
                continue
            rels.append(rel)
            digest = content_digest(data)
            entries.append((info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns, digest))
            packages.append(is_package)
            encoded.append(encode_facts(facts))
        return results, make_chunk((), rels, entries, packages, encoded, every)


def _batches(jobs: Sequence[ParseJob], workers: int) -> list[list[ParseJob]]:
    """The jobs, largest first, cut into batches that shrink with the source left: a worker
    takes the next batch when it is done with one, so the last batches, small and of small
    files, even out when the workers finish."""
    ordered = sorted(jobs, key=lambda job: job.size, reverse=True)
    left = sum(job.size for job in ordered)
    batches: list[list[ParseJob]] = []
    batch: list[ParseJob] = []
    size = 0
    for job in ordered:
        batch.append(job)
        size += job.size
        if size >= max(left // (workers * GUIDED_SHARE), MIN_BATCH_BYTES):
            batches.append(batch)
            left -= size
            batch, size = [], 0
    if batch:
        batches.append(batch)
    return batches


def _may_fork() -> bool:
    """Whether this process may fork: only with one thread. The child of a threaded process
    (the language server: its reader thread, its analysis thread) inherits every lock another
    thread held at that moment, never released, and can wait on one for ever. A cache file
    still being written in this process's background (the first of several paths checked)
    is waited for first: it would keep the pool from forking."""
    import threading

    finish_background()
    return threading.active_count() == 1


def _context() -> BaseContext:
    # Forked workers start in milliseconds and already hold every imported module; elsewhere
    # (macOS, Windows) the platform default is the safe choice, and so is forkserver (a clean
    # single-threaded parent) for a threaded process.
    import multiprocessing

    if sys.platform == "linux":
        return multiprocessing.get_context("fork" if _may_fork() else "forkserver")
    return multiprocessing.get_context()


def prepare_forkserver(*, start: bool = True) -> None:
    """Have the forkserver that a threaded process's pools fork from load the parsing modules
    first, so that their workers start in milliseconds instead of each importing the
    checker; `start`: start it now. Called by a process about to start threads (the language
    server) before its own slow imports; without `start` the first pool that needs it starts
    it (a read that finds every file in the cache starts none)."""
    if sys.platform != "linux":
        return
    import multiprocessing
    from multiprocessing import forkserver

    # "__main__" is the default preload: the workers need the main module anyway (a console
    # script is run again in each worker unless its forkserver already ran it).
    multiprocessing.get_context("forkserver").set_forkserver_preload(["__main__", __name__])
    if start:
        forkserver.ensure_running()


def parse_jobs(
    jobs: Sequence[ParseJob],
    workers: int,
    parse: Parser = parse_source,
    for_cache: bool = False,
    meanwhile: Callable[[], object] | None = None,
    stored: Callable[[Chunk], object] | None = None,
    later: Callable[[Iterator[Chunk]], object] | None = None,
) -> Iterator[Parsed]:
    """Parse every job, across `workers` processes (0: here); results in no set order.
    `for_cache`: each file's content is digested too, and the workers make each batch's part
    of the cache (a Chunk, given to `stored` before the batch's files). `meanwhile` runs
    here once the workers have their work (not at all when parsing here), while this
    process would only wait for them. `later`: given the Chunks still being made after the
    parse, by the forked workers' children (incremental.held), if any."""
    if workers < 1 or len(jobs) < 2:
        yield from _parse_batch(jobs, parse, for_cache)
        return
    # Imported here: a run that needs no pool (small trees, warm caches) never pays for it.
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    batches = _batches(jobs, workers)
    done = 0  # batches
    pipes: Pipes | None = None
    try:
        context = _context()
        forked = context.get_start_method() == "fork"
        parent = os.getpid() if forked else None
        # Forked workers inherit the files in memory and pipes their children hand the
        # Chunks over by (incremental.held).
        pipes = Pipes.made(workers) if forked and for_cache and later is not None else None
        initargs = (parent,) if pipes is None else (parent, pipes.for_workers())
        with ProcessPoolExecutor(
            workers, mp_context=context, initializer=_start_worker, initargs=initargs
        ) as pool:
            count = len(batches)
            every = sample_step(len(jobs)) if for_cache else 0
            sent = [[(j.path, j.is_package, j.limit, j.rel) for j in b] for b in batches]
            numbers = range(count)
            results = pool.map(_encode_batch, sent, [parse] * count, [every] * count, numbers)
            if pipes is not None:
                pipes.started()  # every worker of a forked pool starts at the first job
            if meanwhile is not None:
                meanwhile()
            for batch, (result, chunk) in zip(batches, results, strict=True):
                yield from _parsed([job.key for job in batch], result, chunk, stored)
                done += 1
    except (BrokenProcessPool, OSError):
        # A worker was killed (out of memory, say) or no process could be started: the
        # files it had not sent back are parsed here, so the run still reports on them
        # (the others are not stored: their workers' children were never started).
        if pipes is not None:
            pipes.close()
            pipes = None
        left = [job for batch in batches[done:] for job in batch]
        yield from _parse_batch(left, parse, for_cache)
    if pipes is not None and later is not None:
        later(pipes.chunks([[job.key for job in batch] for batch in batches]))


def _parsed(
    keys: list[str],
    result: list[SentResult],
    chunk: Chunk | None,
    stored: Callable[[Chunk], object] | None,
) -> Iterator[Parsed]:
    """A worker's results for the batch of the files `keys` names (these very strings), their
    Chunk given to `stored` first, with the keys of the files it stored."""
    if chunk is not None:
        unread = {at for at, _, _ in result}
        stored_keys = [k for at, k in enumerate(keys) if at not in unread] if unread else keys
        chunk = chunk._replace(keys=stored_keys)
        if stored is not None:
            stored(chunk)
    for at, digest, encoded in result:  # for the cache, the files not stored: unreadable
        yield Parsed(keys[at], digest, encoded=encoded)
    if chunk is None:
        return
    entries = memoryview(chunk.entry_items)  # marshal reads one value, the facts
    for key, digest, at in zip(chunk.keys, chunk.digests, chunk.offsets, strict=True):
        yield Parsed(key, digest, encoded=entries[at:])


def start_in_fork(work: Callable[[], bytes]) -> Callable[[], bytes | None]:
    """Run `work` in a forked child while this process goes on with something else.

    The returned function waits for the child and gives the bytes `work` returned, or
    None when this platform does not fork (Linux only, as the parsing pool) or the child
    failed: the caller then does the work itself. The child inherits every fact already
    in memory, so nothing is sent to it.
    """
    if sys.platform != "linux" or not _may_fork():
        return lambda: None
    try:
        read_end, write_end = os.pipe()
        pid = os.fork()
    except OSError:
        return lambda: None
    if pid == 0:  # pragma: no cover - the child's coverage is not collected
        code = 1
        try:
            os.close(read_end)
            with without_cyclic_gc(), os.fdopen(write_end, "wb") as stream:
                stream.write(work())
            code = 0
        finally:
            os._exit(code)  # no cleanup, no atexit: the parent owns every resource
    os.close(write_end)

    def join() -> bytes | None:
        with os.fdopen(read_end, "rb") as stream:
            data = stream.read()
        _, status = os.waitpid(pid, 0)
        return data if os.waitstatus_to_exitcode(status) == 0 else None

    return join


def in_fork(work: Callable[[], T], kind: type[T]) -> Callable[[], T]:
    """Start `work` in a forked child; the function returned waits for its result (a record
    of type `kind`, sent back encoded), or calls `work()` here if the child failed."""
    join = start_in_fork(lambda: marshal.dumps(CODEC.encode(work())))  # type: ignore[arg-type]

    def result() -> T:
        data = join()
        if data is not None:
            try:
                value = CODEC.decode(marshal.loads(data))
            except (EOFError, LookupError, TypeError, ValueError):
                value = None
            if isinstance(value, kind):
                return value
        return work()

    return result


def read_facts(
    files: Iterable[SourceFile],
    parse: Parser = parse_source,
    *,
    cache: FactsCache | None = None,
    workers: int | None = None,
    meanwhile: Callable[[], object] | None = None,
) -> dict[str, ModuleFacts]:
    """Facts of every file: from `cache` when its stat is unchanged, else read and parsed once.

    Parsing runs in `workers` processes (None: as many as pay for the amount of source, see
    `plan_workers`; 0: in this process). A pipeline FactsReader, with the cache or without.
    `meanwhile`: what this process does while workers parse (`parse_jobs`).
    """
    files = list(files)
    facts: dict[str, ModuleFacts] = {}
    with without_cyclic_gc():
        _read_into(facts, files, parse, cache, workers, meanwhile)
    # Workers answer in no set order; the tree's order keeps every later step deterministic.
    return {key: found for key in map(_TREE_KEY, files) if (found := facts.get(key)) is not None}


def _read_into(
    facts: dict[str, ModuleFacts],
    files: Iterable[SourceFile],
    parse: Parser,
    cache: FactsCache | None,
    workers: int | None,
    meanwhile: Callable[[], object] | None = None,
) -> None:
    jobs: list[ParseJob] = []
    pending: dict[str, SourceFile] = {}
    lookup = cache is not None and not cache.empty
    rel_of = None if cache is None else cache.index_key
    # A cache that holds no file (a first run's) tells no size a stat now would not.
    sized = cache.size if lookup else file_size  # type: ignore[union-attr]
    for source in files:
        if source.is_extension or source.key in facts:
            continue
        cached = cache.facts(source) if lookup else None  # type: ignore[union-attr]
        if cached is not None:
            facts[source.key] = cached
            continue
        rel = "" if rel_of is None else rel_of(source)
        size = sized(source)
        limit = source.config.max_file_size
        jobs.append(ParseJob(source.key, source.file, source.is_package, size, limit, rel))
        pending[source.key] = source
    if workers is None:
        workers = plan_workers(sum(job.size for job in jobs))
    # A file parsed here is stored under its stat taken now, before it is read; a worker
    # stores what it parses itself (`_encode_for_cache`).
    here = cache is not None and (workers < 1 or len(jobs) < 2)
    stats = {job.key: cache.stat(pending[job.key]) for job in jobs} if here else {}  # type: ignore[union-attr]
    stored = None if cache is None else cache.store_chunk
    later = None if cache is None else cache.store_later
    new_entries: list[NewEntry] = []
    for_cache = cache is not None
    for parsed in parse_jobs(jobs, workers, parse, for_cache, meanwhile, stored, later):
        key = parsed.key
        encoded = parsed.encoded
        # Parsed.decoded, inlined: a call per file of a large tree.
        decoded = parsed.facts if encoded is None else decode_sent_facts(encoded)
        assert decoded is not None
        facts[key] = decoded
        stat = stats.get(key)
        if stat is not None and parsed.digest is not None:  # parsed here: facts, not encoded
            entry = (pending[key], parsed.digest, encode_facts(decoded), stat)
            new_entries.append(entry)
    if cache is not None and new_entries:
        cache.store_all(new_entries)
