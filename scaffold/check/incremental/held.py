"""A first run's cache made after the parse, on the core the rules leave idle.

A parse for the cache keeps both cores busy, and the main process's rules then run on one
of them. A pool worker that also made each batch's part of the cache (its Chunk: content
hashes, facts digests, the marshalled index and entries; incremental.chunks) made the parse
~0.2 s longer on 100,000 tiny files, while the other core idled through the rules
afterwards (docs/decisions.md, issues 19/21, session 20). So a forked worker (Linux) keeps
what each batch needs for its Chunk (each file's stat, bytes and encoded facts) and sends
back only the facts, as a run without the cache does. When the pool shuts down, each worker
forks a child (at the lowest priority) that makes the Chunks of the batches it parsed,
writes them into a file in memory (`memfd_create`) and says so through a pipe, while the
main process goes on with the rules; the cache takes them when it first needs them
(FactsCache.store_later), mapped, not copied. The main process reaps each child (it is
their subreaper meanwhile): none is left behind the command.

A child that fails says nothing: the files of its batches are not stored, and the next run
parses them. A worker that cannot start a child makes the Chunks itself as it ends. Where
no file in memory or subreaper can be had, or the workers are not forked (a forkserver's,
in the language server), each worker makes its batches' Chunks as it parses them.
"""

from __future__ import annotations

import marshal
import mmap
import os
import signal
import sys
import time
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import suppress
from functools import partial
from operator import add
from types import FrameType
from typing import cast

from scaffold.check.facts.files import read_source_stated
from scaffold.check.incremental.chunks import Chunk, make_chunk
from scaffold.check.incremental.contents import DIGEST_SIZE, content_digest
from scaffold.check.incremental.records import encode_facts
from scaffold.check.memory import without_cyclic_gc
from scaffold.check.model import ModuleFacts

__all__ = ["HeldBatch", "Pipes", "claim", "encode_held", "holding"]

# What a worker keeps of a batch it parsed for the cache: the batch's number, the sample's
# step, and of each file it stored: its place in the batch, index key, stat (size, mtime_ns,
# inode, ctime_ns, taken before it was read), bytes, whether it is an `__init__`, encoded
# facts.
Stat = tuple[int, int, int, int]
HeldBatch = tuple[int, int, list[int], list[str], list[Stat], list[bytes], list[bool], list[bytes]]

# What a child says through its pipe once its file holds its Chunks; what its worker says
# before it, with the child's pid.
_DONE, _CHILD = b"\1", b"P"
_SET_CHILD_SUBREAPER, _GET_CHILD_SUBREAPER = 36, 37
_REAP_TRIES, _REAP_PAUSE = 100, 0.01
# The bytes of the length of what a child sends first (`_sent`).
_SIZE = 8
# A child takes only what the command's processes leave of the cores: where the rules keep
# them busy (sympy's simulation in a forked child beside them) it finishes after them.
_NICE = 19

# A worker's own state: the batches it holds, its ends of its pipe and file (None: it holds
# none), and whether it was interrupted (it then starts no child as it ends).
_held: list[HeldBatch] = []
_out: tuple[int, int] | None = None
_interrupted = _ending = False


