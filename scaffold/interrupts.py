"""Holding Ctrl-C back while a change to the user's files must finish as one step.

SIGTERM (`kill`, `timeout`, a cancelled CI job) and SIGHUP (a closed terminal) end a
process between two steps of such a change by default, which leaves it half made; while
`stops_interrupt` is in force they are a Ctrl-C: held during a step, then undone or
reported complete as a Ctrl-C is. The command exits 128 + the signal's number.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType

__all__ = ["Interrupts", "exit_code_of_interrupt", "interrupts_deferred", "stops_interrupt"]

# The signals that stop a command the way Ctrl-C does, besides SIGINT itself.
_STOPPING = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))
# The last interrupting signal that arrived in this process (its exit code is 128 + it).
_last = [int(signal.SIGINT)]


class Interrupts:
    """Whether a Ctrl-C (SIGINT), or a stopping signal, arrived while interrupts were deferred."""

    def __init__(self) -> None:
        self.arrived = False

    def note(self, signum: int, frame: FrameType | None) -> None:
        """The signal handler: remember the interrupt instead of raising it mid-step."""
        del frame
        self.arrived = True
        _last[0] = signum


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    del frame
    _last[0] = signum
    raise KeyboardInterrupt


def exit_code_of_interrupt() -> int:
    """The exit code of a command a signal interrupted: 130 for Ctrl-C, 143 for SIGTERM.
    Read once: the next command in this process starts from Ctrl-C's."""
    code, _last[0] = 128 + _last[0], int(signal.SIGINT)
    return code


@contextlib.contextmanager
def _handled(signals: tuple[int, ...], handler: signal.Handlers | object) -> Iterator[None]:
    """Install `handler` for each of `signals` not ignored (nohup's SIGHUP stays ignored)."""
    previous: dict[int, object] = {}
    try:
        for signum in signals:
            if signal.getsignal(signum) is not signal.SIG_IGN:
                previous[signum] = signal.signal(signum, handler)  # type: ignore[arg-type]
        yield
    finally:
        for signum, handler_before in previous.items():
            # None: a handler installed outside Python, which cannot be put back.
            signal.signal(
                signum,
                handler_before if handler_before is not None else signal.SIG_DFL,  # type: ignore[arg-type]
            )


@contextlib.contextmanager
def stops_interrupt() -> Iterator[None]:
    """Run the block with SIGTERM and SIGHUP raising KeyboardInterrupt, as Ctrl-C does.

    Outside the main thread no handler can be installed, and the block runs as it is.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _last[0] = int(signal.SIGINT)
    with _handled(_STOPPING, _raise_interrupt):
        yield


@contextlib.contextmanager
def interrupts_deferred() -> Iterator[Interrupts]:
    """Run the block with SIGINT recorded rather than raised; the caller decides after.

    A KeyboardInterrupt raised between a rename and the line that records it loses track
    of a user's file, so the steps that move files and clean up after them run whole.
    SIGTERM and SIGHUP are held too where `stops_interrupt` made them interrupts.
    Outside the main thread no handler can be installed, and the block runs as it is.
    """
    interrupts = Interrupts()
    if threading.current_thread() is not threading.main_thread():
        yield interrupts
        return
    stopping = tuple(s for s in _STOPPING if signal.getsignal(s) is _raise_interrupt)
    previous = signal.signal(signal.SIGINT, interrupts.note)
    try:
        with _handled(stopping, interrupts.note):
            yield interrupts
    finally:
        # None: a handler installed outside Python, which cannot be put back; Python's own.
        signal.signal(signal.SIGINT, signal.default_int_handler if previous is None else previous)
