"""How the incremental check keeps the import-time simulation between runs.

A simulation is made of runs (imports.simulation): one per package, importing it into the
state its submodules start from, and one per module. `RecordedRuns` is the RunMemory that
records each run with the files whose facts it read and, for a package, a digest of the
names it bound; the next simulation recalls a run when its package's state is unchanged
and it read no changed file. Whether a changed file can change the simulation at all is
decided first, on what the simulation can see of it (`simulation_view`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import cast

from scaffold.check.imports.simulation import Failure, RunId, State
from scaffold.check.model import Access, Bind, Event, ModuleFacts, RunImport
from scaffold.check.project import Project

__all__ = [
    "LEFT_OUT",
    "RecordedRuns",
    "RecordedSimulation",
    "RunRecord",
    "appended_tail",
    "asked_in",
    "asked_names",
    "simulation_view",
]

_SKIPPED = b"skipped"  # the state of a module run whose module its package already imported
# The state of a run a first run left out (imports.pruning; its record is made in bulk,
# `split_recording.marshalled_left_out`): never a package state's digest.
LEFT_OUT = b"left out"


@dataclass(frozen=True, slots=True)
class RunRecord:
    """What one run found, the files whose facts it read, and (package runs) a digest of the
    names it bound, restricted to the names anything asks about."""

    reads: tuple[str, ...]
    failures: tuple[Failure, ...]
    state: bytes


@dataclass(frozen=True, slots=True)
class RecordedSimulation:
    """The failures of a simulation, first found first, and each of its runs' record."""

    failures: tuple[Failure, ...]
    runs: dict[RunId, RunRecord]


class RecordedRuns:
    """The RunMemory of a cached check: records every run, and recalls those of `previous`
    that read none of the `changed` files from a package state that came out the same.

    A package's state is unchanged when that package's run and all above it were recalled,
    or ran again and bound the same asked names as before (early cutoff: a new import of a
    module that was already loaded changes nothing below it).

    When the changed files ask about names the stored digests did not cover (`asked` is
    larger than `compared`, the names they were taken over), sameness is still decided on
    `compared`: a recalled module run reads no changed file, so it asks about none of the
    new names. But every package runs again, to store digests that cover them.

    `appended` maps a changed file to the index of its first event that is new, where the
    file is its last version with statements appended that only import (`appended_tail`):
    a run that read no other changed file may stop once they ran (`tails`).
    """

    def __init__(
        self,
        project: Project,
        asked: frozenset[str],
        previous: Mapping[RunId, RunRecord],
        changed: frozenset[str],
        compared: frozenset[str] | None = None,
        appended: Mapping[str, int] | None = None,
    ) -> None:
        self.project = project
        self.asked = asked
        self.compared = asked if compared is None else compared
        # Compared once: recall asks for every package run, and the two sets (equal but not
        # the same object when the changed files ask no new name) hold every name asked.
        self.asks_more = self.compared != asked
        self.previous = previous
        self.changed = changed
        self.appended = appended or {}
        self.runs: dict[RunId, RunRecord] = {}

    def _unchanged(self, run: RunId, parent_same: bool) -> RunRecord | None:
        old = self.previous.get(run)
        if old is not None and parent_same and self.changed.isdisjoint(old.reads):
            return old
        return None

    @property
    def recalls(self) -> bool:
        """Whether it may recall a run: not on a first run (no previous record)."""
        return bool(self.previous)

    def recall(self, run: RunId, parent_same: bool) -> tuple[Failure, ...] | None:
        """The failures of an unchanged run; a package only while no new name is asked."""
        if not self.previous:
            return None  # a first run: nothing to recall (a call per run saved)
        old = self._unchanged(run, parent_same)
        if old is None or (run[0] == "package" and self.asks_more):
            return None
        self.runs[run] = old
        return old.failures

    def record(self, run: RunId, state: State, execute: Callable[[], list[Failure]]) -> None:
        """Execute the run, keeping the files it read and (a package) what it bound."""
        failures, reads = self.project.reading(execute)
        digest = _state_digest(state, self.asked) if run[0] == "package" else b""
        self.runs[run] = RunRecord(tuple(sorted(reads)), tuple(failures), digest)

    def same_state(self, run: RunId, parent_same: bool, state: State) -> bool:
        """Whether the package run just recorded bound what it bound last time."""
        if not self.previous:
            return False  # a first run: no last time
        if self._unchanged(run, parent_same) is not None:
            return True  # ran again only for its digest: same inputs, same state
        old = self.previous.get(run)
        if old is None or not parent_same:
            return False
        if not self.asks_more:
            return old.state == self.runs[run].state
        return old.state == _state_digest(state, self.compared)

    def tails(self, run: RunId, parent_same: bool) -> Mapping[str, int]:
        """The changed file whose appended statements may end `run` early: when it is the
        only changed file the run read last time, from the same package state, and the
        changed files ask no new name."""
        old = self.previous.get(run)
        if old is None or not parent_same or self.asks_more or not self.appended:
            return {}
        read = self.changed.intersection(old.reads)
        if len(read) != 1:
            return {}
        (key,) = read
        tail = self.appended.get(key)
        return {} if tail is None else {key: tail}

    def ended_as_before(self, run: RunId) -> tuple[Failure, ...]:
        """`run` stopped after the appended statements changed nothing: its last record."""
        old = self.previous[run]
        self.runs[run] = old
        return old.failures

    def skipped(self, run: RunId) -> None:
        """Keep that the run did not run (its package imported its module)."""
        self.runs[run] = RunRecord((), (), _SKIPPED)


