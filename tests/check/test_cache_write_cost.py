"""What writing and finding a cache costs: no work a check without the cache would not do,
beyond storing what it found (counted in calls, never timed)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

import scaffold.check.incremental.reuse as reuse
import scaffold.check.incremental.run as engine
import scaffold.check.incremental.runs as runs
from scaffold.check import CheckOptions, run_check
from scaffold.check.discover import discover
from scaffold.check.imports.simulation import Failure, RunId, State
from scaffold.check.incremental.records import decode_facts
from scaffold.check.incremental.runs import RecordedRuns
from scaffold.check.incremental.store import FactsCache
from scaffold.check.model import ModuleFacts

from .check_support import DEFAULT, write_tree


def _report(root: Path, *, use_cache: bool = True) -> list[tuple[str, str, int]]:
    options = CheckOptions(paths=(root / "pkg",), select=DEFAULT, use_cache=use_cache)
    return sorted((d.code, d.path, d.line) for d in run_check(options).diagnostics)


def _tree(root: Path, count: int, value: str = "1", *, ring: bool = True) -> Path:
    """`count` modules of pkg; in a ring, each imports the next."""
    files = {"pyproject.toml": '[project]\nname = "demo"\nversion = "0"\n'}
    files["pkg/__init__.py"] = '"""Package."""\n'
    for index in range(count):
        following = f"mod{(index + 1) % count}"
        body = f"from pkg import {following}\n\nUSED = {following}\n" if ring else "import os\n"
        files[f"pkg/mod{index}.py"] = f'"""Module."""\n\n{body}VALUE = 1\nNAME_{value} = 1\n'
    return write_tree(root, files)


def _calls(
    monkeypatch: pytest.MonkeyPatch, name: str, noted: Callable[..., object]
) -> list[object]:
    """The calls of FactsCache's method `name` from now on, each as `noted(*arguments)`."""
    seen: list[object] = []
    real = getattr(FactsCache, name)

    def spy(*args: Any) -> Any:
        seen.append(noted(*args))
        return real(*args)

    monkeypatch.setattr(FactsCache, name, spy)
    return seen


def _counting(calls: list[bytes]) -> Callable[[bytes], ModuleFacts]:
    def decode(data: bytes) -> ModuleFacts:
        calls.append(data)
        return decode_facts(data)

    return decode


def test_a_stale_cache_is_not_compared_file_by_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    count = reuse.AFRESH_MIN_CHANGED + 6
    root = _tree(tmp_path, count)
    _report(root)  # writes the cache
    _tree(tmp_path, count, value="2")  # every module changes
    decoded: list[bytes] = []
    monkeypatch.setattr(reuse, "decode_facts", _counting(decoded))
    stale = _report(root)
    # The old facts of a changed file are decoded only to compare them with the new ones.
    assert decoded == []
    assert stale == _report(root, use_cache=False)


