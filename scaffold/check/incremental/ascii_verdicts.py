"""Which lines of each reported file are not ASCII, kept beside the cache file by its stat.

Columns are shown in code points; on a line whose bytes are all ASCII they are the parser's
byte columns, so the file need not be read for it. Without a kept verdict a warm run reads every
file a finding or a related location points at (on sympy with five broken contracts, 583
files, 16 MB) only to learn that, and reads the few files that are not all ASCII to convert
columns that mostly lie on ASCII lines. A verdict (the numbers of the lines that are not
ASCII, as the parser numbers them; none for an all-ASCII file) is kept under the file's
(size, mtime, inode, ctime), as the cache's own stat index keeps content hashes; any other
stat is a miss, and a file changed less than two seconds before the verdicts were written is
not kept (it may change again within the same mtime tick), nor is the verdict of a file
deleted or changed since. Anything unreadable is a miss, never an error.
"""

from __future__ import annotations

import marshal
import os
import time
from pathlib import Path

from scaffold.check.incremental.cache_file import RACY_NS
from scaffold.check.incremental.store import content_digest
from scaffold.files import open_regular, write_atomically

__all__ = ["AsciiVerdicts"]

_FORMAT = b"scaffold-ascii-verdicts/2\n"
_DIGEST_SIZE = len(content_digest(b""))

Stat = tuple[int, int, int, int]
# A file's stat and the numbers of its lines that are not ASCII.
Entry = tuple[int, int, int, int, tuple[int, ...]]


def _stat(path: str) -> Stat | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns)


class AsciiVerdicts:
    """The verdicts kept beside one cache file (`cache_file` None: none kept, none read)."""

    def __init__(self, cache_file: Path | None) -> None:
        self.path = None if cache_file is None else cache_file.with_suffix(".ascii")
        self._kept: dict[str, Entry] | None = None
        self._stats: dict[str, Stat | None] = {}  # taken before the file was read
        self._dirty = False

    def _entries(self) -> dict[str, Entry]:
        if self._kept is None:
            self._kept = self._load()
        return self._kept

    def _load(self) -> dict[str, Entry]:
        if self.path is None:
            return {}
        try:
            with open_regular(self.path) as stream:
                data = stream.read()
        except OSError:
            return {}
        head, body = data[: len(_FORMAT) + _DIGEST_SIZE], data[len(_FORMAT) + _DIGEST_SIZE :]
        # The checksum keeps a truncated or garbled file away from marshal entirely.
        if head != _FORMAT + content_digest(body):
            return {}
        try:
            entries = marshal.loads(body)
        except (EOFError, ValueError, TypeError):
            return {}
        if type(entries) is not dict or not all(
            type(path) is str
            and type(entry) is tuple
            and len(entry) == 5
            and all(type(number) is int for number in entry[:4])
            and type(entry[4]) is tuple
            and all(type(number) is int for number in entry[4])
            for path, entry in entries.items()
        ):
            return {}
        return entries

    def get(self, path: str) -> tuple[int, ...] | None:
        """The kept numbers of the lines of the file at `path` (absolute) that are not ASCII,
        None unless its stat is the one they were kept under."""
        stat = self._stats[path] = _stat(path)
        entry = self._entries().get(path)
        if entry is None or stat is None or entry[:4] != stat:
            return None
        return entry[4]

    def put(self, path: str, wide: tuple[int, ...]) -> None:
        """Keep the numbers of the lines that are not ASCII of a file read after `get`
        missed (under its stat from before the read)."""
        stat = self._stats.get(path)
        if stat is not None:
            self._entries()[path] = (*stat, wide)
            self._dirty = True

    def _still_holds(self, path: str, entry: Entry) -> bool:
        """Whether `entry` can match again: a file deleted, moved or changed since would keep
        its verdict for good, and the verdicts grow with every file ever reported. A save
        follows a miss, so the stat of each verdict this run did not ask about is paid then."""
        stat = self._stats[path] if path in self._stats else _stat(path)
        return stat is not None and entry[:4] == stat

    def save(self) -> None:
        """Write the verdicts when one was added; a failure only loses them."""
        if self.path is None or not self._dirty:
            return
        racy = time.time_ns() - RACY_NS
        kept = {
            path: entry
            for path, entry in self._entries().items()
            if entry[3] <= racy and self._still_holds(path, entry)
        }
        body = marshal.dumps(kept)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(self.path, _FORMAT + content_digest(body) + body)
        except OSError:
            return
        self._dirty = False