def _state_digest(state: State, asked: frozenset[str]) -> bytes:
    # What a run added to its package's state, as far as anything can observe it.
    parts = [
        sorted(state.status.items()),
        sorted((key, sorted(names & asked)) for key, names in state.bound.items()),
        sorted(
            (key, sorted((n, t) for n, t in aliases.items() if n in asked))
            for key, aliases in state.aliases.items()
        ),
    ]
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).digest()


# --- what the simulation sees of a module -----------------------------------------------------
#
# The simulation asks only whether certain names are bound: the names of `from m import
# name` and of module-level attribute reads (`m.name`). Everything else it reads of a module
# is its imports and the order of its events. So two versions of a file with the same view
# under the names asked anywhere give the same simulation: its stored result stays valid
# when a new top-level name nobody imports appears, or when lines only move. Keep these
# functions in step with `_Simulator` (imports.simulation) and the name lookups of
# `Project` it makes.


def asked_names(facts: ModuleFacts) -> set[str]:
    """The names this module's imports and attribute reads can ask the simulation about,
    and those its `__all__` lists (a star import of it reads each: imports.stars)."""
    asked: set[str] = {entry.name for entry in facts.all_entries}
    for imp in facts.imports:
        if imp.is_from:
            asked.update(alias.name for alias in imp.names)
    for event in facts.events:
        if isinstance(event, Access):
            asked.add(event.name)
            asked.update(event.attrs)
    return asked


def appended_tail(old: ModuleFacts, new: ModuleFacts, asked: frozenset[str]) -> int | None:
    """The index of `new`'s first event when `new` is `old` (as the simulation sees them
    under `asked`) with statements appended that only import or bind names nothing asks
    about (nor dunders, which the simulation reads by name): no star import, no `try:`, no
    attribute read. None otherwise.

    Executing such statements can load a module or report a failure; when it does neither,
    what it changed is names nothing reads, and the rest of the run goes as it went
    (`_Simulator.execute` checks that as it runs them)."""
    if old.error is not None or new.error is not None:
        return None
    imports, events = len(old.imports), len(old.events)
    if len(new.events) <= events or len(new.imports) < imports:
        return None
    before, after = simulation_view(old, asked), simulation_view(new, asked)
    # Everything but the imports and the events, then the imports and events both had.
    if before[2:] != after[2:] or cast(tuple[object, ...], after[0])[:imports] != before[0]:
        return None
    if [_event_view(e, asked) for e in new.events[:events]] != [
        _event_view(e, asked) for e in old.events
    ]:
        return None
    for imp in new.imports[imports:]:
        for alias in imp.names:
            if alias.name == "*":
                return None
            local = alias.asname or (alias.name if imp.is_from else imp.module.partition(".")[0])
            if local in asked or local.startswith("__"):
                return None
    for event in new.events[events:]:
        if isinstance(event, RunImport):
            if event.index < imports:
                return None
        elif not isinstance(event, Bind) or any(
            name in asked or name.startswith("__") for name in event.names
        ):
            return None
    return events


def _event_view(event: Event, asked: frozenset[str]) -> object:
    """One event as the simulation sees it (`simulation_view`), in place."""
    if isinstance(event, Bind):
        return tuple(name for name in event.names if name in asked)
    if isinstance(event, RunImport):
        return (event.index, event.maybe)
    if isinstance(event, Access):
        return (event.name, event.attrs, event.conditional, event.guarded)
    return event


def asked_in(facts: Mapping[str, ModuleFacts]) -> frozenset[str]:
    """Every name the simulation may be asked about, over all modules: `asked_names` of
    each, inlined (a first run gathers them over every file, on the simulation's path)."""
    asked: set[str] = set()
    add, update = asked.add, asked.update
    for module in facts.values():
        if module.all_entries:
            update([entry.name for entry in module.all_entries])
        for imp in module.imports:
            if imp.is_from:
                update([alias.name for alias in imp.names])
        for event in module.events:
            if type(event) is Access:
                add(event.name)
                update(event.attrs)
    return frozenset(asked)


def simulation_view(facts: ModuleFacts, asked: frozenset[str]) -> tuple[object, ...]:
    """Everything of a module the simulation can observe when only `asked` names are asked."""
    if facts.error is not None:
        return ("error",)
    events: list[object] = []
    for event in facts.events:
        if isinstance(event, Bind):
            names = tuple(name for name in event.names if name in asked)
            if names:
                events.append(names)
        elif isinstance(event, RunImport):
            events.append((event.index, event.maybe))
        elif isinstance(event, Access):
            events.append((event.name, event.attrs, event.conditional, event.guarded))
        else:  # the `try:` structure: which handlers run
            events.append(event)
    imports = tuple(
        (
            imp.is_from,
            imp.module,
            imp.level,
            tuple((alias.name, alias.asname) for alias in imp.names),
            imp.where.value,
            imp.conditional,
            imp.guarded,
            imp.binds,
        )
        for imp in facts.imports
    )
    return (
        imports,
        tuple(events),
        facts.has_getattr,
        facts.dynamic,
        facts.defines_all,
        facts.all_complete,
        *(
            tuple(sorted(names & asked))
            for names in (
                facts.bindings,
                facts.global_names,
                facts.typing_bindings,
                facts.declared,
                frozenset(entry.name for entry in facts.all_entries),
            )
        ),
        tuple(index for index, _ in facts.all_imports),
        tuple(dotted for dotted, _ in facts.all_sources),
    )
