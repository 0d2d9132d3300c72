"""A first run writes what it can of the cache while the simulation's child runs, and makes
no key before it parses (counted and ordered in calls, never timed)."""

from __future__ import annotations

import marshal
import os
import sys
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

import scaffold.check.incremental.chunks as chunks
import scaffold.check.incremental.pool as pool
import scaffold.check.incremental.run as engine
import scaffold.check.incremental.split_simulation as split_simulation
import scaffold.check.incremental.store as store
from scaffold.check import CheckOptions, run_check
from scaffold.check.discover import Tree, discover
from scaffold.check.facts import parse_source
from scaffold.check.incremental.cache_file import marshalled_tuple, parts_checksum
from scaffold.check.incremental.chunks import Chunk
from scaffold.check.incremental.records import decode_sent_facts, encode_facts
from scaffold.check.incremental.runs import RecordedRuns
from scaffold.check.incremental.store import FactsCache, NewEntry, content_digest
from scaffold.check.incremental.structure import structure_digest
from scaffold.check.model import ModuleFacts

from .check_support import DEFAULT, write_tree


def _tree(root: Path, count: int) -> Path:
    files = {"pyproject.toml": '[project]\nname = "demo"\nversion = "0"\n'}
    files["pkg/__init__.py"] = '"""Package."""\n'
    for index in range(count):
        files[f"pkg/mod{index}.py"] = f'"""Module."""\n\nfrom pkg import mod{(index + 1) % count}\n'
    return write_tree(root, files)


def _parsed(tmp_path: Path, workers: int) -> tuple[Tree, FactsCache]:
    """A tree of six modules just parsed into its opened cache (a first run's parse)."""
    tree = discover(_tree(tmp_path, 6) / "pkg")
    cache = FactsCache.open(tree)
    pool.read_facts([s for s in tree.files if not s.is_extension], cache=cache, workers=workers)
    return tree, cache


def _report(root: Path, *, use_cache: bool = True) -> list[tuple[str, str, int]]:
    options = CheckOptions(paths=(root / "pkg",), select=DEFAULT, use_cache=use_cache)
    return sorted((d.code, d.path, d.line) for d in run_check(options).diagnostics)


@pytest.mark.parametrize(
    "value",
    [
        (),
        ({"a": (1, 2, b"x")}, [1, None], "é"),
        tuple(range(300)),  # past where version 4 writes a short tuple
        ({}, b"", 1.5, frozenset({"n"}), (("nested",),)),
    ],
)
def test_a_tuple_marshalled_item_by_item_is_the_tuple_marshalled(value: tuple[Any, ...]) -> None:
    parts = marshalled_tuple([marshal.dumps(item, 2) for item in value])
    assert b"".join(parts) == marshal.dumps(value, 2)
    assert marshal.loads(b"".join(parts)) == value
    assert parts_checksum(parts) == parts_checksum([b"".join(parts)])


@pytest.mark.skipif(sys.platform != "linux", reason="only Linux forks")
def test_a_first_run_marshals_the_facts_while_the_simulation_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # After the per-file rules this process only waited for the simulation's child, and
    # then marshalled and wrote the whole cache.
    monkeypatch.setattr(engine, "_FORK_MIN_FILES", 1)
    monkeypatch.setattr(split_simulation, "FORK_MIN_RUNS", 0)  # fork for every run left out
    root = _tree(tmp_path, 12)
    events: list[str] = []
    real_start = pool.start_in_fork

    def start(work: Callable[[], bytes]) -> Callable[[], bytes | None]:
        join = real_start(work)

        def joined() -> bytes | None:
            events.append("joined")
            return join()

        return joined

    def dumps(value: Any, version: int = marshal.version) -> bytes:
        # Keyed by content hash and kind: the facts' entries, or their digests.
        if type(value) is dict and value and all(type(k) is bytes and len(k) == 17 for k in value):
            events.append("entries" if len(next(iter(value.values()))) > 16 else "digests")
        return marshal.dumps(value, version)

    monkeypatch.setattr(split_simulation, "start_in_fork", start)
    observed = SimpleNamespace(dumps=dumps, loads=marshal.loads)
    monkeypatch.setattr(store, "marshal", observed)
    monkeypatch.setattr(chunks, "marshal", observed)  # stored as they were parsed
    first = _report(root)
    assert events[-1] == "joined" and {"digests", "entries"} == set(events[:-1])
    events.clear()
    assert _report(root) == first == _report(root, use_cache=False)  # warm: the cache holds
    assert "entries" not in events


