"""What the last run found that still holds after an edit, and how it is kept.

Beside the facts cache, a run stores what its rules found: the digest of each file's facts,
each file's per-file result (its findings, its import edges, the files whose facts it read
and the answers it took from others)
and the import-time simulation's failures, with the names the project asks about. The next
run with the same structure (`FactsCache.structure_key`: the checker, the options, the
configuration, which files and folders exist) reuses

* a file's result when its own facts are unchanged, no other file it read changed as
  other files see it (positions and noqa comments do not count: no rule reads another
  file's line numbers), and the names it imports from changed files are still there
  (`Project.can_import`, asked again);
* the simulation's failures when every changed file looks the same to it as before
  (`runs.simulation_view` of its facts then and now; the cache still holds the facts of
  the last run, and a run that reuses the failures has checked the same of the run before);
* otherwise each of the simulation's runs that read no changed file, from a package state
  that came out the same (`runs.RecordedRuns`), as long as the changed files ask
  about no new name;

* the findings of the import graph's checks that report each import cycle group from its
  files alone (`Check.by_group`: IMP002), group by group, while no file of the group and no
  file they read changed; the groups themselves while no file's imports reach other files
  than before (so a new top-level name or a moved line leaves every group but the edited
  file's as it was, without decoding the other files' edges);
* the other graph checks' findings when no file's edges changed and no file whose facts
  those checks read changed;

and computes everything else, which after a one-file edit is that file, the files that read
it, the simulation's runs that read it, and the graph's checks when it changed. A kept
file's findings and edges stay encoded (one marshal string each) until something reads
them, so the work follows what the edit can affect rather than the size of the tree.
A structural change starts afresh. `Reuse` carries the plan into the run: its methods
are the hooks of `analysis.analyse`.
"""

from __future__ import annotations

import dataclasses
import enum
import marshal
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from scaffold.check.analysis import NOTHING_FOUND, Analysis, FileResult, GraphChecks, Simulate
from scaffold.check.discover import SourceFile
from scaffold.check.imports.graph import Edge
from scaffold.check.imports.simulation import Failure, RunId
from scaffold.check.incremental.graphs import GraphState, RawGraph, graph_findings
from scaffold.check.incremental.packed import (
    NOTHING,
    PLAIN,
    PLAIN_RAW,
    Answers,
    Kept,
    RawFile,
    StoredEdges,
    asked_from,
    edges_now,
    kept_from,
    pack,
    pack_asks,
    pack_edges,
    unpack,
)
from scaffold.check.incremental.records import CODEC, decode_facts
from scaffold.check.incremental.runs import (
    RecordedRuns,
    RecordedSimulation,
    RunRecord,
    appended_tail,
    asked_in,
    asked_names,
    simulation_view,
)
from scaffold.check.incremental.split_recording import (
    RunsParts,
    Simulated,
    loaded_runs,
    marshalled_runs,
    recorded_in_forks,
)
from scaffold.check.incremental.store import content_digest
from scaffold.check.model import Finding, ModuleFacts, Span
from scaffold.check.project import Asks, Project

__all__ = [
    "AFRESH_MIN_CHANGED",
    "Kept",
    "Reuse",
    "Stored",
    "dump",
    "keep",
    "pack_results",
    "plan",
]

_VERSION = 10
# Below this many changed files the comparison costs little (and small trees keep reusing).
AFRESH_MIN_CHANGED = 64

# The simulation as stored: (names asked, its failures encoded, its runs' records as each
# process that recorded them marshalled them, loaded only to recall runs: `split_recording`).
_RawSimulation = tuple[tuple[str, ...], object, RunsParts]


@dataclass(frozen=True, slots=True)
class Stored:
    """The last run's results, still encoded, for one structure."""

    digests: dict[str, bytes | None]
    files: dict[str, RawFile]
    simulation: _RawSimulation | None
    # The findings of the import graph's checks, and what they read.
    graph: RawGraph | None = None
    # The same files' results already decoded, when they never left memory (`keep`).
    decoded: Mapping[str, Kept] = field(default_factory=dict)

    @classmethod
    def load(cls, blob: bytes | None, structure: bytes) -> Stored | None:
        """The stored results when they were made for `structure`; None otherwise."""
        if blob is None:
            return None
        try:
            version, stored_structure, digests, files, simulation, graph = marshal.loads(blob)
        except (EOFError, ValueError, TypeError):
            return None
        if version != _VERSION or stored_structure != structure:
            return None
        if not isinstance(digests, dict) or not isinstance(files, dict):
            return None
        return cls(digests, files, simulation, graph)

    def edges(self) -> dict[str, tuple[Edge, ...]] | None:
        """Each file's import edges as the last run found them; None when one cannot be
        decoded (not what `dump` wrote)."""
        edges: dict[str, tuple[Edge, ...]] = {}
        for key, raw in self.files.items():
            try:
                edges[key] = unpack(raw[1], Edge)  # type: ignore[assignment]
            except (LookupError, TypeError, ValueError):
                return None
        return edges


