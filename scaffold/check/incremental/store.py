"""The on-disk cache: file stat → content hash → ModuleFacts, the last report and results.

One file per checked folder (where: incremental.location) holds a stat index (path relative
to the checked folder → size, mtime_ns, inode, ctime_ns, content hash), the digest of each
content hash's encoded facts, the diagnostics of the last run with the digest of everything
they depend on; then, checked and loaded only when a run needs them, the encoded facts of
each content hash and what the last run's rules found (incremental.reuse). A run where
nothing changed reads the first part only (docs/decisions.md, issue 20). No absolute path
is stored, so a cache restored at another path is used; there every file's inode and ctime
differ, so each is read and hashed once and is parsed only when its content changed; a run
that changed nothing but stats keeps the new index beside the file (incremental.cache_file).
Anything that cannot be read or trusted is a miss, never an error (records: incremental.records).
"""

from __future__ import annotations

import hashlib
import marshal
import os
import weakref
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from operator import add, attrgetter
from pathlib import Path
from typing import cast

from scaffold.check.discover import SourceFile, Tree
from scaffold.check.incremental.cache_file import (
    AHEAD_ROOM,
    AheadWrite,
    BackPart,
    index_to_write,
    large,
    load_cache,
    started_in_background,
    tuple_of,
    write_index,
    written,
)
from scaffold.check.incremental.chunks import Chunk, Parts, make_chunk
from scaffold.check.incremental.contents import (
    DIGEST_SIZE,
    STALE_SAMPLE,
    content_digest,
    index_sample,
    skipped_digest,
)
from scaffold.check.incremental.fingerprint import analyser_fingerprint
from scaffold.check.incremental.location import CACHE_DIR, CacheLocation
from scaffold.check.incremental.records import decode_facts
from scaffold.check.incremental.stat_index import Stat, StatIndex, entry_key
from scaffold.check.incremental.stored_report import decode_report, encode_report
from scaffold.check.incremental.structure import structure_digest
from scaffold.check.incremental.typed import well_typed
from scaffold.check.memory import (
    finish_background,
    in_background_until_exit,
    without_cyclic_gc,
)
from scaffold.check.model import Diagnostic, ModuleFacts

__all__ = [
    "CACHE_DIR",
    "FactsCache",
    "NewEntry",
    "Stat",
    "content_digest",
]

# Bump when the layout of the cache file changes (the fingerprint covers the analyser code).
_FORMAT = b"scaffold-check-cache/7\n"
# The format line and the fingerprint: a cache of another version or Python is refused after
# reading these bytes. Then the lead (a sample of the index, the report, the back part's
# checksum: a stale cache is refused after it), the front part (index, facts digests), the
# back part (encoded facts, the rules' results); each part after its checksum and length.
# marshal 2: no back-reference table (nothing stored is shared; the index writes 2x faster).
_MARSHAL_VERSION = 2

# A file just parsed here, to store: (file, content hash, encoded facts, stat from before it
# was read).
NewEntry = tuple[SourceFile, bytes, bytes, Stat]


