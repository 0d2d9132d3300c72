"""How the checker keeps Python's cyclic garbage collector from rescanning its facts."""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import threading

__all__ = [
    "finish_background",
    "in_background_until_exit",
    "keep_until_exit",
    "keeping_until_exit",
    "without_cyclic_gc",
]


@contextlib.contextmanager
def without_cyclic_gc() -> Iterator[None]:
    """Hold the cyclic garbage collector off while facts are built, decoded or checked.

    ASTs and facts are acyclic and die by reference counting; the collector would only
    rescan the growing heap over and over (4x slower parsing on sympy, 2.5x slower decoding
    of cached facts; see docs/decisions.md), so it waits until the block ends. What the
    block built and still holds (a CheckResult keeps every file's facts) then moves to the
    oldest generation at once (freeze, unfreeze: two list splices), so the first young
    collection does not scan it all (~0.07 s on sympy).
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.freeze()
            gc.unfreeze()
            gc.enable()


# What `keep_until_exit` holds, once `keeping_until_exit` said the process ends by os._exit.
_KEPT: list[object] = []
_keeping = False
# The process that said so (a child forked from it ends its own way: nothing is deferred
# there), and the work `in_background_until_exit` started, which the exit waits for.
_keeping_pid: int | None = None
_BACKGROUND: list[threading.Thread] = []


def keeping_until_exit() -> None:
    """Say that this process ends by `os._exit`, without the interpreter's teardown (the
    console script, `cli.run_console`), after `finish_background`: from now on
    `keep_until_exit` holds what it is given, and `in_background_until_exit` may defer."""
    global _keeping, _keeping_pid
    _keeping = True
    _keeping_pid = os.getpid()


def in_background_until_exit(work: Callable[[], object]) -> bool:
    """Start `work` in a thread that the process's exit waits for (`finish_background`),
    when it ends as `keeping_until_exit` said and runs no other thread; False otherwise,
    and then the caller does the work. For work that releases the GIL (a large write): a
    first run writes its 55 MB cache of 100,000 tiny files while it prints (docs/decisions.md,
    issues 19/21, session 15)."""
    threads = sys.modules.get("threading")
    if not _keeping or _keeping_pid != os.getpid() or not threads or threads.active_count() > 1:
        return False
    thread = threads.Thread(target=work, name="scaffold-background")
    thread.start()
    _BACKGROUND.append(thread)
    return True


def finish_background() -> None:
    """Wait for the work `in_background_until_exit` started (before the exit, or before
    anything that must follow it)."""
    while _BACKGROUND:
        _BACKGROUND.pop(0).join()


def keep_until_exit(*objects: object) -> None:
    """Hold `objects` until the process ends, when it ends without the interpreter's teardown.

    What a check of a large tree leaves (every file's facts, its project and analysis) was
    freed object by object when the command returned: ~0.13 s of the main process's CPU on
    a 10,000-file tree, 0.10 s on 100,000 tiny files (docs/decisions.md, issue 20, session
    13). `os._exit` frees it all at once. Anywhere else (a library call, the test suite,
    the language server) nothing is held, so nothing leaks.
    """
    if _keeping:
        _KEPT.extend(objects)
