"""A first run's import-time simulation, recorded in forked children and stored unread.

A cached run records each of the simulation's runs (incremental.runs.RecordedRuns) for the
next run to recall. A first run recalls nothing, so its runs split across the cores as a
`--no-cache` run's do (incremental.split_simulation): each child records the runs of the
parts it takes. Their records are most of what the cache keeps of the simulation (one per
module: 100,000 on a tree of 100,000 files), and this process needs none of them: each child
sends its records as marshal bytes, which are stored as they came (`RunsParts`) and loaded
only by a later run that recalls runs (`loaded_runs`); only the failures are decoded here.
"""

from __future__ import annotations

import marshal
import operator
from collections.abc import Callable, Iterator, Mapping

from scaffold.check.discover import SourceFile
from scaffold.check.imports.plan import PlannedRun, first_failures
from scaffold.check.imports.simulation import Failure, RunId, simulate_part
from scaffold.check.incremental import split_simulation
from scaffold.check.incremental.records import CODEC
from scaffold.check.incremental.runs import (
    LEFT_OUT,
    RecordedRuns,
    RecordedSimulation,
    RunRecord,
    asked_in,
)
from scaffold.check.incremental.split_simulation import decoded_part, pruned_plan, start_parts
from scaffold.check.project import Project

__all__ = [
    "RunsParts",
    "Simulated",
    "loaded_runs",
    "marshalled_left_out",
    "marshalled_runs",
    "record_in_forks",
    "recorded_in_forks",
]

_FIRST = operator.itemgetter(0)

# A child's answer: the length of what `split_simulation.decoded_part` reads (the modules it
# executed, its failures), those bytes, then its runs' records.
_LENGTH_SIZE = 8


# The records of a simulation's runs as stored: the marshal bytes of an encoded dict of them
# per process that recorded some (a run recorded in two, a package both ran, is the same).
RunsParts = tuple[bytes, ...]


def marshalled_runs(runs: dict[RunId, RunRecord]) -> bytes:
    """The runs' records as the encoded RecordedSimulation holds them, marshalled."""
    encoded = CODEC.encode(RecordedSimulation((), runs))
    # A record is encoded as [type index, *fields] (codec.py): here [index, failures, runs].
    return marshal.dumps(encoded[2])  # type: ignore[index]


def marshalled_left_out(
    planned: list[PlannedRun], left_out: Mapping[int, tuple[str, ...]]
) -> bytes:
    """The records of the runs `left_out` (imports.pruning.silent: none found a failure,
    each read the files mapped to it), as `(LEFT_OUT, run ids, reads)`: every such record
    is `RunRecord(reads, (), LEFT_OUT)`, so only what differs is stored. A record each,
    encoded one by one, was a tenth of a first run's extra cost on 100,000 tiny files, where
    every run is left out; then a list each, 0.08 s (docs/decisions.md, session 15).
    When each run read one file (its own, as `silent` finds them), the reads are that
    file's key alone, not a tuple each: half the marshal's time (docs/decisions.md,
    session 16)."""
    ids = [planned[index][0] for index in left_out]
    reads: list[tuple[str, ...]] | list[str] = list(left_out.values())
    if set(map(len, reads)) == {1}:
        reads = list(map(_FIRST, reads))
    return marshal.dumps((LEFT_OUT, ids, reads))


def loaded_runs(parts: object) -> dict[RunId, RunRecord]:
    """The records `marshalled_runs` (or `marshalled_left_out`) wrote in each of `parts`, in
    one dict; raises ValueError (or LookupError, TypeError) for anything else."""
    if type(parts) is not tuple or not all(type(part) is bytes for part in parts):
        raise TypeError("not the parts of a record")
    shell = CODEC.encode(RecordedSimulation((), {}))
    runs: dict[RunId, RunRecord] = {}
    for part in parts:
        try:
            value = marshal.loads(part)
        except EOFError as exc:
            raise ValueError("a truncated record") from exc
        if type(value) is tuple:
            runs.update(_left_out_records(value))
            continue
        shell[2] = value  # type: ignore[index]
        decoded = CODEC.decode(shell)
        if not isinstance(decoded, RecordedSimulation):
            raise TypeError("not a record")
        runs.update(decoded.runs)
    return runs


