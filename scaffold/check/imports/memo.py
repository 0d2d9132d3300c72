"""What importing a module did to the simulated interpreter, kept and replayed where it holds.

A simulated `import m` is a function of what its execution observes of the modules that were
imported before it began: their status, the names it asks whether they bind (or all their
names, and aliases, where it reads them whole). Everything else it reads, it made itself.
The memo keeps, per module, what each import of it read (as first found) and left (the final
state of each module it loaded, the submodule names it bound on modules loaded before it,
the files whose facts it read); an import whose every read finds the same now is replayed
instead of executed. Only imports that reported nothing are kept: a report depends on the
stack of running imports and the `try:`s around them, which the state does not show.

A kept import is replayed only by a later run: within one run, a module once loaded stays
loaded. So a simulation's first run starts with an `IdleMemo`, and keeping begins with the
second (`_Simulator.run`): a partial rerun (the incremental check's and the language
server's after an edit) usually executes a single run, where keeping cost a third of it.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import dataclass
from typing import TypeVar

from scaffold.check.imports.state import DONE, SharedAliases, State

__all__ = ["IdleMemo", "ImportMemo", "Kept"]

_T = TypeVar("_T")
_K = TypeVar("_K")
_EMPTY: frozenset[str] = frozenset()
_NO_ALIASES: Mapping[str, str] = {}
# Records of the log, each (module key, kind, ...): the status an import first found
# (0: never imported), all of a module (status, names, aliases), whether it bound one
# name, and a submodule name bound on it.
_STATUS, _WHOLE, _MEMBER, _ADDED = 0, 1, 2, 3
# Not a record of the log: a kept import's check that a module it needs was never imported.
_ABSENT = 4
_Record = tuple[object, ...]
# What an import left in a module it loaded: its status, names and aliases in the run's
# own state (None where that has none).
_Left = tuple[str, int | None, frozenset[str] | None, SharedAliases | None]
# Imports of one module kept at most: each state it starts from that differs in what it
# reads needs its own, and a miss checks them all.
_KEPT_PER_MODULE = 4


@dataclass(slots=True)
class Kept:
    """One import as it ran: how many modules it executed, the files whose facts it read,
    whether it ran where failures go unreported (shaky); what it found of the modules
    imported before it (checked first: where two starting states differ), the modules it
    needs never imported, what it left in the modules it loaded, the names it bound on the
    others."""

    steps: int
    files: Set[str]
    shaky: bool
    # Whether it ran where a caught failure had removed a module: only then did it read what
    # such a module changes (imports.simulator), and only then may it be replayed where one is.
    dropping: bool = False
    present: tuple[_Record, ...] = ()
    absent: tuple[str, ...] = ()
    left: tuple[_Left, ...] = ()
    added: tuple[tuple[str, frozenset[str]], ...] = ()
    # The check that failed last (`ImportMemo._holds`), checked first: a way that no longer
    # holds usually fails where it failed before, and most checks of a miss were walking up
    # to it (2.5 M records walked by failing checks against 1.2 M by holding ones).
    hint: _Record | None = None


def _add_new(into: dict[_K, _Record], items: dict[_K, _Record]) -> dict[_K, _Record]:
    """`into` with the entries of `items` whose keys it lacks (first found first): the dict
    to keep, which is `items` itself (spent: nothing else holds it) when `into` is not the
    larger. Each new entry is added at C speed or looked up once in Python:
    merging an import's reads record by record was a tenth of a 10,000-file simulation."""
    if len(into) <= len(items):
        items.update(into)
        return items
    for key in items.keys() - into.keys():
        into[key] = items[key]
    return into


class IdleMemo:
    """A memo that keeps, logs and replays nothing: that of a simulation's first run."""

    def start(self, state: State) -> None:
        """A new run: nothing to reset."""

    def touch_status(self, key: str) -> None:
        """Nothing logged."""

    def touch_member(self, key: str, name: str) -> None:
        """Nothing logged."""

    def touch(self, key: str) -> None:
        """Nothing logged."""

    def added(self, key: str, name: str) -> None:
        """Nothing logged."""

    def replay(self, name: str, scope: str, shaky: bool, dropping: bool) -> Kept | None:
        """Nothing kept to replay."""
        return None


