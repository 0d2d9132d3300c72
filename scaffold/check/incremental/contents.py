"""The content hash the cache keys facts on, and the hashing of files whose stat changed.

A cache restored at another path (a CI runner, a second worktree) knows no file's inode or
ctime, so every file is read and hashed once before its facts are trusted: on sympy that is
26 MB, most of what such a run costs over a warm one (docs/decisions.md, issue 21).
"""

from __future__ import annotations

import hashlib
import os
import stat
import threading
from collections.abc import Callable, Mapping, Sequence
from itertools import islice

from scaffold.check.discover import SourceFile

__all__ = [
    "DIGEST_SIZE",
    "STALE_SAMPLE",
    "content_digest",
    "file_digest",
    "file_digests",
    "hash_files",
    "index_sample",
    "sample_step",
    "sampled_stale",
    "skipped_digest",
    "stale_sample",
]

DIGEST_SIZE = 16
# Fewer files than this are hashed in this thread alone: a thread costs ~0.1 ms to start.
_THREADS_MIN_FILES = 64
# Reading and hashing release the GIL (hashlib does for more than 2 KiB), so threads run
# them side by side; beyond a few the per-file Python work, which holds it, is all left.
_MAX_THREADS = 4
# Of this many files whose stat changed or more, a sample is hashed first (see hash_files).
STALE_SAMPLE = 64
# A stat index entry: size, mtime_ns, inode, ctime_ns, content hash (incremental.store).
Entry = tuple[int, int, int, int, bytes]
# Without blocking: a FIFO put in a file's place must not hang the run (scaffold.files).
_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)


def content_digest(data: bytes) -> bytes:
    """The key a file's facts are stored under (and the digest of encoded facts).

    SHA-256, cut to 16 bytes: with the SHA extensions of current x86 and ARM processors it
    hashes sympy's 26 MB in 14 ms against blake2b's 29 ms (one core), and it is the same
    function on every machine, as a cache shared between machines needs.
    """
    return hashlib.sha256(data).digest()[:DIGEST_SIZE]


def skipped_digest(stat: tuple[int, ...] | None, limit: int) -> bytes | None:
    """The facts digest of a file of `stat` above `max-file-size` (`limit`), which is never
    parsed nor stored: its facts (`facts.files.too_large`) depend on the limit alone; None
    for any other file."""
    if stat is None or stat[0] <= limit:
        return None
    return content_digest(b"skipped\0%d" % limit)


def file_digest(path: str, limit: int | None = None) -> bytes | None:
    """`content_digest` of the regular file at `path`; None when it cannot be read, is no
    regular file, holds more than `limit` bytes (never parsed, so never cached), or grew
    while it was read."""
    try:
        handle = os.open(path, _OPEN_FLAGS)
    except OSError:
        return None
    try:
        info = os.fstat(handle)
        size = info.st_size
        if not stat.S_ISREG(info.st_mode) or (limit is not None and size > limit):
            return None
        data = os.read(handle, size + 1)  # one read to the end: no buffered file object
    except OSError:
        return None
    finally:
        os.close(handle)
    return None if len(data) > size else content_digest(data)


