"""The fixed costs of a cached check after a one-file edit: counts, not times (issue 20)."""

from __future__ import annotations

import itertools
import os
import time
from collections import Counter
from pathlib import Path

import pytest

from scaffold.check import CheckOptions, run_check

_MTIMES = itertools.count(time.time_ns() - 3_600_000_000_000, 1_000_000)


def _write(path: Path, content: str) -> None:
    # A never repeated mtime an hour ago: the stat index notices every edit and trusts it.
    path.write_text(content)
    mtime = next(_MTIMES)
    os.utime(path, ns=(mtime, mtime))


def _tree(root: Path, files: int = 12) -> Path:
    package = root / "pkg"
    package.mkdir(parents=True)
    _write(package / "__init__.py", "")
    _write(package / "base.py", "VALUE = 1\n")
    for index in range(files):
        _write(package / f"m{index}.py", "from pkg.base import VALUE\n\nX = VALUE\n")
    return root


@pytest.mark.parametrize("edit", ["# a comment\n", "NEW_NAME = 2\n"])
def test_each_file_is_stat_ed_once_by_a_run_after_an_edit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edit: str
) -> None:
    root = _tree(tmp_path)
    run_check(CheckOptions(paths=(root,)))
    base = root / "pkg" / "base.py"
    _write(base, base.read_text() + edit)
    stats: Counter[str] = Counter()
    real = os.stat

    def counting(path: object, *args: object, **kwargs: object) -> os.stat_result:
        if str(path).startswith(str(root / "pkg")):  # the files (discovery asks of others)
            stats[str(path)] += 1
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "stat", counting)
    run_check(CheckOptions(paths=(root,)))
    assert stats, "the run stat'ed no file"
    # The report key after the edit was asked twice (before and after parsing the edited
    # file): the second time every file's stat was taken again.
    assert max(stats.values()) == 1, stats.most_common(3)
