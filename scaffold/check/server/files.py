"""What the language server read of each file: its bytes and where they came from (an open
buffer or the disk), and the facts parsed from them."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from scaffold.check.discover import SourceFile, Tree, discover
from scaffold.check.facts import parse_source
from scaffold.check.facts.files import too_large
from scaffold.check.incremental.pool import read_facts
from scaffold.check.incremental.records import encode_facts
from scaffold.check.incremental.store import FactsCache, content_digest
from scaffold.check.model import FILE_SPAN, ModuleFacts, SourceError
from scaffold.check.options import CheckOptions
from scaffold.files import read_regular

__all__ = [
    "UNREADABLE",
    "FileText",
    "FirstRead",
    "Known",
    "disk_known",
    "good_on_disk",
    "open_cache",
    "parse_known",
    "read_disk",
    "read_root",
    "stat_of",
    "with_facts",
]


# Facts a half-typed buffer gets that say nothing of its names: the last good facts of that
# file stand in for them in every other file's results.
UNREADABLE = frozenset({"syntax", "invalid", "nesting"})


@dataclass(frozen=True, slots=True)
class FileText:
    """A file as the server last read it: its bytes (None: unreadable) and where from."""

    data: bytes | None
    from_buffer: bool

    def text(self) -> str:
        """The text, for positions; undecodable bytes become replacement characters."""
        return "" if self.data is None else self.data.decode("utf-8", errors="replace")


@dataclass(frozen=True, slots=True)
class Known:
    """One file's facts as last parsed, with what they were parsed from."""

    stamp: tuple[int, int] | None  # (size, mtime_ns) of a disk read; None for a buffer
    is_package: bool
    source: FileText | None  # None: parsed by the pool, the text is read when asked
    facts: ModuleFacts
    encoded: bytes
    digest: bytes


# A root's tree, its files' facts as its first read found them, and the cache it read.
FirstRead = tuple[Tree, dict[str, Known], FactsCache | None]


def parse_known(stamp: tuple[int, int] | None, source: SourceFile, text: FileText) -> Known:
    """The facts of `text` (a buffer's, or the disk's), as `scaffold check` would parse the
    file: one larger than `max-file-size` is not parsed (its facts say it was skipped, and
    the analysis notes it), an open buffer no differently from the file on disk."""
    if text.data is None:
        facts = ModuleFacts(error=SourceError("read", "cannot be read", FILE_SPAN))
    elif len(text.data) > source.config.max_file_size:
        facts = too_large(source.config.max_file_size)
    else:
        facts = parse_source(text.data, is_package=source.is_package)
    return with_facts(stamp, source, text, facts)


def with_facts(
    stamp: tuple[int, int] | None, source: SourceFile, text: FileText | None, facts: ModuleFacts
) -> Known:
    encoded = encode_facts(facts)
    return Known(stamp, source.is_package, text, facts, encoded, content_digest(encoded))


def read_disk(
    tree: Tree, buffers: Mapping[Path, str], workers: int | None, cache: FactsCache | None = None
) -> dict[str, Known]:
    """The first read of a root: every file on disk parsed in the process pool, as a cold
    `scaffold check` parses them (stat first: a file changed meanwhile is read again by the
    next analysis), or its facts taken from `cache` (`.scaffold_cache/`, shared with
    `scaffold check`) when it is unchanged since they were stored; the files parsed now are
    stored there. Open buffers are parsed from their text instead."""
    files = [s for s in tree.files if not s.is_extension and s.path not in buffers]
    stamps = {source.key: stat_of(source.path) for source in files}
    read = read_facts(files, cache=cache, workers=workers)
    if cache is not None:
        cache.save()
    known: dict[str, Known] = {}
    for source in files:
        facts = read.get(source.key)
        if facts is None:
            continue
        # The cache's encoding of these facts, when it has them: not encoded a second time.
        encoded = None if cache is None else cache.encoded(source)
        if encoded is None:
            known[source.key] = with_facts(stamps[source.key], source, None, facts)
        else:
            digest = content_digest(encoded)
            stamp = stamps[source.key]
            known[source.key] = Known(stamp, source.is_package, None, facts, encoded, digest)
    return known


def open_cache(tree: Tree, options: CheckOptions) -> FactsCache | None:
    """The cache `scaffold check` would use for `tree` with `options` (None: no cache)."""
    return FactsCache.open(tree, options.cache_dir) if options.use_cache else None


def read_root(base: Path, options: CheckOptions) -> FirstRead:
    """Discover `base` and read it (`read_disk`)."""
    tree = discover(base)
    cache = open_cache(tree, options)
    return tree, read_disk(tree, {}, options.workers, cache), cache


def stat_of(path: Path) -> tuple[int, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_size, stat.st_mtime_ns)


def good_on_disk(source: SourceFile) -> Known | None:
    """The last good facts of a buffer broken before the server read its file (typed into
    before the first analysis): the file on disk's, when it parses."""
    known = disk_known(stat_of(source.path), source, None)
    error = known.facts.error
    return None if error is not None and error.kind in UNREADABLE else known


def disk_known(stamp: tuple[int, int] | None, source: SourceFile, known: Known | None) -> Known:
    try:
        # Only a regular file: a FIFO put in a source file's place must not hang the server.
        data: bytes | None = read_regular(source.path)
    except OSError:
        data = None
    same = known is not None and known.source is not None and known.source.data == data
    if known is not None and same and known.is_package == source.is_package:
        return dataclasses.replace(known, stamp=stamp, source=FileText(data, False))
    return parse_known(stamp, source, FileText(data, False))
