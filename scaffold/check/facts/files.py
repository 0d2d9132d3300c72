"""Files into facts: the facts stage's reader, one file after another in this process.

The incremental check reads through a process pool and the cache instead; both take the
shape `FactsReader` names, so the pipeline does not know which one it was given.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable, Mapping, Sequence

from scaffold.check.discover import SourceFile
from scaffold.check.facts import parse_source
from scaffold.check.memory import without_cyclic_gc
from scaffold.check.model import FILE_SPAN, ModuleFacts, SourceError
from scaffold.files import read_stated

__all__ = ["FactsReader", "read_here", "read_source", "read_source_stated", "too_large"]

# Reads the facts of the given files (extension modules have none), keyed by SourceFile.key.
FactsReader = Callable[[Sequence[SourceFile]], Mapping[str, ModuleFacts]]


def read_source(
    path: str,
    is_package: bool,
    parse: Callable[..., ModuleFacts] = parse_source,
    limit: int | None = None,
) -> tuple[bytes | None, ModuleFacts]:
    """A file's bytes (None: unreadable or not read) and its facts; an unreadable file's
    are a SYN002, and a file of more than `limit` bytes (`max-file-size`) is not parsed:
    its facts say it was skipped (`too_large`)."""
    data, facts, _ = read_source_stated(path, is_package, parse, limit)
    return data, facts


def read_source_stated(
    path: str,
    is_package: bool,
    parse: Callable[..., ModuleFacts] = parse_source,
    limit: int | None = None,
) -> tuple[bytes | None, ModuleFacts, os.stat_result | None]:
    """`read_source`, with the stat of the file read, taken before it was (None when it was
    not read)."""
    try:
        # A FIFO put in its place mid-run must not hang a worker; no more than `limit` + 1
        # bytes of a file too large to parse are read.
        data, info = read_stated(path, limit)
    except OSError as exc:
        if exc.errno == errno.EFBIG and limit is not None:
            return None, too_large(limit), None
        error = SourceError("read", str(exc.strerror or exc), FILE_SPAN)
        return None, ModuleFacts(error=error), None
    return data, parse(data, is_package=is_package), info


def too_large(limit: int) -> ModuleFacts:
    """The facts of a file larger than `max-file-size`: nothing known, and why."""
    return ModuleFacts(error=SourceError("skipped", f"{limit:,}", FILE_SPAN))


def read_here(files: Sequence[SourceFile]) -> dict[str, ModuleFacts]:
    """The pipeline's own FactsReader: each file read and parsed in turn, in this process."""
    with without_cyclic_gc():
        return {
            f.key: read_source(f.file, f.is_package, limit=f.config.max_file_size)[1]
            for f in files
            if not f.is_extension
        }
