"""Copier's temporary folders (its clones of git templates) kept where a later run finds them.

Copier clones a git template into the system's temporary folder and removes the clone when
it is done; a run that is killed (SIGKILL, a closed terminal, a crash of the machine) leaves
it there for good. Every Copier run gets its own folder, named by scaffold's process id, to
hold them, and each run first removes the folders of runs whose process is gone.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from scaffold.files import process_alive

__all__ = ["PREFIX", "copier_temporaries", "remove_leftovers"]

PREFIX = "scaffold-copier-"
_NAME = re.compile(re.escape(PREFIX) + r"(\d+)-")


def remove_leftovers(folder: Path) -> list[Path]:
    """Remove the temporary folders of Copier runs whose scaffold process is gone (the
    current user's only); return them."""
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        match = _NAME.match(entry.name)
        try:
            mine = entry.is_dir(follow_symlinks=False) and entry.stat().st_uid == os.getuid()
        except OSError:
            continue
        if match is None or not mine or process_alive(int(match.group(1))):
            continue
        shutil.rmtree(entry.path, ignore_errors=True)
        removed.append(Path(entry.path))
    return removed


@contextlib.contextmanager
def copier_temporaries() -> Iterator[Path]:
    """Run the block with Python's temporary folder set to a new folder of this run's own
    (what Copier creates goes there), removed afterwards."""
    system = Path(tempfile.gettempdir())
    remove_leftovers(system)
    own = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=system))
    previous = tempfile.tempdir
    tempfile.tempdir = str(own)
    try:
        yield own
    finally:
        tempfile.tempdir = previous
        shutil.rmtree(own, ignore_errors=True)
