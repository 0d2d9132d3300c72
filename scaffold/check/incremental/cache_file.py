"""The cache file's two parts as read: the front at once, the back from the same file later;
and the stat index a later run refreshed, kept beside it."""

from __future__ import annotations

import contextlib
import marshal
import os
import sys
import time
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import BinaryIO

from scaffold.check.incremental.typed import well_typed
from scaffold.files import open_regular, write_atomically

__all__ = [
    "RACY_NS",
    "BackPart",
    "checksum",
    "index_to_write",
    "marshalled_tuple",
    "parts_checksum",
    "read_front",
    "read_index",
    "write_cache_file",
    "write_index",
]

CHECKSUM_SIZE = 16
# After the head: the front part's length, the front part, then the back part.
LENGTH_SIZE = 8
_GITIGNORE = b"# Created by scaffold check: a cache, never commit it.\n*\n"
# The kept index's first line; then the cache file's head and identity (`BackPart.index_head`),
# the checksum of the rest, the stat index (marshal 2).
_INDEX_FORMAT = b"scaffold-check-index/1\n"


def checksum(data: bytes | memoryview) -> bytes:
    """The check of one part: a CRC (not a digest: nobody is kept from rewriting the
    file), 5x faster on ~6 MB."""
    return zlib.crc32(data).to_bytes(CHECKSUM_SIZE, "little")


def marshalled_tuple(items: Sequence[bytes]) -> tuple[bytes, ...]:
    """The marshal bytes (version 2) of a tuple, in parts, from each item's own: version 2
    writes a tuple as its type, its length and its items, with no back-references, so items
    marshalled apart (some earlier, while the process would only wait) join unchanged."""
    return (b"(" + len(items).to_bytes(4, "little"), *items)


def parts_checksum(parts: Iterable[bytes]) -> bytes:
    """`checksum` of the parts joined, without joining them."""
    crc = 0
    for part in parts:
        crc = zlib.crc32(part, crc)
    return crc.to_bytes(CHECKSUM_SIZE, "little")


def write_cache_file(
    path: Path, head: bytes, front: Sequence[bytes], back: Sequence[bytes]
) -> None:
    """Write a cache file atomically: `head` (its format and fingerprint), the front part's
    checksum and length, the front part's and the back part's bytes (each in parts), with
    a .gitignore in its folder. Raises OSError."""
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        write_atomically(ignore, _GITIGNORE)
    length = sum(map(len, front)).to_bytes(LENGTH_SIZE, "little")
    write_atomically(path, (head + parts_checksum(front), length, *front, *back))
    with contextlib.suppress(OSError):
        index_file(path).unlink()  # kept for the file just replaced: it matches no more


class BackPart:
    """The back part of the file a front part was read from (the encoded facts: nearly all
    of it, 40 MB for 10,000 files), read when first asked: reading it with the front cost a
    warm run of such a tree ~8 % of its time. The file stays open until then, so another
    run that replaces the file at its path meanwhile changes nothing here."""

    def __init__(self, stream: BinaryIO, offset: int, head_text: bytes = b"") -> None:
        self.offset = offset
        self._stream: BinaryIO | None = stream
        # What a stat index kept beside this file starts with (`read_index`): its format and
        # fingerprint, and which file it is (size, mtime, inode: any rewrite replaces it).
        info = os.fstat(stream.fileno())
        identity = (info.st_size, info.st_mtime_ns, info.st_ino)
        self.index_head = _INDEX_FORMAT + head_text + repr(identity).encode() + b"\n"
        self._data: bytes | None = None
        if sys.platform == "win32":
            # An open file there cannot be replaced by another run: read it all now.
            stream.seek(offset)
            self._data = stream.read()
            self.close()

    def read(self, expected: bytes) -> bytes | None:
        """Its bytes, when whole (their checksum is `expected`, the front part's word)."""
        try:
            if self._stream is not None:
                # pread: a forked child shares the file's offset with its parent.
                fd = self._stream.fileno()
                data = _read_from(fd, self.offset, os.fstat(fd).st_size - self.offset)
            else:
                data = self._data or b""
        except OSError:
            return None
        return data if checksum(data) == expected else None

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()
        self._stream = None


