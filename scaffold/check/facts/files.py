"""Files into facts: the facts stage's reader, one file after another in this process.

The incremental check reads through a process pool and the cache instead; both take the
shape `FactsReader` names, so the pipeline does not know which one it was given.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from scaffold.check.discover import SourceFile
from scaffold.check.facts import parse_source
from scaffold.check.memory import without_cyclic_gc
from scaffold.check.model import FILE_SPAN, ModuleFacts, SourceError
from scaffold.files import read_regular

__all__ = ["FactsReader", "read_here", "read_source"]

# Reads the facts of the given files (extension modules have none), keyed by SourceFile.key.
FactsReader = Callable[[Sequence[SourceFile]], Mapping[str, ModuleFacts]]


def read_source(
    path: str, is_package: bool, parse: Callable[..., ModuleFacts] = parse_source
) -> tuple[bytes | None, ModuleFacts]:
    """A file's bytes (None: unreadable) and its facts; an unreadable file's are a SYN002."""
    try:
        data = read_regular(path)  # a FIFO put in its place mid-run must not hang a worker
    except OSError as exc:
        error = SourceError("read", str(exc.strerror or exc), FILE_SPAN)
        return None, ModuleFacts(error=error)
    return data, parse(data, is_package=is_package)


def read_here(files: Sequence[SourceFile]) -> dict[str, ModuleFacts]:
    """The pipeline's own FactsReader: each file read and parsed in turn, in this process."""
    with without_cyclic_gc():
        return {
            f.key: read_source(str(f.path), f.is_package)[1] for f in files if not f.is_extension
        }
