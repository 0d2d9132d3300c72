"""How a module's events run: in order, and a `try:` body, then the handler of what it caught.

A failing import raises; where a running `try:` (in this module or one importing it)
catches what it raises, the simulation unwinds to it, dropping the modules it leaves (as
Python removes them from sys.modules), and runs its handler instead of reporting.
"""

from __future__ import annotations

from scaffold.check.discover import SourceFile
from scaffold.check.imports.state import State
from scaffold.check.model import (
    Access,
    Bind,
    Event,
    RunImport,
    TryEnd,
    TryHandler,
    TryStart,
    Unbind,
)

__all__ = ["Caught", "EventRunner", "Ref"]

# A statement of a module without its position: ("import", index into `facts.imports`) or
# ("access", how many Access events come before it).
Ref = tuple[str, int]


class Caught(Exception):
    """A failure unwinds to the `try:` whose handler catches it (`catcher`: its index in
    `EventRunner.catching`); `event`: the index of the failing event among its module's
    events, `dropped`: whether a module it left was dropped (`EventRunner.loud`)."""

    def __init__(self, catcher: int) -> None:
        super().__init__(catcher)
        self.catcher = catcher
        self.event = -1
        self.dropped = False


class EventRunner:
    """Runs the events of a module; the import simulation's base, which handles each event."""

    def __init__(self) -> None:
        self.state = State()
        self.shaky = 0  # frames entered through an import that may not run
        # What the `try:` bodies running now catch, innermost last, across modules.
        self.catching: list[frozenset[str]] = []
        self.caught_kind = ""  # what the failure unwinding now raised
        # Failures whose effect may depend on where the run entered the module's loop: each
        # reported one, and each caught one but those caught where they leave no trace
        # (`_inert`). imports.pruning leaves out runs that can meet none.
        self.loud = 0
        self._ordinals: dict[str, list[int]] = {}
        self._layouts: dict[tuple[str, int], tuple[list[int], int]] = {}

    def run_import(self, source: SourceFile, event: RunImport) -> None:
        """Run one import of `source`."""
        raise NotImplementedError

    def access(self, source: SourceFile, event: Access, at: Ref) -> None:
        """Read `event.name.attrs...` in `source`."""
        raise NotImplementedError

    def raise_if_caught(self, kind: str) -> None:
        """Unwind to the innermost running `try:` that catches `kind`, if one does."""
        for depth in range(len(self.catching) - 1, -1, -1):
            if kind in self.catching[depth]:
                self.caught_kind = kind
                raise Caught(depth)

    def run_events(self, source: SourceFile, events: tuple[Event, ...], at: int, end: int) -> None:
        """Run `events[at:end]`; a `try:` runs its body, then the handler of what it caught."""
        key = source.key
        while at < end:
            event = events[at]
            try:
                if isinstance(event, Bind):
                    self.state.writable(key).update(event.names)
                    aliases = self.state.writable_aliases(key)
                    for name in event.names:
                        aliases.pop(name, None)
                elif isinstance(event, RunImport):
                    self.run_import(source, event)
                elif isinstance(event, Access):
                    self.access(source, event, ("access", self.ordinal(key, events, at)))
                elif isinstance(event, TryStart):
                    at = self.run_try(source, events, at)
                elif isinstance(event, Unbind):
                    # A new set: the memo tells a module's names apart by their set's identity
                    # and size, a set that only grows (imports.memo, `_freeze`).
                    self.state.bound[key] = self.state.writable(key).difference(event.names)
                    aliases = self.state.writable_aliases(key)
                    for name in event.names:
                        aliases.pop(name, None)
            except Caught as caught:
                if caught.event < 0:
                    caught.event = at  # the innermost frame: the failing module's
                raise
            at += 1

    def run_try(self, source: SourceFile, events: tuple[Event, ...], at: int) -> int:
        """Run the `try:` at `events[at]`; the index of its TryEnd."""
        handlers, end = self.layout(source.key, events, at)
        catches = events[at]
        if not isinstance(catches, TryStart) or catches.catches is None:
            # What the handlers catch is unknown: the body may stop anywhere.
            self.shaky += 1
            try:
                self.run_events(source, events, at + 1, handlers[0])
            finally:
                self.shaky -= 1
            return end
        self.catching.append(catches.catches)
        depth = len(self.catching) - 1
        try:
            self.run_events(source, events, at + 1, handlers[0])
        except Caught as caught:
            if caught.catcher != depth:
                raise
            kind = self.caught_kind
            for start, stop in zip(handlers, [*handlers[1:], end], strict=True):
                handler = events[start]
                if isinstance(handler, TryHandler) and kind in (handler.catches or ()):
                    if not _inert(caught, events, handlers[0], start + 1, stop):
                        self.loud += 1
                    del self.catching[depth:]
                    self.run_events(source, events, start + 1, stop)
                    break
            else:
                self.loud += 1  # pragma: no cover - a catcher's handler catches its kind
        finally:
            del self.catching[depth:]
        return end

    def ordinal(self, key: str, events: tuple[Event, ...], at: int) -> int:
        """How many Access events come before `events[at]` (what a Ref counts)."""
        if key not in self._ordinals:
            counted, seen = [], 0
            for event in events:
                counted.append(seen)
                seen += isinstance(event, Access)
            self._ordinals[key] = counted
        return self._ordinals[key][at]

    def layout(self, key: str, events: tuple[Event, ...], at: int) -> tuple[list[int], int]:
        """The `try:` at `events[at]`: the index of each of its TryHandlers, and of its TryEnd."""
        if (key, at) not in self._layouts:
            handlers: list[int] = []
            depth = 0
            for index in range(at + 1, len(events)):
                event = events[index]
                if isinstance(event, TryStart):
                    depth += 1
                elif isinstance(event, TryEnd):
                    if not depth:
                        self._layouts[key, at] = (handlers, index)
                        break
                    depth -= 1
                elif isinstance(event, TryHandler) and not depth:
                    handlers.append(index)
        return self._layouts[key, at]


def _inert(caught: Caught, events: tuple[Event, ...], body_end: int, start: int, stop: int) -> bool:
    """Whether a caught failure leaves no trace but the names its handler binds: caught in
    its own module (no module dropped), by a `try:` whose body ends with the failing
    statement, with a handler that only binds names. A run that entered the loop elsewhere
    and did not fail there ran the rest of no body and imported nothing else: so whether the
    failure happened changes no other module's import (the vendored `try: from . import
    _local` / `except ImportError: pass` of scipy and numpy, met by most runs of a large
    environment)."""
    return (
        not caught.dropped
        and caught.event == body_end - 1
        and all(type(event) is Bind for event in events[start:stop])
    )
