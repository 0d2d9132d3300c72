"""A stale cache in place (every file changed since it was written: another branch's, another
tree's) is found stale by a sample of the tree's files, before any other file's stat, and
the run is a first run's: no file hashed in this process, the cache written anew as a first
run writes it (issue 21)."""

from __future__ import annotations

import marshal
import os
import shutil
from pathlib import Path

import pytest

from scaffold.check import CheckOptions, run_check
from scaffold.check.discover import discover
from scaffold.check.incremental import cache_file, contents
from scaffold.check.incremental import run as engine
from scaffold.check.incremental.run import check
from scaffold.check.incremental.store import FactsCache

from . import cache_layout
from .check_support import DEFAULT, write_tree

_MODULES = 300  # above the sample's threshold (4 x 64 files)


def _project(root: Path, value: str = "0", extra: str = "") -> Path:
    files = {"pyproject.toml": '[project]\nname = "many"\nversion = "0"\n'}
    files["many/__init__.py"] = '__all__ = ["missing"]\n'
    for index in range(_MODULES):
        text = f"import os\nimport many.mod{(index + 1) % _MODULES}\nVALUE = {value}\n{extra}"
        files[f"many/mod{index}.py"] = text
    return write_tree(root, files)


def _report(root: Path, *, use_cache: bool = True) -> list[tuple[str, str, int, str]]:
    options = CheckOptions(paths=(root / "many",), select=DEFAULT, workers=0, use_cache=use_cache)
    return sorted((d.code, d.path, d.line, d.message) for d in run_check(options).diagnostics)


def _stats_during(monkeypatch: pytest.MonkeyPatch, root: Path) -> list[str]:
    seen: list[str] = []
    real = os.stat

    def counting(path: object, *args: object, **kwargs: object) -> os.stat_result:
        if isinstance(path, str) and path.startswith(str(root)) and path.endswith(".py"):
            seen.append(path)
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "stat", counting)
    return seen


def _hashed_during(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    hashed: list[str] = []
    real = contents.file_digest

    def counted(path: str, limit: int | None = None) -> bytes | None:
        hashed.append(path)
        return real(path, limit)

    monkeypatch.setattr(contents, "file_digest", counted)
    return hashed


def test_a_stale_cache_in_place_is_dropped_after_the_sample_its_lead_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every file of another size: the sample of the index written at the head of the cache
    # file finds it stale by the files' stats alone, and its front part (the index and the
    # facts digests of every file) is never read. Before: read and unmarshalled, and the
    # index's own sample of the tree taken after it.
    root = _project(tmp_path / "p")
    _report(root)
    _project(root, extra="STALE = 1\n")
    tree = discover(root / "many")
    stats = _stats_during(monkeypatch, root)
    hashed = _hashed_during(monkeypatch)
    fronts: list[int] = []
    real_front = cache_file.CacheFile.front

    def front(self: cache_file.CacheFile) -> bytes | None:
        fronts.append(1)
        return real_front(self)

    monkeypatch.setattr(cache_file.CacheFile, "front", front)
    cache = FactsCache.open(tree)
    assert cache.empty and fronts == [] and hashed == []
    files = len(tree.files)
    assert len(stats) <= -(-files // (files // contents.STALE_SAMPLE)) < files // 2
    assert cache.report_key(tree, ()) is None
    assert _report(root) == _report(root, use_cache=False)


def test_a_stale_cache_of_files_of_the_same_sizes_is_dropped_after_a_sample_of_the_tree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Another content of the same size: the lead's sample cannot tell it from a restored
    # cache by stats; the index is read and a sample of the tree hashed before any other
    # file's stat.
    root = _project(tmp_path / "p")
    _report(root)
    _project(root, value="1")
    tree = discover(root / "many")
    cache = FactsCache.open(tree)
    assert not cache.empty
    stats = _stats_during(monkeypatch, root)
    hashed = _hashed_during(monkeypatch)
    assert cache.report_key(tree, ()) is None
    # Before: every file's stat (and the 64 files of the sample hashed) before the parse.
    assert cache.empty
    files = len(tree.files)
    assert len(stats) <= -(-files // (files // contents.STALE_SAMPLE)) < files // 2
    assert sorted(hashed) == sorted(stats)


def _contents(root: Path) -> tuple[object, ...]:
    """The cache of `root/many` as a later run reads it: digests, facts, report, results."""
    tree = discover(root / "many")
    cache = FactsCache.open(tree)
    digests = cache.facts_digests(tree.files)
    encoded = {source.key: cache.encoded(source) for source in tree.files}
    inputs = engine._inputs(CheckOptions(paths=(root / "many",), select=DEFAULT))
    report = cache.report(cache.report_key(tree, inputs))
    analysis = cache.analysis
    return digests, encoded, report, None if analysis is None else marshal.loads(analysis)


def test_the_cache_a_stale_run_writes_is_a_first_runs(tmp_path: Path) -> None:
    stale = _project(tmp_path / "stale")
    _report(stale)
    _project(stale, extra="STALE = 1\n")
    fresh = _project(tmp_path / "fresh", extra="STALE = 1\n")
    assert _report(stale) == _report(fresh) == _report(fresh, use_cache=False)
    assert _contents(stale) == _contents(fresh)


def test_a_restored_cache_passes_the_sample_and_parses_nothing(tmp_path: Path) -> None:
    first = _project(tmp_path / "a" / "p")
    expected = _report(first)
    moved = shutil.copytree(first, tmp_path / "b" / "p")  # new inodes and ctimes
    shutil.rmtree(first)
    tree = discover(moved / "many")
    cache = FactsCache.open(tree)
    assert cache.report_key(tree, ()) is not None
    assert not cache.empty
    assert _report(moved) == expected


def test_a_mass_edit_that_changes_no_facts_still_keeps_the_report(
    tmp_path: Path,
) -> None:
    # Every file's bytes change (a comment appended): the sample finds the cache stale and
    # drops it, every file is parsed, and the facts come out as before: the stored report is
    # kept, and written with the last results for the next run's edit.
    root = _project(tmp_path / "p")
    _report(root)
    _project(root, extra="# a comment\n")
    options = CheckOptions(paths=(root / "many",), select=DEFAULT, workers=0)
    (checked,) = check(options).trees
    assert checked.analysis is None  # the stored report kept
    assert _report(root) == _report(root, use_cache=False)
    (root / "many" / "mod5.py").write_text("import os\nVALUE = 5\n")
    (checked,) = check(options).trees
    assert checked.analysis is not None
    assert _report(root) == _report(root, use_cache=False)


def test_a_forged_sample_in_the_lead_is_no_error(tmp_path: Path) -> None:
    # The lead's keys are joined to the project's folder and stat'ed: a forged one (a NUL,
    # a folder, a path outside) is a file with no say, never an error.
    root = _project(tmp_path / "p")
    expected = _report(root, use_cache=False)
    _report(root)
    (cache,) = (root / ".scaffold_cache").glob("check-*.bin")
    head, lead, front, back = cache_layout.split(cache.read_bytes())
    sample, report, back_checksum = marshal.loads(lead)
    entry = next(iter(sample.values()))
    forged = {f"bad\0{at}": entry for at in range(70)} | {"/": entry, "../..": entry}
    lead = marshal.dumps((forged, report, back_checksum))
    cache.write_bytes(cache_layout.join(head, lead, front, back))
    _project(root, extra="STALE = 1\n")
    assert _report(root) == _report(root, use_cache=False) == expected