class Pipes:
    """Per worker, a file in memory for the Chunks its child makes and a pipe it says it is
    done through (the main process's side), and the numbers the workers take them by."""

    def __init__(self, workers: int, reaping: int) -> None:
        # Every descriptor this process still owns: closed when it is dropped unread; and
        # whether it reaped orphans before (`made`), as it will again then.
        self._owned: list[int] = []
        self._reads: list[int] = []
        self._heard: dict[int, bytearray] = {}
        self._closer = weakref.finalize(self, _end, self._owned, self._reads, self._heard, reaping)
        claims, ends = os.pipe()
        self._owned += (claims, ends)
        self._claims, self._ends = claims, ends
        self._writes: list[int] = []
        self._files: list[int] = []
        for _ in range(workers):
            read, write = os.pipe()
            self._owned += (read, write)
            self._reads.append(read)
            self._writes.append(write)
            self._files.append(memory := os.memfd_create("scaffold-cache", os.MFD_CLOEXEC))
            self._owned.append(memory)
        os.write(ends, bytes(range(workers)))

    @classmethod
    def made(cls, workers: int) -> Pipes | None:
        """`Pipes` for `workers`, or None where files in memory cannot be made, or this
        process cannot wait for its workers' children: when a worker ends, its child is
        handed to this process (a child subreaper, Linux 3.4), which reaps it once it is
        done, so that none is left behind the command, not even as a zombie (a container's
        first process often reaps none)."""
        reaping = _reaper(None)
        if reaping is None or _reaper(1) is None:
            return None
        try:
            return cls(workers, reaping)
        except (AttributeError, OSError):  # no memfd_create (an old kernel)
            _reaper(reaping)
            return None

    def for_workers(self) -> tuple[int, tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
        """What a worker claims its pipe and file from (`claim`)."""
        return self._claims, tuple(self._reads), tuple(self._writes), tuple(self._files)

    def started(self) -> None:
        """The workers hold their ends: this process's copies are closed, so that a pipe
        ends when its worker's child does."""
        self._release([self._claims, self._ends, *self._writes])

    def close(self) -> None:
        """Nothing is to be read (the pool failed)."""
        self._closer()

    def chunks(self, batches: Sequence[Sequence[str]]) -> Iterator[Chunk]:
        """Each Chunk the workers' children made, with the keys of its files (`batches`: the
        keys of each batch's files, in order), each child's waited for in turn; what a child
        failed to make is left out."""
        self.started()
        for read, memory in zip(self._reads, self._files, strict=True):
            if read not in self._owned:
                continue
            # Up to its end, when the worker and its child closed their ends; kept as it
            # comes, for `_end` to reap the child if this is interrupted.
            said = self._heard.setdefault(read, bytearray())
            while more := os.read(read, 64):
                said += more
            child, done = _said(bytes(said))
            if child:
                _reap(child)  # this process's since its worker ended
            del self._heard[read]
            self._release([read])
            size = os.fstat(memory).st_size if done else 0
            mapped = mmap.mmap(memory, size, prot=mmap.PROT_READ) if size else b""
            self._release([memory])
            yield from _received(mapped, batches)
        self._closer()

    def _release(self, fds: Sequence[int]) -> None:
        mine = [fd for fd in fds if fd in self._owned]
        for fd in mine:
            self._owned.remove(fd)
        _close(mine)


def _said(said: bytes) -> tuple[int, bool]:
    """The pid of the worker's child (0: it started none) and whether its Chunks are made,
    from what the worker and its child wrote through its pipe (each a write of a few bytes:
    whole, in either order)."""
    child, done, at = 0, False, 0
    while at < len(said):
        if said[at : at + 1] == _CHILD:
            child = int.from_bytes(said[at + 1 : at + 5], "little")
            at += 5
        else:
            done = done or said[at : at + 1] == _DONE
            at += 1
    return child, done


def _reaper(value: int | None) -> int | None:
    """Whether this process reaps the orphans of its descendants (PR_GET_CHILD_SUBREAPER),
    or (`value`: 1 or 0) make it so or not; None where it cannot."""
    if sys.platform != "linux":
        return None
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    if value is None:
        now = ctypes.c_int(0)
        failed = libc.prctl(_GET_CHILD_SUBREAPER, ctypes.byref(now), 0, 0, 0)
        return None if failed else now.value
    return None if libc.prctl(_SET_CHILD_SUBREAPER, value, 0, 0, 0) else value


def _end(fds: list[int], reads: list[int], heard: dict[int, bytearray], reaping: int) -> None:
    """Close what is still open, and reap orphans as before; the workers' children not
    waited for (an interrupted run: Ctrl-C reached them too) are ended and reaped."""
    for read in (fd for fd in reads if fd in fds):
        child, _ = _said(bytes(heard.get(read, b"")) + _available(read))
        if child:
            with suppress(OSError):
                os.kill(child, signal.SIGKILL)
                _reap(child)
    _close(fds)
    fds.clear()
    _reaper(reaping)


def _reap(child: int) -> None:
    """Wait for a worker's child, handed to this process once its worker has ended (an
    interrupted pool's worker may still be ending: a second at most)."""
    for _ in range(_REAP_TRIES):
        try:
            os.waitpid(child, 0)
            return
        except ChildProcessError:
            time.sleep(_REAP_PAUSE)


def _available(read: int) -> bytes:
    """What can be read from a pipe now, without waiting."""
    said = b""
    with suppress(OSError):
        os.set_blocking(read, False)
        while more := os.read(read, 64):
            said += more
    return said


def _received(data: bytes | mmap.mmap, batches: Sequence[Sequence[str]]) -> Iterator[Chunk]:
    """The Chunks a child sent (`_sent`), up to where it was cut short, if it was."""
    size = int.from_bytes(data[:_SIZE], "little")
    view = memoryview(data)
    try:
        heads = marshal.loads(view[_SIZE : _SIZE + size]) if size else []
    except (EOFError, ValueError, TypeError):
        return  # cut short in its head: none sent whole
    at = _SIZE + size
    for number, places, digests, facts_digests, lengths, sample, racy in heads:
        parts = [view[at : (at := at + length)] for length in lengths]
        if at > len(data):
            return  # cut short
        # Views of what was read: a Chunk's marshalled parts are only joined and written.
        index, entry_digests, entries = cast(list[bytes], parts)
        keys = list(map(batches[number].__getitem__, places))
        digests_now, facts_now = _split(digests), _split(facts_digests)
        yield Chunk(keys, digests_now, facts_now, [], index, entry_digests, entries, sample, racy)


def _split(digests: bytes) -> list[bytes]:
    return [digests[at : at + DIGEST_SIZE] for at in range(0, len(digests), DIGEST_SIZE)]


def _close(fds: Sequence[int]) -> None:
    for fd in fds:
        with suppress(OSError):
            os.close(fd)


def claim(fds: tuple[int, tuple[int, ...], tuple[int, ...], tuple[int, ...]]) -> None:
    """A forked worker's start: take a pipe and a file, close the others', and make the
    Chunks of what it holds when it ends (`_make_held`)."""
    global _out
    from multiprocessing import util

    claims, reads, writes, files = fds
    try:
        taken = os.read(claims, 1)
    except OSError:  # a worker started after the others (the numbers may name other files)
        return
    mine = taken[0] if taken else None
    pairs = enumerate(zip(writes, files, strict=True))
    others = [fd for at, pair in pairs if at != mine for fd in pair]
    _close([claims, *reads, *others])
    if mine is not None:
        _out = (writes[mine], files[mine])
        util.Finalize(None, _make_held, exitpriority=0)
        before = signal.getsignal(signal.SIGINT)
        if callable(before):  # (an ignored Ctrl-C stays ignored)
            signal.signal(signal.SIGINT, partial(_interrupt, before))


def _interrupt(
    before: Callable[[int, FrameType | None], object], number: int, frame: FrameType | None
) -> None:
    """Ctrl-C in a worker: noted (`_make_held` starts no child then), then handled as before,
    unless the worker is already ending (its traceback would only be printed)."""
    global _interrupted
    _interrupted = True
    if not _ending:
        before(number, frame)


def holding() -> bool:
    """Whether this worker keeps batches for its child to store (`claim`)."""
    return _out is not None


def encode_held(
    batch: Sequence[tuple[str, bool, int | None, str]],
    parse: Callable[..., ModuleFacts],
    every: int,
    number: int,
) -> list[tuple[int, bytes | None, bytes]]:
    """A worker's parse of a batch for the cache (pool.SentJob in, SentResult out), with the
    batch's Chunk left to the worker's child: every file's facts are sent, and what the
    Chunk needs of each file read is kept (`number`: the batch's; `every`: the sample's
    step)."""
    results: list[tuple[int, bytes | None, bytes]] = []
    places: list[int] = []
    rels: list[str] = []
    stats: list[Stat] = []
    contents: list[bytes] = []
    packages: list[bool] = []
    kept: list[bytes] = []
    with without_cyclic_gc():
        for at, (path, is_package, limit, rel) in enumerate(batch):
            data, facts, info = read_source_stated(path, is_package, parse, limit)
            encoded = encode_facts(facts)
            results.append((at, None, encoded))
            if data is not None and info is not None:
                places.append(at)
                rels.append(rel)
                stats.append((info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns))
                contents.append(data)
                packages.append(is_package)
                kept.append(encoded)
    _held.append((number, every, places, rels, stats, contents, packages, kept))
    return results


def _make_held() -> None:
    """At the worker's end: fork a child that makes the Chunks of the batches held, writes
    them into the worker's file and says so through its pipe (nothing said: none stored).
    Where no process can be started (a limit on processes), the worker makes them itself
    before it ends."""
    global _out, _ending
    out, _out = _out, None
    if out is None:
        return
    _ending = True
    try:
        pid = _fork() if _held and not _interrupted else -1
    except OSError:
        pid = -1
        with suppress(Exception):  # (nothing said: none stored)
            _written(*out)
    if pid:  # this worker: its ends closed, it ends
        if pid > 0:
            with suppress(OSError):
                os.write(out[0], _CHILD + pid.to_bytes(4, "little"))
        _close(out)
        return
    code = 1
    try:  # pragma: no cover - the child's coverage is not collected
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C ends it at once
        _detach()
        os.nice(_NICE)
        _written(*out)
        code = 0
    finally:
        os._exit(code)  # no cleanup, no atexit: the worker's exit is its parent's


def _fork() -> int:
    return os.fork()


def _written(done: int, memory: int) -> None:
    """The held batches' Chunks written into `memory`, then said through `done`."""
    with without_cyclic_gc():
        parts = _sent([_made(*batch) for batch in _held])
    for part in parts:
        view = memoryview(part)
        while view:
            view = view[os.write(memory, view) :]
    os.write(done, _DONE)


def _detach() -> None:
    """The child holds none of the command's output: whatever reads it ends with it."""
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)


