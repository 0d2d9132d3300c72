"""`--fix` and `new` on a real full filesystem and a real read-only mount (a small tmpfs;
skipped where mounting is not permitted). The fault tests inject ENOSPC and EROFS into
single calls; here the kernel refuses every write, temporary files included."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.faults import snapshot
from tests.test_generate_devices import mount_tmpfs

__all__ = ["mount_tmpfs"]  # the fixture, used here under its own name

UNSORTED = '__all__ = ["b", "a"]\na = b = 1\n'


def _scaffold(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scaffold", *argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


def _project(root: Path) -> Path:
    (root / "proj" / "pkg").mkdir(parents=True)
    (root / "proj" / "pkg" / "__init__.py").write_text("")
    for name in ("one", "two"):
        (root / "proj" / "pkg" / f"{name}.py").write_text(UNSORTED)
    return root / "proj"


def _fill(root: Path) -> None:
    fd = os.open(root / "filler", os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError:
        pass  # no space left: the point
    finally:
        os.close(fd)


@pytest.mark.parametrize("how", ["full", "read-only"])
def test_fix_and_new_on_a_real_full_or_read_only_filesystem(
    how: str, tmp_path: Path, mount_tmpfs: Callable[[Path], None]
) -> None:
    mount = tmp_path / "mnt"
    mount.mkdir()
    mount_tmpfs(mount)
    subprocess.run(["mount", "-o", "remount,size=256k", str(mount)], check=True)
    project = _project(mount)
    if how == "full":
        _fill(mount)
    else:
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
    before = snapshot(mount)
    fixed = _scaffold(["check", "pkg", "--fix", "--select", "EXP007", "--no-cache"], project)
    reason = "No space left on device" if how == "full" else "Read-only file system"
    assert fixed.returncode == 1, fixed.stderr
    for name in ("one", "two"):
        assert f"note: {project / 'pkg' / name}.py not fixed: {reason}" in fixed.stderr
    created = _scaffold(["new", "package", "foo", "--no-git", "-q"], mount)
    assert created.returncode == 2, created.stderr
    assert created.stderr.count("\n") == 1 and created.stderr.startswith("error: ")
    assert snapshot(mount) == before  # nothing half-written, no temporary file left
    if how == "read-only":
        subprocess.run(["mount", "-o", "remount,rw", str(mount)], check=True)
