"""The last `scaffold graph` output of a checked folder, kept by the digest of all it depends on.

A graph is a function of the check's inputs (the report key: analyser, configuration, which
files there are and each one's facts) and of the graph's own options. A warm `scaffold graph`
whose key matches prints the stored text without decoding any file's facts or edges. One
rendering is kept per cache file, next to it; anything unreadable is a miss, never an error.
"""

from __future__ import annotations

import hashlib
import marshal
import os
from collections.abc import Sequence
from pathlib import Path

from scaffold.check.incremental.store import content_digest
from scaffold.files import open_regular, write_atomically

__all__ = ["Rendered", "graph_key"]

_FORMAT = b"scaffold-graph-cache/1\n"
_DIGEST_SIZE = len(content_digest(b""))


def graph_key(report_key: bytes | None, options: Sequence[object]) -> bytes | None:
    """The digest of a rendering: the report key (None when a file's facts are unknown, then
    nothing is kept) with the graph's options and where it was asked from."""
    if report_key is None:
        return None
    digest = hashlib.blake2b(report_key, digest_size=_DIGEST_SIZE)
    digest.update(repr((os.getcwd(), tuple(options))).encode())
    return digest.digest()


class Rendered:
    """The rendering stored beside one cache file."""

    def __init__(self, cache_file: Path | None) -> None:
        self.path = None if cache_file is None else cache_file.with_suffix(".graph")

    def load(self, key: bytes | None) -> tuple[str, tuple[str, ...]] | None:
        """The text and notes stored under `key`, if those are what is stored."""
        if key is None or self.path is None:
            return None
        try:
            with open_regular(self.path) as stream:
                data = stream.read()
        except OSError:
            return None
        head, body = data[: len(_FORMAT) + _DIGEST_SIZE], data[len(_FORMAT) + _DIGEST_SIZE :]
        # The checksum keeps a truncated or garbled file away from marshal entirely.
        if head != _FORMAT + content_digest(body):
            return None
        try:
            stored_key, text, notes = marshal.loads(body)
        except (EOFError, ValueError, TypeError):
            return None
        if stored_key != key or type(text) is not str or type(notes) is not tuple:
            return None
        if not all(type(note) is str for note in notes):
            return None
        return text, notes

    def store(self, key: bytes | None, text: str, notes: Sequence[str]) -> None:
        """Keep `text` and `notes` under `key`, replacing what was kept; a failure only
        loses it."""
        if key is None or self.path is None:
            return
        body = marshal.dumps((key, text, tuple(notes)))
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(self.path, _FORMAT + content_digest(body) + body)
        except OSError:
            return
