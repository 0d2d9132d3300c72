"""The cache file's two parts as read: the front at once, the back from the same file later;
and the stat index a later run refreshed, kept beside it."""

from __future__ import annotations

import atexit
import contextlib
import marshal
import os
import sys
import time
import zlib
from collections.abc import Callable, Iterable, Sequence
from itertools import chain
from pathlib import Path
from typing import BinaryIO, NamedTuple, cast

from scaffold.check.incremental.contents import sampled_stale
from scaffold.check.incremental.typed import all_bytes, well_typed
from scaffold.check.memory import in_background_until_exit
from scaffold.files import open_regular, temp_beside, write_atomically

__all__ = [
    "AHEAD_ROOM",
    "RACY_NS",
    "AheadWrite",
    "BackPart",
    "CacheFile",
    "Loaded",
    "Part",
    "checksum",
    "index_to_write",
    "large",
    "load_cache",
    "marshalled_tuple",
    "parts_checksum",
    "read_index",
    "read_lead",
    "started_in_background",
    "tuple_of",
    "write_cache_file",
    "write_index",
    "written",
]

CHECKSUM_SIZE = 16
# After the head: the lead's checksum and length, the lead, the front part's checksum and
# length, the front part, then the back part.
LENGTH_SIZE = 8
# A part of a file written in parts (write_atomically): bytes, or a view of some.
Part = bytes | memoryview
_GITIGNORE = b"# Created by scaffold check: a cache, never commit it.\n*\n"
# The kept index's first line; then the cache file's head and identity (`BackPart.index_head`),
# the checksum of the rest, the stat index (marshal 2).
_INDEX_FORMAT = b"scaffold-check-index/1\n"


def checksum(data: bytes | memoryview) -> bytes:
    """The check of one part: a CRC (not a digest: nobody is kept from rewriting the
    file), 5x faster on ~6 MB."""
    return zlib.crc32(data).to_bytes(CHECKSUM_SIZE, "little")


def marshalled_tuple(items: Sequence[bytes]) -> tuple[Part, ...]:
    """The marshal bytes (version 2) of a tuple, in parts, from each item's own: version 2
    writes a tuple as its type, its length and its items, with no back-references, so items
    marshalled apart (some earlier, while the process would only wait) join unchanged."""
    return tuple_of(*((item,) for item in items))


def tuple_of(*items: Sequence[Part]) -> tuple[Part, ...]:
    """`marshalled_tuple` of items each marshalled in parts."""
    return (b"(" + len(items).to_bytes(4, "little"), *chain.from_iterable(items))


def parts_checksum(parts: Iterable[Part]) -> bytes:
    """`checksum` of the parts joined, without joining them."""
    return _crc(parts).to_bytes(CHECKSUM_SIZE, "little")


def _crc(parts: Iterable[Part], crc: int = 0) -> int:
    """The CRC of the parts joined, going on from `crc` (that of the bytes before them)."""
    for part in parts:
        crc = zlib.crc32(part, crc)
    return crc


def write_cache_file(
    path: Path, head: bytes, lead: bytes, front: Sequence[Part], back: Sequence[Part]
) -> None:
    """Write a cache file atomically: `head` (its format and fingerprint), the lead's
    checksum and length, the lead, the front part's checksum and length, the front part's
    and the back part's bytes (each in parts), with a .gitignore in its folder. Raises
    OSError."""
    _make_folder(path.parent)
    lead_head = checksum(lead) + len(lead).to_bytes(LENGTH_SIZE, "little")
    length = sum(map(len, front)).to_bytes(LENGTH_SIZE, "little")
    parts = (head + lead_head, lead, parts_checksum(front), length, *front, *back)
    write_atomically(path, parts)
    with contextlib.suppress(OSError):
        index_file(path).unlink()  # kept for the file just replaced: it matches no more