def test_a_first_run_makes_no_structure_key_before_it_parses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An empty cache holds no report: the key of one stops at the first file, and the
    # structure key (every file described) waited for nothing but cost the parse's start.
    root = _tree(tmp_path, 12)
    made: list[int] = []
    real = structure_digest

    def counting(*args: object) -> bytes:
        made.append(1)
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(store, "structure_digest", counting)
    options = CheckOptions(paths=(root / "pkg",), select=DEFAULT)
    started = engine.warm_starts(options)
    assert started is not None and started[0].key is None
    assert made == []
    assert _report(root) == _report(root, use_cache=False)
    assert len(made) == 1  # made once, while the simulation ran


def test_a_first_runs_simulation_looks_nothing_up_in_an_empty_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "_FORK_MIN_FILES", 10_000)  # simulated here, counted here
    root = _tree(tmp_path, 12)
    looked_up: list[object] = []
    monkeypatch.setattr(RecordedRuns, "_unchanged", lambda self, *args: looked_up.append(args))
    first = _report(root)
    assert looked_up == []
    assert first == _report(root, use_cache=False)


def test_facts_stored_after_the_cache_was_marshalled_are_written(tmp_path: Path) -> None:
    root = _tree(tmp_path, 3)
    tree = discover(root / "pkg")
    cache = FactsCache.open(tree)
    entries: list[NewEntry] = []
    for source in tree.files:
        data = Path(source.file).read_bytes()
        info = os.stat(source.file)
        stat = (info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns)
        encoded = encode_facts(parse_source(data, is_package=source.is_package))
        entries.append((source, content_digest(data), encoded, stat))
    cache.store_all(entries[:2])
    cache.prepare()
    cache.store_all(entries[2:])  # what was marshalled is not all the cache holds now
    cache.save()
    reopened = FactsCache.open(tree)
    assert all(reopened.facts(source) is not None for source in tree.files)


def test_a_first_run_loads_its_rules_while_the_workers_parse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As a run without the cache does: after the parse it was time nothing overlapped.
    root = _tree(tmp_path, 12)
    given: list[object] = []
    real = pool.read_facts

    def reading(*args: Any, **kwargs: Any) -> dict[str, ModuleFacts]:
        if kwargs.get("cache") is not None:
            given.append(kwargs.get("meanwhile"))
        return real(*args, **kwargs)

    monkeypatch.setattr(pool, "read_facts", reading)
    assert _report(root) == _report(root, use_cache=False)
    assert len(given) == 1 and callable(given[0])


def test_a_run_that_parses_in_workers_makes_its_structure_key_while_they_parse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # After the parse this process is the only one running: the key (every file described)
    # is made before the first result is read, while the workers parse.
    root = _tree(tmp_path, 12)
    events: list[str] = []
    real_structure, real_decode = structure_digest, decode_sent_facts

    def structure(*args: object) -> bytes:
        events.append("structure")
        return real_structure(*args)  # type: ignore[arg-type]

    def decode(encoded: bytes) -> ModuleFacts:
        events.append("decoded")
        return real_decode(encoded)

    monkeypatch.setattr(store, "structure_digest", structure)
    monkeypatch.setattr(pool, "decode_sent_facts", decode)
    monkeypatch.setattr(pool, "POOL_MIN_BYTES", 0)
    options = CheckOptions(paths=(root / "pkg",), select=DEFAULT, workers=2)
    first = sorted((d.code, d.path, d.line) for d in run_check(options).diagnostics)
    assert events[0] == "structure" and events.count("structure") == 1
    assert events.count("decoded") == 13
    assert first == _report(root, use_cache=False)


