"""The cache's files get the permissions the umask gives any new file, as ruff's and mypy's
caches do: mode 600 kept a cache shared between users (a CI runner's cache restored for
another user, a container's volume) from everyone but its writer, who saw every run miss."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.check.check_support import write_tree

_RUN = (
    "import os, sys; os.umask(int(sys.argv[1], 8)); from scaffold.cli import main;"
    " sys.exit(main(['check', sys.argv[2], '--cache-dir', sys.argv[3]]))"
)


@pytest.mark.parametrize(("umask", "expected"), [("022", 0o644), ("002", 0o664), ("077", 0o600)])
def test_cache_files_get_what_the_umask_gives(tmp_path: Path, umask: str, expected: int) -> None:
    root = write_tree(tmp_path / "project", {"pkg/__init__.py": "", "pkg/a.py": "import os\n"})
    cache = tmp_path / "cache"
    command = [sys.executable, "-c", _RUN, umask, str(root), str(cache)]
    subprocess.run(command, check=True, capture_output=True)
    written = [p for p in cache.rglob("*") if p.is_file()]
    assert any(p.name.startswith("check-") for p in written), written
    for path in written:
        assert stat.S_IMODE(os.stat(path).st_mode) == expected, path
