"""What the last run found that still holds after an edit, and how it is kept.

Beside the facts cache, a run stores what its rules found: the digest of each file's facts,
each file's `FileResult` (its findings, its import edges and the files whose facts it read)
and the import-time simulation's failures, with the names the project asks about. The next
run with the same structure (`FactsCache.structure_key`: the checker, the options, the
configuration, which files and folders exist) reuses

* a file's result when its own facts are unchanged, no other file it read changed as
  other files see it (positions and noqa comments do not count: no rule reads another
  file's line numbers), and the names it imports from changed files are still there
  (`Project.can_import`, asked again);
* the simulation's failures when every changed file looks the same to it as before
  (`graph.simulation_view` of its facts then and now; the cache still holds the facts of
  the last run, and a run that reuses the failures has checked the same of the run before);
* otherwise each of the simulation's runs that read no changed file, from a package state
  that came out the same (`graph.simulate_failures`), as long as the changed files ask
  about no new name;

and computes everything else, which after a one-file edit is that file, the files that read
it, the simulation's runs that read it, and the project-wide rules over the per-file edges.
A structural change starts afresh.
"""

from __future__ import annotations

import dataclasses
import enum
import marshal
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from scaffold.check.cache import content_digest, decode_facts, decode_value, encode_value
from scaffold.check.imports.graph import Edge
from scaffold.check.imports.simulation import Simulation, asked_names, simulation_view
from scaffold.check.model import Finding, ModuleFacts, Span
from scaffold.check.rules import Analysis, Answers, FileResult, ImportTime

__all__ = ["NOTHING", "Reuse", "Stored", "dump", "plan"]

_VERSION = 3

# A FileResult as stored: (encoded findings, encoded edges, reads, notes, asks).
_RawFile = tuple[object, object, tuple[str, ...], tuple[str, ...], Answers]
# The simulation as stored: (names asked, the encoded Simulation).
_RawSimulation = tuple[tuple[str, ...], object]


@dataclass(frozen=True, slots=True)
class Stored:
    """The last run's results, still encoded, for one structure."""

    digests: dict[str, bytes | None]
    files: dict[str, _RawFile]
    simulation: _RawSimulation | None

    @classmethod
    def load(cls, blob: bytes | None, structure: bytes) -> Stored | None:
        """The stored results when they were made for `structure`; None otherwise."""
        if blob is None:
            return None
        try:
            version, stored_structure, digests, files, simulation = marshal.loads(blob)
        except (EOFError, ValueError, TypeError):
            return None
        if version != _VERSION or stored_structure != structure:
            return None
        if not isinstance(digests, dict) or not isinstance(files, dict):
            return None
        return cls(digests, files, simulation)


@dataclass(frozen=True, slots=True)
class Reuse:
    """What `analyse` need not compute again, and the stored form of it."""

    files: dict[str, FileResult]
    raw_files: dict[str, _RawFile]
    import_time: ImportTime
    raw_simulation: _RawSimulation | None  # kept as it is when the failures are reused
    seen: frozenset[str] = frozenset()  # files other files see changed: re-ask their answers


NOTHING = Reuse({}, {}, ImportTime(), None)


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
        return Reuse({}, {}, ImportTime(record=True), None)
    changed = {
        key
        for key, digest in digests.items()
        if digest is None or stored.digests.get(key) != digest
    }
    before = {key: _before(key, stored, previous) for key in changed}
    # Files whose facts changed only in positions or noqa comments: the files that read
    # them see no difference (a rule reads another file's names, never its line numbers).
    seen = {
        key
        for key in changed
        if before[key] is None or key not in facts or _outline(before[key]) != _outline(facts[key])
    }
    files: dict[str, FileResult] = {}
    raw_files: dict[str, _RawFile] = {}
    for key, raw in stored.files.items():
        if key not in digests or key in changed:
            continue
        try:
            result = _file_result(raw, seen, digests)
        except (LookupError, TypeError, ValueError):
            result = None  # not what `dump` wrote: compute it again
        if result is not None:
            files[key] = result
            raw_files[key] = raw
    try:
        import_time = _import_time(stored, changed, facts, before)
    except (LookupError, TypeError, ValueError):
        import_time = ImportTime(record=True)
    raw_simulation = stored.simulation if import_time.failures is not None else None
    return Reuse(files, raw_files, import_time, raw_simulation, frozenset(seen))


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


def _file_result(
    raw: _RawFile, seen: set[str], digests: Mapping[str, bytes | None]
) -> FileResult | None:
    encoded_findings, encoded_edges, reads, notes, asks = raw
    if not seen.isdisjoint(reads) or not all(read in digests for read in reads):
        return None
    if not all(read in digests for _, _, taken, _ in asks for read in taken):
        return None
    findings = decode_value(encoded_findings)
    edges = decode_value(encoded_edges)
    if not (
        isinstance(findings, tuple)
        and isinstance(edges, tuple)
        and all(isinstance(finding, Finding) for finding in findings)
        and all(isinstance(edge, Edge) for edge in edges)
    ):
        return None
    return FileResult(findings, edges, tuple(reads), tuple(notes), tuple(asks))


def _import_time(
    stored: Stored,
    changed: set[str],
    facts: Mapping[str, ModuleFacts],
    before: Mapping[str, ModuleFacts | None],
) -> ImportTime:
    """The simulation's stored result when every changed file looks the same to it; else
    its stored runs, to reuse those that saw no changed file; else nothing."""
    if stored.simulation is None:
        return ImportTime(record=True)
    names, encoded = stored.simulation
    asked = frozenset(names)
    same_view = True
    new_names: set[str] = set()
    for key in changed:
        old = before[key]
        if old is None or key not in facts:
            return ImportTime(record=True)
        if simulation_view(old, asked) != simulation_view(facts[key], asked):
            same_view = False
            new_names |= asked_names(facts[key]) - asked
    simulation = decode_value(encoded)
    if not isinstance(simulation, Simulation):
        return ImportTime(record=True)
    if same_view:
        return ImportTime(failures=simulation.failures)
    return ImportTime(
        record=True,
        asked=asked | new_names,
        runs=simulation.runs,
        changed=frozenset(changed),
        compared=asked,
    )


def dump(
    structure: bytes,
    digests: Mapping[str, bytes | None],
    analysis: Analysis,
    reuse: Reuse,
) -> bytes:
    """This run's results in the form `Stored.load` reads; reused parts are copied as stored."""
    files: dict[str, _RawFile] = {}
    for key, result in analysis.files.items():
        # The stored form only for a result reused as it was (analyse may have computed a
        # candidate again, when an answer it took from a changed file came out different).
        raw = reuse.raw_files.get(key) if reuse.files.get(key) is result else None
        if raw is None:
            raw = (
                encode_value(result.findings),
                encode_value(result.edges),
                result.reads,
                result.notes,
                result.asks,
            )
        files[key] = raw
    simulation = reuse.raw_simulation
    if analysis.failures is None:
        simulation = None
    elif analysis.runs is not None and analysis.asked is not None:
        recorded = Simulation(tuple(analysis.failures), analysis.runs)
        simulation = (tuple(sorted(analysis.asked)), encode_value(recorded))
    return marshal.dumps((_VERSION, structure, dict(digests), files, simulation))  # type: ignore[arg-type]