def _sent(chunks: list[tuple[int, list[int], Chunk]]) -> list[bytes]:
    """What a child sends of its Chunks: the length of their head, the head (marshalled:
    each batch's number, the places of its files, their content hashes and facts digests
    joined, the lengths of its marshalled index, entry digests and entries, its sample and
    racy entries), then each one's marshalled parts as they are."""
    heads: list[object] = []
    bodies: list[bytes] = []
    for number, places, chunk in chunks:
        parts = (chunk.index_items, chunk.digest_items, chunk.entry_items)
        digests, facts_digests = b"".join(chunk.digests), b"".join(chunk.facts_digests)
        lengths = [len(part) for part in parts]
        heads.append((number, places, digests, facts_digests, lengths, chunk.sample, chunk.racy))
        bodies += parts
    head = marshal.dumps(heads)
    return [len(head).to_bytes(_SIZE, "little"), head, *bodies]


def _made(
    number: int,
    every: int,
    places: list[int],
    rels: list[str],
    stats: list[Stat],
    data: list[bytes],
    packages: list[bool],
    encoded: list[bytes],
) -> tuple[int, list[int], Chunk]:
    """The Chunk of a held batch, with its number and the places of its files."""
    stated = map(add, stats, zip(map(content_digest, data)))
    return number, places, make_chunk((), rels, stated, packages, encoded, every)
