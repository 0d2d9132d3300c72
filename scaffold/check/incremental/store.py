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
from collections.abc import Iterable, Sequence
from functools import partial
from pathlib import Path

from scaffold.check.discover import SourceFile, Tree
from scaffold.check.incremental.cache_file import (
    BackPart,
    index_to_write,
    load_cache,
    marshalled_tuple,
    started_in_background,
    write_index,
    written,
)
from scaffold.check.incremental.contents import (
    _STALE_SAMPLE,
    DIGEST_SIZE,
    content_digest,
    file_digest,
    hash_files,
    index_sample,
    skipped_digest,
    stale_sample,
)
from scaffold.check.incremental.fingerprint import analyser_fingerprint
from scaffold.check.incremental.location import CACHE_DIR, CacheLocation, index_keys
from scaffold.check.incremental.records import decode_facts
from scaffold.check.incremental.stored_report import decode_report, encode_report
from scaffold.check.incremental.structure import structure_digest
from scaffold.check.incremental.typed import well_typed
from scaffold.check.memory import finish_background, without_cyclic_gc
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

# (size, mtime_ns, inode, ctime_ns). Size and mtime alone can be equal in another checkout
# (tools that fix mtimes, such as Nix's, or a restore): the inode and ctime make any file
# that was not the one indexed here be read and hashed before its entry is trusted.
Stat = tuple[int, int, int, int]
# A file just parsed, to store: (file, content hash, encoded facts, stat from before it was
# read, digest of the encoded facts when the worker computed it).
NewEntry = tuple[SourceFile, bytes, bytes, Stat, bytes | None]


