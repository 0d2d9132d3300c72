"""A finding's path as shown: relative to the current folder, exactly as os.path.relpath
gives it, whether or not the checked root is below that folder."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

from scaffold.check.model import CheckReport
from scaffold.check.output.context import RenderContext

ROOTS = ["/a/b", "/a/b/s", "/a", "/", "/a/b/s/t"]
FOLDERS = ["/a/b", "/a", "/a/b/s", "/x/y", "/a/b/s/t/u", "/"]
PATHS = [".", "m.py", "s/m.py", "../p.toml", "../../../x", "d/../e.py", "./f.py", "a..b.py"]


def test_shown_paths_are_what_relpath_gives() -> None:
    for root, folder, path in itertools.product(ROOTS, FOLDERS, PATHS):
        report = CheckReport(diagnostics=(), files=0, root=root)
        shown = RenderContext(relative_to=Path(folder)).shown_path(report, path)
        expected = os.path.relpath(os.path.join(root, path), folder).replace(os.sep, "/")
        assert (root, folder, path, shown) == (root, folder, path, expected)