def test_files_parsed_in_workers_are_stored_a_batch_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each batch's part of the cache, made by the worker that parsed it, is stored as it
    # comes, while the workers parse the next batches; this process stores no file of its
    # own, and every file is stored all the same.
    root = _tree(tmp_path, 12)
    batches: list[int] = []
    real = FactsCache.store_chunk

    def store_chunk(self: FactsCache, chunk: Chunk) -> None:
        batches.append(len(chunk.keys))
        real(self, chunk)

    def store_all(self: FactsCache, parsed: list[NewEntry]) -> None:
        raise AssertionError("a file parsed in a worker stored by this process")

    monkeypatch.setattr(FactsCache, "store_chunk", store_chunk)
    monkeypatch.setattr(FactsCache, "store_all", store_all)
    monkeypatch.setattr(pool, "MIN_BATCH_BYTES", 1)
    monkeypatch.setattr(pool, "POOL_MIN_BYTES", 0)
    options = CheckOptions(paths=(root / "pkg",), select=DEFAULT, workers=2)
    first = sorted((d.code, d.path, d.line) for d in run_check(options).diagnostics)
    tree = discover(root / "pkg")
    assert len(batches) > 2 and sum(batches) == len(tree.files)
    cache = FactsCache.open(tree)
    assert all(cache.has_facts(source) for source in tree.files)
    assert first == _report(root, use_cache=False)


class _CountedIndex(dict[str, tuple[int, int, int, int, bytes]]):
    looked_up = 0

    def get(self, key: str, default: Any = None) -> Any:
        _CountedIndex.looked_up += 1
        return super().get(key, default)


def test_a_first_runs_printout_key_compares_no_stat(tmp_path: Path) -> None:
    # Every file was indexed in this run at the stat it was read at: its content hash is
    # known without comparing its index entry with that stat.
    root = _tree(tmp_path, 6)
    tree = discover(root / "pkg")
    cache = FactsCache.open(tree)
    readable = [source for source in tree.files if not source.is_extension]
    pool.read_facts(readable, cache=cache, workers=0)
    expected = [cache.known_digest(source) for source in tree.files]
    assert all(expected)
    cache._index = _CountedIndex(cache._index)
    _CountedIndex.looked_up = 0
    assert cache.known_digests(tree.files) == expected
    assert _CountedIndex.looked_up == 0
    # A file not indexed in this run: each is looked up in the index, its stat compared.
    del cache._indexed_now[readable[0].key]
    assert cache.known_digests(tree.files) == expected
    assert _CountedIndex.looked_up == len(tree.files)


def test_a_first_runs_printout_key_leaves_the_workers_chunks_as_they_are(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Parsed in workers, the files are stored in their chunks: their content hashes are known
    # without loading the chunks into the cache's dicts, which the run's save never needs.
    monkeypatch.setattr(pool, "POOL_MIN_BYTES", 0)
    tree, cache = _parsed(tmp_path, workers=2)
    digests = cache.known_digests(tree.files)
    assert all(digests) and cache._chunks and not cache._index
    assert [cache.known_digest(source) for source in tree.files] == digests
    assert not cache._chunks and len(cache._index) == len(tree.files)


def test_a_first_run_stores_its_packed_results_without_a_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scaffold.check.incremental import reuse as reuse_module

    root = _tree(tmp_path, 6)
    seen: list[tuple[object, object]] = []
    real = reuse_module._kept_files

    def kept_files(analysis: Any, reuse: Any) -> Any:
        files = real(analysis, reuse)
        seen.append((files, reuse.packed))
        return files

    monkeypatch.setattr(reuse_module, "_kept_files", kept_files)
    assert _report(root) == _report(root, use_cache=False)
    assert len(seen) == 1 and seen[0][0] is seen[0][1]


def test_a_first_runs_keys_ask_nothing_of_each_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every file was parsed now, its facts digest known: the report key and the files'
    # digests are read at C speed, with no call per file.
    tree, cache = _parsed(tmp_path, workers=0)
    key = cache.report_key(tree, ())
    digests = cache.facts_digests(tree.files)

    def per_file(*args: object) -> object:
        raise AssertionError("a call per file")

    monkeypatch.setattr(FactsCache, "_facts_digests_in_turn", per_file)
    monkeypatch.setattr(FactsCache, "facts_digest", per_file)
    cache._report_keys.clear()
    assert cache.report_key(tree, ()) == key and key is not None
    assert cache.facts_digests(tree.files) == digests and None not in digests.values()
