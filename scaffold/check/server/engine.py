"""The project the server keeps in memory: each root's tree and facts, the open buffers'
text over the disk's, and the last analysis to reuse after an edit.

Nothing here speaks LSP. A root is checked by the same pipeline stages as `scaffold check`
(discover -> facts -> project -> rules -> select); what differs is where facts come from
(the unsaved text of open buffers, else the disk, each file parsed again only when its
bytes changed) and where the last run's results live (in memory, reused through
incremental.reuse exactly as a cached check reuses them from disk).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future
from pathlib import Path

from scaffold.check.analysis import FileResult, GraphChecks, Simulate, check_file, check_tree
from scaffold.check.discover import SourceFile, Tree, discover
from scaffold.check.imports.simulation import Failure
from scaffold.check.incremental.reuse import Reuse, Stored, keep, plan
from scaffold.check.incremental.run import _inputs as check_inputs
from scaffold.check.incremental.store import FactsCache, content_digest
from scaffold.check.memory import without_cyclic_gc
from scaffold.check.model import Diagnostic, Finding, ModuleFacts
from scaffold.check.options import CheckOptions
from scaffold.check.pipeline import CheckedTree, Resolved, diagnose
from scaffold.check.project import Project
from scaffold.check.select import Selection
from scaffold.check.server.files import (
    UNREADABLE,
    FileText,
    FirstRead,
    Known,
    disk_known,
    good_on_disk,
    open_cache,
    parse_known,
    read_disk,
    stat_of,
)
from scaffold.check.server.first import FirstCheck, add_found, as_on_disk, read_in_thread
from scaffold.files import read_regular

__all__ = ["FileText", "RootState", "Superseded", "Workspace", "never"]  # FileText: files.py

_EXTENSION_DIGEST = content_digest(b"extension")


class Superseded(Exception):
    """An analysis given up because what it reads changed while it ran (a newer edit)."""


def never() -> bool:
    """The `stop` of an analysis nothing interrupts."""
    return False


def _checkpoint(stop: Callable[[], bool]) -> None:
    """Give up here when a newer change arrived. Only the finished run's results replace the
    last run's, so a run given up anywhere leaves the state as the last finished one left it
    (facts read meanwhile are kept: each stands for the bytes it was parsed from)."""
    if stop():
        raise Superseded


class _Interruptible:
    """The reuse hooks of one analysis, each giving up first when a newer change arrived."""

    def __init__(self, reuse: Reuse, stop: Callable[[], bool]) -> None:
        self._reuse = reuse
        self._stop = stop

    def file_result(
        self, project: Project, source: SourceFile, compute: Callable[[], FileResult]
    ) -> FileResult:
        _checkpoint(self._stop)
        return self._reuse.file_result(project, source, compute)

    def start_simulation(
        self, project: Project, simulate: Simulate
    ) -> Callable[[], Sequence[Failure]]:
        _checkpoint(self._stop)
        return self._reuse.start_simulation(project, simulate)

    def graph_findings(self, project: Project, checks: GraphChecks) -> list[Finding]:
        # Kept while no file's import edges changed, as `scaffold check` keeps them from its
        # cache: an edit that adds no import does not run the cycle search again.
        _checkpoint(self._stop)
        return self._reuse.graph_findings(project, checks)


class RootState:
    """One workspace folder: its discovered tree, its files' facts, its last analysis."""

    def __init__(
        self,
        base: Path,
        options: CheckOptions,
        first_read: Future[FirstRead] | None = None,
        first_check: Future[FirstCheck | None] | None = None,
    ) -> None:
        self.base = base
        self.options = options
        self.tree: Tree | None = None
        self._invalidations = self._tree_at = 0  # by the event loop; when the tree was taken
        self._first_read = first_read  # started before the server asked (Workspace.read_ahead)
        self._first_check = first_check  # the check of the disk run while the server loaded
        self._notes: list[str] = []
        self._cache = FactsCache(None)  # for structure keys only: nothing is read or written
        # The root's `.scaffold_cache/` as the first read found it, until the first finished
        # analysis has taken from it the results `scaffold check` stored there.
        self._disk: FactsCache | None = None
        self._known: dict[str, Known] = {}
        self._good: dict[str, Known] = {}  # the last facts of each buffer that parsed
        self._stored: tuple[bytes, Stored] | None = None  # the last run's, by structure
        self._by_path: dict[Path, SourceFile] = {}
        self._by_rel: dict[str, SourceFile] = {}
        self._previous: dict[str, bytes] = {}  # encoded facts the last run saw
        # The last read's tables (for the next read to start from), the buffers it read,
        # the files marked for reading that it has not read yet, the files read since the
        # last finished analysis, and whether _previous must be made again from all files.
        self._last_read: (
            tuple[Tree, dict[str, ModuleFacts], dict[str, bytes | None], dict[str, Known]] | None
        ) = None
        self._buffered: set[Path] = set()
        self._unread: set[str] = set()
        self._unseen: set[str] = set()
        self._previous_whole = True
        self._by_key: dict[str, SourceFile] = {}
        self.checked: CheckedTree | None = None
        # While the editor reports every change on disk (didChangeWatchedFiles), a file it
        # has not named is not stat'ed again: a stat of every file costs each edit ~5 ms on
        # sympy. Otherwise every file's size and mtime are compared on each analysis.
        self.watching = False
        self._changed_on_disk: set[Path] = set()
        # The TREE-scope findings see only the discovered tree, which stays between edits.
        self._tree_findings: tuple[Tree, frozenset[str], list[Finding]] | None = None

    def invalidate(self) -> None:
        """Discover the tree again on the next analysis (files or configuration changed)."""
        self._invalidations += 1  # the first read and check may have seen the files as they were
        self.tree = self._first_check = self._first_read = None

    def changed_on_disk(self, path: Path) -> None:
        """The editor says `path` changed on disk: read it again by its stat."""
        self._changed_on_disk.add(path)
        self._first_check = None  # it may have seen the file as it was

    def take_first_check(self, buffers: Mapping[Path, str]) -> FirstCheck | None:
        """The first check's results (waited for), once, while they hold: no change on disk
        reported since, each open buffer of the root as on disk. Else None: `analyse` it."""
        first, self._first_check = self._first_check, None
        found = None if first is None else first.result()
        mine = {path: text for path, text in buffers.items() if self.owns(path)}
        return found if found is not None and as_on_disk(mine) else None

    def owns(self, path: Path) -> bool:
        """Whether `path` lies inside this root."""
        return path == self.base or path.is_relative_to(self.base)

    def source_of(self, path: Path) -> SourceFile | None:
        """The tree's file at `path`, if it is one."""
        return self._by_path.get(path)

    def text_of(self, rel: str) -> FileText | None:
        """What the last analysis read of the file at `rel` (relative to the tree)."""
        source = self._by_rel.get(rel)
        known = None if source is None else self._known.get(source.key)
        if source is None or known is None:
            return None
        if known.source is None:  # parsed by the pool: its text is the disk's
            try:
                return FileText(read_regular(source.path), False)
            except OSError:
                return None
        return known.source

    def analyse(self, buffers: Mapping[Path, str], stop: Callable[[], bool] = never) -> CheckedTree:
        """Check the root as it is now: buffers over the disk, reusing what still holds.
        Raises Superseded at the first checkpoint after `stop()` turns true."""
        current = self._tree_at == self._invalidations  # no change on disk since it was taken
        tree = self.tree if current and self.tree is not None else self._discover()
        tree.notes[:] = self._notes  # each run adds its own notes to the tree's
        with without_cyclic_gc():
            facts, digests, broken = self._read(tree, buffers, stop)
            structure = self._cache.structure_key(tree, check_inputs(self.options))
            stored, previous = self._last_results(structure)
            reuse = plan(stored, digests, facts, previous)
            resolved = Resolved(tree, facts, Project.of(tree, facts))
            _checkpoint(stop)

            hooks = _Interruptible(reuse, stop)
            checked = diagnose(
                resolved,
                self.options,
                file_result=hooks.file_result,
                start_simulation=hooks.start_simulation,
                tree_findings=self._findings_of_tree,
                graph_findings=hooks.graph_findings,
            )
            _checkpoint(stop)
        assert checked.analysis is not None
        self._stored = (structure, keep(digests, checked.analysis, reuse))
        self._disk = None
        self._remember(facts, broken)
        if broken:
            checked = self._report_broken(checked, broken)
        self.checked = checked
        return checked

    def _discover(self) -> Tree:
        """Take the tree anew (the first read's, or discovered now) and index it."""
        self._tree_at = self._invalidations
        first_read, self._first_read = self._first_read, None
        if first_read is None:
            tree = discover(self.base)
        else:
            tree, known, self._disk = first_read.result()
            self._known.update(known)
        self.tree = tree
        self._notes = list(tree.notes)
        # Keys made as the check makes them (relative to the cache's root): the first
        # analysis finds the results a check stored under the same key.
        self._cache = FactsCache(None, self._cache.root if self._disk is None else self._disk.root)
        self._stored = None
        self._by_path = {source.path: source for source in tree.files}
        self._by_rel = {source.rel: source for source in tree.files}
        self._by_key = {source.key: source for source in tree.files}
        self._previous_whole = True
        # Discovered anew (a file created, deleted or renamed, a configuration changed):
        # every file is stat'ed once, whatever path the editor named the change by (a
        # folder, a symlink's).
        self._changed_on_disk = set(self._by_path)
        return tree

    def _remember(self, facts: Mapping[str, ModuleFacts], broken: Mapping[str, Known]) -> None:
        """Keep the encoded facts a finished analysis saw, for the next one to compare with
        (only the files read since the last finished one can have changed)."""
        previous = {} if self._previous_whole else dict(self._previous)
        for key in facts.keys() if self._previous_whole else self._unseen & facts.keys():
            previous[key] = self._facts_entry(key, broken).encoded
        self._previous = previous
        self._previous_whole = False
        self._unseen = set()

    def _findings_of_tree(self, tree: Tree, enabled: frozenset[str]) -> list[Finding]:
        kept = self._tree_findings
        if kept is None or kept[0] is not tree or kept[1] != enabled:
            kept = (tree, enabled, check_tree(tree, enabled))
            self._tree_findings = kept
        return list(kept[2])

    def _facts_entry(self, key: str, broken: Mapping[str, Known]) -> Known:
        return self._good[key] if key in broken else self._known[key]

    def _read(
        self, tree: Tree, buffers: Mapping[Path, str], stop: Callable[[], bool]
    ) -> tuple[dict[str, ModuleFacts], dict[str, bytes | None], dict[str, Known]]:
        """Every file's facts for the rules, their digests, and the buffers that do not parse
        (whose last good facts stand in for them)."""
        if not self._known:
            self._read_in_parallel(tree, buffers)
        last = self._last_read
        if last is None or last[0] is not tree or not self.watching:
            return self._read_all(tree, buffers, stop)
        # The same tree, and the editor reports every change on disk: only the files it
        # named, the open buffers and the ones closed since can differ from the last read
        # (sympy: 1,500 files walked per edit cost ~3 ms). A read given up part way leaves
        # its files marked, for the next one.
        paths = {*buffers, *self._buffered, *self._changed_on_disk}
        self._unread.update(s.key for p in paths if (s := self._by_path.get(p)) is not None)
        _, facts, digests, broken = last
        facts, digests, broken = dict(facts), dict(digests), dict(broken)
        for key in self._unread:
            _checkpoint(stop)
            self._read_one(self._by_key[key], buffers, facts, digests, broken)
        self._done_reading(tree, buffers, facts, digests, broken)
        return facts, digests, broken

    def _read_all(
        self, tree: Tree, buffers: Mapping[Path, str], stop: Callable[[], bool]
    ) -> tuple[dict[str, ModuleFacts], dict[str, bytes | None], dict[str, Known]]:
        facts: dict[str, ModuleFacts] = {}
        digests: dict[str, bytes | None] = {}
        broken: dict[str, Known] = {}
        self._unread = {source.key for source in tree.files}
        for source in tree.files:
            _checkpoint(stop)
            self._read_one(source, buffers, facts, digests, broken)
        for key in set(self._known) - self._unread:
            del self._known[key]
        for key in set(self._good) - self._unread:
            del self._good[key]
        self._done_reading(tree, buffers, facts, digests, broken)
        return facts, digests, broken

    def _done_reading(
        self,
        tree: Tree,
        buffers: Mapping[Path, str],
        facts: dict[str, ModuleFacts],
        digests: dict[str, bytes | None],
        broken: dict[str, Known],
    ) -> None:
        self._last_read = (tree, facts, digests, broken)
        self._buffered = {path for path in buffers if path in self._by_path}
        self._unseen.update(self._unread)  # read since the last finished analysis
        self._unread = set()

    def _read_one(
        self,
        source: SourceFile,
        buffers: Mapping[Path, str],
        facts: dict[str, ModuleFacts],
        digests: dict[str, bytes | None],
        broken: dict[str, Known],
    ) -> None:
        """Read one file (again, if its bytes changed) into the read's tables."""
        if source.is_extension:
            digests[source.key] = _EXTENSION_DIGEST
            return
        known = self._refresh(source, buffers.get(source.path))
        error = known.facts.error
        good = self._good.get(source.key)
        broken.pop(source.key, None)
        if error is None or error.kind not in UNREADABLE:
            self._good[source.key] = known
        elif known.source is not None and known.source.from_buffer:
            good = good or good_on_disk(source)
            if good is not None and good.is_package == source.is_package:
                self._good[source.key] = good
                broken[source.key] = known
                known = good
        facts[source.key] = known.facts
        digests[source.key] = known.digest

    def _last_results(
        self, structure: bytes
    ) -> tuple[Stored | None, Callable[[str], bytes | None]]:
        """The results of the last finished analysis when made for `structure`, and the
        encoded facts it saw; for the first, those `scaffold check` stored in the cache (the
        files unchanged since keep their results: a warm start runs almost no rule)."""
        if self._stored is not None or self._disk is None:
            stored = self._stored[1] if self._stored and self._stored[0] == structure else None
            return stored, self._previous.get
        disk, sources = self._disk, self._by_key
        stored = Stored.load(disk.analysis, structure)
        return stored, lambda key: disk.previous_encoded(sources[key])

    def _read_in_parallel(self, tree: Tree, buffers: Mapping[Path, str]) -> None:
        cache = open_cache(tree, self.options)
        if cache is not None:
            self._disk = cache
            self._cache = FactsCache(None, cache.root)
        self._known.update(read_disk(tree, buffers, self.options.workers, cache))

    def _refresh(self, source: SourceFile, buffer: str | None) -> Known:
        """A file's facts, parsed again only when its bytes changed."""
        known = self._known.get(source.key)
        if buffer is not None:
            data = buffer.encode("utf-8", errors="surrogatepass")
            same = known is not None and known.source is not None and known.source.data == data
            if known is None or not same or known.is_package != source.is_package:
                known = parse_known(None, source, FileText(data, True))
            elif known.source is not None and not known.source.from_buffer:
                known = dataclasses.replace(known, stamp=None, source=FileText(data, True))
        elif (
            known is None
            or known.stamp is None
            or not self.watching
            or source.path in self._changed_on_disk
            or known.is_package != source.is_package
        ):
            self._changed_on_disk.discard(source.path)  # before the stat: a later one stays
            stamp = stat_of(source.path)
            if known is None or known.stamp != stamp or known.is_package != source.is_package:
                known = disk_known(stamp, source, known)
        self._known[source.key] = known
        return known

    def _report_broken(self, checked: CheckedTree, broken: Mapping[str, Known]) -> CheckedTree:
        """A buffer that does not parse reports its own SYN001 and nothing else."""
        tree = checked.tree
        sources = {s.key: s for s in tree.files}
        rels = {sources[key].rel for key in broken}
        kept = [d for d in checked.diagnostics if d.path not in rels]
        selection = Selection(tree, self.options.select, self.options.ignore)
        for key, known in broken.items():
            result = check_file(checked.project, sources[key], known.facts, selection.enabled)
            kept.extend(selection.diagnostics(result.findings, {key: known.facts}))
        return dataclasses.replace(checked, diagnostics=sorted(kept, key=Diagnostic.sort_key))


