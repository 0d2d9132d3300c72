"""Whether each reported file is all ASCII, kept beside the cache file by the file's stat.

Columns are shown in code points; in a file whose bytes are all ASCII they are the parser's
byte columns, so the file need not be read. Without a kept verdict a warm run reads every
file a finding or a related location points at (on sympy with five broken contracts, 583
files, 16 MB) only to learn that. A verdict is kept under the file's (size, mtime, inode,
ctime), as the cache's own stat index keeps content hashes; any other stat is a miss, and a
file changed less than two seconds before the verdicts were written is not kept (it may
change again within the same mtime tick). Anything unreadable is a miss, never an error.
"""

from __future__ import annotations

import marshal
import os
import time
from pathlib import Path

from scaffold.check.incremental.store import content_digest
from scaffold.files import open_regular, write_atomically

__all__ = ["AsciiVerdicts"]

_FORMAT = b"scaffold-ascii-verdicts/1\n"
_DIGEST_SIZE = len(content_digest(b""))
# As the cache's index: a file this recently changed may change again without its stat.
_RACY_NS = 2_000_000_000

Stat = tuple[int, int, int, int]


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
        self._kept: dict[str, tuple[int, int, int, int, bool]] | None = None
        self._stats: dict[str, Stat | None] = {}  # taken before the file was read
        self._dirty = False

    def _entries(self) -> dict[str, tuple[int, int, int, int, bool]]:
        if self._kept is None:
            self._kept = self._load()
        return self._kept

    def _load(self) -> dict[str, tuple[int, int, int, int, bool]]:
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
            and type(entry[4]) is bool
            for path, entry in entries.items()
        ):
            return {}
        return entries

    def get(self, path: str) -> bool | None:
        """The kept verdict of the file at `path` (absolute), None unless its stat is the
        one it was kept under."""
        stat = self._stats[path] = _stat(path)
        entry = self._entries().get(path)
        if entry is None or stat is None or entry[:4] != stat:
            return None
        return entry[4]

    def put(self, path: str, ascii: bool) -> None:
        """Keep the verdict of a file read after `get` missed (its stat from before)."""
        stat = self._stats.get(path)
        if stat is not None:
            self._entries()[path] = (*stat, ascii)
            self._dirty = True

    def save(self) -> None:
        """Write the verdicts when one was added; a failure only loses them."""
        if self.path is None or not self._dirty:
            return
        racy = time.time_ns() - _RACY_NS
        kept = {path: entry for path, entry in self._entries().items() if entry[3] <= racy}
        body = marshal.dumps(kept)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(self.path, _FORMAT + content_digest(body) + body)
        except OSError:
            return
        self._dirty = False
