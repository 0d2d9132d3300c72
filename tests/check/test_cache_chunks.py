"""A first run's cache made by the pool workers (incremental.chunks): the same cache as one
this process stores file by file, whichever reads it."""

from __future__ import annotations

import marshal
import os
import time
from pathlib import Path

import pytest

import scaffold.check.incremental.pool as pool
from scaffold.check import CheckOptions, run_check
from scaffold.check.discover import discover
from scaffold.check.facts import parse_source
from scaffold.check.facts.files import read_source
from scaffold.check.incremental.chunks import load_items, make_chunk
from scaffold.check.incremental.contents import content_digest
from scaffold.check.incremental.records import decode_facts, decode_sent_facts, encode_facts
from scaffold.check.incremental.store import FactsCache

from .check_support import DEFAULT, write_tree


def _tree(root: Path, count: int) -> Path:
    files = {"pyproject.toml": '[project]\nname = "demo"\nversion = "0"\n'}
    files["pkg/__init__.py"] = ""
    files["pkg/sub/__init__.py"] = ""  # the same content, and kind, as pkg/__init__.py
    files["pkg/twin.py"] = "import os\n"
    files["pkg/same.py"] = "import os\n"  # the same content as twin.py: one entry
    for index in range(count):
        files[f"pkg/mod{index}.py"] = f"from pkg import mod{(index + 1) % count}\nX = {index}\n"
    return write_tree(root, files)


def _chunk_of(paths: list[Path], every: int = 1) -> tuple[list[bytes], object]:
    encoded = [encode_facts(read_source(str(p), p.name == "__init__.py")[1]) for p in paths]
    stats = [os.stat(p) for p in paths]
    stated = [
        (s.st_size, s.st_mtime_ns, s.st_ino, s.st_ctime_ns, content_digest(p.read_bytes()))
        for s, p in zip(stats, paths, strict=True)
    ]
    names = [p.name for p in paths]
    packages = [p.name == "__init__.py" for p in paths]
    chunk = make_chunk(names, names, stated, packages, encoded, every)
    return encoded, chunk


def test_a_chunk_holds_each_files_facts_where_it_says(tmp_path: Path) -> None:
    root = _tree(tmp_path, 3)
    paths = sorted((root / "pkg").rglob("*.py"))
    encoded, chunk = _chunk_of(paths)
    entries = chunk.entry_items  # type: ignore[attr-defined]
    for facts, at in zip(encoded, chunk.offsets, strict=True):  # type: ignore[attr-defined]
        assert decode_sent_facts(memoryview(entries)[at:]) == decode_facts(facts)
    # Equal contents of one kind are one entry; each file still finds its facts.
    assert len(marshal.loads(entries)) == len(paths) - 2


def test_chunks_joined_are_the_dicts_marshalled_whole(tmp_path: Path) -> None:
    root = _tree(tmp_path, 4)
    paths = sorted((root / "pkg").rglob("*.py"))
    first, second = _chunk_of(paths[:3])[1], _chunk_of(paths[3:])[1]
    whole = _chunk_of(paths)[1]
    for part in ("index_items", "digest_items", "entry_items"):
        joined = load_items([getattr(first, part), getattr(second, part)])
        assert joined == marshal.loads(getattr(whole, part))


def test_a_file_changed_just_now_is_written_with_an_mtime_that_never_matches(
    tmp_path: Path,
) -> None:
    root = _tree(tmp_path, 2)
    old = root / "pkg" / "mod0.py"
    past = time.time_ns() - 3_600 * 10**9
    os.utime(old, ns=(past, past))  # the ctime stays now: as `touch -d`, still racy
    paths = [old, root / "pkg" / "mod1.py"]
    _, chunk = _chunk_of(paths)
    written = marshal.loads(chunk.index_items)  # type: ignore[attr-defined]
    assert {entry[1] for entry in written.values()} == {-1}
    # In memory, each entry keeps its stat (the next check in this process reads none again).
    index: dict[str, tuple[int, int, int, int, bytes]] = {}
    index.update(written)
    index.update(chunk.racy)  # type: ignore[attr-defined]
    assert index["mod0.py"][1] == past


@pytest.mark.parametrize("workers", [0, 2])
def test_a_first_run_in_workers_writes_the_cache_one_here_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    # The same files, read in workers (each batch's chunk) or here (file by file): the cache
    # files hold the same index, entry digests and entries, and the next run reuses them.
    monkeypatch.setattr(pool, "POOL_MIN_BYTES", 0)
    monkeypatch.setattr(pool, "MIN_BATCH_BYTES", 1)
    root = _tree(tmp_path, 8)
    options = CheckOptions(paths=(root / "pkg",), select=DEFAULT, workers=workers)
    first = run_check(options).diagnostics
    tree = discover(root / "pkg")
    cache = FactsCache.open(tree)
    assert all(cache.has_facts(source) for source in tree.files)
    stored = {source.key: cache.encoded(source) for source in tree.files}

    def refuse(*args: object, **kwargs: object) -> object:
        raise AssertionError("a file was parsed again")

    monkeypatch.setattr(pool, "read_source", refuse)
    monkeypatch.setattr(pool, "read_source_stated", refuse)
    assert run_check(options).diagnostics == first
    for source in tree.files:
        facts = decode_facts(stored[source.key])  # type: ignore[arg-type]
        assert facts == parse_source(Path(source.file).read_bytes(), is_package=source.is_package)
