"""A first run's large cache file is written ahead (cache_file.AheadWrite): the stat index and
the facts while the rules run, the results and the report at `save`. A report too large for
the room left, a store after the start or a failed write leave the file written whole, and
no temp file is left behind, written or not."""

from __future__ import annotations

import atexit
import os
from collections.abc import Callable
from pathlib import Path

import pytest

import scaffold.check.incremental.cache_file as cache_file
import scaffold.check.incremental.store as store
from scaffold.check import memory
from scaffold.check.discover import Tree, discover
from scaffold.check.incremental.pool import read_facts
from scaffold.check.incremental.store import FactsCache
from scaffold.check.model import Diagnostic, ModuleFacts

from .check_support import write_tree

REPORT_KEY = b"k" * 16


@pytest.fixture
def console(monkeypatch: pytest.MonkeyPatch) -> list[Callable[[], object]]:
    """This process as the console script sees itself (`keeping_until_exit`), any cache file
    large enough to be written ahead; what it would run at its exit, collected."""
    monkeypatch.setattr(cache_file, "BACKGROUND_MIN_BYTES", 0)
    monkeypatch.setattr(memory, "_keeping", True)
    monkeypatch.setattr(memory, "_keeping_pid", os.getpid())
    monkeypatch.setattr(memory, "_KEPT", [])
    monkeypatch.setattr(memory, "_BACKGROUND", [])
    at_exit: list[Callable[[], object]] = []
    monkeypatch.setattr(atexit, "register", at_exit.append)
    return at_exit


def _tree(root: Path, modules: int = 3) -> Tree:
    files = {"pyproject.toml": '[project]\nname = "demo"\nversion = "0"\n'}
    files["pkg/__init__.py"] = '"""Package."""\n'
    for n in range(modules):
        files[f"pkg/mod{n}.py"] = f"import os\n\nVALUE = {n}\n"
    return discover(write_tree(root, files) / "pkg")


def _parsed(tree: Tree, cache_dir: Path) -> tuple[FactsCache, dict[str, ModuleFacts]]:
    """A first run's cache of `tree` after its parse (everything in chunks), and the facts."""
    cache = FactsCache.open(tree, cache_dir)
    facts = read_facts(tree.files, cache=cache, workers=0)
    return cache, facts


def _started(root: Path) -> tuple[Tree, Path, FactsCache, dict[str, ModuleFacts]]:
    """A first run's tree under `root`, its cache folder, its cache after the parse with its
    file started ahead (`write_ahead`), and the facts."""
    tree = _tree(root / "tree")
    cache_dir = root / "cache"
    cache, facts = _parsed(tree, cache_dir)
    cache.write_ahead()
    return tree, cache_dir, cache, facts


def _finished(cache: FactsCache, diagnostics: list[Diagnostic] | None = None) -> None:
    cache.store_report(REPORT_KEY, diagnostics or [])
    cache.store_analysis(b"the rules' results")
    cache.save()
    memory.finish_background()


def _temps(cache_dir: Path) -> list[Path]:
    return sorted(cache_dir.glob(".*.tmp"))


def _reads_back(tree: Tree, cache_dir: Path, facts: dict[str, ModuleFacts]) -> None:
    """The file in place holds every file's facts, the report and the results."""
    cache = FactsCache.open(tree, cache_dir)
    assert cache.holds_report and cache.report(REPORT_KEY) is not None
    assert {source.key: cache.facts(source) for source in tree.files} == facts
    assert cache.analysis == b"the rules' results"


@pytest.mark.usefixtures("console")
def test_a_first_runs_file_is_written_ahead_and_read_back_whole(tmp_path: Path) -> None:
    tree, cache_dir, cache, facts = _started(tmp_path)
    memory.finish_background()
    # The index and the facts are written, not yet in place: the file there is as it was.
    assert len(_temps(cache_dir)) == 1 and not list(cache_dir.glob("*.bin"))
    _finished(cache)
    assert not _temps(cache_dir) and len(list(cache_dir.glob("*.bin"))) == 1
    _reads_back(tree, cache_dir, facts)