class Workspace:
    """Every root of the editor's workspace and the text of its open buffers."""

    def __init__(self, options: CheckOptions | None = None) -> None:
        # The first read of each root goes through `.scaffold_cache/` as `scaffold check` does
        # (after the first time, an editor's start reads no file it has not changed).
        self.options = options or CheckOptions()
        self.roots: dict[Path, RootState] = {}
        self._first_reads: dict[Path, Future[FirstRead]] = {}
        self._first_checks: dict[Path, Future[FirstCheck | None]] = {}
        # Whether the last results of some root came from its first check, not from the
        # state kept here: the next analysis (run at once by the server) makes that state.
        self.provisional = False
        self._watching = False
        self.buffers: dict[Path, str] = {}
        self.base_of: dict[Path, Path] = {}  # each reported path's root, by the last analysis
        self.notes: tuple[str, ...] = ()  # the last analysis's notes, as `scaffold check`'s

    @property
    def watching(self) -> bool:
        """Whether every change on disk is reported through `files_changed`."""
        return self._watching

    @watching.setter
    def watching(self, value: bool) -> None:
        self._watching = value
        for root in self.roots.values():
            root.watching = value

    def read_ahead(
        self,
        base: Path,
        first: Future[FirstCheck | None] | None = None,
        stored: Future[None] | None = None,
    ) -> None:
        """Discover and read the folder `base` in a thread from now on, before the client
        asks for it (the server's LSP library is still loading): `add_root(base)` starts
        from it. `first`: results of a check of `base` under way (first.py), shown first
        while they hold; the read waits until it `stored` the cache, and takes its facts."""
        base = Path(os.path.abspath(base))
        if base in self.roots or base in self._first_reads:
            return
        if first is not None:
            self._first_checks[base] = first
        self._first_reads[base] = read_in_thread(base, self.options, stored)

    def add_root(self, base: Path) -> None:
        """Check the folder `base` too."""
        base = Path(os.path.abspath(base))
        if base not in self.roots:
            first_read = self._first_reads.pop(base, None)
            first_check = self._first_checks.pop(base, None)
            self.roots[base] = RootState(base, self.options, first_read, first_check)
            self.roots[base].watching = self._watching

    def remove_root(self, base: Path) -> None:
        """Stop checking the folder `base`."""
        self.roots.pop(Path(os.path.abspath(base)), None)

    def root_of(self, path: Path) -> RootState | None:
        """The deepest root holding `path` (nested folders: the inner one reports it)."""
        holding = [root for base, root in self.roots.items() if root.owns(path)]
        return max(holding, key=lambda r: len(r.base.parts), default=None)

    def files_changed(self, paths: Iterable[Path]) -> None:
        """Files or folders changed on disk: a new, deleted or renamed file, or a
        configuration, changes the tree, which is discovered again; a content change of a
        known file is seen by its stat."""
        for path in paths:
            root = self.root_of(path)
            if root is None:
                continue
            root.changed_on_disk(path)
            known = path.suffix in (".py", ".pyi") and root.source_of(path) is not None
            if not known or not path.exists():
                root.invalidate()

    def analyse(self, stop: Callable[[], bool] = never) -> dict[Path, list[Diagnostic]]:
        """Every root's diagnostics by absolute path; a path reported by two nested roots
        keeps the inner root's. Raises Superseded once `stop()` turns true (a newer change:
        the server runs this in a thread while the editor's messages keep coming)."""
        result: dict[Path, list[Diagnostic]] = {}
        owners: dict[Path, Path] = {}
        buffers = dict(self.buffers)  # one state of the buffers for the whole run
        notes: list[str] = []
        self.provisional = False
        for base, root in sorted(self.roots.items(), key=lambda item: len(item[0].parts)):
            found = root.take_first_check(buffers)
            if found is None:
                checked = root.analyse(buffers, stop)
                found = FirstCheck.of(checked)
            else:
                self.provisional = True
            notes.extend(found.notes)
            add_found(result, owners, base, found)
        self.base_of = owners
        self.notes = tuple(dict.fromkeys(notes))
        return result
