"""When the server analyses: once edits pause, one analysis at a time, off the event loop,
and a started analysis given up as soon as a newer change arrives."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

from scaffold.check.server.engine import Superseded

__all__ = ["DEFAULT_DEBOUNCE", "Scheduler"]

# Long enough to gather one burst of keystrokes, short against the time to diagnostics.
DEFAULT_DEBOUNCE = 0.03

R = TypeVar("R")
# Runs a blocking analysis without blocking the event loop (a thread: the loop keeps reading
# the client's messages, so a newer edit is seen while the analysis runs).
Runner = Callable[[Callable[[], R]], Awaitable[R]]


async def _in_thread(work: Callable[[], R]) -> R:
    return await asyncio.to_thread(work)


def _retrieve(future: asyncio.Future[Any]) -> None:
    """Mark a given-up analysis's outcome as seen (its Superseded is expected)."""
    if not future.cancelled():
        future.exception()


class Scheduler(Generic[R]):
    """Each change schedules an analysis after a pause (`debounce`; a change within it starts
    the pause again). `analyse(stop)` runs off the loop and raises Superseded once `stop()`
    says a newer change arrived; only the result of an analysis that saw every change so far
    is `accept`ed, so stale diagnostics are never shown after newer ones.

    `pause` and `run` are the clock and the thread: tests inject their own.
    """

    def __init__(
        self,
        analyse: Callable[[Callable[[], bool]], R],
        accept: Callable[[R], None],
        failed: Callable[[Exception], None],
        *,
        pause: Callable[[float], Awaitable[None]] = asyncio.sleep,
        run: Runner[R] | None = None,
    ) -> None:
        self.analyse = analyse
        self.accept = accept
        self.failed = failed
        self.pause = pause
        self.run: Runner[R] = run if run is not None else _in_thread
        self.debounce = DEFAULT_DEBOUNCE
        self.changes = 0  # changes seen so far; an analysis is current while it is unchanged
        self._pending: asyncio.Task[None] | None = None
        self._running: asyncio.Future[R] | None = None

    def changed(self, *, delay: float | None = None) -> None:
        """Something the analysis reads changed: give up the analysis under way (at its next
        checkpoint) and the pause, and analyse after a new pause."""
        self.changes += 1
        if self._pending is not None and not self._pending.done():
            self._pending.cancel()
        wait = self.debounce if delay is None else delay
        self._pending = asyncio.get_running_loop().create_task(self._analyse_after(wait))

    async def _analyse_after(self, wait: float) -> None:
        await self.pause(wait)
        while self._running is not None and not self._running.done():
            # The given-up analysis is stopping; two never run over the same state at once.
            await asyncio.wait([self._running])
        running, stale = self._start()
        try:
            # Shielded: cancelling this task (a newer change) must not abandon the thread's
            # result unseen; the analysis stops by itself through `stale`.
            result = await asyncio.shield(running)
        except Superseded:
            return
        except Exception as error:  # any other failure: reported, the last results stand
            self.failed(error)
            return
        if not stale():
            self.accept(result)

    def _start(self) -> tuple[asyncio.Future[R], Callable[[], bool]]:
        """Start an analysis of the state as it is now, and the test of whether a change
        came since (its result is then stale)."""
        seen = self.changes

        def stale() -> bool:
            return self.changes != seen

        running = asyncio.ensure_future(self.run(lambda: self.analyse(stale)))
        running.add_done_callback(_retrieve)
        self._running = running
        return running, stale

    def refresh(self, accept: Callable[[R], None] | None = None) -> None:
        """Analyse once more now, with nothing changed: the last results came from the first
        check of the disk, and this run makes the state the next edits start from. No
        request waits for it but those that need that state (`ready`); a change gives it up
        as any analysis. Its results go to `accept` (else the scheduler's own): only this
        run's, so what the caller knows of it ends with it."""
        running, stale = self._start()
        take = self.accept if accept is None else accept

        def done(future: asyncio.Future[R]) -> None:
            if future.cancelled() or stale():
                return
            error = future.exception()
            if error is None:
                take(future.result())
            elif isinstance(error, Exception) and not isinstance(error, Superseded):
                self.failed(error)

        running.add_done_callback(done)

    async def ready(self) -> None:
        """`settled`, and the state of the last analysis made (see `refresh`)."""
        await self.settled()
        while self._running is not None and not self._running.done():
            await asyncio.wait([self._running])
            await self.settled()

    async def settled(self) -> None:
        """Wait until no analysis is scheduled or running (each change schedules a newer
        one); raises CancelledError only when the waiting request itself is cancelled."""
        while self._pending is not None and not self._pending.done():
            pending = self._pending
            try:
                await asyncio.shield(pending)
            except asyncio.CancelledError:
                if pending is self._pending or not pending.cancelled():
                    raise  # this request itself was cancelled

    def stop(self) -> None:
        """Give up whatever is scheduled or running (shutdown)."""
        self.changes += 1
        if self._pending is not None:
            self._pending.cancel()
