"""The roots modules are named from: above a package chain, and member roots (none inside one)."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["is_member_root", "package_root"]


def is_member_root(folder: str, top: str) -> bool:
    """Whether `folder`, which holds a pyproject.toml, is a root its modules are named from.

    Not when it is a regular package (it holds `__init__.py`) or lies below one under `top`,
    the scanned root: Python names those modules from the chain of package folders above
    them (`pkg/data/` without `__init__.py` inside `pkg/` is the namespace package
    `pkg.data`), as the naming rules do (a checked folder inside a package is
    named from above its package chain). pandas and statsmodels wheels ship
    their pyproject.toml inside the package folder: taken for a root, `pandas/io/` became
    the top-level `io` and hid the standard library's. The folder's configuration still
    applies to the files below it; that is the caller's part.
    """
    here = os.path.normpath(folder)
    top = os.path.normpath(top)
    below_top = top if top.endswith(os.sep) else top + os.sep
    while True:
        if os.path.isfile(os.path.join(here, "__init__.py")):
            return False
        parent = os.path.dirname(here)
        # The scanned root is never a package (the climb rule); nothing above it counts.
        if parent == here or not parent.startswith(below_top):
            return True
        here = parent


def package_root(folder: Path) -> tuple[Path, Path]:
    """The first folder at or above `folder` without `__init__.py` (the root its modules are
    named from), and the top package below it that holds `folder` (`folder` itself when it
    is no package)."""
    scan = walk_from = folder
    while os.path.isfile(scan / "__init__.py") and scan.parent != scan:
        walk_from = scan
        scan = scan.parent
    return scan, walk_from