def file_digests(files: Sequence[tuple[str, int | None]]) -> list[bytes | None]:
    """`file_digest(path, limit)` of each file, in threads when there are many: on two
    cores sympy's 1,532 files take ~18 ms instead of ~27 ms (docs/decisions.md, issue 21)."""
    found: list[bytes | None] = [None] * len(files)
    count = min(_MAX_THREADS, _usable_cores(), len(files) // _THREADS_MIN_FILES)

    def hash_every(first: int, step: int) -> None:
        for at in range(first, len(files), step):
            found[at] = file_digest(*files[at])

    helpers = [
        threading.Thread(target=hash_every, args=(first, count), daemon=True)
        for first in range(1, count)
    ]
    for helper in helpers:
        helper.start()
    hash_every(0, max(count, 1))
    for helper in helpers:
        helper.join()
    return found


def _usable_cores() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def hash_files(
    changed: Sequence[SourceFile], cached: Callable[[SourceFile, bytes], bool]
) -> list[SourceFile]:
    """Read and hash the files of `changed` (their stat is not the indexed one), telling
    `cached` each content hash (it answers whether facts are cached under it); the files left
    unhashed are returned, to be parsed.

    A sample spread over the tree goes first: when at most one in sixteen of it is as cached
    (a stale cache: another branch, another tree in the same place), hashing the rest here
    would read most files twice, as the workers read and hash what they parse, to spare the
    parse of a few (a tiny file's parse costs ~10 hashes, a large one's ~100). A tree where a
    fifth of the files are unchanged passes the sample with a chance of 998 in 1,000.
    """
    if len(changed) >= 4 * STALE_SAMPLE:
        step = len(changed) // STALE_SAMPLE
        sample = changed[::step]
        if sum(_hashed(sample, cached)) <= len(sample) // 16:
            return [source for at, source in enumerate(changed) if at % step]
        changed = [source for at, source in enumerate(changed) if at % step]
    _hashed(changed, cached)
    return []


def stale_sample(
    files: Sequence[SourceFile],
    as_indexed: Callable[[SourceFile], bool | None],
    cached: Callable[[SourceFile, bytes], bool],
) -> bool:
    """Whether a sample spread over `files` (a tree of many) says a cache is stale: at most
    one in sixteen of it as cached, the rule of `hash_files`. `as_indexed` says of a file
    whether it is as indexed (True), surely changed (False: another size) or to be hashed
    (None), and `cached` of a content hash whether facts are cached under it. Asked before
    every file's stat, which a stale cache in place paid before the parse (issue 21)."""
    if len(files) < 4 * STALE_SAMPLE:
        return False
    sample = files[:: len(files) // STALE_SAMPLE]
    kept, unsure = 0, []
    for source in sample:
        known = as_indexed(source)
        if known is None:
            unsure.append(source)
        else:
            kept += known
    return kept + sum(_hashed(unsure, cached)) <= len(sample) // 16


def _hashed(files: Sequence[SourceFile], cached: Callable[[SourceFile, bytes], bool]) -> list[bool]:
    """Whether each file's facts are cached; an unreadable file is not (`_entry_key` decides)."""
    digests = file_digests([(source.file, source.config.max_file_size) for source in files])
    pairs = zip(files, digests, strict=True)
    return [digest is not None and cached(source, digest) for source, digest in pairs]


def index_sample(index: Mapping[str, Entry]) -> dict[str, Entry]:
    """About 64 entries spread over a stat index of many files (none of a few): what a cache
    file's lead holds for `sampled_stale`."""
    if len(index) < 4 * STALE_SAMPLE:
        return {}
    return dict(islice(index.items(), 0, None, sample_step(len(index))))


def sample_step(files: int) -> int:
    """One entry in this many of an index of `files` goes into its sample (`index_sample`)."""
    return max(files // STALE_SAMPLE, 1)


def sampled_stale(folder: str, sample: Mapping[str, Entry]) -> bool:
    """Whether `index_sample`'s entries (keys relative to `folder`) say a cache is stale by
    their stats alone, before its index is read (issue 21): at most one in sixteen of the
    sample as indexed or of the same size (maybe of the same content: a restored cache's
    files all are, and `hash_files` reads them once), the others of another size (their
    content changed). A file gone has no say: a tree that lost most of its files is not
    taken for stale. It stops at the first files that show the cache is not stale."""
    if len(sample) < STALE_SAMPLE:
        return False
    maybe_kept = seen = 0
    for key, entry in sample.items():
        try:
            size = os.stat(os.path.join(folder, key)).st_size
        except (OSError, ValueError):  # ValueError: a NUL in a forged key
            continue
        seen += 1
        if size == entry[0]:
            maybe_kept += 1
            if maybe_kept > len(sample) // 16:
                return False
    return seen >= len(sample) // 2
