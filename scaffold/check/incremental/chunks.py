"""A first run's cache entries, made by the pool workers that parsed the files.

A worker that parses for the cache also makes each batch's part of the cache file: its stat
index entries, entry digests and entries, each a dict marshalled with version 2. Version 2
writes a dict as `{`, its items (key, then value, with no back-references) and `0`, so the
items of dicts marshalled apart join into one dict unchanged (`joined`): a first run's
cache file is written from the workers' bytes, and the main process neither stores each
file in dicts nor marshals them again (on 100,000 tiny files that was ~0.2 s of its CPU,
and 65 MB of memory; docs/decisions.md, issues 19/21, session 16). A cache that holds
anything else loads the items into its dicts (`load_items`).
"""

from __future__ import annotations

import marshal
import time
from collections.abc import Iterable, Sequence
from itertools import accumulate, compress, islice
from operator import add, itemgetter, sub
from typing import NamedTuple

from scaffold.check.incremental.cache_file import RACY_NS, Part
from scaffold.check.incremental.contents import (
    DIGEST_SIZE,
    STALE_SAMPLE,
    content_digest,
    sample_step,
)

__all__ = ["Chunk", "Chunks", "joined", "load_items", "make_chunk"]

# A stat index entry: size, mtime_ns, inode, ctime_ns, content hash (incremental.store).
Entry = tuple[int, int, int, int, bytes]
# What opens and closes a dict in marshal's version 2.
_DICT_OPEN, _DICT_CLOSE = b"{", b"0"


class Chunk(NamedTuple):
    """One batch's part of the cache: the files stored (tree key, content hash, facts digest,
    where its encoded facts start in `entry_items`, each in the same order; a worker leaves
    the keys to the process that sent it the batch, `pool._parsed`), and its index,
    entry digests and entries, each a marshalled dict; `sample`: some of its
    index entries, for the cache file's lead; `racy`: the entries stored with an mtime of
    -1, as they are."""

    keys: list[str]
    digests: list[bytes]
    facts_digests: list[bytes]
    offsets: list[int]
    index_items: bytes
    digest_items: bytes
    entry_items: bytes
    sample: dict[str, Entry]
    racy: dict[str, Entry]


# What marshal writes before an entry's encoded facts: the key's type and length, the key (a
# content hash and a kind), the value's type and length; before the first entry, the dict's
# type.
_BEFORE_FACTS = 5 + DIGEST_SIZE + 1 + 5
_DICT_TYPE = 1
_KINDS = {True: b"P", False: b"M"}  # store._entry_key's
_CTIME, _DIGEST = itemgetter(3), itemgetter(4)


def make_chunk(
    keys: Iterable[str],
    rels: Iterable[str],
    stated: Iterable[Entry],
    packages: Iterable[bool],
    encoded: Iterable[bytes],
    every: int = 1,
) -> Chunk:
    """The Chunk of files read (`stated`: each one's index entry, of its stat taken before
    it was read), made at C speed: a worker's loop over its files only collects them.
    `every`: one file in this many goes into the sample."""
    keys, rels, stated, encoded = list(keys), list(rels), list(stated), list(encoded)
    digests = list(map(_DIGEST, stated))
    entry_keys = list(map(add, digests, map(_KINDS.__getitem__, packages)))
    facts_digests = list(map(content_digest, encoded))
    index = dict(zip(rels, stated, strict=True))
    # An entry whose file changed too close to now to trust its mtime is stored with an mtime
    # of -1 (cache_file.index_to_write): now is before the file is written, so no fewer
    # entries are marked than would be then.
    recent = time.time_ns() - RACY_NS
    racy = {rel: index[rel] for rel in compress(rels, map(recent.__le__, map(_CTIME, stated)))}
    for rel, (size, _, inode, ctime, digest) in racy.items():
        index[rel] = (size, -1, inode, ctime, digest)
    entries = dict(zip(entry_keys, encoded, strict=True))  # equal contents: one entry
    lengths = list(map(len, entries.values()))
    ends = accumulate(map(_BEFORE_FACTS.__add__, lengths), initial=_DICT_TYPE)
    next(ends)
    starts = list(map(sub, ends, lengths))
    if len(entries) < len(entry_keys):  # each file's where its content's entry is
        starts = list(map(dict(zip(entries, starts, strict=True)).__getitem__, entry_keys))
    return Chunk(
        keys,
        digests,
        facts_digests,
        starts,
        _items(index),
        _items(dict(zip(entry_keys, facts_digests, strict=True))),
        _items(entries),
        {rel: index[rel] for rel in rels[:: max(every, 1)]},
        racy,
    )


def _items(mapping: dict[str, Entry] | dict[bytes, bytes]) -> bytes:
    """A dict marshalled (version 2), whose items `joined` joins to others'."""
    return marshal.dumps(mapping, 2)


def joined(dicts: Iterable[bytes]) -> tuple[Part, ...]:
    """The marshal bytes (version 2), in parts, of the dict of every item of the marshalled
    `dicts`: their items without each one's opening and closing (no copy)."""
    return (_DICT_OPEN, *(memoryview(items)[1:-1] for items in dicts), _DICT_CLOSE)


def load_items(dicts: Sequence[bytes]) -> dict[object, object]:
    """The dict the items of the marshalled `dicts` make."""
    loaded = marshal.loads(b"".join(joined(dicts)))
    assert type(loaded) is dict  # what `make_chunk` made in this process or its workers
    return loaded


# The index, the entry digests and the entries, marshalled in parts; the index's sample.
Parts = tuple[tuple[Part, ...], tuple[Part, ...], tuple[Part, ...], bytes]


class Chunks:
    """The chunks a cache stored and has not loaded into its dicts (a first run's: its save
    writes them as they are)."""

    def __init__(self) -> None:
        self._chunks: list[Chunk] = []

    def __bool__(self) -> bool:
        return bool(self._chunks)

    def add(self, chunk: Chunk) -> None:
        self._chunks.append(chunk)

    def load_into(
        self, index: dict[str, Entry], digests: dict[bytes, bytes], entries: dict[bytes, bytes]
    ) -> None:
        """Add every item stored to the cache's dicts, and forget the chunks."""
        chunks, self._chunks = self._chunks, []
        index.update(load_items([chunk.index_items for chunk in chunks]))  # type: ignore[arg-type]
        for chunk in chunks:
            index.update(chunk.racy)  # in memory as they are (`index_to_write`)
        digests.update(load_items([chunk.digest_items for chunk in chunks]))  # type: ignore[arg-type]
        entries.update(load_items([chunk.entry_items for chunk in chunks]))  # type: ignore[arg-type]

    def parts(self) -> Parts:
        """The marshalled index, entry digests, entries (in parts) and sample of the index
        (contents.index_sample: none of a few files) that the chunks make."""
        chunks = self._chunks
        sample: dict[str, Entry] = {}
        if sum(len(chunk.keys) for chunk in chunks) >= 4 * STALE_SAMPLE:
            for chunk in chunks:
                sample.update(chunk.sample)
            sample = dict(islice(sample.items(), 0, None, sample_step(len(sample))))
        return (
            joined(chunk.index_items for chunk in chunks),
            joined(chunk.digest_items for chunk in chunks),
            joined(chunk.entry_items for chunk in chunks),
            marshal.dumps(sample, 2),
        )
