"""What a PATH named on the command line is: a file, a folder, or a one-line refusal."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from scaffold.errors import UsageError

__all__ = ["is_file_path"]


def is_file_path(path: Path) -> bool:
    """Whether a named PATH is a file (False: a folder); a one-line UsageError when it is
    neither, is missing, or cannot be read."""
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            os.scandir(path).close()
    except FileNotFoundError:
        raise UsageError(f"path does not exist: {path}") from None
    except OSError as exc:
        raise UsageError(
            f"cannot read {path}: {exc.strerror or exc}; give a path you can read"
        ) from None
    if stat.S_ISREG(info.st_mode):
        return True
    if not stat.S_ISDIR(info.st_mode):
        raise UsageError(
            f"not a file or folder: {path} (a device, FIFO or socket); give a Python file or a"
            " folder"
        )
    return False