def _left_out_records(value: tuple[object, ...]) -> dict[RunId, RunRecord]:
    """The records of what `marshalled_left_out` wrote; TypeError for anything else."""
    if len(value) != 3 or value[0] != LEFT_OUT:
        raise TypeError("not the runs left out")
    ids, reads = value[1], value[2]
    if type(ids) is not list or type(reads) is not list or len(ids) != len(reads):
        raise TypeError("not the runs left out")
    records: dict[RunId, RunRecord] = {}
    for run, read in zip(ids, reads, strict=True):
        if type(read) is str:
            read = (read,)  # one file read, stored as its key
        if not (_strings(run) and len(run) == 3 and _strings(read)):
            raise TypeError("not a run left out")
        records[run] = RunRecord(read, (), LEFT_OUT)
    return records


def _strings(value: object) -> bool:
    return type(value) is tuple and all(type(item) is str for item in value)


# The failures of a simulation and its runs' records; None when a child failed.
Recorded = tuple[tuple[Failure, ...], RunsParts]
# The failures, the names the simulation was recorded under, and its runs' records.
Simulated = tuple[tuple[Failure, ...], frozenset[str], RunsParts]


def recorded_in_forks(
    project: Project, asked: frozenset[str] | None, here: Callable[[], Simulated]
) -> Callable[[], Simulated]:
    """`record_in_forks` of the whole simulation, package states digested under `asked`
    (None: every name the project's facts ask, `runs.asked_in`); the function returned
    waits for its failures, the names and the records, or calls `here` if a child failed."""
    from scaffold.check.analysis import import_time_starts

    # Every child digests package states under the same names: gathered once, here.
    names = asked_in(project.facts) if asked is None else asked
    join = record_in_forks(project, import_time_starts(project), names)

    def result() -> Simulated:
        recorded = join()
        if recorded is None:
            return here()
        failures, parts = recorded
        return failures, names, parts

    return result


def record_in_forks(
    project: Project, starts: list[SourceFile], asked: frozenset[str], children: int | None = None
) -> Callable[[], Recorded | None]:
    """Start the recorded simulation of `starts` (package states digested under the names
    `asked`) in forked children (`split_simulation.start_parts`); the function returned
    waits for them: the failures, merged in the plan's order, and each child's records (and
    one part of the runs left out, `marshalled_left_out`)."""
    planned, left_out, running = pruned_plan(project, starts)
    left = (marshalled_left_out(planned, left_out),) if left_out else ()

    def work(part: Iterator[int]) -> bytes:
        memory = RecordedRuns(project, asked, {}, frozenset())
        found, steps = simulate_part(project, planned, part, memory)
        failures = [(index, CODEC.encode(each)) for index, each in found.items()]
        head = marshal.dumps((steps, failures, []))  # no second round: nothing loud sent
        return len(head).to_bytes(_LENGTH_SIZE, "little") + head + marshalled_runs(memory.runs)

    if len(running) < split_simulation.FORK_MIN_RUNS:
        # Few runs left to simulate: recorded here, when asked, as one process would.
        return lambda: _recorded_here(project, planned, asked, running, left)
    joins = start_parts(planned, work, children, running)

    def result() -> Recorded | None:
        found: dict[int, tuple[Failure, ...]] = {}
        parts: list[bytes] = []
        for join in joins:
            child = _read(join())
            if child is None:
                return None
            found.update(child[0])
            parts.append(child[1])
        return first_failures(found[index] for index in sorted(found)), (*parts, *left)

    return result


def _recorded_here(
    project: Project,
    planned: list[PlannedRun],
    asked: frozenset[str],
    running: list[int],
    left: RunsParts,
) -> Recorded:
    memory = RecordedRuns(project, asked, {}, frozenset())
    found = simulate_part(project, planned, running, memory)[0]
    failures = first_failures(found[index] for index in sorted(found))
    return failures, (marshalled_runs(memory.runs), *left)


def _read(data: bytes | None) -> tuple[dict[int, tuple[Failure, ...]], bytes] | None:
    """A child's failures by run number and its runs' bytes; None if it failed."""
    if data is None or len(data) < _LENGTH_SIZE:
        return None
    end = _LENGTH_SIZE + int.from_bytes(data[:_LENGTH_SIZE], "little")
    part = decoded_part(data[_LENGTH_SIZE:end])
    if part is None or end >= len(data):
        return None
    return part[1], data[end:]
