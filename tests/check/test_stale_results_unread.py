"""A stale cache in place (most files' content changed since it was written) costs no more
than no cache: the last run's results, which would not be reused, are not even read."""

from __future__ import annotations

from pathlib import Path

import pytest

from scaffold.check import CheckOptions, run_check
from scaffold.check.incremental import reuse
from scaffold.check.incremental.reuse import AFRESH_MIN_CHANGED, Stored

from .check_support import DEFAULT, write_tree

_COUNT = AFRESH_MIN_CHANGED + 16


def _tree(root: Path, version: int) -> Path:
    files = {"pyproject.toml": '[project]\nname = "demo"\nversion = "0"\n'}
    files["pkg/__init__.py"] = '"""Package."""\n'
    for index in range(_COUNT):
        following = (index + 1 + version) % _COUNT
        text = f'"""Module."""\n\nfrom pkg import mod{following}\n\nV{version} = {index}\n'
        files[f"pkg/mod{index}.py"] = text
    return write_tree(root, files)


def _codes(root: Path, *, use_cache: bool = True) -> list[tuple[str, str, int, str]]:
    options = CheckOptions(paths=(root / "pkg",), select=DEFAULT, use_cache=use_cache)
    return sorted((d.code, d.path, d.line, d.message) for d in run_check(options).diagnostics)


@pytest.mark.parametrize(("edited", "read"), [(_COUNT, False), (3, True)])
def test_the_last_results_are_read_only_when_most_files_were_not_parsed_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edited: int, read: bool
) -> None:
    root = _tree(tmp_path, 0)
    _codes(root)
    loaded: list[bytes] = []
    real = Stored.load

    def counted(blob: bytes | None, structure: bytes) -> Stored | None:
        loaded.append(structure)
        return real(blob, structure)

    monkeypatch.setattr(reuse.Stored, "load", counted)
    again = _tree(tmp_path / "again", 1)
    for index in range(edited):  # another branch's content, in place
        name = f"pkg/mod{index}.py"
        (root / name).write_text((again / name).read_text())
    assert _codes(root) == _codes(root, use_cache=False)
    assert bool(loaded) == read
