"""A first run's import-time simulation, recorded in forked children and stored unread.

A cached run records each of the simulation's runs (incremental.runs.RecordedRuns) for the
next run to recall. A first run recalls nothing, so its runs split across the cores as a
`--no-cache` run's do (incremental.split_simulation): each child records the runs of the
parts it takes. Their records are most of what the cache keeps of the simulation (one per
module: 100,000 on a tree of 100,000 files), and this process needs none of them: each child
sends its records as marshal (version 2) bytes, and they are joined into the bytes of the
encoded RecordedSimulation without being loaded (`spliced`); only the failures are decoded.
"""

from __future__ import annotations

import marshal
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from scaffold.check.discover import SourceFile
from scaffold.check.imports.plan import first_failures, plan_runs
from scaffold.check.imports.simulation import Failure, RunId, simulate_part
from scaffold.check.incremental.records import CODEC
from scaffold.check.incremental.runs import RecordedRuns, RecordedSimulation, RunRecord, asked_in
from scaffold.check.incremental.split_simulation import decoded_part, start_parts
from scaffold.check.project import Project

__all__ = [
    "MarshalledRecord",
    "Simulated",
    "marshalled_runs",
    "record_in_forks",
    "recorded_in_forks",
    "spliced",
]

# A child's answer: the length of what `split_simulation.decoded_part` reads (the modules it
# executed, its failures), those bytes, then its runs' records.
_LENGTH_SIZE = 8
_MARSHAL_VERSION = 2  # no back-references: parts marshalled apart join unchanged
# marshal writes a dict as its type, each key and value, then a null: an empty one is these.
_DICT_OPEN, _DICT_CLOSE = b"{", b"0"


@dataclass(frozen=True, slots=True)
class MarshalledRecord:
    """An encoded RecordedSimulation as marshal bytes, never loaded in this process."""

    data: bytes

    def loaded(self) -> object:
        """The encoded RecordedSimulation (what CODEC.encode gives)."""
        return marshal.loads(self.data)


def marshalled_runs(runs: dict[RunId, RunRecord]) -> bytes:
    """The runs' records as the encoded RecordedSimulation holds them, marshalled."""
    encoded = CODEC.encode(RecordedSimulation((), runs))
    # A record is encoded as [type index, *fields] (codec.py): here [index, failures, runs].
    return marshal.dumps(encoded[2], _MARSHAL_VERSION)  # type: ignore[index]


def spliced(failures: tuple[Failure, ...], runs: Sequence[bytes | memoryview]) -> MarshalledRecord:
    """The marshal bytes of the encoded RecordedSimulation of `failures` and the records of
    every part of `runs` (each `marshalled_runs`' bytes), joined without loading them. A run
    recorded in two parts (a package both ran) is recorded the same in both."""
    encoded = CODEC.encode(RecordedSimulation(failures, {}))
    head = marshal.dumps(encoded, _MARSHAL_VERSION)  # type: ignore[arg-type]
    # The runs are the record's last field: its bytes end with the empty dict's.
    assert head.endswith(_DICT_OPEN + _DICT_CLOSE), "the codec's layout changed"
    items = [memoryview(part)[1:-1] for part in runs]
    return MarshalledRecord(b"".join([head[:-1], *items, _DICT_CLOSE]))


# The failures of a simulation and its record; None when a child failed.
Recorded = tuple[tuple[Failure, ...], MarshalledRecord]
# The failures, the names the simulation was recorded under, and its record encoded.
Simulated = tuple[tuple[Failure, ...], frozenset[str], object]


def recorded_in_forks(
    project: Project, asked: frozenset[str] | None, here: Callable[[], Simulated]
) -> Callable[[], Simulated]:
    """`record_in_forks` of the whole simulation, package states digested under `asked`
    (None: every name the project's facts ask, `runs.asked_in`); the function returned
    waits for its failures, the names and the record, or calls `here` if a child failed."""
    from scaffold.check.analysis import import_time_starts

    # Every child digests package states under the same names: gathered once, here.
    names = asked_in(project.facts) if asked is None else asked
    join = record_in_forks(project, import_time_starts(project), names)

    def result() -> Simulated:
        recorded = join()
        if recorded is None:
            return here()
        failures, record = recorded
        return failures, names, record

    return result


def record_in_forks(
    project: Project, starts: list[SourceFile], asked: frozenset[str], children: int | None = None
) -> Callable[[], Recorded | None]:
    """Start the recorded simulation of `starts` (package states digested under the names
    `asked`) in forked children (`split_simulation.start_parts`); the function returned
    waits for them: the failures, merged in the plan's order, and the record spliced."""
    planned = plan_runs(starts)

    def work(part: Iterator[int]) -> bytes:
        memory = RecordedRuns(project, asked, {}, frozenset())
        found, steps = simulate_part(project, planned, part, memory)
        failures = [(index, CODEC.encode(each)) for index, each in found.items()]
        head = marshal.dumps((steps, failures), _MARSHAL_VERSION)
        return len(head).to_bytes(_LENGTH_SIZE, "little") + head + marshalled_runs(memory.runs)

    joins = start_parts(planned, work, children)

    def result() -> Recorded | None:
        found: dict[int, tuple[Failure, ...]] = {}
        runs: list[memoryview] = []
        for join in joins:
            child = _read(join())
            if child is None:
                return None
            found.update(child[0])
            runs.append(child[1])
        failures = first_failures(found[index] for index in sorted(found))
        return failures, spliced(failures, runs)

    return result


def _read(data: bytes | None) -> tuple[dict[int, tuple[Failure, ...]], memoryview] | None:
    """A child's failures by run number and its runs' bytes; None if it failed."""
    if data is None or len(data) < _LENGTH_SIZE:
        return None
    end = _LENGTH_SIZE + int.from_bytes(data[:_LENGTH_SIZE], "little")
    runs = memoryview(data)[end:]
    part = decoded_part(data[_LENGTH_SIZE:end])
    if part is None or runs[:1] != _DICT_OPEN or runs[-1:] != _DICT_CLOSE:
        return None
    return part[1], runs
