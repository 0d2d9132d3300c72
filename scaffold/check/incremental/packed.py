"""A per-file result as the incremental check stores it, read back only as far as needed.

A file's findings and its import edges are each encoded (the cache's CODEC) and marshalled
on their own, so the results of a whole tree load and save as strings; a kept result's
findings are decoded when it is kept (most files have none, which costs a comparison), its
edges (`StoredEdges`) when something reads them: the import graph's checks, when they run
again. `Kept` is such a result with what it depends on (incremental.reuse).
"""

from __future__ import annotations

import marshal
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import overload

from scaffold.check.analysis import NOTHING_FOUND, FileResult
from scaffold.check.discover import SourceFile
from scaffold.check.imports.graph import Edge, file_edges, in_graph
from scaffold.check.incremental.records import CODEC
from scaffold.check.model import Finding
from scaffold.check.project import Project

__all__ = [
    "NOTHING",
    "PLAIN",
    "PLAIN_RAW",
    "Answers",
    "Kept",
    "RawFile",
    "StoredEdges",
    "asked_from",
    "edges_now",
    "kept_from",
    "pack",
    "pack_asks",
    "pack_edges",
    "unpack",
]

# Answers of `Project.can_import` a result depends on: (module, scope, the files the
# answers were taken from, ((name, answer), ...)).
Answers = tuple[tuple[str, str, tuple[str, ...], tuple[tuple[str, bool | None], ...]], ...]
# A per-file result as stored: (findings, edges, reads, notes, asks, asked_from), the
# findings, the edges and the asks each encoded and marshalled on their own, so that loading
# and saving the results copies them as strings and only those a run reads are decoded;
# `asked_from` are the files the asks' answers were taken from (the asks are decoded only
# when one of them changed: as nested tuples they were most of loading the results).
RawFile = tuple[bytes, bytes, tuple[str, ...], tuple[str, ...], bytes, tuple[str, ...]]
# Most files have no findings: theirs are compared, not decoded.
NOTHING = marshal.dumps(())


def pack(value: object) -> bytes:
    """A record (or tuple of records) encoded and marshalled, as `unpack` reads it."""
    if type(value) is tuple and not value:  # most files' findings and edges: nothing to encode
        return NOTHING
    return marshal.dumps(CODEC.encode(value))  # type: ignore[arg-type]


def unpack(data: object, kind: type) -> tuple[object, ...]:
    """The tuple of `kind` records `pack` wrote; ValueError for anything else."""
    if type(data) is not bytes:
        raise ValueError("not a packed value")
    if data == NOTHING:
        return ()
    try:
        value = CODEC.decode(marshal.loads(data))
    except (EOFError, LookupError, TypeError) as exc:
        raise ValueError(f"not a packed value: {exc}") from exc
    if not isinstance(value, tuple) or not all(isinstance(item, kind) for item in value):
        raise ValueError(f"not a tuple of {kind.__name__}")
    return value


class StoredEdges(Sequence[Edge]):
    """A kept file's import edges, decoded when first read: a run whose graph's findings
    still hold never reads them. Edges that cannot be decoded (not what `dump` wrote) are
    derived again from the project (`recompute`)."""

    __slots__ = ("_edges", "encoded", "recompute")

    def __init__(self, encoded: bytes) -> None:
        self.encoded = encoded
        # Set by the run that keeps the result (`Reuse.file_result`), from its project.
        self.recompute: Callable[[], Sequence[Edge]] = _underivable
        self._edges: tuple[Edge, ...] | None = None

    def _decoded(self) -> tuple[Edge, ...]:
        if self._edges is None:
            try:
                self._edges = unpack(self.encoded, Edge)  # type: ignore[assignment]
            except ValueError:
                self._edges = tuple(self.recompute())
        assert self._edges is not None
        return self._edges

    @overload
    def __getitem__(self, index: int) -> Edge: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Edge]: ...
    def __getitem__(self, index: int | slice) -> Edge | Sequence[Edge]:
        return self._decoded()[index]

    def __len__(self) -> int:
        return len(self._decoded())

    def __iter__(self) -> Iterator[Edge]:
        return iter(self._decoded())


def _underivable() -> Sequence[Edge]:
    raise ValueError("stored edges that cannot be decoded, and no project to derive them")


