"""Copier's temporary folders (its git clones, old and new renders) where a later run finds them.

Copier makes them with `tempfile` in the system's temporary folder and removes them when it
is done; a run that is killed (SIGKILL, a closed terminal, a machine that stops) leaves them
there for good. While Copier runs, `tempfile` points at one folder of this process's own
(`scaffold-copier-PID-XXXX`), made at the first Copier run and removed when the process
exits, so a clone a caller still reads after Copier returns (`templates lint`) lives as long
as the process does. The process holds a lock on a file in it until it exits; the first
Copier run of each process removes the folders whose lock nobody holds: their process is
gone, whatever its pid now names (a reused pid, another pid namespace).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

from scaffold.interrupts import interrupts_deferred

__all__ = ["PREFIX", "copier_temporaries", "own_folder", "remove_leftovers"]

PREFIX = "scaffold-copier-"
_LOCK = ".lock"


class _Own:
    """This process's folder, the open lock file that marks it alive, and how many Copier
    runs (threads of `templates test`) have `tempfile` pointed at it."""

    def __init__(self) -> None:
        self.guard = threading.Lock()
        self.folder: Path | None = None
        self.lock_fd: int | None = None
        self.users = 0
        self.previous: str | None = None


_own = _Own()


def _locked_by_a_live_process(folder: Path) -> bool:
    """Whether the process that made `folder` still runs (it holds the lock of its file)."""
    try:
        fd = os.open(folder / _LOCK, os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        return False  # killed between making the folder and locking it: never used
    except OSError:
        return True  # cannot tell: keep it
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)  # closing drops the lock just taken
    return False


def remove_leftovers(system: Path) -> list[Path]:
    """Remove the folders in `system` that processes now gone left (this user's only);
    return them. Another process's folder whose lock is held is never touched."""
    removed: list[Path] = []
    try:
        entries = [entry for entry in os.scandir(system) if entry.name.startswith(PREFIX)]
    except OSError:
        return removed
    for entry in entries:
        folder = Path(entry.path)
        if folder == _own.folder:
            continue
        try:
            mine = entry.is_dir(follow_symlinks=False) and entry.stat().st_uid == os.getuid()
        except OSError:
            continue
        if not mine or _locked_by_a_live_process(folder):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


def own_folder() -> Path | None:
    """This process's folder for Copier's temporaries, made (and earlier runs' leftovers
    removed) on first use; None when it cannot be made (Copier then uses the system's)."""
    try:
        import fcntl
    except ImportError:  # no flock (Windows): no way to tell a live folder, so none is made
        return None
    with _own.guard:
        if _own.folder is None:
            system = Path(tempfile.gettempdir())
            remove_leftovers(system)
            try:
                folder = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=system))
            except OSError:
                return None
            try:
                fd = os.open(folder / _LOCK, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
                fcntl.flock(fd, fcntl.LOCK_EX)
            except OSError:
                shutil.rmtree(folder, ignore_errors=True)
                return None
            _own.folder, _own.lock_fd = folder, fd
            atexit.register(_remove_own, os.getpid())
        return _own.folder


def _remove_own(pid: int) -> None:
    # A forked child (a pool worker) inherits the atexit list, not the folder.
    if pid == os.getpid() and _own.folder is not None:
        # The command is over: a Ctrl-C now changes nothing (it printed a traceback and
        # left the folder half removed); a killed process's folder is the next run's.
        with interrupts_deferred():
            shutil.rmtree(_own.folder, ignore_errors=True)


@contextlib.contextmanager
def copier_temporaries() -> Iterator[None]:
    """Run the block (a Copier run) with `tempfile`'s folder set to this process's own."""
    folder = own_folder()
    if folder is None:
        yield
        return
    with _own.guard:
        if _own.users == 0:
            _own.previous = tempfile.tempdir
            tempfile.tempdir = str(folder)
        _own.users += 1
    try:
        yield
    finally:
        with _own.guard:
            _own.users -= 1
            if _own.users == 0:
                tempfile.tempdir = _own.previous
