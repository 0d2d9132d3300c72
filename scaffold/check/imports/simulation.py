"""The import-order simulation: which imports raise while their target still initialises.

Each first-party module is imported as a fresh interpreter would, statement by statement
(IMP003 reports what raises). The incremental check keeps runs between checks through the
RunMemory protocol; nothing here knows about the cache.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from scaffold.check.discover import SourceFile
from scaffold.check.imports.execution import Ref
from scaffold.check.imports.failable import Failable
from scaffold.check.imports.located import ImportFailure, locate
from scaffold.check.imports.plan import ImportedModules, PlannedRun, first_failures, plan_runs
from scaffold.check.imports.run_memory import EndsAsBefore, Failure, RunId, RunMemory
from scaffold.check.imports.simulator import NO_TAILS, Simulator
from scaffold.check.imports.state import DONE, State
from scaffold.check.project import Project

__all__ = [
    "Failure",
    "ImportFailure",
    "Ref",
    "RunId",
    "RunMemory",
    "Simulation",
    "State",
    "locate",
    "simulate_failures",
    "simulate_part",
]

_DONE = DONE
# The simulator, by the name the tests patch.
_Simulator = Simulator


@dataclass(frozen=True, slots=True)
class Simulation:
    """What importing every start module raised: one failure per statement, first found first."""

    failures: tuple[Failure, ...]
    steps: int = 0  # modules the runs executed (recalled and skipped runs execute none)


class _Runs:
    """The runs of one simulation, each executed, or recalled from a RunMemory.

    A recalled package's state is rebuilt only when a run below it must execute.
    """

    def __init__(self, project: Project, memory: RunMemory | None) -> None:
        self.simulator = Simulator(project)
        self.memory = memory
        self.found: dict[RunId, tuple[Failure, ...]] = {}
        self.root = State()
        self.states: dict[tuple[str, str], State] = {}
        self.parents: dict[tuple[str, str], tuple[str, str] | None] = {}
        self.same: dict[tuple[str, str], bool] = {}
        self.failable = Failable(project)
        self.loud: set[RunId] = set()  # runs that met a failure `Simulator.loud` counts
        if memory is None or not memory.recalls:
            # Which modules some file imports comes from every file's facts: a memory that
            # recalls runs belongs to a cached check, which keeps the facts of files no
            # rerun reads encoded (decoding them all for it cost a sympy check after a new
            # import 0.15 -> 0.22 s), and reruns few runs, so keeping every import is cheap.
            self.simulator.kept_runs = ImportedModules(project)
        # Without a memory, nothing asks which files a run read (Project.recording).
        self.simulator.records = memory is not None

    def process(
        self, run: RunId, parent: tuple[str, str] | None, skip_if_loaded: str | None = None
    ) -> None:
        kind, scope, name = run
        parent_same = parent is None or self.same.get(parent, False)  # none in a part
        if kind == "package":
            self.parents[(scope, name)] = parent
        if self.memory is not None:
            recalled = self.memory.recall(run, parent_same)
            if recalled is not None:
                self.found[run] = recalled
                if kind == "package":
                    self.same[(scope, name)] = True
                return
        base = self.state_of(parent)
        if skip_if_loaded is not None and base.get_status(skip_if_loaded) == _DONE:
            self.found[run] = ()
            if self.memory is not None:
                self.memory.skipped(run)
            return
        if skip_if_loaded is not None and self.failable.skips(
            skip_if_loaded, self.simulator.executed
        ):
            # Nothing it runs can raise. Not kept in `memory`: cheaper to decide again.
            self.found[run] = ()
            return
        state = self.execute(run, base, parent_same)
        if state is None:  # it stopped early, to end as it did last time
            if kind == "package":
                self.same[(scope, name)] = True
            return
        if kind == "package":
            self.states[(scope, name)] = state
            same = self.memory is not None and self.memory.same_state(run, parent_same, state)
            self.same[(scope, name)] = same

    def state_of(self, package: tuple[str, str] | None) -> State:
        """The state after importing `package` (the root for None), run again if recalled."""
        if package is None:
            return self.root
        if package not in self.states:
            base = self.state_of(self.parents[package])
            state = self.execute(("package", *package), base)
            assert state is not None  # only a run given `parent_same` stops early
            self.states[package] = state
        return self.states[package]

    def execute(self, run: RunId, base: State, parent_same: bool | None = None) -> State | None:
        """The state `run` leaves from `base`; None if it stopped early (`RunMemory.tails`)."""
        _, scope, name = run
        base.freeze()  # a package's state, done: runs below it only fork it
        state = State(parent=base)

        def execute() -> list[Failure]:
            loud = self.simulator.loud
            failures = self.simulator.run(name, scope, state)
            self.found[run] = tuple(failures)
            if self.simulator.loud != loud:
                self.loud.add(run)
            return failures

        if self.memory is None:
            execute()
            return state
        if parent_same is not None:
            self.simulator.tails = self.memory.tails(run, parent_same)
        try:
            self.memory.record(run, state, execute)
        except EndsAsBefore:
            self.found[run] = self.memory.ended_as_before(run)
            return None
        finally:
            self.simulator.tails = NO_TAILS
        return state


def simulate_failures(
    project: Project, starts: list[SourceFile], memory: RunMemory | None = None
) -> Simulation:
    """Import each start module in a fresh interpreter (simulated) and collect what raises.

    `memory` keeps the runs for the next simulation and gives back those of the last one
    that still hold.
    """
    runs = _Runs(project, memory)
    for run, parent, skip_if_loaded in plan_runs(starts):
        runs.process(run, parent, skip_if_loaded)
    return Simulation(first_failures(runs.found.values()), runs.simulator.steps)


def simulate_part(
    project: Project,
    planned: list[PlannedRun],
    part: Iterable[int],
    memory: RunMemory | None = None,
    loud: set[RunId] | None = None,
) -> tuple[dict[int, tuple[Failure, ...]], int]:
    """The failures of the planned runs numbered `part` (those that found any), and the
    modules executed, run apart from the plan's other runs. A run's failures depend only on
    the state its package leaves (the memo saves work, it changes no result), so parts may
    run in any order and in separate processes; a part computes each package state its runs
    start from, running that package again when another part has its run. `memory` records
    the runs this part executes (a first run's); `loud` is given the runs executed (those
    numbered and the packages they start from) that met a failure `Simulator.loud` counts."""
    runs = _Runs(project, memory)
    if loud is not None:
        runs.loud = loud
    for run, parent, _ in planned:
        if run[0] == "package":
            runs.parents[(run[1], run[2])] = parent
    found: dict[int, tuple[Failure, ...]] = {}
    for index in part:
        run, parent, skip_if_loaded = planned[index]
        if run[0] != "package" or (run[1], run[2]) not in runs.states:
            runs.process(run, parent, skip_if_loaded)
        if runs.found[run]:
            found[index] = runs.found[run]
    return found, runs.simulator.steps
