"""What writing and finding a cache costs: no work a check without the cache would not do,
beyond storing what it found (counted in calls, never timed)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

import scaffold.check.incremental.reuse as reuse
import scaffold.check.incremental.run as engine
import scaffold.check.incremental.runs as runs
from scaffold.check import CheckOptions, run_check
from scaffold.check.imports.simulation import Failure, RunId, State
from scaffold.check.incremental.records import decode_facts
from scaffold.check.incremental.runs import RecordedRuns
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