def test_it_holds_what_the_whole_file_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, console: list[Callable[[], object]]
) -> None:
    tree = _tree(tmp_path / "tree")
    ahead, whole = tmp_path / "ahead", tmp_path / "whole"
    cache, _ = _parsed(tree, ahead)
    cache.write_ahead()
    _finished(cache)
    monkeypatch.setattr(memory, "_keeping", False)  # a library call: written whole
    cache, _ = _parsed(tree, whole)
    cache.write_ahead()
    _finished(cache)
    sizes = [next(folder.glob("*.bin")).stat().st_size for folder in (ahead, whole)]
    assert sizes[0] > sizes[1]  # the lead's room
    read = [FactsCache.open(tree, folder) for folder in (ahead, whole)]
    held = [
        (
            [cache.facts(source) for source in tree.files],
            cache.facts_digests(tree.files),
            cache.known_digests(tree.files),
            cache.report(REPORT_KEY),
            cache.analysis,
        )
        for cache in read
    ]
    assert held[0] == held[1]


@pytest.mark.usefixtures("console")
def test_a_report_larger_than_its_room_has_the_file_written_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store, "AHEAD_ROOM", 0)  # no report fits
    tree, cache_dir, cache, facts = _started(tmp_path)
    _finished(cache)
    assert not _temps(cache_dir)
    _reads_back(tree, cache_dir, facts)


@pytest.mark.usefixtures("console")
def test_a_store_after_the_start_has_the_file_written_whole(tmp_path: Path) -> None:
    tree = _tree(tmp_path / "tree", modules=4)
    cache_dir = tmp_path / "cache"
    first, last = tree.files[:-1], tree.files[-1:]
    cache = FactsCache.open(tree, cache_dir)
    facts = read_facts(first, cache=cache, workers=0)
    cache.write_ahead()
    facts |= read_facts(last, cache=cache, workers=0)  # what was written ahead is not all
    memory.finish_background()
    assert not _temps(cache_dir)  # given up at once
    _finished(cache)
    assert not _temps(cache_dir)
    _reads_back(tree, cache_dir, facts)


@pytest.mark.usefixtures("console")
def test_a_failed_write_ahead_has_the_file_written_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(*args: object) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cache_file, "_write_at", full)
    tree, cache_dir, cache, facts = _started(tmp_path)
    memory.finish_background()
    assert not _temps(cache_dir)
    _finished(cache)
    assert not _temps(cache_dir)
    _reads_back(tree, cache_dir, facts)


def test_a_file_never_finished_is_removed_at_the_exit(
    tmp_path: Path, console: list[Callable[[], object]]
) -> None:
    # A Ctrl-C while the rules run: `save` never comes, the exit's handlers remove it.
    cache_dir = _started(tmp_path)[1]
    memory.finish_background()
    assert len(_temps(cache_dir)) == 1
    for handler in console:
        handler()
    assert not _temps(cache_dir) and not list(cache_dir.glob("*.bin"))


@pytest.mark.usefixtures("console")
def test_the_zeros_after_the_lead_are_checked(tmp_path: Path) -> None:
    tree, cache_dir, cache, _ = _started(tmp_path)
    _finished(cache)
    path = next(cache_dir.glob("*.bin"))
    data = bytearray(path.read_bytes())
    data[data.index(b"\0" * 64) + 32] = 1  # in the lead's room, after the lead
    path.write_bytes(bytes(data))
    assert FactsCache.open(tree, cache_dir).empty


@pytest.mark.usefixtures("console")
def test_without_pwrite_the_file_is_written_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delattr(os, "pwrite")  # as on Windows
    tree, cache_dir, cache, facts = _started(tmp_path)
    memory.finish_background()
    assert not _temps(cache_dir)  # nothing started
    _finished(cache)
    _reads_back(tree, cache_dir, facts)
