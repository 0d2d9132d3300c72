"""What keeps the import simulation's runs between checks: the RunMemory protocol."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from scaffold.check.imports.execution import Ref
from scaffold.check.imports.state import State

__all__ = ["EndsAsBefore", "Failure", "RunId", "RunMemory"]

# A run of the simulation: ("package", scope, name) imports a package into the state its
# submodules start from; ("module", scope, name) imports one module from its package's.
RunId = tuple[str, str, str]


# Ref, a statement of a module without its position (execution.py): the simulation's
# results are kept in this form, so a cached result survives edits that only move lines.


@dataclass(frozen=True, slots=True)
class Failure:
    """A statement that raises at import time because its target is still initialising."""

    key: str
    at: Ref
    message: str
    # The loop: each module still initialising and the import it is running, outermost first.
    chain: tuple[tuple[str, Ref | None], ...]


class EndsAsBefore(Exception):
    """A run stopped early: the statements appended to a module since it last ran executed
    no module and reported nothing, so the rest of it runs as it did (`RunMemory.tails`)."""


class RunMemory(Protocol):
    """Keeps each run of a simulation for the next one, and gives back the runs that still
    hold (the incremental check's, see scaffold.check.incremental.runs). A simulation
    without one runs everything; with one, it asks before each run, and a package whose
    run came out as before lets the runs below it be recalled too (early cutoff)."""

    @property
    def recalls(self) -> bool:
        """Whether it may recall a run at all: a first run's memory holds none."""
        ...

    def recall(self, run: RunId, parent_same: bool) -> tuple[Failure, ...] | None:
        """The failures `run` found last time, when nothing it depends on has changed
        (`parent_same`: the state its package leaves is as before)."""
        ...

    def record(self, run: RunId, state: State, execute: Callable[[], list[Failure]]) -> None:
        """Call `execute` (which runs `run` into the fresh `state`) and keep what it found."""
        ...

    def same_state(self, run: RunId, parent_same: bool, state: State) -> bool:
        """Whether the package run just recorded left `state` as it did last time."""
        ...

    def skipped(self, run: RunId) -> None:
        """`run` did not run: its package had already imported its module."""
        ...

    def tails(self, run: RunId, parent_same: bool) -> Mapping[str, int]:
        """Modules `run` executes whose events from the given index on were appended since
        it last ran (when it read no other changed file, from the same state), each only
        importing or binding names nothing asks about. Once such statements have run without
        executing a module or reporting, the run ends as it did: it raises EndsAsBefore."""
        ...

    def ended_as_before(self, run: RunId) -> tuple[Failure, ...]:
        """`run` stopped early (see `tails`): keep its last record and give its failures."""
        ...
