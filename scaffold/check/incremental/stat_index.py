"""The stat index of a cache: which files are unchanged since they were indexed, and the
content hash and facts digest each had, known without reading the files (incremental.store
builds the cache on it).

Each file's entry holds its stat (size, mtime_ns, inode, ctime_ns) and its content hash. An
unchanged stat means an unchanged file; a file whose stat changed (touched, checked out
again, restored at another path) is read and hashed once, and its facts stay cached when its
content did not change.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from operator import attrgetter

from scaffold.check.discover import SourceFile
from scaffold.check.incremental.chunks import Chunk, Chunks
from scaffold.check.incremental.contents import file_digest, hash_files, stale_sample
from scaffold.check.incremental.location import index_keys

__all__ = ["Stat", "StatIndex", "entry_key", "file_size"]

# (size, mtime_ns, inode, ctime_ns). Size and mtime alone can be equal in another checkout
# (tools that fix mtimes, such as Nix's, or a restore): the inode and ctime make any file
# that was not the one indexed here be read and hashed before its entry is trusted.
Stat = tuple[int, int, int, int]
_KINDS = {True: b"P", False: b"M"}
_TREE_KEY = attrgetter("key")


def entry_key(digest: bytes, is_package: bool) -> bytes:
    """The key of a file's cached facts: its content hash and its kind. The facts of an
    `__init__` hold more (the names it reads), so the same content parsed as a package and
    as a module are two entries."""
    return digest + _KINDS[is_package]


def file_size(source: SourceFile) -> int:
    """The size of a file now (0 when it cannot be stat'ed: it is read, and reported, later)."""
    try:
        return os.stat(source.file).st_size
    except OSError:
        return 0


class StatIndex:
    """The stat index of a cache and what it tells of each file without reading it; the
    facts' entries are known here by their keys and digests only (FactsCache holds them)."""

    def __init__(self, prefix: str = "") -> None:
        self._rel = index_keys(prefix)  # each file's key in the index (CacheLocation.prefix)
        self._index: dict[str, tuple[int, int, int, int, bytes]] = {}
        self._loaded_index: dict[str, tuple[int, int, int, int, bytes]] = {}
        # Entry key (content hash + kind) -> digest of its encoded facts; the same keys as
        # the entries, known without loading them.
        self._entry_digests: dict[bytes, bytes] = {}
        self._loaded_entries: dict[bytes, bytes] = {}
        self._stats: dict[str, Stat | None] = {}
        # The content hash of each file indexed in this run, at its stat of this run (by tree
        # key, as `_absent`).
        self._indexed_now: dict[str, bytes] = {}
        # Files found without cached facts: asked again before they are parsed, they are not
        # read and hashed a second time.
        self._absent: set[str] = set()
        self._facts_digests: dict[str, bytes | None] = {}
        # The facts digest of every file of a list of files, in its order, once all are known
        # (`_known_in_turn`): the report key and the results' digests take them in one pass.
        self._in_turn: tuple[Sequence[SourceFile], list[bytes | None]] | None = None
        # What was stored in chunks (FactsCache.store_chunk) and is not in the dicts above yet.
        self._chunks = Chunks()
        # Chunks still being made (`store_later`): taken before anything stored is read.
        self._later: Iterator[Chunk] | None = None

    def store_chunk(self, chunk: Chunk) -> None:
        """Remember the files parsed and stored in `chunk` (FactsCache)."""
        raise NotImplementedError

    def store_later(self, chunks: Iterator[Chunk]) -> None:
        """Remember `chunks`, still being made (incremental.held), as `store_chunk` does;
        each is waited for and taken before anything stored is first read."""
        self._later = chunks
        self._changed()

    def _taken(self) -> None:
        """The chunks of `store_later`, stored (once)."""
        later, self._later = self._later, None
        if later is not None:
            for chunk in later:
                self.store_chunk(chunk)

    @property
    def pending(self) -> bool:
        """Whether chunks of `store_later` are still to be taken (reading the cache waits)."""
        return self._later is not None

    @property
    def _only_chunks(self) -> bool:
        """Whether the cache holds nothing but chunks (a first run's: written as they are)."""
        self._taken()
        return bool(self._chunks) and not (
            self._index or self._entry_digests or self._loaded_entries
        )

    def _changed(self) -> None:
        """Something the index holds changed (FactsCache writes it then)."""
        raise NotImplementedError

    def stat(self, source: SourceFile) -> Stat | None:
        """(size, mtime_ns, inode, ctime_ns) of a file, once per run; None: no stat."""
        key = self._rel(source)
        if key not in self._stats:
            try:
                info = os.stat(source.file)
            except OSError:
                self._stats[key] = None
            else:
                self._stats[key] = (info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns)
        return self._stats[key]

    def size(self, source: SourceFile) -> int:
        """A file's size, from its stat if this run took it, else from a new one (not kept:
        the parse takes its own). A cache that holds no file is not asked (`pool._read_into`)."""
        stat = self._stats.get(self._rel(source))
        return file_size(source) if stat is None else stat[0]

    def known_digest(self, source: SourceFile) -> bytes | None:
        """The content hash of an unchanged file, from the stat index alone (no read)."""
        if self._later is not None:  # (asked per file: no call when none is pending)
            self._taken()
        if self._chunks:
            self._materialise()
        entry = self._index.get(self._rel(source))
        stat = self.stat(source)
        if entry is None or stat is None or entry[:4] != stat:
            return None
        return entry[4]

    def _entry_key(self, source: SourceFile) -> bytes | None:
        """The key of the cached facts of a file, or None when it must be parsed.

        An unchanged stat means an unchanged file (no read). A known file whose stat changed
        (touched, checked out again, or too recent to trust its mtime) is read and hashed:
        identical content still needs no parse.
        """
        if source.key in self._absent:
            return None
        digest = self.known_digest(source)
        if digest is None and self.stat(source) is not None and self._rel(source) in self._index:
            digest = file_digest(source.file, source.config.max_file_size)
            if digest is None:
                return None
            self._rehashed(source, digest)
        key = None if digest is None else entry_key(digest, source.is_package)
        if key is None or key not in self._entry_digests:
            self._absent.add(source.key)
            return None
        return key

    def _rehashed(self, source: SourceFile, digest: bytes) -> bool:
        """Index the content hash just read of a file whose stat changed, when its facts are
        cached (True); else it is to be parsed."""
        stat = self._stats[rel := self._rel(source)]
        if stat is not None and entry_key(digest, source.is_package) in self._entry_digests:
            self._index[rel] = (*stat, digest)
            self._indexed_now[source.key] = digest
            self._changed()
            return True
        self._absent.add(source.key)
        return False

    def _hash_changed(self, files: Sequence[SourceFile]) -> None:
        """`_entry_key`'s read and hash of every indexed file whose stat changed, in one
        batch in threads (incremental.contents.hash_files): after a restore at another path
        that is every file, and most of what the run costs over a warm one. A stale cache's
        files are left to the workers that parse them; one a sample finds stale is dropped
        before any other file's stat, and the run is a first run's."""
        self._materialise()
        index, absent, stat, rel_of = self._index, self._absent, self.stat, self._rel
        if not index:
            return  # a first run: no file is indexed
        if stale_sample(files, self._as_indexed, self._rehashed):
            self._index, self._loaded_index, self._entry_digests = {}, {}, {}
            self._facts_digests.clear()
            self._indexed_now.clear()
            self._absent.clear()
            self._changed()  # the stored report and the last results stay (see `save`)
            return
        changed = [
            source
            for source in files
            if (rel := rel_of(source)) in index
            and source.key not in absent
            and not source.is_extension
            and (now := stat(source)) is not None
            and index[rel][:4] != now
        ]
        absent.update(source.key for source in hash_files(changed, self._rehashed))

    def _as_indexed(self, source: SourceFile) -> bool | None:  # for `stale_sample`
        entry, now = self._index.get(self._rel(source)), self.stat(source)
        if entry is None or now is None or source.is_extension:
            return source.is_extension  # an extension module is never parsed
        return True if entry[:4] == now else (None if entry[0] == now[0] else False)

    @property
    def empty(self) -> bool:
        """Whether the cache holds no file at all (a first run, or a foreign cache): then
        nothing needs looking up file by file."""
        self._taken()
        return not self._index and not self._entry_digests and not self._chunks

    @property
    def index_key(self) -> Callable[[SourceFile], str]:
        """Each file's key in the stat index."""
        return self._rel

    def _materialise(self) -> None:
        """Load the chunks stored into the cache's dicts (once), for what reads them."""
        self._taken()
        if self._chunks:
            self._chunks.load_into(self._index, self._entry_digests, self._loaded_entries)

    def known_digests(self, files: Sequence[SourceFile]) -> list[bytes | None]:
        """`known_digest` of each file: a printout's key asks every file's (all indexed in
        this run, as on a first run: no stat compared, no call per file)."""
        self._taken()
        # Indexed now: every file the chunks stored, or every file of the index.
        now_only = self._chunks and not self._index
        if self._indexed_now and (now_only or len(self._indexed_now) == len(self._index)):
            now = list(map(self._indexed_now.get, map(_TREE_KEY, files)))
            if all(now):  # content hashes: never empty
                return now
        self._materialise()
        index, stats, stat, rel_of = self._index, self._stats, self.stat, self._rel
        found: list[bytes | None] = []
        for source in files:
            entry = index.get(rel := rel_of(source))
            if entry is not None and entry[:4] == (stats.get(rel) or stat(source)):
                found.append(entry[4])
            else:
                found.append(None)
        return found

    def _known_in_turn(self, files: Sequence[SourceFile]) -> list[bytes | None]:
        """The facts digest known of each of `files` (None: not known yet), in their order;
        when all are known, kept until something is stored (a digest known never changes
        otherwise): a first run asks for them twice, a pass over 100,000 files each."""
        self._taken()
        memo = self._in_turn
        if memo is not None and memo[0] is files and len(memo[1]) == len(files):
            return memo[1]
        known = list(map(self._facts_digests.get, map(_TREE_KEY, files)))
        if None not in known:
            self._in_turn = (files, known)
        return known

    def _unchanged_facts_digest(self, source: SourceFile) -> bytes | None:
        """`facts_digest` of a file whose stat is as indexed, in one step; None for any
        other file (then `facts_digest` decides). A warm run asks this of every file, after
        `report_key` took any chunks still being made (`empty`)."""
        key = source.key
        known = self._facts_digests.get(key)
        if known is not None:
            return known
        if self._chunks:
            self._materialise()
        entry = self._index.get(rel := self._rel(source))
        if entry is None or source.is_extension:
            return None
        stat = self._stats.get(rel) or self.stat(source)  # the parse step's, if any
        if stat is None or entry[:4] != stat:
            return None
        digest = self._entry_digests.get(entry_key(entry[4], source.is_package))
        if digest is not None:
            self._facts_digests[key] = digest
        return digest