class _Reads:
    """What an import now running has read so far, as first found: each module's first
    status or whole record, its first whole record, the first record of each name asked of
    it, the submodule names bound on it. An import's own reads, and on its end those of the
    imports it ran (`ImportMemo.close` merges them in, first found first)."""

    __slots__ = ("added", "first", "members", "whole")

    def __init__(self) -> None:
        self.first: dict[str, _Record] = {}
        self.whole: dict[str, _Record] = {}
        self.members: dict[tuple[object, object], _Record] = {}
        self.added: dict[str, set[str]] = {}

    def note(self, record: _Record) -> None:
        key, kind = record[0], record[1]
        if kind == _MEMBER:
            self.members.setdefault((key, record[2]), record)
        elif kind == _ADDED:
            self.added.setdefault(key, set()).add(record[2])  # type: ignore[arg-type]
        else:
            self.first.setdefault(key, record)  # type: ignore[arg-type]
            if kind == _WHOLE:
                self.whole.setdefault(key, record)  # type: ignore[arg-type]

    def merge(self, inner: _Reads) -> None:
        """Add the reads of an import this one ran, read after all of this one's so far
        (`inner` is spent: its parts may become this one's)."""
        self.first = _add_new(self.first, inner.first)
        self.whole = _add_new(self.whole, inner.whole)
        self.members = _add_new(self.members, inner.members)
        added = self.added
        if not added:
            self.added = inner.added
            return
        for key, names in inner.added.items():
            if key in added:
                added[key] |= names
            else:
                added[key] = names


