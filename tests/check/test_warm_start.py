"""The start of a warm run: the cache file's back part and the project are made or read only
when something needs them, and what a run reports never changes for it."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import BinaryIO

import pytest

import scaffold.check.incremental.cache_file as cache_file
import scaffold.check.incremental.typed as typed
from scaffold.check import CheckOptions, parse_source, run_check
from scaffold.check.discover import discover
from scaffold.check.incremental.run import check
from scaffold.check.incremental.store import CACHE_DIR, FactsCache
from scaffold.check.model import Diagnostic
from scaffold.check.project import Project
from scaffold.files import open_regular

from .cache_layout import back_offset
from .check_support import DEFAULT

Build = Callable[[Mapping[str, str | bytes]], Path]

PROJECT = {
    "pyproject.toml": '[project]\nname = "demo"\nversion = "0"\n',
    "demo/__init__.py": 'from .core import run\n\n__all__ = ["run", "missing"]\n',
    "demo/core.py": "from demo import helpers\n\n\ndef run() -> None:\n    helpers.go()\n",
    "demo/helpers.py": "import os\n\n\ndef go() -> None:\n    pass\n",
    **{f"demo/m{i}.py": f"import demo.core\n\nVALUE_{i} = {i}\n" for i in range(20)},
}


def _report(root: Path, **changes: object) -> tuple[Diagnostic, ...]:
    options = CheckOptions(paths=(root,), select=DEFAULT, **changes)  # type: ignore[arg-type]
    return run_check(options).diagnostics


def _cache_file(root: Path) -> Path:
    (found,) = sorted((root / CACHE_DIR).glob("check-*.bin"))
    return found


class _CountingReads:
    """`cache_file.open_regular`, counting the bytes read from each file it opens (by
    `read`: the back part would be read by `os.pread`, counted apart)."""

    def __init__(self) -> None:
        self.read: dict[str, int] = {}
        self._real = open_regular

    def __call__(self, path: str | os.PathLike[str]) -> BinaryIO:
        stream = self._real(path)
        real_read = stream.read
        name = os.fspath(path)

        def read(size: int = -1) -> bytes:
            data = real_read(size)
            self.read[name] = self.read.get(name, 0) + len(data)
            return data

        stream.read = read  # type: ignore[method-assign]
        return stream


def test_a_warm_run_reads_the_front_part_of_the_cache_file_only(
    tree: Build, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Before: the whole file was read (the back part, the encoded facts, is nearly all of
    # it: 40 MB of 10,000 files), though only the front was loaded.
    monkeypatch.setattr(cache_file, "RACY_NS", 0)  # files just written are trusted: no re-hash
    root = tree(PROJECT)
    expected = _report(root)
    blob = _cache_file(root).read_bytes()
    reads = _CountingReads()
    preads: list[int] = []
    real_pread = os.pread

    def pread(fd: int, size: int, offset: int) -> bytes:
        preads.append(size)
        return real_pread(fd, size, offset)

    monkeypatch.setattr(cache_file, "open_regular", reads)
    monkeypatch.setattr(os, "pread", pread)
    assert _report(root) == expected
    assert reads.read == {str(_cache_file(root)): back_offset(blob)}
    assert preads == []


def test_a_run_that_only_refreshes_stats_keeps_them_beside_the_unchanged_cache_file(
    tree: Build, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Before: the whole file was written again for new stats (after a restore at another
    # path, 6.8 MB on sympy), its back part read and checked first.
    monkeypatch.setattr(cache_file, "RACY_NS", 0)  # files just written are trusted: no re-hash
    root = tree(PROJECT)
    expected = _report(root)
    blob = _cache_file(root).read_bytes()
    helpers = root / "demo" / "helpers.py"
    os.utime(helpers, ns=(1_000_000_000, 1_000_000_000))  # same bytes, another stat
    assert _report(root) == expected
    assert _cache_file(root).read_bytes() == blob  # not written again...
    kept = cache_file.index_file(_cache_file(root))
    assert kept.is_file()  # ...the new stats are kept beside it, and used:
    found = discover(root)
    source = next(s for s in found.files if s.rel == "demo/helpers.py")
    assert FactsCache.open(found).known_digest(source) is not None
    helpers.write_text("import os\n\n\ndef go() -> int:\n    return 1\n", encoding="utf-8")
    assert _report(root) == _report(root, use_cache=False)
    assert _cache_file(root).read_bytes() != blob
    assert not kept.exists()  # of the file replaced: gone with it


def test_a_kept_index_of_another_cache_file_is_not_used(
    tree: Build, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The kept stats name the cache file they were kept for (its size, mtime and inode): a
    # cache file written since, or restored with them (a copy: another inode), ignores them.
    monkeypatch.setattr(cache_file, "RACY_NS", 0)
    root = tree(PROJECT)
    _report(root)
    os.utime(root / "demo" / "helpers.py", ns=(1_000_000_000, 1_000_000_000))
    _report(root)
    kept = cache_file.index_file(_cache_file(root))
    data = kept.read_bytes()
    found = discover(root)
    source = next(s for s in found.files if s.rel == "demo/helpers.py")
    assert FactsCache.open(found).known_digest(source) is not None
    for damaged in (data[:-1], data[:-1] + bytes([data[-1] ^ 1])):
        kept.write_bytes(damaged)
        assert FactsCache.open(found).known_digest(source) is None
        assert FactsCache.open(found).has_facts(source)  # read and hashed: as cached
    kept.write_bytes(data)
    assert FactsCache.open(found).known_digest(source) is not None
    blob = _cache_file(root).read_bytes()
    _cache_file(root).unlink()
    kept.with_suffix(".bin").write_bytes(blob)  # the same bytes in another file
    assert FactsCache.open(found).known_digest(source) is None
    assert FactsCache.open(found).has_facts(source)


def test_a_cache_file_replaced_after_its_front_was_read_still_gives_its_own_facts(
    tree: Build,
) -> None:
    # Another run may rewrite the file between this run's two reads: the back part is
    # read from the file the front came from (kept open), not from whatever is now there.
    root = tree(PROJECT)
    _report(root)
    tree_found = discover(root)
    cache = FactsCache.open(tree_found)
    (root / "demo" / "m0.py").write_text("VALUE = 'other'\n", encoding="utf-8")
    _report(root)  # rewrites the cache file: another back part at another offset
    source = next(s for s in tree_found.files if s.rel == "demo/core.py")
    assert cache.facts(source) == parse_source((root / "demo" / "core.py").read_bytes())


def test_a_warm_run_that_keeps_its_report_builds_no_project(
    tree: Build, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tree(PROJECT)
    options = CheckOptions(paths=(root,), select=DEFAULT)
    first = check(options)
    built: list[int] = []
    real_of = Project.of

    def counting_of(tree: object, facts: object) -> Project:
        built.append(1)
        return real_of(tree, facts)  # type: ignore[arg-type]

    monkeypatch.setattr(Project, "of", staticmethod(counting_of))
    warm = check(options)
    assert warm.report == first.report
    assert built == []  # before: one per run
    (checked,) = warm.trees
    assert checked.project.files.keys() == first.trees[0].project.files.keys()
    assert built == [1]  # made once asked


def test_the_cache_file_is_read_without_the_cyclic_collector(
    tree: Build, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The stat index holds a tuple per file: read with the collector on, its young
    # collections rescanned them (~0.1 s of a warm run of 100,000 files: as much again as
    # the read).
    import gc

    root = tree(PROJECT)
    expected = _report(root)
    collecting: list[bool] = []
    real = typed.well_typed

    def checked(index: object, entries: object) -> bool:
        collecting.append(gc.isenabled())
        return real(index, entries)

    monkeypatch.setattr(cache_file, "well_typed", checked)
    assert gc.isenabled()
    cache = FactsCache.open(discover(root))
    assert not cache.empty and collecting and not any(collecting)
    assert gc.isenabled()
    assert _report(root) == expected
