"""A whole import-time simulation split across forked children, merged as one process's.

After the parse, the simulation of a large tree was the longest step left: one process
while the other cores idled (the rules take a fraction of it). Its runs are independent
(imports.simulation.simulate_part), so each child takes parts of the plan from a shared
queue until none is left, and the failures are merged in the plan's order, as one process
would have found them first.
"""

from __future__ import annotations

import marshal
import os
from collections.abc import Callable, Iterable, Iterator

from scaffold.check.discover import SourceFile
from scaffold.check.imports.plan import PlannedRun, first_failures, plan_runs
from scaffold.check.imports.pruning import Entries, silent
from scaffold.check.imports.run_memory import RunId
from scaffold.check.imports.simulation import Failure, Simulation, simulate_failures, simulate_part
from scaffold.check.incremental.pool import start_in_fork
from scaffold.check.incremental.records import CODEC
from scaffold.check.project import Project

__all__ = [
    "ENTRIES_MIN_RUNS",
    "FORK_MIN_RUNS",
    "SPLIT_MIN_RUNS",
    "decoded_part",
    "pruned_plan",
    "simulate_in_forks",
    "split_plan",
    "start_parts",
]

# Split below this many runs and the parts cost more than they save: each child runs the
# packages its parts start from and keeps its own memo, ~1.4x the CPU of one simulation on
# sympy (1,500 runs), where the rules after the parse take about as long as the simulation
# and the two cores are busy anyway; ~1.12x on a 10,000-file environment, where the
# simulation took ten times the rules. One child per usable core, none left to this
# process for its rules: one child fewer on 2 cores cost 2.8% less CPU but 6.3% more wall
# time on that environment (quiet, session 13; docs/decisions.md).
SPLIT_MIN_RUNS = 4_000
# Fewer runs left to simulate than this (imports.pruning left the others out) and they run
# in this process: forking a parent of 600 MB (100,000 tiny files, every run left out) cost
# more system time in copied pages than the runs it would have taken.
FORK_MIN_RUNS = 500
# From this many runs left the simulation runs in two rounds (imports.pruning.Entries): its
# static pass over every module's statements costs ~0.3 s on a 10,000-file environment,
# where it leaves out ~6,300 of ~9,200 runs (~2 s of CPU); on sympy (1,400 runs, ~0.3 s
# of simulation) it would cost about what it saves.
ENTRIES_MIN_RUNS = 2_000
# A part is this share of the runs not yet dealt, per child: the children take large parts
# first and small ones last, so they finish close together (runs differ in cost a thousand
# times). A part's runs are neighbours (`split_plan`), so the packages they start from are
# mostly the same and run once per part at most.
_SHARE_PER_CHILD = 8
_MIN_PART = 4
_PART_ID_BYTES = 4
# The queue is written whole before a child reads it: it must fit in a pipe (64 kB on Linux,
# 4 kB the least POSIX allows) or the write would wait for a reader that never comes.
_MAX_PARTS = 1_000