class FactsCache(StatIndex):
    """The cache of one checked folder for one run; `save()` writes it back atomically."""

    def __init__(self, path: Path | None, root: Path | None = None, prefix: str = "") -> None:
        super().__init__(prefix)
        self.path = path
        self.root = root  # what the stored folder names are relative to
        self.fingerprint = analyser_fingerprint(_FORMAT)
        # The back part, not yet read (incremental.cache_file), and its checksum.
        self._back: tuple[BackPart, bytes] | None = None
        self._result: tuple[bytes, bytes] | None = None
        self._analysis: bytes | None = None
        self._structure: dict[tuple[int, tuple[object, ...]], bytes] = {}
        self._report_keys: dict[tuple[int, tuple[object, ...]], bytes] = {}
        # What `prepare` marshalled: the index, the entry digests and the entries (in parts),
        # and the index's sample.
        self._prepared: Parts | None = None
        # A first run's file being written while its rules run (`write_ahead`).
        self._ahead: AheadWrite | None = None
        self._dirty = False
        # `save` writes the whole file; this run stored results (the back part's not needed).
        self._whole = self._analysis_new = False

    def _changed(self) -> None:
        """Something stored changed: the cache is to be written, and what was marshalled
        or keyed before is not what it holds now."""
        self._dirty = True
        self._prepared = None
        self._report_keys.clear()
        self._in_turn = None
        if self._ahead is not None:  # of what the cache held before
            finish_background()
            self._ahead.abort()
            self._ahead = None

    @classmethod
    def open(cls, tree: Tree, cache_dir: Path | str | None = None) -> FactsCache:
        """Load the cache file of `tree` (see CacheLocation.of for where it is and what
        `cache_dir` overrides); a missing, foreign, stale or corrupt one starts empty."""
        location = CacheLocation.of(tree, cache_dir)
        cache = cls(location.file, location.root, location.prefix)
        # A sample of the index is looked at in a tree of many files (`sampled_stale`).
        folder = tree.base if tree.project is None else tree.project
        many = len(tree.files) >= 4 * STALE_SAMPLE
        with without_cyclic_gc():  # the index's tuples: ~0.1 s of collections at 100,000
            cache._load(str(folder) if many else None)
            cache._forget_gone(tree)
        return cache

    def _forget_gone(self, tree: Tree) -> None:
        """Drop the stat entries of files no longer in `tree` (deleted, moved, excluded):
        kept, they would stay in the cache for good, and their facts with them (`save`
        keeps only the facts of indexed files)."""
        gone = self._index.keys() - set(map(self._rel, tree.files)) if self._index else ()
        for rel in gone:
            del self._index[rel]
        if gone:
            self._changed()

    def _load(self, folder: str | None) -> None:
        """Read the cache file's lead and, unless a sample of the files under `folder` finds
        it stale, its front part (cache_file.load_cache); the back part when needed."""
        assert self.path is not None
        finish_background()  # this process's own write of it comes first
        loaded = load_cache(self.path, _FORMAT + self.fingerprint, folder)
        self._result = loaded.result
        if loaded.back is not None:
            self._back = loaded.back
            weakref.finalize(self, loaded.back[0].close)
        self._index, self._entry_digests = loaded.stat_index, loaded.entry_digests
        self._loaded_index = dict(loaded.stat_index)
        if loaded.stale:
            self._changed()  # a first run's (the stored report and last results stay: `save`)

    def _load_back(self) -> None:
        """Check and load the encoded facts and the rules' results, once."""
        if self._back is None:
            return
        part, checksum = self._back
        self._back = None
        back = part.read(checksum)
        part.close()
        if back is None:
            return
        try:
            entries, analysis = marshal.loads(back)
        except (EOFError, ValueError, TypeError):
            return
        # A back part of the wrong shape is no cache for its entries (each is parsed again).
        if well_typed({}, entries) and (analysis is None or type(analysis) is bytes):
            entries.update(self._loaded_entries)  # what this run stored (`store_all`)
            self._loaded_entries = entries
            if not self._analysis_new:
                self._analysis = analysis

    @property
    def _entries(self) -> dict[bytes, bytes]:
        """Entry key -> encoded facts (loaded on first use)."""
        self._materialise()
        self._load_back()
        return self._loaded_entries

    def has_facts(self, source: SourceFile) -> bool:
        """Whether the facts of a file are cached (see `encoded`), without loading them."""
        return self._entry_key(source) is not None

    def encoded(self, source: SourceFile) -> bytes | None:
        """The cached encoded facts of a file, or None when it must be parsed."""
        key = self._entry_key(source)
        return None if key is None else self._entries.get(key)

    def previous_encoded(self, source: SourceFile) -> bytes | None:
        """The encoded facts the file had when the cache was last written, if any."""
        entry = self._loaded_index.get(self._rel(source))
        return None if entry is None else self._entries.get(entry_key(entry[4], source.is_package))

    def facts(self, source: SourceFile) -> ModuleFacts | None:
        """The cached facts of a file (see `encoded`), or None when it must be parsed."""
        encoded = self.encoded(source)
        try:
            return None if encoded is None else decode_facts(encoded)
        except ValueError:
            return None

    def store_all(self, parsed: Iterable[NewEntry]) -> None:
        """Remember the facts of each file just parsed here (its stat from before it was
        read), as a worker stores what it parses (`store_chunk`). The back part is not loaded
        for it, only by `_marshalled` when entries of it are kept."""
        columns = tuple(zip(*parsed, strict=True))
        if columns:
            sources, digests, encoded, stats = columns
            keys, rels = map(_TREE_KEY, sources), map(self._rel, sources)
            stated, packages = map(add, stats, zip(digests)), map(_IS_PACKAGE, sources)
            self.store_chunk(make_chunk(keys, rels, stated, packages, encoded))

    def store_chunk(self, chunk: Chunk) -> None:
        """Remember the files parsed and stored in `chunk` (incremental.chunks): kept as it is
        while the cache holds nothing else (a first run's save writes it so), else loaded into
        the cache's dicts."""
        self._facts_digests.update(zip(chunk.keys, chunk.facts_digests, strict=True))
        self._indexed_now.update(zip(chunk.keys, chunk.digests, strict=True))
        if self._absent:
            self._absent.difference_update(chunk.keys)
        self._chunks.add(chunk)
        if not self._only_chunks:
            self._materialise()
        self._changed()
        self._whole = True

    def facts_digests(self, files: Sequence[SourceFile]) -> dict[str, bytes | None]:
        """`facts_digest` of each file, by tree key."""
        digests = self._known_in_turn(files)  # after a parse: every parsed file's
        if None in digests:  # a call for the others
            pairs = zip(files, digests, strict=True)
            digests = [known or self.facts_digest(source) for source, known in pairs]
            if None not in digests:
                self._in_turn = (files, digests)
        return dict(zip(map(_TREE_KEY, files), digests, strict=True))

    def facts_digest(self, source: SourceFile) -> bytes | None:
        """The digest of a file's encoded facts (None: not cached), once per run."""
        if self._later is not None:  # (asked per file: no call when none is pending)
            self._taken()
        key = source.key
        if key not in self._facts_digests:
            if source.is_extension:
                self._facts_digests[key] = content_digest(b"extension")
            else:
                entry = self._entry_key(source)
                digest = None if entry is None else self._entry_digests[entry]
                limit = source.config.max_file_size
                self._facts_digests[key] = digest or skipped_digest(self.stat(source), limit)
        return self._facts_digests[key]

    def structure_key(self, tree: Tree, options: Sequence[object]) -> bytes:
        """Digest of what results depend on besides the facts: the analyser, the options,
        the configuration, and which files and folders there are (not what they hold)."""
        memo = (id(tree), tuple(options))
        if memo not in self._structure:
            root = tree.base if self.root is None else self.root
            self._structure[memo] = structure_digest(self.fingerprint, tree, options, root)
        return self._structure[memo]

    def report_key(self, tree: Tree, options: Sequence[object]) -> bytes | None:
        """Digest of everything a report depends on, or None when a file's facts are unknown.

        A file counts by its encoded facts, not its bytes: the rules see only facts, so an
        edit that leaves them equal (a comment, a change inside a function body that moves
        no line) keeps the report.
        """
        memo = (id(tree), tuple(options))
        if memo in self._report_keys:
            return self._report_keys[memo]  # a first run asks again to store its report
        if self.empty and not all(source.is_extension for source in tree.files):
            return None  # nothing cached (a first run's start, asked twice): no pass over all
        # After a parse, every parsed file's (a first run's: all, at C speed); else in turn.
        known = self._known_in_turn(tree.files)
        parts = self._facts_digests_in_turn(tree) if None in known else cast(list[bytes], known)
        if parts is None:
            return None
        # The structure key only now: a first run stops at its first file, before any parse.
        digest = hashlib.blake2b(self.structure_key(tree, options), digest_size=DIGEST_SIZE)
        digest.update(b"".join(parts))
        self._report_keys[memo] = key = digest.digest()
        return key

    def _facts_digests_in_turn(self, tree: Tree) -> list[bytes] | None:
        """Each file's facts digest for `report_key`; None at the first file whose facts
        are unknown (every file whose stat changed is hashed first)."""
        known = self._facts_digests
        parts: list[bytes] = []
        hashed = False
        for source in tree.files:
            facts_digest = known.get(source.key) or self._unchanged_facts_digest(source)
            if facts_digest is None and not hashed and not source.is_extension:
                self._hash_changed(tree.files)  # the first file whose stat changed: all now
                hashed = True
            facts_digest = facts_digest or self.facts_digest(source)
            if facts_digest is None:
                return None
            parts.append(facts_digest)
        return parts

    @property
    def holds_report(self) -> bool:
        """Whether an earlier run stored a report (else no key finds one)."""
        return self._result is not None

    def report(self, key: bytes | None) -> tuple[list[Diagnostic], tuple[str, ...]] | None:
        """The diagnostics and the notes of the analysis stored under `key` by an earlier
        run, if any."""
        if key is None or self._result is None or self._result[0] != key:
            return None
        return decode_report(self._result[1])

    def store_report(
        self, key: bytes | None, diagnostics: Iterable[Diagnostic], notes: Iterable[str] = ()
    ) -> None:
        """Remember a report, and the notes its analysis made (a file above max-file-size,
        an import chain too deep), for the next run with the same inputs."""
        if key is None:
            return
        self._result = (key, encode_report(diagnostics, notes))
        self._dirty = self._whole = True

    @property
    def analysis(self) -> bytes | None:
        """What the last run stored for reuse (see incremental.reuse), if anything."""
        self._load_back()
        return self._analysis

    def store_analysis(self, blob: bytes) -> None:
        """Keep what this run's rules found, for the next run to reuse."""
        self._analysis = blob
        self._dirty = self._whole = self._analysis_new = True

    def prepare(self) -> None:
        """Marshal now what `save` writes that no finding changes (the stat index, the facts):
        a first run does it while its import simulation runs in a forked child, when this
        process would only wait. `save` writes it unless something changed since."""
        self._taken()
        if self.path is not None and self._dirty and (self._back is None or self._whole):
            self._prepared = self._marshalled()

    def write_ahead(self) -> None:
        """Start writing a first run's large cache file while its rules run: the stat index
        and the facts (the workers' chunks, as they are), in a thread of the console script;
        `save` adds the results and the report. On 100,000 tiny files the write (51 MB) was
        waited for at the exit, ~0.05 s; now 9 MB of it (docs/decisions.md, issues 19/21).
        Chunks still being made after the parse (incremental.held): started again once they
        are in (`Reuse.meanwhile`)."""
        if self.path is None or not self._dirty or self._ahead is not None or self.pending:
            return
        if not hasattr(os, "pwrite") or not self._only_chunks:  # Windows has no pwrite
            return
        index, entry_digests, entries, sample = self._prepared = self._marshalled()
        back_start = tuple_of(entries, ())  # the tuple's head says two: the results follow
        if not large(back_start):
            return
        front = tuple_of(index, entry_digests)
        head = _FORMAT + self.fingerprint
        ahead = AheadWrite(self.path, head, len(sample) + AHEAD_ROOM, front, back_start)
        if in_background_until_exit(ahead.run):
            self._ahead = ahead

    def _marshalled(self) -> Parts:
        """The index, the entry digests, the entries (in parts) and a sample of the index,
        marshalled; of a cache that holds chunks only, the chunks' own bytes."""
        if self._only_chunks:
            return self._chunks.parts()
        self._materialise()
        index = index_to_write(self._index)
        entry_digests = self._entry_digests
        entries = self._loaded_entries
        if self._loaded_index:
            # Entries of files that changed or went away since the cache was loaded are
            # dropped. Without a loaded index (a first run, a foreign cache) every entry was
            # stored by this run for a file of the index: nothing to drop.
            live = {entry[4] for entry in index.values()}
            entry_digests = {k: v for k, v in entry_digests.items() if k[:DIGEST_SIZE] in live}
        if self._back is not None and not entry_digests.keys() <= entries.keys():
            self._load_back()  # only when entries of the last run are kept
            entries = self._loaded_entries
        if self._loaded_index or len(entries) > len(entry_digests):
            entries = {k: v for k, v in entries.items() if k in entry_digests}
        parts = (index, entry_digests, entries)
        dumped = tuple((marshal.dumps(part, _MARSHAL_VERSION),) for part in parts)
        return (*dumped, marshal.dumps(index_sample(index), _MARSHAL_VERSION))  # type: ignore[return-value]

    def save(self) -> None:
        """Write the cache atomically (temp file + os.replace); a failure only loses it."""
        self._taken()
        if self.path is None or not self._dirty:
            return
        finish_background()  # a write of this file still under way comes first
        if self._back is not None and not self._whole:
            # The back part never loaded, so only stats changed (or files went): the index
            # is kept beside the file (cache_file.write_index), the file stays as it is.
            try:
                write_index(self.path, self._back[0].index_head, self._index)
            except OSError:
                return
            self._dirty = False
            return
        index, entry_digests, entries, sample = self._prepared or self._marshalled()
        if not self._analysis_new:
            self._load_back()  # the last run's results are kept (no-op once loaded)
        results = (marshal.dumps(self._analysis, _MARSHAL_VERSION),)
        back = tuple_of(entries, results)
        front = tuple_of(index, entry_digests)
        head = _FORMAT + self.fingerprint
        lead = (sample, self._result)
        write = partial(written, self.path, head, lead, front, back)
        ahead, self._ahead = self._ahead, None
        if ahead is not None:  # the rest of the file written ahead; else all of it
            write = partial(_finished, ahead, lead, results, write)
        if started_in_background(back, write) or write():  # a large one, as it prints
            self._dirty = False


def _finished(
    ahead: AheadWrite,
    lead: tuple[bytes, tuple[bytes, bytes] | None],
    results: tuple[bytes],
    whole: Callable[[], bool],
) -> bool:
    """`ahead` finished with the lead and the results; else the whole file written."""
    return ahead.finish(lead, results) or whole()


_IS_PACKAGE, _TREE_KEY = attrgetter("is_package"), attrgetter("key")