@dataclass(frozen=True, slots=True)
class SimulationPlan:
    """What is known of the import-time simulation (IMP003) before it runs.

    `failures`: its result, still valid: nothing runs. Otherwise each run is recorded under
    the `asked` names (all facts' when None), and the runs of `runs` (recorded under the
    names `compared`, when fewer) that read none of the `changed` files are recalled;
    a run that read one of them, only `appended` to, may stop early (`RecordedRuns`).
    """

    failures: tuple[Failure, ...] | None = None
    asked: frozenset[str] | None = None
    runs: Mapping[RunId, RunRecord] = field(default_factory=dict)
    changed: frozenset[str] = frozenset()
    compared: frozenset[str] | None = None
    appended: Mapping[str, int] = field(default_factory=dict)


class Reuse:
    """What a run takes from the last one, and what it computes and records instead.

    `file_result`, `start_simulation` and `graph_findings` are the hooks `analysis.analyse`
    calls; `kept`, `recorded` and `graph` are what this run found, for `dump`.
    """

    def __init__(
        self,
        files: dict[str, Kept],
        raw_files: dict[str, RawFile],
        simulation: SimulationPlan,
        raw_simulation: _RawSimulation | None = None,
        seen: frozenset[str] = frozenset(),
        stored: Stored | None = None,
        changed: frozenset[str] = frozenset(),
    ) -> None:
        self.files = files
        self.raw_files = raw_files
        self.simulation = simulation
        self.raw_simulation = raw_simulation  # kept as it is when the failures are reused
        self.seen = seen  # files other files see changed: re-ask their answers
        self.stored = stored
        self.changed = changed  # files whose facts changed in any way
        self.fork = False  # run a whole simulation in a forked child (`pool.in_fork`)
        self.kept: dict[str, Kept] = {}
        # The names the simulation was recorded under, and its runs' records.
        self.recorded: tuple[frozenset[str], RunsParts] | None = None
        self.graph: RawGraph | None = None
        # Run before waiting for the simulation's child: work that needs no finding, done
        # while this process would only wait (set by the caller; see `pack_results`).
        self.meanwhile: Callable[[], object] | None = None
        self.packed: dict[str, RawFile] | None = None

    def file_result(
        self, project: Project, source: SourceFile, compute: Callable[[], FileResult]
    ) -> FileResult:
        """The stored result while its answers hold; else computed, with what it read."""
        key = source.key
        self.packed = None  # a result packed before this one is not all of them
        kept = self.files.get(key)
        if kept is None or not kept.answers_hold(project, self.seen):
            result, reads, asks = project.recorded(key, compute)
            if asks or len(reads) > 1:
                kept = _recorded(result, reads, asks)
            elif result is NOTHING_FOUND:
                # Most files of a large tree: nothing found, nothing asked, no other file
                # read. A first run records every file: those make no object.
                kept = PLAIN
            else:
                kept = Kept(result, (key,), (), ())
        elif isinstance(kept.result.edges, StoredEdges):
            kept.result.edges.recompute = lambda: edges_now(project, source)
        self.kept[key] = kept
        return kept.result

    def graph_findings(self, project: Project, checks: GraphChecks) -> list[Finding]:
        """The findings of the import graph's checks, kept where they hold (`graphs`)."""
        stored = self.stored
        state = GraphState(
            stored.files if stored is not None else {},
            stored.graph if stored is not None else None,
            self.kept,
            self.files,
            self.changed,
        )
        found, self.graph = graph_findings(project, checks, state)
        return found

    def start_simulation(
        self, project: Project, simulate: Simulate
    ) -> Callable[[], Sequence[Failure]]:
        """The stored failures while they hold; else the simulation, recalling what it can
        of the last one's runs and recording its own."""
        plan = self.simulation
        if plan.failures is not None:
            failures = plan.failures
            return lambda: failures

        def run() -> tuple[frozenset[str], RecordedSimulation]:
            # The names asked are gathered where the simulation runs (forked children
            # share them, `recorded_in_forks`).
            asked = plan.asked if plan.asked is not None else asked_in(project.facts)
            memory = RecordedRuns(
                project, asked, plan.runs, plan.changed, plan.compared, plan.appended
            )
            return asked, RecordedSimulation(simulate(memory).failures, memory.runs)

        # A partial simulation (a few runs) stays here: a fork would cost more than it saves.
        here = lambda: _encoded(run())  # noqa: E731
        join = recorded_in_forks(project, plan.asked, here) if self.fork and not plan.runs else here

        def wait() -> Sequence[Failure]:
            if self.meanwhile is not None:
                self.meanwhile()
            failures, asked, parts = join()
            self.recorded = (asked, parts)
            return failures

        return wait