def split_plan(
    planned: list[PlannedRun], children: int, running: list[int] | None = None
) -> list[list[int]]:
    """The numbers of the plan's runs (those in `running`, None: all) in parts, each a run
    of neighbours in module name order (a package, then the modules below it), the largest
    parts first; for one child, all in the plan's own order (where its memo keeps the most)."""
    numbers = list(range(len(planned))) if running is None else running
    if children < 2:
        return [numbers]
    order = sorted(numbers, key=lambda i: _by_name(planned[i]))
    parts: list[list[int]] = []
    start = 0
    while start < len(order):
        size = max(_MIN_PART, (len(order) - start) // (_SHARE_PER_CHILD * children))
        if len(parts) == _MAX_PARTS - 1:
            size = len(order) - start
        parts.append(order[start : start + size])
        start += size
    return parts


def _by_name(planned: PlannedRun) -> tuple[str, list[str]]:
    _, scope, name = planned[0]
    return scope, name.split(".")


def simulate_in_forks(
    project: Project, starts: list[SourceFile], children: int | None = None
) -> Callable[[], Simulation]:
    """Start the simulation of `starts` in `children` forked children (None: one per usable
    core if the plan has `SPLIT_MIN_RUNS` runs, else one); the function returned waits for
    them and merges their failures (or simulates here if any child failed)."""
    planned, _, running = pruned_plan(project, starts)
    entries = Entries(project, planned, running) if len(running) >= ENTRIES_MIN_RUNS else None
    first = running if entries is None else entries.first
    if len(first) < FORK_MIN_RUNS:
        # Few runs left: simulated here, when asked (a fork of a large parent costs more).
        return lambda: _simulated_here(project, planned, first, entries)
    children = _children(len(first), children)
    alone = children == 1  # one child: it runs the second round too, its states warm

    def work(part: Iterator[int]) -> bytes:
        loud: set[RunId] = set()
        taken = _then_second(part, entries, loud) if alone else part
        found, steps = simulate_part(project, planned, taken, loud=loud)
        encoded = [(i, CODEC.encode(f)) for i, f in found.items()]
        return marshal.dumps((steps, encoded, sorted(loud)))

    joins = start_parts(planned, work, children, first)

    def result() -> Simulation:
        merged = [decoded_part(join()) for join in joins]
        found: dict[int, tuple[Failure, ...]] = {}
        loud: set[RunId] = set()
        steps = 0
        for child in merged:
            if child is None:
                return simulate_failures(project, starts)
            steps += child[0]
            found.update(child[1])
            loud.update(child[2])
        if entries is not None and not alone:
            # The second round, here: the runs that reach a loud one (a few dozen).
            more, more_steps = simulate_part(project, planned, entries.second(loud))
            found.update(more)
            steps += more_steps
        return Simulation(first_failures(found[i] for i in sorted(found)), steps)

    return result


def _then_second(first: Iterable[int], entries: Entries | None, loud: set[RunId]) -> Iterator[int]:
    """The runs of `first`, then (once they ran, filling `loud`) those of the second round."""
    yield from first
    if entries is not None:
        yield from entries.second(loud)


def pruned_plan(
    project: Project, starts: list[SourceFile]
) -> tuple[list[PlannedRun], dict[int, tuple[str, ...]], list[int]]:
    """The plan of `starts`, its runs imports.pruning leaves out (each with the files its
    record names), and the numbers of the others, in the plan's order."""
    planned = plan_runs(starts)
    left_out = silent(project, planned)
    return planned, left_out, [index for index in range(len(planned)) if index not in left_out]


def _simulated_here(
    project: Project, planned: list[PlannedRun], first: list[int], entries: Entries | None
) -> Simulation:
    loud: set[RunId] = set()
    found, steps = simulate_part(project, planned, _then_second(first, entries, loud), loud=loud)
    return Simulation(first_failures(found[i] for i in sorted(found)), steps)


def start_parts(
    planned: list[PlannedRun],
    work: Callable[[Iterator[int]], bytes],
    children: int | None = None,
    running: list[int] | None = None,
) -> list[Callable[[], bytes | None]]:
    """Start `children` forked children (None: one per usable core if the plan has
    `SPLIT_MIN_RUNS` runs to run, else one), each calling `work` with the run numbers of
    the parts it takes (of `running`'s, None: all); a function per child waits for the
    bytes it returned (None: it failed)."""
    count = len(planned) if running is None else len(running)
    children = _children(count, children)
    parts = split_plan(planned, children, running)
    read_end, write_end = os.pipe()
    # Every part's number is queued before a child starts: each takes the next one left
    # (a read of a few bytes from a pipe is whole), and an empty queue is its end.
    with os.fdopen(write_end, "wb") as queue:
        queue.write(b"".join(n.to_bytes(_PART_ID_BYTES, "little") for n in range(len(parts))))

    def taken() -> Iterator[int]:
        while part := os.read(read_end, _PART_ID_BYTES):
            yield from parts[int.from_bytes(part, "little")]

    joins = [start_in_fork(lambda: work(taken())) for _ in range(children)]
    os.close(read_end)
    return joins


def _children(runs: int, children: int | None) -> int:
    """`children`, or (None) one per usable core for `SPLIT_MIN_RUNS` runs or more, else one."""
    if children is not None:
        return children
    return _usable_cores() if runs >= SPLIT_MIN_RUNS else 1


def _usable_cores() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def decoded_part(
    data: bytes | None,
) -> tuple[int, dict[int, tuple[Failure, ...]], list[RunId]] | None:
    """What a child's `simulate_part` found, as `simulate_in_forks` sends it: the modules it
    executed, its failures by run number and its loud runs; None if it failed or sent
    something else."""
    if data is None:
        return None
    try:
        steps, encoded, loud = marshal.loads(data)
        decoded = [(index, CODEC.decode(failures)) for index, failures in encoded]
    except (EOFError, LookupError, TypeError, ValueError):
        return None
    found: dict[int, tuple[Failure, ...]] = {}
    for index, failures in decoded:
        if not isinstance(failures, tuple) or not all(isinstance(f, Failure) for f in failures):
            return None
        found[index] = failures
    if not isinstance(loud, list) or not all(isinstance(run, tuple) for run in loud):
        return None
    return steps, found, loud