def _make_folder(folder: Path) -> None:
    """The cache's folder, with a .gitignore in it. Raises OSError."""
    folder.mkdir(parents=True, exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        write_atomically(ignore, _GITIGNORE)


# A cache file whose back part holds this much is written in a thread while the command
# prints (55 MB for 100,000 tiny files, ~0.1 s of system time); a smaller one (7 MB for
# sympy) at once: a thread's hand-offs of the GIL cost more than such a write.
BACKGROUND_MIN_BYTES = 16_000_000


def started_in_background(back: Sequence[Part], write: Callable[[], object]) -> bool:
    """Whether `write` of a file of the back part `back` was started in the background
    (memory.in_background_until_exit): only for a large one."""
    return large(back) and in_background_until_exit(write)


def large(back: Sequence[Part]) -> bool:
    """Whether a file of the back part `back` is written in the background."""
    return sum(map(len, back)) >= BACKGROUND_MIN_BYTES


def written(
    path: Path,
    head: bytes,
    lead: tuple[bytes, tuple[bytes, bytes] | None],
    front: Sequence[Part],
    back: Sequence[Part],
) -> bool:
    """`write_cache_file` with the lead made of the index's sample (marshalled), the stored
    report and the back part's checksum; False when it failed (then the cache is only
    lost). All of it from bytes and values no later change reaches: the console script
    runs it in a thread while it prints (store.FactsCache.save)."""
    try:
        write_cache_file(path, head, _lead_of(lead, _crc(back)), front, back)
    except OSError:
        return False
    return True


def _lead_of(lead: tuple[bytes, tuple[bytes, bytes] | None], back_crc: int) -> bytes:
    """The lead: the index's sample (marshalled), the stored report, the back part's checksum."""
    sample, result = lead
    rest = (
        marshal.dumps(value, 2) for value in (result, back_crc.to_bytes(CHECKSUM_SIZE, "little"))
    )
    return b"".join(marshalled_tuple((sample, *rest)))


# The room an `AheadWrite` leaves for the lead besides the index's sample: a report of a few
# thousand findings (a larger one is written with the whole file instead). A lead shorter
# than its room is followed by zeros, which marshal never reads (it reads one value).
AHEAD_ROOM = 256 * 1024


class AheadWrite:
    """A cache file written ahead of its rules' results: a first run's front part and facts
    (the workers' chunks: 42 MB of 100,000 tiny files), written into a temp file beside
    `path` while the rules run (`run`, in a thread: the GIL is free while it writes and
    checksums), with `room` bytes left for the lead; `finish` writes the rest (the rules'
    results, 9 MB) and the lead, and puts the file in place. Until then `path` is as it
    was; a temp file never finished is removed at the exit, or by a later write there.
    The file is the one `write_cache_file` writes, but for the zeros after the lead."""

    def __init__(
        self,
        path: Path,
        head: bytes,
        room: int,
        front: Sequence[Part],
        back_start: Sequence[Part],
    ) -> None:
        self._path, self._head, self._room = path, head, room
        self._parts: tuple[Sequence[Part], Sequence[Part]] | None = (front, back_start)
        self._temp: Path | None = None
        self._handle: int | None = None
        self._end = 0  # where the back part's start ends
        self._back_crc = 0
        self._written = False

    def run(self) -> None:
        """Write the front part and the start of the back part (in a thread)."""
        assert self._parts is not None
        (front, back_start), self._parts = self._parts, None  # not kept once written
        try:
            _make_folder(self._path.parent)
            self._handle, self._temp = temp_beside(self._path)
            atexit.register(self.abort)
            front_at = len(self._head) + CHECKSUM_SIZE + LENGTH_SIZE + self._room
            length = sum(map(len, front)).to_bytes(LENGTH_SIZE, "little")
            parts = (parts_checksum(front), length, *front, *back_start)
            self._end = _write_at(self._handle, front_at, parts)
            self._back_crc = _crc(back_start)
            self._written = True
        except OSError:
            self.abort()

    def finish(self, lead: tuple[bytes, tuple[bytes, bytes] | None], rest: Sequence[Part]) -> bool:
        """Write `rest` (the back part's end) and the lead (as `written` makes it), and put
        the file in place; False when that cannot be (a write failed, or the lead is larger
        than its room): then nothing is, and the temp file is gone."""
        if not self._written or self._handle is None:
            self.abort()
            return False
        lead_bytes = _lead_of(lead, _crc(rest, self._back_crc))
        if len(lead_bytes) > self._room:
            self.abort()
            return False
        padded = zlib.crc32(bytes(self._room - len(lead_bytes)), zlib.crc32(lead_bytes))
        lead_head = padded.to_bytes(CHECKSUM_SIZE, "little") + self._room.to_bytes(
            LENGTH_SIZE, "little"
        )
        try:
            _write_at(self._handle, self._end, rest)
            _write_at(self._handle, 0, (self._head, lead_head, lead_bytes))
            os.close(self._handle)
            self._handle = None
            os.replace(self._temp, self._path)  # type: ignore[arg-type]
        except OSError:
            self.abort()
            return False
        self._temp = None
        with contextlib.suppress(OSError):
            index_file(self._path).unlink()  # kept for the file just replaced
        return True

    def abort(self) -> None:
        """Remove the temp file, if it was not put in place."""
        handle, temp, self._handle, self._temp = self._handle, self._temp, None, None
        self._written = False
        if handle is not None:
            with contextlib.suppress(OSError):
                os.close(handle)
        if temp is not None:
            with contextlib.suppress(OSError):
                os.unlink(temp)


def _write_at(handle: int, offset: int, parts: Iterable[Part]) -> int:
    """Write `parts` in turn from `offset` of the open file; where they end."""
    for part in parts:
        view = memoryview(part)
        while view:
            done = os.pwrite(handle, view, offset)
            view, offset = view[done:], offset + done
    return offset


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


class CacheFile:
    """A cache file opened and its lead read (a few KB: the sample of its index, the stored
    report, the back part's checksum); its front part (the index and the entry digests: ~13
    MB at 100,000 files) read only when asked, so a cache a sample of its lead finds stale
    is dropped without it (issue 21)."""

    def __init__(
        self, stream: BinaryIO, lead: bytes, front: tuple[int, int, bytes], head_text: bytes
    ) -> None:
        self.lead = lead
        self._stream = stream
        self._front_at, self._front_length, self._front_checksum = front
        self._head_text = head_text

    def front(self) -> bytes | None:
        """The front part's bytes, when whole; None otherwise (then the file is closed)."""
        try:
            data = self._stream.read(self._front_length)  # the file's offset is there
        except OSError:
            data = b""
        # The checksum keeps a truncated or garbled file away from marshal entirely.
        if len(data) != self._front_length or checksum(data) != self._front_checksum:
            self.close()
            return None
        return data

    def back(self) -> BackPart:
        """The back part, to read when needed (the file stays open for it)."""
        return BackPart(self._stream, self._front_at + self._front_length, self._head_text)

    def close(self) -> None:
        self._stream.close()


def read_lead(path: Path, head_text: bytes) -> CacheFile | None:
    """The file at `path` opened, when it starts with `head_text` (format and fingerprint)
    and its lead is whole, with the front part's place; None otherwise (the file is closed)."""
    try:
        stream = open_regular(path)  # a FIFO or device there is no cache
    except OSError:
        return None
    try:
        size = os.fstat(stream.fileno()).st_size
        if stream.read(len(head_text)) != head_text:
            stream.close()
            return None
        lead = _checked_part(stream, size)
        front_head = stream.read(CHECKSUM_SIZE + LENGTH_SIZE)
    except OSError:
        stream.close()
        return None
    front_at = len(head_text) + 2 * (CHECKSUM_SIZE + LENGTH_SIZE) + len(lead or b"")
    length = int.from_bytes(front_head[CHECKSUM_SIZE:], "little")
    if lead is None or len(front_head) != CHECKSUM_SIZE + LENGTH_SIZE or length > size - front_at:
        stream.close()
        return None  # a garbled length: never ask read() for that much
    return CacheFile(stream, lead, (front_at, length, front_head[:CHECKSUM_SIZE]), head_text)


def _checked_part(stream: BinaryIO, size: int) -> bytes | None:
    """The part at the stream's offset (its checksum, its length, its bytes), when whole."""
    head = stream.read(CHECKSUM_SIZE + LENGTH_SIZE)
    length = int.from_bytes(head[CHECKSUM_SIZE:], "little")
    if len(head) != CHECKSUM_SIZE + LENGTH_SIZE or length > size - stream.tell():
        return None
    data = stream.read(length)
    return data if len(data) == length and checksum(data) == head[:CHECKSUM_SIZE] else None


Index = dict[str, tuple[int, int, int, int, bytes]]


class Loaded(NamedTuple):
    """What `load_cache` read of a cache file."""

    result: tuple[bytes, bytes] | None  # the stored report's key and bytes
    back: tuple[BackPart, bytes] | None  # the back part, not yet read, and its checksum
    stat_index: Index  # empty when the file was none, not whole, or stale
    entry_digests: dict[bytes, bytes]
    stale: bool  # its lead's sample found it stale: its front part was not read


def load_cache(path: Path, head_text: bytes, folder: str | None) -> Loaded:
    """The cache file at `path` as read for a run (see `read_lead`), with the stat index kept
    beside it, if any. `folder`: where the keys of its index are relative to, for a tree of
    many files: its lead's sample is looked at there (contents.sampled_stale)."""
    nothing = Loaded(None, None, {}, {}, False)
    opened = read_lead(path, head_text)
    lead = None if opened is None else _unmarshalled(opened.lead, 3)
    result = lead[1] if lead and type(lead[1]) is tuple and len(lead[1]) == 2 else None
    nothing = nothing._replace(result=result if result and all_bytes(result) else None)
    if opened is None or lead is None or type(lead[2]) is not bytes:
        return nothing if opened is None else _closing(opened, nothing)
    sample, back_checksum = cast(Index, lead[0]), lead[2]
    if folder is not None and well_typed(sample, {}) and sampled_stale(folder, sample):
        return nothing._replace(back=(opened.back(), back_checksum), stale=True)
    front = opened.front()
    parts = None if front is None else _unmarshalled(front, 2)
    if parts is None or not well_typed(*parts):
        return _closing(opened, nothing)
    back = opened.back()
    index = read_index(path, back.index_head) or cast(Index, parts[0])  # stats refreshed since
    digests = cast(dict[bytes, bytes], parts[1])
    return nothing._replace(back=(back, back_checksum), stat_index=index, entry_digests=digests)


def _unmarshalled(data: bytes, size: int) -> tuple[object, ...] | None:
    """The tuple of `size` items `data` holds, if it holds one."""
    try:
        value = marshal.loads(data)
    except (EOFError, ValueError, TypeError):
        return None
    return value if type(value) is tuple and len(value) == size else None


def _closing(opened: CacheFile, loaded: Loaded) -> Loaded:
    opened.close()
    return loaded


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