class ImportMemo:
    """The imports of one simulation, and what each running one has read.

    Each import running has its `_Reads` (`frames`, innermost last), numbered in the order
    they began (`top`: the innermost's); a module, or one of its names, is noted in the
    innermost the first time it is touched since that import began (`_last*`: the number
    of the import that last noted it, and the record). Reads used to be one log that each
    ending import walked from its start: every record walked once per import around it,
    most of a 10,000-file simulation's time; now each import's reads are merged into the
    one around it once, when it ends.
    """

    def __init__(self) -> None:
        self.kept: dict[tuple[str, str], list[Kept]] = {}
        self.state = State()
        self.frames: list[_Reads] = [_Reads()]
        self.top = 0
        self._opened = 0
        self._last: dict[str, tuple[int, _Record]] = {}  # each module's latest status or whole
        self._last_whole: dict[str, int] = {}
        self._last_member: dict[tuple[str, str], int] = {}
        self._chain: list[dict[str, int]] = []
        # Shared copies: of a set of names by (its identity and size, within a run: the sets
        # of a run's state only grow, or are replaced), and of equal records across runs.
        self._frozen: dict[tuple[int, int], tuple[Set[str], frozenset[str]]] = {}
        self._interned: dict[object, object] = {}
        # What `close` found left in a loaded module: only a submodule's load changes it.
        self._lefts: dict[str, _Left] = {}

    def start(self, state: State) -> None:
        """A new run, into `state`."""
        self.state = state
        self.frames = [_Reads()]
        self.top = self._opened = 0
        self._last, self._last_whole, self._last_member = {}, {}, {}
        self._frozen, self._lefts = {}, {}
        chain: list[dict[str, int]] = []
        link: State | None = state
        while link is not None:
            if link.flat is not None:  # the whole chain from here on in one dict
                chain.append(link.flat[0])
                break
            chain.append(link.status)
            link = link.parent
        self._chain = chain

    # --- what the running import reads ------------------------------------------------------

    def touch_status(self, key: str) -> None:
        """The running import reads whether module `key` is imported, or is importing it."""
        last = self._last.get(key)
        if last is None or last[0] < self.top:
            status = self._status(key)
            if status is None or status:
                record: _Record = (key, _STATUS, status or 0)
            else:  # removed after failing: what it bound is still there
                record = self._whole(key)
            self._last[key] = (self.top, record)
            reads = self.frames[-1]
            reads.first.setdefault(key, record)
            if record[1] == _WHOLE:
                reads.whole.setdefault(key, record)

    def touch_member(self, key: str, name: str) -> None:
        """The running import asks whether module `key` binds `name`."""
        self.touch_status(key)
        if self._imported_here(key):
            return
        ident = (key, name)
        if self._last_member.get(ident, -1) < self.top:
            self._last_member[ident] = self.top
            record = (key, _MEMBER, name, name in self.state.get_bound(key))
            self.frames[-1].members.setdefault(ident, record)

    def touch(self, key: str) -> None:
        """The running import reads all of module `key`."""
        self.touch_status(key)
        if self._imported_here(key):
            return
        if self._last_whole.get(key, -1) < self.top:
            self._last_whole[key] = self.top
            self.frames[-1].note(self._whole(key))

    def added(self, key: str, name: str) -> None:
        """The submodule `name` of module `key` was bound on it, once loaded."""
        self._lefts.pop(key, None)
        self.frames[-1].note((key, _ADDED, name))

    def _imported_here(self, key: str) -> bool:
        # Not imported when the running import began (nor since: a status never returns to
        # "never imported"): all it finds of the module now, it made.
        record = self._last[key][1]
        return record[1] == _STATUS and record[2] == 0

    def _status(self, key: str) -> int | None:
        for status in self._chain:
            found = status.get(key)
            if found is not None:
                return found
        return None

    def _whole(self, key: str, copy: bool = True) -> _Record:
        state: State | None = self.state
        status: int | None = None
        bound: Set[str] | None = None
        aliases: Mapping[str, str] | None = None
        own = copy  # the run's own state changes later; its parents' never do
        while state is not None and (status is None or bound is None or aliases is None):
            if state.flat is not None:  # frozen: the rest of the chain in one lookup each
                flat_status, flat_bound, flat_aliases = state.flat
                status = flat_status.get(key) if status is None else status
                bound = flat_bound.get(key) if bound is None else bound
                aliases = flat_aliases.get(key) if aliases is None else aliases
                break
            if status is None:
                status = state.status.get(key)
            if bound is None and key in state.bound:
                bound = self._freeze(state.bound[key]) if own else state.bound[key]
            if aliases is None and key in state.aliases:
                aliases = dict(state.aliases[key]) if own else state.aliases[key]
            state, own = state.parent, False
        names = _EMPTY if bound is None else bound
        return (key, _WHOLE, status or 0, names, aliases or _NO_ALIASES)

    def _freeze(self, names: Set[str]) -> frozenset[str]:
        if type(names) is frozenset:
            return names  # left by a replayed import, never changed since
        ident = (id(names), len(names))
        found = self._frozen.get(ident)
        if found is None or found[0] is not names:
            found = self._frozen[ident] = (names, self._intern(frozenset(names)))
        return found[1]

    def _share(self, aliases: dict[str, str]) -> SharedAliases:
        if type(aliases) is SharedAliases:
            return aliases  # left by a replayed import, never changed since
        return self._intern(SharedAliases(aliases))

    def _intern(self, value: _T) -> _T:
        return self._interned.setdefault(value, value)  # type: ignore[return-value]

    # --- keeping an import ------------------------------------------------------------------

    def open(self) -> int:
        """An import begins: what `close` takes back."""
        outer = self.top
        self._opened += 1
        self.top = self._opened
        self.frames.append(_Reads())
        return outer

    def close(self, outer: int, ident: tuple[str, str], kept: Kept | None) -> None:
        """The import opened with `outer` ends; `kept` (its reads and what it left filled in
        here) when it is to be kept."""
        self.top = outer
        reads = self.frames.pop()
        if kept is not None:
            self._fill(kept, reads.first, reads.whole, reads.members, reads.added)
            ways = self.kept.setdefault(ident, [])
            ways.insert(0, kept)
            del ways[_KEPT_PER_MODULE:]
        if len(self.frames) > 1:  # the outermost frame is no import's: nothing reads it
            self.frames[-1].merge(reads)

    def _fill(
        self,
        kept: Kept,
        first: dict[str, _Record],
        whole: dict[str, _Record],
        members: dict[tuple[object, object], _Record],
        added: dict[str, set[str]],
    ) -> None:
        present: list[_Record] = []
        absent: list[str] = []
        before: set[str] = set()  # imported when the import began
        loaded: list[str] = []  # not imported when it began
        for key, record in first.items():
            kind, status = record[1], record[2]
            if kind == _STATUS:
                if status == 0:
                    absent.append(key)
                    loaded.append(key)
                    continue
                before.add(key)
                present.append(record)
                if key in whole:
                    present.append(whole[key])
            elif status == 0:
                present.append(record)  # removed after failing, or not imported
                loaded.append(key)
            else:
                before.add(key)
                present.append(record)
        # Whether a module imported before binds a name: unless all of it is compared.
        present += [r for (key, _), r in members.items() if key in before and key not in whole]
        # Most are cached (`_lefts`): looked up at C speed, the others computed.
        cached = list(map(self._lefts.get, loaded))
        if None in cached:
            left = self._left
            cached = [found or left(key) for found, key in zip(cached, loaded, strict=True)]
        kept.present, kept.absent = tuple(present), tuple(absent)
        kept.left = tuple(filter(None, cached))
        kept.added = tuple(
            (key, self._intern(frozenset(names))) for key, names in added.items() if key in before
        )

    def _left(self, key: str) -> _Left | None:
        found = self._lefts.get(key)
        if found is not None:
            return found
        state = self.state
        status = state.status.get(key)
        bound = state.bound.get(key)
        aliases = state.aliases.get(key)
        if status is None and bound is None and aliases is None:
            return None
        left: _Left = (
            key,
            status,
            None if bound is None else self._freeze(bound),
            None if aliases is None else self._share(aliases),
        )
        left = self._intern(left)
        if state.get_status(key) == DONE:
            self._lefts[key] = left
        return left

    # --- replaying one ----------------------------------------------------------------------

    def replay(self, name: str, scope: str, shaky: bool, dropping: bool) -> Kept | None:
        """Apply a kept import of `name` whose reads all hold now; None if none does (one kept
        where no module was removed holds only where none is: `dropping`)."""
        for kept in self.kept.get((scope, name), ()):
            if (shaky or not kept.shaky) and (kept.dropping or not dropping) and self._holds(kept):
                self._apply(kept)
                return kept
        return None

    def _holds(self, kept: Kept) -> bool:
        if kept.hint is not None and not self._holds_one(kept.hint):
            return False
        chain, get_bound = self._chain, self.state.get_bound
        for record in kept.present:  # `_holds_one` of each, inline: the hottest check
            key, kind = record[0], record[1]
            if kind == _STATUS:
                for status in chain:
                    if key in status:
                        holds = status[key] == record[2]
                        break
                else:
                    holds = False  # never imported: a status record found it imported
            elif kind == _MEMBER:
                holds = (record[2] in get_bound(key)) == record[3]  # type: ignore[arg-type]
            else:
                holds = self._whole(key, copy=False)[2:] == record[2:]  # type: ignore[arg-type]
            if not holds:
                kept.hint = record
                return False
        for status in chain:
            if not status.keys().isdisjoint(kept.absent):
                kept.hint = (next(key for key in kept.absent if key in status), _ABSENT)
                return False
        return True

    def _holds_one(self, record: _Record) -> bool:
        """Whether one check of `_holds` holds now."""
        key, kind = record[0], record[1]
        if kind == _ABSENT:
            return self._status(key) is None  # type: ignore[arg-type]
        if kind == _STATUS:
            return self._status(key) == record[2]  # type: ignore[arg-type]
        if kind == _MEMBER:
            return (record[2] in self.state.get_bound(key)) == record[3]  # type: ignore[arg-type]
        return self._whole(key, copy=False)[2:] == record[2:]  # type: ignore[arg-type]

    def _apply(self, kept: Kept) -> None:
        state, lefts = self.state, self._lefts
        for left in kept.left:
            key, status, bound, aliases = left
            if status == DONE:
                lefts[key] = left
            if status is not None:
                state.status[key] = status
            if bound is not None:
                state.bound[key] = bound  # shared: State.writable copies it first
            if aliases is not None:
                state.aliases[key] = aliases  # shared: State.writable_aliases copies it first
        if len(self.frames) == 1:  # no import around it to read what it read
            for key, names in kept.added:
                lefts.pop(key, None)
                state.writable(key).update(names)
            return
        reads = self.frames[-1]
        for key, names in kept.added:
            lefts.pop(key, None)
            state.writable(key).update(names)
            if key in reads.added:
                reads.added[key] |= names
            else:
                reads.added[key] = set(names)
        # The imports around this one read what it read, as it first found it.
        first, whole, members = reads.first, reads.whole, reads.members
        for record in kept.present:
            module, kind = record[0], record[1]
            if kind == _MEMBER:
                members.setdefault((module, record[2]), record)
            else:
                first.setdefault(module, record)  # type: ignore[arg-type]
                if kind == _WHOLE:
                    whole.setdefault(module, record)  # type: ignore[arg-type]
        for key in kept.absent:
            if key not in first:
                first[key] = (key, _STATUS, 0)
