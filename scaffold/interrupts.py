"""Holding Ctrl-C back while a change to the user's files must finish as one step."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType

__all__ = ["Interrupts", "interrupts_deferred"]


class Interrupts:
    """Whether a Ctrl-C (SIGINT) arrived while interrupts were deferred."""

    def __init__(self) -> None:
        self.arrived = False

    def note(self, signum: int, frame: FrameType | None) -> None:
        """The signal handler: remember the interrupt instead of raising it mid-step."""
        del signum, frame
        self.arrived = True


@contextlib.contextmanager
def interrupts_deferred() -> Iterator[Interrupts]:
    """Run the block with SIGINT recorded rather than raised; the caller decides after.

    A KeyboardInterrupt raised between a rename and the line that records it loses track
    of a user's file, so the steps that move files and clean up after them run whole.
    Outside the main thread no handler can be installed, and the block runs as it is.
    """
    interrupts = Interrupts()
    if threading.current_thread() is not threading.main_thread():
        yield interrupts
        return
    previous = signal.signal(signal.SIGINT, interrupts.note)
    try:
        yield interrupts
    finally:
        # None: a handler installed outside Python, which cannot be put back; Python's own.
        signal.signal(signal.SIGINT, signal.default_int_handler if previous is None else previous)