def read_front(path: Path, head_text: bytes) -> tuple[bytes, BackPart] | None:
    """The front part of the file at `path` and its back part (to read when needed), when
    the file starts with `head_text` (format and fingerprint), then the front's checksum,
    and the front is whole; None otherwise (the file is closed)."""
    try:
        stream = open_regular(path)  # a FIFO or device there is no cache
    except OSError:
        return None
    try:
        head_size = len(head_text) + CHECKSUM_SIZE
        head = stream.read(head_size)
        length = int.from_bytes(stream.read(LENGTH_SIZE), "little")
        if len(head) < head_size or head[: len(head_text)] != head_text:
            stream.close()
            return None
        if length > os.fstat(stream.fileno()).st_size - head_size - LENGTH_SIZE:
            stream.close()
            return None  # a garbled length: never ask read() for that much
        front = stream.read(length)
    except OSError:
        stream.close()
        return None
    # The checksum keeps a truncated or garbled file away from marshal entirely.
    if len(front) != length or checksum(front) != head[len(head_text) :]:
        stream.close()
        return None
    return front, BackPart(stream, head_size + LENGTH_SIZE + length, head_text)


def _read_from(fd: int, offset: int, size: int) -> bytes:
    """`size` bytes of `fd` from `offset` (fewer at its end), leaving its file offset as is."""
    parts: list[bytes] = []
    while size > 0:
        part = os.pread(fd, size, offset)
        if not part:
            break
        parts.append(part)
        offset += len(part)
        size -= len(part)
    return b"".join(parts)


# A file modified this close to when the index was written may change again within the same
# mtime tick without its stat changing; such entries are re-hashed on the next run.
RACY_NS = 2_000_000_000


def index_to_write(
    index: dict[str, tuple[int, int, int, int, bytes]],
) -> dict[str, tuple[int, int, int, int, bytes]]:
    """The stat index as saved: an entry whose file changed too close to now to trust
    its mtime gets an mtime of -1, which never matches, so the file is hashed again
    next time (its facts stay cached under the hash, so it is not parsed again). The
    ctime decides, being the later of the two whatever `touch` set."""
    recent = time.time_ns() - RACY_NS
    racy = [path for path, entry in index.items() if entry[3] >= recent]
    if not racy:
        return index
    index = dict(index)
    for path in racy:
        size, _, inode, ctime_ns, digest = index[path]
        index[path] = (size, -1, inode, ctime_ns, digest)
    return index


def index_file(path: Path) -> Path:
    """Where the stat index a later run refreshed is kept beside the cache file at `path`."""
    return path.with_suffix(".index")


def read_index(path: Path, head: bytes) -> dict[str, tuple[int, int, int, int, bytes]] | None:
    """The stat index kept beside the cache file at `path`, when it was kept for that file
    as read (`head`: `BackPart.index_head`), is whole and holds what this analyser writes."""
    try:
        with open_regular(index_file(path)) as stream:
            data = stream.read()
    except OSError:
        return None
    start = len(head) + CHECKSUM_SIZE
    if data[: len(head)] != head or checksum(data[start:]) != data[len(head) : start]:
        return None
    try:
        index = marshal.loads(data[start:])
    except (EOFError, ValueError, TypeError):
        return None
    return index if well_typed(index, {}) else None


def write_index(
    path: Path, head: bytes, index: dict[str, tuple[int, int, int, int, bytes]]
) -> None:
    """Keep `index` beside the cache file at `path`, for that file as read (`head`): a run
    whose only change was new stats (after a restore at another path every file's) writes
    this instead of the whole cache file, 0.2 MB for sympy's 1,532 files against 6.8 MB.
    Raises OSError."""
    body = marshal.dumps(index_to_write(index), 2)
    write_atomically(index_file(path), (head + checksum(body), body))