def _recorded(result: FileResult, reads: set[str], asks: Asks) -> Kept:
    """A computed result with the files it read and the answers it asked for."""
    answers: Answers = tuple(
        (module, scope, tuple(sorted(files)), tuple(sorted(named.items())))
        for (module, scope), (files, named) in sorted(asks.items())
    )
    return Kept(result, tuple(sorted(reads)), answers, asked_from(answers))


def _encoded(run: tuple[frozenset[str], RecordedSimulation]) -> Simulated:
    asked, recorded = run
    return recorded.failures, asked, (marshalled_runs(recorded.runs),)


def plan(
    stored: Stored | None,
    digests: Mapping[str, bytes | None],
    facts: Mapping[str, ModuleFacts],
    previous: Callable[[str], bytes | None],
) -> Reuse:
    """Which stored results hold for the files as they are now (`digests` of their facts).

    `previous(key)` is the encoded facts the file had in the last run, if still cached.
    """
    if stored is None:
        return Reuse({}, {}, SimulationPlan())
    changed = {
        key
        for key, digest in digests.items()
        if digest is None or stored.digests.get(key) != digest
    }
    if len(changed) >= AFRESH_MIN_CHANGED and len(changed) * 2 > len(digests):
        # Most files changed (a stale cache, another branch checked out): telling how each
        # one changed (its old facts decoded, both outlined) costs more than the results
        # of the few others save. Start afresh, as without a cache.
        return Reuse({}, {}, SimulationPlan())
    before = {key: _before(key, stored, previous) for key in changed}
    # Files whose facts changed only in positions or noqa comments: the files that read
    # them see no difference (a rule reads another file's names, never its line numbers).
    seen = {
        key
        for key in changed
        if before[key] is None or key not in facts or _outline(before[key]) != _outline(facts[key])
    }
    files, raw_files = _kept_results(stored, digests, changed, seen)
    try:
        simulation = _simulation_plan(stored, changed, facts, before)
    except (LookupError, TypeError, ValueError):
        simulation = SimulationPlan()
    raw_simulation = stored.simulation if simulation.failures is not None else None
    return Reuse(
        files, raw_files, simulation, raw_simulation, frozenset(seen), stored, frozenset(changed)
    )


def _kept_results(
    stored: Stored, digests: Mapping[str, bytes | None], changed: set[str], seen: set[str]
) -> tuple[dict[str, Kept], dict[str, RawFile]]:
    """The stored results that hold (`kept_from`), and each one as stored."""
    files: dict[str, Kept] = {}
    raw_files: dict[str, RawFile] = {}
    same_files = digests.keys() == stored.digests.keys()
    plain: object = PLAIN_RAW
    for key, raw in stored.files.items():
        if key not in digests or key in changed:
            continue
        if raw is not plain and raw != PLAIN_RAW:
            try:
                kept = kept_from(raw, seen, digests, stored.decoded.get(key), same_files)
            except (LookupError, TypeError, ValueError):
                kept = None  # not what `dump` wrote: compute it again
        else:
            # Read no other file and asked nothing: it holds while its own facts do. Most
            # of a large tree's, loaded as one tuple (marshal's reference to it).
            plain, kept = raw, PLAIN
        if kept is not None:
            files[key] = kept
            raw_files[key] = raw
    return files, raw_files


def _before(
    key: str, stored: Stored, previous: Callable[[str], bytes | None]
) -> ModuleFacts | None:
    """The facts a changed file had when the stored results were made, if still cached."""
    encoded = previous(key)
    if encoded is None or content_digest(encoded) != stored.digests.get(key):
        return None  # not the version the stored results saw
    try:
        return decode_facts(encoded)
    except ValueError:
        return None


def _outline(facts: ModuleFacts | None) -> str:
    """A file's facts as other files' rules see them: without positions or noqa comments."""
    return repr(_without_positions(dataclasses.replace(facts, noqa=()) if facts else None))


def _without_positions(value: object) -> object:
    if type(value) is Span:
        return None
    if isinstance(value, tuple):  # named tuples too
        return tuple([_without_positions(item) for item in value])
    if isinstance(value, frozenset):
        return tuple(sorted(value))
    if isinstance(value, enum.Enum):
        return value.value
    if dataclasses.is_dataclass(value):
        return tuple(
            [_without_positions(getattr(value, field.name)) for field in dataclasses.fields(value)]
        )
    return value