def test_a_few_changed_files_are_still_compared(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    count = reuse.AFRESH_MIN_CHANGED + 6
    root = _tree(tmp_path, count)
    _report(root)
    (root / "pkg" / "mod3.py").write_text('"""Module."""\n\nVALUE = 3\n')
    decoded: list[bytes] = []
    monkeypatch.setattr(reuse, "decode_facts", _counting(decoded))
    assert _report(root) == _report(root, use_cache=False)
    assert len(decoded) == 1


def test_a_simulation_recorded_in_a_fork_is_recalled_after_an_edit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Its record travels encoded from the child to the cache, never decoded on the way.
    monkeypatch.setattr(engine, "_FORK_MIN_FILES", 1)
    count = 30
    root = _tree(tmp_path, count, ring=False)
    _report(root)
    recorded: list[RunId] = []
    real = RecordedRuns.record

    def counting(
        self: RecordedRuns, run: RunId, state: State, execute: Callable[[], list[Failure]]
    ) -> None:
        recorded.append(run)
        real(self, run, state, execute)

    monkeypatch.setattr(RecordedRuns, "record", counting)
    (root / "pkg" / "mod3.py").write_text(
        '"""Module."""\n\nfrom pkg import mod4\nfrom pkg.mod4 import VALUE\n'
    )
    assert _report(root) == _report(root, use_cache=False)
    # The run that reads mod3 ran again here (and the package's, which records the newly
    # asked name); the other modules' runs were recalled from the fork's record.
    assert sorted(recorded) == [("module", "", "pkg.mod3"), ("package", "", "pkg")]


@pytest.mark.skipif(sys.platform != "linux", reason="only Linux forks")
def test_a_first_run_gathers_the_simulations_names_in_its_fork_not_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every file's facts are read for them: in this process it delayed the per-file rules.
    monkeypatch.setattr(engine, "_FORK_MIN_FILES", 1)
    root = _tree(tmp_path, 12)
    parent = os.getpid()
    here: list[int] = []
    real = runs.asked_in

    def counting(facts: Mapping[str, ModuleFacts]) -> frozenset[str]:
        if os.getpid() == parent:
            here.append(len(facts))
        return real(facts)

    monkeypatch.setattr(reuse, "asked_in", counting)
    first = _report(root)
    assert here == []
    # The names came back from the child: an edit that asks for a new one is still seen.
    (root / "pkg" / "mod3.py").write_text('"""Module."""\n\nfrom pkg.mod4 import NAME_1\n')
    assert _report(root) == _report(root, use_cache=False) != first


def test_a_first_run_stores_every_file_in_one_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A call per file was a tenth of what writing the cache added to a first run.
    root = _tree(tmp_path, 12)
    batches = _calls(monkeypatch, "store_all", lambda _, parsed: len(parsed))  # a list
    first = _report(root)
    assert batches == [13]  # the 12 modules and the package's __init__
    batches.clear()
    assert _report(root) == first == _report(root, use_cache=False)
    assert batches == []  # a warm run parses and stores nothing


def test_a_first_runs_report_key_asks_no_file_again_for_the_digest_just_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _tree(tmp_path, 12)
    asked = _calls(monkeypatch, "_unchanged_facts_digest", lambda _, source: source.key)
    first = _report(root)
    # Not even the key asked before anything was parsed: the cache holds no file yet.
    assert asked == []
    assert _report(root) == first  # warm: every file's stat is compared, once
    assert len(asked) == 13


def test_a_first_run_packs_no_empty_result_part(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Most files have no findings, no edges and no asks: each was packed by a call.
    root = _tree(tmp_path, 12, ring=False)
    packed: list[object] = []

    def counting(pack: Callable[[Any], bytes]) -> Callable[[Any], bytes]:
        def count(value: Any) -> bytes:
            packed.append(value)
            return pack(value)

        return count

    for name in ("pack", "pack_edges", "pack_asks"):
        monkeypatch.setattr(reuse, name, counting(getattr(reuse, name)))
    first = _report(root)
    assert [value for value in packed if not value] == []
    assert _report(root) == first == _report(root, use_cache=False)


def test_a_first_run_looks_its_files_facts_digests_up_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The report key and the results' digests each looked every file up: a pass over
    # 100,000 files. A store after the pass (an edit the language server parses) forgets it.
    root = _tree(tmp_path, 12)
    passes: list[int] = []
    real = FactsCache._known_in_turn

    def counting(self: FactsCache, files: Any) -> list[bytes | None]:
        memo = self._in_turn
        found = real(self, files)
        if memo is None or found is not memo[1]:
            passes.append(len(files))
        return found

    monkeypatch.setattr(FactsCache, "_known_in_turn", counting)
    first = _report(root)
    assert passes == [13]  # after the parse (before it the cache is empty: no pass)
    tree = discover(root / "pkg")
    cache = FactsCache.open(tree, None)
    digests = cache.facts_digests(tree.files)
    key = cache.report_key(tree, ())
    edited = next(s for s in tree.files if s.rel.endswith("mod3.py"))
    Path(edited.file).write_text('"""Module."""\n\nVALUE = 2\n')
    cache.store_all([(edited, b"d" * 16, b"changed facts", (1, 2, 3, 4))])
    assert cache.facts_digests(tree.files)[edited.key] != digests[edited.key]
    assert cache.report_key(tree, ()) != key
    assert _report(root) != first


def test_a_first_run_asks_its_empty_cache_no_file_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A cache holding no file has no stat to tell a size by: each file was looked up first.
    root = _tree(tmp_path, 12)
    asked = _calls(monkeypatch, "size", lambda _, source: source.key)
    first = _report(root)
    assert asked == []
    _tree(tmp_path, 12, value="2")  # every module changes: sized by the stats just taken
    assert _report(root) == first == _report(root, use_cache=False)
    assert len(asked) == 12
