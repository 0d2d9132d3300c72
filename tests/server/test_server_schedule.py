"""The server's scheduling: debounce, one analysis at a time, a started analysis given up
for a newer change and its results never shown. The clock and the thread are injected (no
timing): each pause and each analysis waits until the test releases it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from scaffold.check.server.engine import Superseded
from scaffold.check.server.schedule import DEFAULT_DEBOUNCE, Scheduler

pytestmark = pytest.mark.asyncio


class Harness:
    """A scheduler whose pauses and analyses the test releases one by one. An analysis
    checks its `stop` once, when released (as the engine does at its next checkpoint)."""

    def __init__(self, *, heed_stop: bool = True, fail: bool = False) -> None:
        self.heed_stop = heed_stop
        self.fail = fail
        self.pauses: list[tuple[float, asyncio.Event]] = []
        self.runs: list[asyncio.Event] = []
        self.finished = 0
        self.accepted: list[int] = []
        self.failures: list[Exception] = []
        self.scheduler: Scheduler[int] = Scheduler(
            self._analyse,
            self.accepted.append,
            self.failures.append,
            pause=self._pause,
            run=self._run,
        )

    def _analyse(self, stop: Callable[[], bool]) -> int:
        number = len(self.runs) - 1
        if self.fail:
            raise ValueError("the analysis broke")
        if self.heed_stop and stop():
            raise Superseded
        return number

    async def _pause(self, seconds: float) -> None:
        released = asyncio.Event()
        self.pauses.append((seconds, released))
        await released.wait()

    async def _run(self, work: Callable[[], int]) -> int:
        released = asyncio.Event()
        self.runs.append(released)
        await released.wait()
        try:
            return work()
        finally:
            self.finished += 1

    async def release_pause(self, index: int) -> None:
        self.pauses[index][1].set()
        await _turns()

    async def release_run(self, index: int) -> None:
        self.runs[index].set()
        await _turns()


async def _turns() -> None:
    for _ in range(10):  # every ready task takes its turn
        await asyncio.sleep(0)


async def test_a_burst_of_changes_is_one_analysis_after_the_pause() -> None:
    h = Harness()
    for _ in range(3):
        h.scheduler.changed()
        await _turns()
    assert [seconds for seconds, _ in h.pauses] == [DEFAULT_DEBOUNCE] * 3
    for index in range(3):
        await h.release_pause(index)
    assert len(h.runs) == 1  # the first two pauses were cut short by the next change
    await h.release_run(0)
    assert h.accepted == [0]


async def test_a_change_during_an_analysis_gives_it_up_and_shows_only_the_newer() -> None:
    h = Harness()
    h.scheduler.changed(delay=0)
    await _turns()
    assert h.pauses[0][0] == 0
    await h.release_pause(0)
    assert len(h.runs) == 1  # analysing
    h.scheduler.changed()  # a newer edit arrives while it runs
    await _turns()
    await h.release_pause(1)
    assert len(h.runs) == 1  # the next one waits for the given-up one to stop
    await h.release_run(0)
    assert h.accepted == []  # given up: its results are never shown
    assert len(h.runs) == 2
    await h.release_run(1)
    assert h.accepted == [1]


async def test_results_finished_after_a_newer_change_are_never_shown() -> None:
    h = Harness(heed_stop=False)  # an analysis that runs to its end whatever happens
    h.scheduler.changed()
    await _turns()
    await h.release_pause(0)
    h.scheduler.changed()
    await _turns()
    await h.release_run(0)
    assert h.accepted == []
    await h.release_pause(1)
    await h.release_run(1)
    assert h.accepted == [1]


async def test_a_failing_analysis_is_reported_and_the_next_change_still_analysed() -> None:
    h = Harness(fail=True)
    h.scheduler.changed()
    await _turns()
    await h.release_pause(0)
    await h.release_run(0)
    assert [str(error) for error in h.failures] == ["the analysis broke"]
    h.fail = False
    h.scheduler.changed()
    await _turns()
    await h.release_pause(1)
    await h.release_run(1)
    assert h.accepted == [1]


async def test_settled_waits_for_the_analysis_of_the_last_change() -> None:
    h = Harness()
    h.scheduler.changed()
    await _turns()
    waiter = asyncio.ensure_future(h.scheduler.settled())
    await h.release_pause(0)
    h.scheduler.changed()  # supersedes the first: settled keeps waiting for the second
    await _turns()
    await h.release_run(0)
    assert not waiter.done()
    await h.release_pause(1)
    await h.release_run(1)
    await waiter
    assert h.accepted == [1]


async def test_stop_gives_up_the_running_analysis() -> None:
    h = Harness()
    h.scheduler.changed()
    await _turns()
    await h.release_pause(0)
    h.scheduler.stop()
    await h.release_run(0)
    assert h.accepted == []
    assert h.finished == 1


async def test_the_real_runner_analyses_in_another_thread() -> None:
    import threading

    threads: list[int] = []
    accepted: list[str] = []

    def analyse(stop: Callable[[], bool]) -> str:
        threads.append(threading.get_ident())
        return "done"

    async def no_pause(seconds: float) -> None:
        return None

    scheduler: Scheduler[str] = Scheduler(analyse, accepted.append, print, pause=no_pause)
    scheduler.changed()
    await scheduler.settled()
    assert accepted == ["done"]
    assert threads and threads[0] != threading.get_ident()


async def test_a_refresh_is_waited_for_by_ready_not_by_settled_and_a_change_gives_it_up() -> None:
    h = Harness()
    h.scheduler.refresh()
    await _turns()
    assert len(h.runs) == 1
    await asyncio.wait_for(h.scheduler.settled(), 1)  # nothing changed: nothing to wait for
    ready = asyncio.ensure_future(h.scheduler.ready())
    await _turns()
    assert not ready.done()
    await h.release_run(0)
    assert ready.done() and h.accepted == [0]
    # A change while a refresh runs: the refresh gives up, the change's analysis is shown.
    h.scheduler.refresh()
    await _turns()
    h.scheduler.changed()
    await _turns()
    await h.release_pause(0)
    await h.release_run(1)
    assert h.accepted == [0]
    await h.release_run(2)
    assert h.accepted == [0, 2]
    assert h.failures == []