def _simulation_plan(
    stored: Stored,
    changed: set[str],
    facts: Mapping[str, ModuleFacts],
    before: Mapping[str, ModuleFacts | None],
) -> SimulationPlan:
    """The simulation's stored result when every changed file looks the same to it; else
    its stored runs, to recall those that saw no changed file; else nothing."""
    if stored.simulation is None:
        return SimulationPlan()
    names, encoded_failures, parts = stored.simulation
    asked = frozenset(names)
    same_view = True
    new_names: set[str] = set()
    appended: dict[str, int] = {}
    for key in changed:
        old = before[key]
        if old is None or key not in facts:
            return SimulationPlan()
        if simulation_view(old, asked) != simulation_view(facts[key], asked):
            same_view = False
            new_names |= asked_names(facts[key]) - asked
            tail = appended_tail(old, facts[key], asked)
            if tail is not None:
                appended[key] = tail
    if same_view:
        failures = _stored_failures(encoded_failures)
        return SimulationPlan() if failures is None else SimulationPlan(failures=failures)
    return SimulationPlan(
        asked=asked | new_names,
        runs=loaded_runs(parts),
        changed=frozenset(changed),
        compared=asked,
        appended=appended,
    )


def _stored_failures(encoded: object) -> tuple[Failure, ...] | None:
    """The simulation's failures, decoded (its runs' records, most of it, left unread);
    None when they are not failures."""
    failures = CODEC.decode(encoded)
    if isinstance(failures, tuple) and all(isinstance(f, Failure) for f in failures):
        return failures
    return None


def dump(
    structure: bytes,
    digests: Mapping[str, bytes | None],
    analysis: Analysis,
    reuse: Reuse,
) -> bytes:
    """This run's results in the form `Stored.load` reads; reused parts are copied as stored."""
    files = _kept_files(analysis, reuse)
    simulation = _kept_simulation(analysis, reuse)
    # The digests as given when a dict (a first run's: a copy was per file).
    digests = digests if type(digests) is dict else dict(digests)
    value = (_VERSION, structure, digests, files, simulation, reuse.graph)
    return marshal.dumps(value)  # type: ignore[arg-type]


def pack_results(reuse: Reuse) -> None:
    """Pack every per-file result of this run now, for `keep` (`Reuse.meanwhile`)."""
    reuse.packed = _packed(reuse)


def _packed(reuse: Reuse) -> dict[str, RawFile]:
    """Every per-file result of this run as stored; reused ones as they were stored."""
    computed, reused, raw_files = reuse.kept, reuse.files, reuse.raw_files
    # Most results of a large tree are PLAIN, stored as one tuple: set for every file at
    # once, then replaced where a result is not (a first run packs every file's).
    files = dict.fromkeys(computed, PLAIN_RAW)
    for key, kept in computed.items():
        if kept is PLAIN:
            continue
        # The stored form only for a result reused as it was (a candidate whose answers
        # came out different was computed again).
        raw = raw_files.get(key) if reused and reused.get(key) is kept else None
        files[key] = _raw(kept) if raw is None else raw
    return files


def _raw(kept: Kept) -> RawFile:
    """A computed result as stored."""
    result = kept.result
    findings, edges, asks = result.findings, result.edges, kept.asks
    # Most files have no findings, no edges and no asks: those cost no call.
    return (
        NOTHING if type(findings) is tuple and not findings else pack(findings),
        NOTHING if type(edges) is tuple and not edges else pack_edges(edges),
        kept.reads,
        result.notes,
        NOTHING if type(asks) is tuple and not asks else pack_asks(asks),
        kept.asked_from,
    )


def keep(digests: Mapping[str, bytes | None], analysis: Analysis, reuse: Reuse) -> Stored:
    """This run's results as the next run's `Stored`, without writing them out (the
    language server keeps them in memory); reused parts are kept as they were stored."""
    simulation = _kept_simulation(analysis, reuse)
    decoded = {key: reuse.kept[key] for key in analysis.files}
    return Stored(dict(digests), _kept_files(analysis, reuse), simulation, reuse.graph, decoded)


def _kept_files(analysis: Analysis, reuse: Reuse) -> dict[str, RawFile]:
    # Packed while the simulation ran (`Reuse.meanwhile`), when no result came since.
    packed = reuse.packed if reuse.packed is not None else _packed(reuse)
    if packed.keys() == analysis.files.keys():
        return packed  # each result once, as a first run's (a copy was 0.02 s of 100,000)
    return {key: packed[key] for key in analysis.files}


def _kept_simulation(analysis: Analysis, reuse: Reuse) -> _RawSimulation | None:
    if analysis.failures is None:
        return None
    if reuse.recorded is None:
        return reuse.raw_simulation
    asked, parts = reuse.recorded
    return (tuple(sorted(asked)), CODEC.encode(tuple(analysis.failures)), parts)