class FactsCache:
    """The cache of one checked folder for one run; `save()` writes it back atomically."""

    def __init__(self, path: Path | None, root: Path | None = None, prefix: str = "") -> None:
        self.path = path
        self.root = root  # what the stored folder names are relative to
        self._rel = index_keys(prefix)  # each file's key in the index (CacheLocation.prefix)
        self.fingerprint = analyser_fingerprint(_FORMAT)
        self._index: dict[str, tuple[int, int, int, int, bytes]] = {}
        self._loaded_index: dict[str, tuple[int, int, int, int, bytes]] = {}
        # Entry key (content hash + kind) -> digest of its encoded facts; the same keys as
        # the entries, known without loading them.
        self._entry_digests: dict[bytes, bytes] = {}
        self._loaded_entries: dict[bytes, bytes] = {}
        # The back part, not yet read (incremental.cache_file), and its checksum.
        self._back: tuple[BackPart, bytes] | None = None
        self._result: tuple[bytes, bytes] | None = None
        self._analysis: bytes | None = None
        self._stats: dict[str, Stat | None] = {}
        # The content hash of each file indexed in this run, at its stat of this run.
        self._indexed_now: dict[str, bytes] = {}
        # Files found without cached facts: asked again before they are parsed, they are not
        # read and hashed a second time.
        self._absent: set[str] = set()
        self._facts_digests: dict[str, bytes | None] = {}
        self._structure: dict[tuple[int, tuple[object, ...]], bytes] = {}
        self._report_keys: dict[tuple[int, tuple[object, ...]], bytes] = {}
        # What `prepare` marshalled: the index, the entry digests and the entries.
        self._prepared: tuple[bytes, bytes, bytes, bytes] | None = None
        self._dirty = False
        # `save` writes the whole file; this run stored results (the back part's not needed).
        self._whole = self._analysis_new = False

    def _changed(self) -> None:
        """Something stored changed: the cache is to be written, and what was marshalled
        or keyed before is not what it holds now."""
        self._dirty = True
        self._prepared = None
        self._report_keys.clear()

    @classmethod
    def open(cls, tree: Tree, cache_dir: Path | str | None = None) -> FactsCache:
        """Load the cache file of `tree` (see CacheLocation.of for where it is and what
        `cache_dir` overrides); a missing, foreign, stale or corrupt one starts empty."""
        location = CacheLocation.of(tree, cache_dir)
        cache = cls(location.file, location.root, location.prefix)
        # A sample of the index is looked at in a tree of many files (`sampled_stale`).
        folder = tree.base if tree.project is None else tree.project
        many = len(tree.files) >= 4 * _STALE_SAMPLE
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
        self._load_back()
        return self._loaded_entries

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

    def known_digest(self, source: SourceFile) -> bytes | None:
        """The content hash of an unchanged file, from the stat index alone (no read)."""
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
        if (rel := self._rel(source)) in self._absent:
            return None
        digest = self.known_digest(source)
        if digest is None and self.stat(source) is not None and rel in self._index:
            digest = file_digest(source.file, source.config.max_file_size)
            if digest is None:
                return None
            self._rehashed(source, digest)
        key = None if digest is None else _entry_key(digest, source.is_package)
        if key is None or key not in self._entry_digests:
            self._absent.add(rel)
            return None
        return key

    def _rehashed(self, source: SourceFile, digest: bytes) -> bool:
        """Index the content hash just read of a file whose stat changed, when its facts are
        cached (True); else it is to be parsed."""
        stat = self._stats[rel := self._rel(source)]
        if stat is not None and _entry_key(digest, source.is_package) in self._entry_digests:
            self._index[rel] = (*stat, digest)
            self._indexed_now[rel] = digest
            self._changed()
            return True
        self._absent.add(rel)
        return False

    def _hash_changed(self, files: Sequence[SourceFile]) -> None:
        """`_entry_key`'s read and hash of every indexed file whose stat changed, in one
        batch in threads (incremental.contents.hash_files): after a restore at another path
        that is every file, and most of what the run costs over a warm one. A stale cache's
        files are left to the workers that parse them; one a sample finds stale is dropped
        before any other file's stat, and the run is a first run's."""
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
            and rel not in absent
            and not source.is_extension
            and (now := stat(source)) is not None
            and index[rel][:4] != now
        ]
        absent.update(self._rel(source) for source in hash_files(changed, self._rehashed))

    def _as_indexed(self, source: SourceFile) -> bool | None:  # for `stale_sample`
        entry, now = self._index.get(self._rel(source)), self.stat(source)
        if entry is None or now is None or source.is_extension:
            return source.is_extension  # an extension module is never parsed
        return True if entry[:4] == now else (None if entry[0] == now[0] else False)

    @property
    def empty(self) -> bool:
        """Whether the cache holds no file at all (a first run, or a foreign cache): then
        nothing needs looking up file by file."""
        return not self._index and not self._entry_digests

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
        return None if entry is None else self._entries.get(_entry_key(entry[4], source.is_package))

    def facts(self, source: SourceFile) -> ModuleFacts | None:
        """The cached facts of a file (see `encoded`), or None when it must be parsed."""
        encoded = self.encoded(source)
        try:
            return None if encoded is None else decode_facts(encoded)
        except ValueError:
            return None

    def store_all(self, parsed: Iterable[NewEntry]) -> None:
        """Remember the facts of each file just parsed (its stat from before it was read), in
        one call: a first run stores every file, and a call per file was a tenth of what
        writing the cache added to it. The back part is not loaded for it, only by
        `_marshalled` when entries of it are kept (issue 21)."""
        index, entries, absent = self._index, self._loaded_entries, self._absent
        entry_digests, facts_digests = self._entry_digests, self._facts_digests
        indexed_now = self._indexed_now
        for source, digest, encoded, stat, facts_digest in parsed:
            rel = self._rel(source)
            index[rel] = (*stat, digest)
            indexed_now[rel] = digest
            key = digest + (b"P" if source.is_package else b"M")  # _entry_key, inlined
            entries[key] = encoded
            if absent:
                absent.discard(rel)
            if facts_digest is None:
                facts_digest = content_digest(encoded)
            # What `facts_digest` would find: this run's report key reads every file's.
            facts_digests[source.key] = entry_digests[key] = facts_digest
        self._changed()
        self._whole = True

    def facts_digests(self, files: Iterable[SourceFile]) -> dict[str, bytes | None]:
        """`facts_digest` of each file, by tree key."""
        known = self._facts_digests  # after a parse, every parsed file's: no call for them
        return {source.key: known.get(source.key) or self.facts_digest(source) for source in files}

    def facts_digest(self, source: SourceFile) -> bytes | None:
        """The digest of a file's encoded facts (None: not cached), once per run."""
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
        known = self._facts_digests  # after a parse, every parsed file's: no call for them
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
        # The structure key only now: a first run stops at its first file, before any parse.
        digest = hashlib.blake2b(self.structure_key(tree, options), digest_size=DIGEST_SIZE)
        digest.update(b"".join(parts))  # the digest of the parts one after another
        self._report_keys[memo] = key = digest.digest()
        return key

    @property
    def holds_report(self) -> bool:
        """Whether an earlier run stored a report (else no key finds one)."""
        return self._result is not None

    def known_digests(self, files: Sequence[SourceFile]) -> list[bytes | None]:
        """`known_digest` of each file: a printout's key asks every file's (all indexed in
        this run, as on a first run: no stat compared, no call per file)."""
        if self._indexed_now and len(self._indexed_now) == len(self._index):
            now = list(map(self._indexed_now.get, map(self._rel, files)))
            if all(now):  # content hashes: never empty
                return now
        index, stats, stat, rel_of = self._index, self._stats, self.stat, self._rel
        found: list[bytes | None] = []
        for source in files:
            entry = index.get(rel := rel_of(source))
            if entry is not None and entry[:4] == (stats.get(rel) or stat(source)):
                found.append(entry[4])
            else:
                found.append(None)
        return found

    def _unchanged_facts_digest(self, source: SourceFile) -> bytes | None:
        """`facts_digest` of a file whose stat is as indexed, in one step; None for any
        other file (then `facts_digest` decides). A warm run asks this of every file."""
        key = source.key
        known = self._facts_digests.get(key)
        if known is not None:
            return known
        entry = self._index.get(rel := self._rel(source))
        if entry is None or source.is_extension:
            return None
        stat = self._stats.get(rel) or self.stat(source)  # the parse step's, if any
        if stat is None or entry[:4] != stat:
            return None
        digest = self._entry_digests.get(entry[4] + (b"P" if source.is_package else b"M"))
        if digest is not None:
            self._facts_digests[key] = digest
        return digest

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
        if self.path is not None and self._dirty and (self._back is None or self._whole):
            self._prepared = self._marshalled()

    def _marshalled(self) -> tuple[bytes, bytes, bytes, bytes]:
        """The index, the entry digests, the entries and a sample of the index, marshalled."""
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
        parts = (index, entry_digests, entries, index_sample(index))
        return tuple(marshal.dumps(part, _MARSHAL_VERSION) for part in parts)  # type: ignore[return-value]

    def save(self) -> None:
        """Write the cache atomically (temp file + os.replace); a failure only loses it."""
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
        back = marshalled_tuple((entries, marshal.dumps(self._analysis, _MARSHAL_VERSION)))
        front = marshalled_tuple((index, entry_digests))
        head = _FORMAT + self.fingerprint
        write = partial(written, self.path, head, (sample, self._result), front, back)
        if started_in_background(back, write) or write():  # a large one, as it prints
            self._dirty = False


def _entry_key(digest: bytes, is_package: bool) -> bytes:
    # The facts of an `__init__` hold more (the names it reads), so the same content parsed
    # as a package and as a module are two entries.
    return digest + (b"P" if is_package else b"M")
