"""Renderings kept beside a cache file, each under the digest of all it depends on.

A `scaffold graph` drawing and a `scaffold check` printout are functions of the check's
inputs (the report key: analyser, configuration, which files there are and each one's facts)
and of their own options (and, for the check's printout, of the located files' bytes). A
warm run whose key matches prints the stored text without decoding any file's facts, edges
or stored findings. One rendering of each kind is kept per cache file, next to it; anything
unreadable is a miss, never an error.
"""

from __future__ import annotations

import hashlib
import marshal
from collections.abc import Sequence
from pathlib import Path

from scaffold.check.incremental.store import content_digest
from scaffold.files import open_regular, write_atomically

__all__ = ["KeptOutput", "Rendered", "graph_key"]

_DIGEST_SIZE = len(content_digest(b""))


def graph_key(report_key: bytes | None, options: Sequence[object]) -> bytes | None:
    """The digest of a rendering: the report key (None when a file's facts are unknown, then
    nothing is kept) with the graph's options. A drawing names modules and files relative to
    the tree, never an absolute path, so the options name the drawn path relative to the tree
    too: a checkout at another path with its cache restored prints the kept drawing."""
    if report_key is None:
        return None
    digest = hashlib.blake2b(report_key, digest_size=_DIGEST_SIZE)
    digest.update(repr(tuple(options)).encode())
    return digest.digest()


class _KeptFile:
    """One checksummed marshal file beside a cache file: a key and the values kept under it."""

    format = b""
    suffix = ""

    def __init__(self, cache_file: Path | None) -> None:
        self.path = None if cache_file is None else cache_file.with_suffix(self.suffix)

    def _load(self, key: bytes | None) -> tuple[object, ...] | None:
        """The values stored under `key`, if those are what is stored."""
        if key is None or self.path is None:
            return None
        try:
            with open_regular(self.path) as stream:
                data = stream.read()
        except OSError:
            return None
        start = len(self.format) + _DIGEST_SIZE
        # The checksum keeps a truncated or garbled file away from marshal entirely.
        if data[:start] != self.format + content_digest(data[start:]):
            return None
        try:
            stored = marshal.loads(data[start:])
        except (EOFError, ValueError, TypeError):
            return None
        if type(stored) is not tuple or not stored or stored[0] != key:
            return None
        return stored[1:]

    def _store(self, key: bytes | None, values: tuple[str | int | tuple[str, ...], ...]) -> None:
        """Keep `values` under `key`, replacing what was kept; a failure only loses it."""
        if key is None or self.path is None:
            return
        body = marshal.dumps((key, *values))
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(self.path, self.format + content_digest(body) + body)
        except OSError:
            return


class Rendered(_KeptFile):
    """The last `scaffold graph` drawing stored beside one cache file, with its notes."""

    format = b"scaffold-graph-cache/1\n"
    suffix = ".graph"

    def load(self, key: bytes | None) -> tuple[str, tuple[str, ...]] | None:
        """The text and notes stored under `key`, if those are what is stored."""
        values = self._load(key)
        if values is None or len(values) != 2:
            return None
        text, notes = values
        if type(text) is not str or type(notes) is not tuple:
            return None
        if not all(type(note) is str for note in notes):
            return None
        return text, notes

    def store(self, key: bytes | None, text: str, notes: Sequence[str]) -> None:
        """Keep `text` and `notes` under `key`, replacing what was kept."""
        self._store(key, (text, tuple(notes)))


class KeptOutput(_KeptFile):
    """The last `scaffold check` printout stored beside one cache file: what went to
    stdout, what went to stderr before and after it, and the exit code."""

    format = b"scaffold-check-output/1\n"
    suffix = ".output"

    def load(self, key: bytes | None) -> tuple[str, str, str, int] | None:
        """(stdout, stderr before, stderr after, exit code) stored under `key`, if any."""
        values = self._load(key)
        if values is None or len(values) != 4:
            return None
        out, before, after, exit_code = values
        if not all(type(text) is str for text in (out, before, after)):
            return None
        if type(exit_code) is not int:
            return None
        return out, before, after, exit_code  # type: ignore[return-value]

    def store(self, key: bytes | None, out: str, before: str, after: str, exit_code: int) -> None:
        """Keep one printout under `key`, replacing what was kept."""
        self._store(key, (out, before, after, exit_code))
