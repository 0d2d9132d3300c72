"""A stale cache in place where every file changed since it was written costs what a first
run costs: the back part (the last run's encoded facts and results) is not read, since none
of it is written again; where some file is unchanged it is read, and its entry kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from scaffold.check import CheckOptions, run_check
from scaffold.check.incremental import cache_file
from scaffold.check.incremental.reuse import AFRESH_MIN_CHANGED

from .check_support import DEFAULT, write_tree

_COUNT = AFRESH_MIN_CHANGED + 4  # enough that the last results are not read either


def _files(version: int) -> dict[str, str]:
    files = {"pkg/__init__.py": f'"""Package {version}."""\n'}
    for index in range(_COUNT):
        following = (index + 1 + version) % _COUNT
        text = f'"""Module."""\n\nfrom pkg import mod{following}\n\nV{version} = {index}\n'
        files[f"pkg/mod{index}.py"] = text
    return files


def _codes(root: Path, *, use_cache: bool = True) -> list[tuple[str, str, int, str]]:
    options = CheckOptions(paths=(root / "pkg",), select=DEFAULT, use_cache=use_cache)
    return sorted((d.code, d.path, d.line, d.message) for d in run_check(options).diagnostics)


def _counting_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    reads: list[int] = []
    real = cache_file.BackPart.read

    def counted(self: cache_file.BackPart, checksum: bytes) -> bytes | None:
        reads.append(1)
        return real(self, checksum)

    monkeypatch.setattr(cache_file.BackPart, "read", counted)
    return reads


@pytest.mark.parametrize(("kept", "read"), [(0, False), (1, True), (3, True)])
def test_the_back_part_is_read_only_when_entries_of_it_are_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kept: int, read: bool
) -> None:
    root = write_tree(tmp_path, {"pyproject.toml": '[project]\nname = "d"\nversion = "0"\n'})
    write_tree(root, _files(0))
    _codes(root)
    reads = _counting_reads(monkeypatch)
    changed = _files(1)
    for name in list(changed)[kept:]:  # another branch's content, in place
        (root / name).write_text(changed[name])
    assert _codes(root) == _codes(root, use_cache=False)
    assert bool(reads) == read
    # What that run wrote is a whole cache: a warm run and an edit after it agree too.
    reads.clear()
    assert _codes(root) == _codes(root, use_cache=False)
    (root / "pkg/mod4.py").write_text('"""Edited."""\n\nfrom pkg import mod7\n')
    assert _codes(root) == _codes(root, use_cache=False)
    assert reads  # the edit's run read the entries that run wrote
