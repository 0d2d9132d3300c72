"""The check as commands run it: the pipeline, wrapped in the cache, reuse and processes.

`run_check` is the public entry (scaffold.check.run_check). Each path goes through the
pipeline's stages (scaffold.check.pipeline); what this module adds is how:

* with the cache (`check_cached`), facts come from `.scaffold_cache/` and only changed
  files are parsed; when their facts come out as before the stored report is kept, and
  otherwise the rules run with the last run's results that still hold (incremental.reuse);
* without it (`--no-cache`), the pipeline runs afresh;

and both parse in a process pool when the tree is large enough, and run a whole import-time
simulation of a large tree in a forked child beside the other rules (incremental.pool).
`scaffold graph` reads facts the same way (`resolve_path`); `--fix` plans from `check`'s result.
A run that keeps the stored report imports neither the parser, the pool, the reuse of
results nor the rules: each is imported where it is first needed.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from scaffold.check.discover import SourceFile, Tree, discover
from scaffold.check.incremental.cache_file import RACY_NS
from scaffold.check.incremental.store import FactsCache
from scaffold.check.memory import without_cyclic_gc
from scaffold.check.model import CheckReport, ModuleFacts
from scaffold.check.options import CheckOptions
from scaffold.check.pipeline import (
    CheckedTree,
    CheckResult,
    Resolved,
    check_paths,
    diagnose,
    path_groups,
    resolve,
)
from scaffold.check.project import Project

if TYPE_CHECKING:
    from scaffold.check.analysis import Simulate, StartSimulation
    from scaffold.check.imports.graph import Edge
    from scaffold.check.imports.simulation import Failure

__all__ = [
    "KnownDigests",
    "WarmStart",
    "check",
    "check_cached",
    "check_with_edges",
    "graph_report_key",
    "resolve_path",
    "run_check",
    "warm_starts",
]

# Forking and reading back the result cost ~10 ms; simulating 500 modules takes ~50 ms.
_FORK_MIN_FILES = 500


def run_check(options: CheckOptions) -> CheckReport:
    """Check every path of `options` and return the sorted findings."""
    return check(options).report


def check(
    options: CheckOptions,
    started: Sequence[WarmStart] = (),
    opened: list[tuple[Tree, FactsCache]] | None = None,
) -> CheckResult:
    """`run_check`, with each path's tree, facts, project and diagnostics for reuse.

    A source given on stdin is not what the cache knows of its file: such a run reads
    every file afresh and stores nothing. `started`: this run's paths, already discovered
    and their caches opened (`warm_starts`); `opened` is given each checked tree with its
    cache."""
    if options.stdin is not None:
        return check_paths(options, _check_with_stdin)
    if not options.use_cache:
        return check_paths(options, _check_without_cache)
    caches = {id(start.tree): start.cache for start in started}

    def check_tree(tree: Tree, options: CheckOptions) -> CheckedTree:
        cache = caches.get(id(tree))
        if cache is None:
            cache = FactsCache.open(tree, options.cache_dir)
        if opened is not None:
            opened.append((tree, cache))
        return _check_in(cache, tree, options)

    return check_paths(options, check_tree, discovered=tuple(start.tree for start in started))


class KnownDigests:
    """The content hash of each checked file that its tree's cache knows without reading
    it, by absolute path (incremental.ascii_verdicts)."""

    def __init__(self, opened: Sequence[tuple[Tree, FactsCache]]) -> None:
        self._opened = opened
        self._sources: dict[str, tuple[FactsCache, SourceFile]] | None = None

    def __call__(self, path: str) -> bytes | None:
        if self._sources is None:
            self._sources = {s.file: (c, s) for tree, c in self._opened for s in tree.files}
        found = self._sources.get(path)
        return None if found is None else found[0].known_digest(found[1])

    def live(self) -> set[bytes]:
        return {
            digest
            for tree, cache in self._opened
            for digest in cache.known_digests(tree.files)
            if digest is not None
        }


@dataclass(frozen=True, slots=True)
class WarmStart:
    """The start of a cached check of one path: its tree, its opened cache, and the digest of
    everything the check's printout depends on besides the command's own options (None when
    a file's facts are not cached, or a file is too new to trust its stat)."""

    tree: Tree
    cache: FactsCache
    key: bytes | None

    def rekeyed(self, options: CheckOptions) -> bytes | None:
        """`key` as it is now, after the check parsed the files that changed."""
        return _printout_key(self.tree, self.cache, options)


def warm_starts(options: CheckOptions) -> tuple[WarmStart, ...] | None:
    """Discover each path (group) of a cached check and open its cache, so that a printout
    kept from an earlier run can be looked up before any stored finding is decoded. None
    for a run of a source on stdin, without the cache, or of paths that share a cache
    file (each path's tree keeps its own, and two would overwrite each other's)."""
    if options.stdin is not None or not options.use_cache:
        return None
    started: list[WarmStart] = []
    for path, also in path_groups(options.paths):
        tree = discover(path, also=also, settings=options.settings)
        cache = FactsCache.open(tree, options.cache_dir)
        started.append(WarmStart(tree, cache, _printout_key(tree, cache, options)))
    files = [start.cache.path for start in started]
    if len(set(files)) < len(files):
        return None
    return tuple(started)


def _printout_key(tree: Tree, cache: FactsCache, options: CheckOptions) -> bytes | None:
    """The report key (the findings) with every file's content hash: a printout also shows
    source lines and code-point columns, which depend on bytes the facts do not hold (a
    comment, the characters before an import on its line). A file the cache holds no hash
    of (an extension module, a file above max-file-size) counts by its stat."""
    report_key = cache.report_key(tree, _inputs(options))
    if report_key is None:
        return None
    known = cache.known_digests(tree.files)
    if None in known:  # else every file's (a first run's: no call per file)
        recent = time.time_ns() - RACY_NS
        for at, (source, digest) in enumerate(zip(tree.files, known, strict=True)):
            if digest is None:
                stat = cache.stat(source)
                if stat is None or stat[3] >= recent:
                    return None
                known[at] = repr(stat).encode()
    return hashlib.blake2b(b"\0".join([report_key, *known]), digest_size=16).digest()  # type: ignore[list-item]


def _check_with_stdin(tree: Tree, options: CheckOptions) -> CheckedTree:
    from scaffold.check.facts import parse_source
    from scaffold.check.incremental.pool import read_facts

    assert options.stdin is not None
    path, data = options.stdin

    def read(files: Sequence[SourceFile]) -> dict[str, ModuleFacts]:
        facts = read_facts([f for f in files if f.path != path], workers=options.workers)
        for source in files:
            if source.path == path:
                facts[source.key] = parse_source(data, is_package=source.is_package)
        return {f.key: facts[f.key] for f in files if f.key in facts}

    resolved = resolve(tree, read)
    return diagnose(resolved, options, start_simulation=_simulation_starter(tree))


def _check_without_cache(tree: Tree, options: CheckOptions) -> CheckedTree:
    from scaffold.check.incremental.pool import read_facts

    read = partial(read_facts, workers=options.workers, meanwhile=_load_rules)
    resolved = resolve(tree, read)
    return diagnose(resolved, options, start_simulation=_simulation_starter(tree))


def _load_rules() -> None:
    """Import the rules, the analysis and the simulation while the workers parse: after the
    parse it was ~0.02 s of a cold run on sympy that nothing else overlapped."""
    import scaffold.check.analysis
    import scaffold.check.select  # noqa: F401


def _load_rules_and_reuse() -> None:
    """`_load_rules`, and the reuse of results a cached run's rules go through."""
    _load_rules()
    import scaffold.check.incremental.reuse  # noqa: F401


def _meanwhile(cache: FactsCache, tree: Tree, inputs: tuple[object, ...]) -> None:
    """What a cached run does while its workers parse: `_load_rules_and_reuse`, and the
    structure key, which every run that parses then needs (the report key after the parse,
    a first run's for its report): 0.06 s of 100,000 tiny files that ran after the parse."""
    _load_rules_and_reuse()
    cache.structure_key(tree, inputs)


def _simulation_starter(tree: Tree) -> StartSimulation:
    """Where a whole simulation of `tree` runs: in a forked child when the tree is large."""
    from scaffold.check.analysis import simulate_when_asked

    return _simulate_in_fork if len(tree.files) >= _FORK_MIN_FILES else simulate_when_asked


def _simulate_in_fork(project: Project, simulate: Simulate) -> Callable[[], Sequence[Failure]]:
    # `simulate` is the whole simulation in one process: split here across the cores.
    from scaffold.check.analysis import import_time_starts
    from scaffold.check.incremental.split_simulation import simulate_in_forks

    join = simulate_in_forks(project, import_time_starts(project))
    return lambda: join().failures


def resolve_path(
    path: Path, *, use_cache: bool = True, workers: int | None = None, cache_dir: Path | None = None
) -> Resolved:
    """Discover `path` and read its facts, through the cache (parsing only what changed)
    unless `use_cache` is off; the first stages of a check, for what needs no rules."""
    from scaffold.check.incremental.pool import read_facts

    tree = discover(path)
    if not use_cache:
        return resolve(tree, partial(read_facts, workers=workers))
    cache = FactsCache.open(tree, cache_dir)
    with without_cyclic_gc():
        facts = _cached_facts(tree, cache, workers)
    cache.save()
    return Resolved(tree, facts, Project.of(tree, facts))


def _cached_facts(
    tree: Tree,
    cache: FactsCache,
    workers: int | None,
    meanwhile: Callable[[], object] | None = None,
) -> Mapping[str, ModuleFacts]:
    """Every file's facts: the changed files parsed now, the others decoded when asked.
    `meanwhile`: what this process does while workers parse (`pool.parse_jobs`)."""
    from scaffold.check.incremental.pool import read_facts

    readable = [s for s in tree.files if not s.is_extension]
    missing = readable if cache.empty else [s for s in readable if not cache.has_facts(s)]
    fresh = read_facts(missing, cache=cache, workers=workers, meanwhile=meanwhile)
    if len(missing) == len(readable) == len(fresh):
        return fresh  # all parsed now (a first run): the rules read a dict faster
    return LazyFacts(cache, tree.files, fresh, _parse_one)


def check_cached(tree: Tree, options: CheckOptions) -> CheckedTree:
    """The pipeline over cached facts, keeping the last run's results that still hold."""
    return _check_in(FactsCache.open(tree, options.cache_dir), tree, options)


def graph_report_key(tree: Tree, cache: FactsCache, path: Path) -> bytes | None:
    """The report key of `scaffold check PATH` (what `check_with_edges` checks), or None
    while a file's facts are unknown."""
    return cache.report_key(tree, _inputs(CheckOptions(paths=(path,))))


def check_with_edges(
    path: Path, tree: Tree | None = None, cache: FactsCache | None = None
) -> tuple[CheckedTree, dict[str, tuple[Edge, ...]]]:
    """A check of `path` as `scaffold check PATH` runs it, with each graph file's module-level
    import edges (`scaffold graph`): those its rules just computed or, when the stored report
    is kept, those the last run stored; derived again only when the stored ones are not of
    these files' facts. `tree` and `cache` are the discovered `path` and its opened cache,
    when the caller has them."""
    from scaffold.check.imports.graph import build_graph, in_graph
    from scaffold.check.incremental.reuse import Stored

    tree = discover(path) if tree is None else tree
    cache = FactsCache.open(tree) if cache is None else cache
    options = CheckOptions(paths=(path,))
    checked = _check_in(cache, tree, options)
    edges: dict[str, tuple[Edge, ...]] | None = None
    if checked.analysis is not None:
        edges = {key: tuple(result.edges) for key, result in checked.analysis.files.items()}
    else:
        stored = Stored.load(cache.analysis, cache.structure_key(tree, _inputs(options)))
        digests = cache.facts_digests(tree.files)
        if stored is not None and stored.digests == digests:
            edges = stored.edges()
    if edges is None:
        edges = {key: tuple(found) for key, found in build_graph(checked.project).items()}
    graph = (source for source in tree.files if in_graph(source))
    return checked, {source.key: edges.get(source.key, ()) for source in graph}


def _inputs(options: CheckOptions) -> tuple[object, ...]:
    # Only what changes findings is part of the key, not the output format.
    settings = None if options.settings is None else options.settings.key()
    return (options.select, options.ignore, options.extend_select, settings)


def _check_in(cache: FactsCache, tree: Tree, options: CheckOptions) -> CheckedTree:
    inputs = _inputs(options)
    key = cache.report_key(tree, inputs)
    report = cache.report(key)
    facts: Mapping[str, ModuleFacts]
    if report is None:
        # Parse what changed first: when its facts come out as before, so does the report,
        # and no cached facts need decoding.
        facts = _cached_facts(
            tree, cache, options.workers, partial(_meanwhile, cache, tree, inputs)
        )
        # Without a stored report (a first run) no key finds one: the key is made later,
        # while the simulation runs (`meanwhile`).
        key = cache.report_key(tree, inputs) if cache.holds_report else None
        report = cache.report(key)
    else:
        facts = LazyFacts(cache, tree.files, {}, _parse_one)
    if report is not None:
        diagnostics, notes = report
        tree.notes.extend(notes)
        cache.save()
        return CheckedTree(tree, facts, None, diagnostics, None)  # the project when asked
    cache.write_ahead()  # a first run's, while its rules run
    resolved = Resolved(tree, facts, Project.of(tree, facts))
    from scaffold.check.incremental.reuse import Stored, dump, pack_results, plan

    # None on a first run (no structure key needed yet), and where most files were parsed
    # now: their results would not be reused (`reuse.plan`), so they are not even loaded.
    blob = None if _mostly_parsed(facts, len(tree.files)) else cache.analysis
    stored = None if blob is None else Stored.load(blob, cache.structure_key(tree, inputs))
    sources = {} if stored is None else {source.key: source for source in tree.files}
    # Without stored results no digest is compared now: they are taken for `dump`, when the
    # chunks still being made after the parse are in (incremental.held).
    digests = None if stored is None else cache.facts_digests(tree.files)
    reuse = plan(stored, digests or {}, facts, lambda k: cache.previous_encoded(sources[k]))
    reuse.fork = len(tree.files) >= _FORK_MIN_FILES

    def meanwhile() -> None:
        # What writing the cache needs of no finding, while the simulation's child runs.
        cache.report_key(tree, inputs)  # with the structure key
        cache.write_ahead()  # a first run's whose chunks were made after the parse
        pack_results(reuse)
        cache.prepare()

    reuse.meanwhile = meanwhile
    noted = len(tree.notes)  # discovery's notes come again with the tree; the analysis's not
    checked = diagnose(
        resolved,
        options,
        file_result=reuse.file_result,
        start_simulation=reuse.start_simulation,
        graph_findings=reuse.graph_findings,
    )
    assert checked.analysis is not None
    cache.store_report(cache.report_key(tree, inputs), checked.diagnostics, tree.notes[noted:])
    structure = cache.structure_key(tree, inputs)
    digests = cache.facts_digests(tree.files) if digests is None else digests
    cache.store_analysis(dump(structure, digests, checked.analysis, reuse))
    cache.save()
    return checked


def _mostly_parsed(facts: Mapping[str, ModuleFacts], files: int) -> bool:
    """Whether most files were parsed in this run (a stale cache: another branch's): their
    facts changed, or their content did and most likely they did too, so the last run's
    results are not worth reading (`reuse.AFRESH_MIN_CHANGED`)."""
    from scaffold.check.incremental.reuse import AFRESH_MIN_CHANGED

    parsed = len(facts.parsed_now()) if isinstance(facts, LazyFacts) else len(facts)
    return parsed >= AFRESH_MIN_CHANGED and parsed * 2 > files


def _parse_one(source: SourceFile) -> ModuleFacts:
    from scaffold.check.incremental.pool import read_facts

    return read_facts([source], workers=0)[source.key]


class LazyFacts(Mapping[str, ModuleFacts]):
    """The facts of every file of a tree, decoded from the cache only when something asks.

    A run that reuses most of the last one's results reads the facts of a few files only;
    decoding all of them would be most of its time. `fallback` parses a file whose cache
    entry cannot be decoded.
    """

    def __init__(
        self,
        cache: FactsCache,
        files: Iterable[SourceFile],
        known: Mapping[str, ModuleFacts],
        fallback: Callable[[SourceFile], ModuleFacts],
    ) -> None:
        self._cache = cache
        self._sources = {source.key: source for source in files if not source.is_extension}
        self._decoded = dict(known)
        self._fallback = fallback
        self._parsed_now = dict(known)

    def parsed_now(self) -> Mapping[str, ModuleFacts]:
        """The facts of the files parsed in this run (not decoded from the cache)."""
        return self._parsed_now

    def __getitem__(self, key: str) -> ModuleFacts:
        try:
            return self._decoded[key]
        except KeyError:
            pass
        source = self._sources[key]
        facts = self._cache.facts(source)
        if facts is None:
            facts = self._fallback(source)
        self._decoded[key] = facts
        return facts

    def __contains__(self, key: object) -> bool:
        return key in self._sources

    def __iter__(self) -> Iterator[str]:
        return iter(self._sources)

    def __len__(self) -> int:
        return len(self._sources)
