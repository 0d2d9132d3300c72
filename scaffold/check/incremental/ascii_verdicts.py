"""Which lines of each reported file are not ASCII, kept beside the cache file by content hash.

Columns are shown in code points; on a line whose bytes are all ASCII they are the parser's
byte columns, so the file need not be read for it. Without a kept verdict a warm run reads every
file a finding or a related location points at (on sympy with five broken contracts, 583
files, 16 MB) only to learn that, and reads the few files that are not all ASCII to convert
columns that mostly lie on ASCII lines. A verdict (the numbers of the lines that are not
ASCII, as the parser numbers them; none for an all-ASCII file) is kept under the content hash
of the bytes it was found in, and looked up by the hash the cache's stat index already knows
of the file (`Digests`): no file is read for it, and a checkout restored at another path,
whose files the cache has hashed again, finds the verdicts of the first. A file the index
knows no hash of is read; the verdicts of contents no checked file has any more leave with
the next save. Anything unreadable is a miss, never an error.
"""

from __future__ import annotations

import marshal
from collections.abc import Collection
from pathlib import Path
from typing import Protocol

from scaffold.check.incremental.contents import DIGEST_SIZE, content_digest
from scaffold.files import open_regular, write_atomically

__all__ = ["AsciiVerdicts", "Digests"]

_FORMAT = b"scaffold-ascii-verdicts/3\n"


class Digests(Protocol):
    """The content hashes a run's caches know of its files, without reading them."""

    def __call__(self, path: str) -> bytes | None:
        """The content hash of the file at `path` (absolute), or None when it is not known."""

    def live(self) -> Collection[bytes]:
        """The content hash of every checked file whose hash is known."""


class AsciiVerdicts:
    """The verdicts kept beside one cache file (`cache_file` None: none kept, none read)."""

    def __init__(self, cache_file: Path | None, digests: Digests, fingerprint: bytes = b"") -> None:
        self.path = None if cache_file is None else cache_file.with_suffix(".ascii")
        self._digests = digests
        # The analyser's (incremental.fingerprint): another version may number lines otherwise.
        self._head = _FORMAT + fingerprint
        self._kept: dict[bytes, tuple[int, ...]] | None = None
        self._dirty = False

    def _entries(self) -> dict[bytes, tuple[int, ...]]:
        if self._kept is None:
            self._kept = self._load()
        return self._kept

    def _load(self) -> dict[bytes, tuple[int, ...]]:
        if self.path is None:
            return {}
        try:
            with open_regular(self.path) as stream:
                data = stream.read()
        except OSError:
            return {}
        start = len(self._head) + DIGEST_SIZE
        # The checksum keeps a truncated or garbled file away from marshal entirely.
        head, body = data[:start], data[start:]
        if head != self._head + content_digest(body):
            return {}
        try:
            entries = marshal.loads(body)
        except (EOFError, ValueError, TypeError):
            return {}
        if type(entries) is not dict or not all(
            type(digest) is bytes
            and type(wide) is tuple
            and all(type(number) is int for number in wide)
            for digest, wide in entries.items()
        ):
            return {}
        return entries

    def get(self, path: str) -> tuple[int, ...] | None:
        """The kept numbers of the lines of the file at `path` (absolute) that are not ASCII,
        None unless its content hash is known and a verdict is kept under it."""
        digest = self._digests(path)
        return None if digest is None else self._entries().get(digest)

    def put(self, data: bytes, wide: tuple[int, ...]) -> None:
        """Keep the numbers of the lines that are not ASCII of `data`, a file's bytes read
        after `get` missed: under their own hash, not the one the index knew (the file may
        have changed since it was hashed)."""
        self._entries()[content_digest(data)] = wide
        self._dirty = True

    def save(self) -> None:
        """Write the verdicts when one was added, less those of contents no checked file
        has now (they would stay for good, and the file grow with every content ever
        reported); a failure only loses them."""
        if self.path is None or not self._dirty:
            return
        live = self._digests.live()
        body = marshal.dumps({d: wide for d, wide in self._entries().items() if d in live})
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(self.path, self._head + content_digest(body) + body)
        except OSError:
            return
        self._dirty = False