def pack_edges(edges: Sequence[Edge]) -> bytes:
    """`pack` of a result's edges; those never decoded are returned as they were stored."""
    # `type`, not isinstance: an ABC's isinstance costs a call per file of a first run.
    if type(edges) is StoredEdges and edges._edges is None:  # still as stored
        return edges.encoded
    return pack(edges if type(edges) is tuple else tuple(edges))


# Not frozen: a frozen dataclass sets each field through object.__setattr__, and a first run
# makes one per file (0.066 s against 0.022 s per 100,000). Nothing changes one once made.
@dataclass(slots=True)
class Kept:
    """A file's per-file result and what it depends on.

    `reads` are the keys of every file whose facts went into it (the file's own may be
    left out: a result is only kept while its own facts are unchanged);
    `asks` the answers it took from other modules about single names (marshalled, as
    stored, until one must be asked again), `asked_from` the files they were taken from.
    The result holds while the facts of `reads` are unchanged and the `asks` get the same
    answers.
    """

    result: FileResult
    reads: tuple[str, ...]
    asks: Answers | bytes
    asked_from: tuple[str, ...]

    def answers_hold(self, project: Project, changed: frozenset[str]) -> bool:
        """Whether every answer taken from a changed file comes out the same now."""
        # Nothing looks different to the other files (a comment edited, say), or nothing
        # was asked of the files that do.
        try:
            if not changed or changed.isdisjoint(self.asked_from):
                return True
            stored = self.asks
            asks: Answers = marshal.loads(stored) if isinstance(stored, bytes) else stored
        except (EOFError, ValueError, TypeError):
            return False  # not what `dump` wrote: compute the result again
        for module, scope, taken, answers in asks:
            if changed.isdisjoint(taken):
                continue
            target = project.find(module, scope)
            if target is None:
                return False
            for name, answer in answers:
                if project.can_import(target, name, scope) != answer:
                    return False
        return True


# The result of most files of a large tree: nothing found (`analysis.NOTHING_FOUND`), no
# other file's facts read, nothing asked. One object for all of them, stored as one tuple
# (marshal writes it once, then a reference per file): a first run on 100,000 tiny files
# made and packed a result each (docs/decisions.md, session 16).
PLAIN = Kept(NOTHING_FOUND, (), (), ())
PLAIN_RAW: RawFile = (NOTHING, NOTHING, (), (), NOTHING, ())


def pack_asks(asks: Answers | bytes) -> bytes:
    """A result's asks as stored; those never decoded are returned as they were."""
    return asks if isinstance(asks, bytes) else marshal.dumps(asks)


def asked_from(asks: Answers) -> tuple[str, ...]:
    """The files the answers of `asks` were taken from."""
    return tuple(sorted({key for _, _, taken, _ in asks for key in taken}))


def edges_now(project: Project, source: SourceFile) -> tuple[Edge, ...]:
    """A file's import edges derived from the project, as `analysis.check_file` does."""
    return tuple(file_edges(project, source)) if in_graph(source) else ()


def kept_from(
    raw: RawFile,
    seen: set[str],
    digests: Mapping[str, bytes | None],
    decoded: Kept | None,
    same_files: bool = False,
) -> Kept | None:
    """The stored result `raw` when no file it read is `seen` changed (None: compute it
    again); `decoded` is the same result still in memory, if any."""
    encoded_findings, encoded_edges, reads, notes, asks, taken_from = raw
    if not seen.isdisjoint(reads):
        return None
    # Over the same files (the structure is the same, so nearly always), whatever the
    # result read is one of them: each read is not looked up (~13k on sympy).
    if not same_files:
        if not all(read in digests for read in reads):
            return None
        if not all(read in digests for read in taken_from):
            return None
    if decoded is not None:
        return decoded  # kept in memory (`keep`) by the language server
    # The findings are decoded now (most files have none); the edges when something reads
    # them (the graph's checks, when they run again), the asks when a file they were asked
    # of is seen changed.
    findings = unpack(encoded_findings, Finding)
    if type(encoded_edges) is not bytes or type(asks) is not bytes or type(taken_from) is not tuple:
        return None
    result = FileResult(findings, StoredEdges(encoded_edges), tuple(notes))  # type: ignore[arg-type]
    return Kept(result, tuple(reads), asks, taken_from)
