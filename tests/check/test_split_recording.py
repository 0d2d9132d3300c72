"""A first run's simulation recorded in forked children: the records the children send are
stored unread, and they are the record one process makes (the same failures, the same runs)."""

from __future__ import annotations

import marshal
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from scaffold.check import CheckOptions, run_check
from scaffold.check.discover import discover
from scaffold.check.imports import failable as imports_failable
from scaffold.check.imports.plan import plan_runs
from scaffold.check.imports.pruning import silent
from scaffold.check.imports.simulation import RunId, simulate_failures
from scaffold.check.incremental import run as incremental_run
from scaffold.check.incremental import split_simulation
from scaffold.check.incremental.pool import start_in_fork
from scaffold.check.incremental.records import CODEC
from scaffold.check.incremental.reuse import Stored
from scaffold.check.incremental.runs import (
    LEFT_OUT,
    RecordedRuns,
    RecordedSimulation,
    RunRecord,
    asked_in,
)
from scaffold.check.incremental.split_recording import (
    loaded_runs,
    marshalled_left_out,
    marshalled_runs,
    record_in_forks,
)
from scaffold.check.incremental.store import FactsCache
from scaffold.check.project import Project

from .check_support import DEFAULT, write_tree
from .test_simulation_scaling import _project, _random_tree, _starts
from .test_split_simulation import _failing_tree


@pytest.fixture(autouse=True)
def _forks_for_any_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    # These tests hold forked children to one process: fork however few runs are left to
    # simulate (a plan with fewer than FORK_MIN_RUNS runs left is simulated in process).
    monkeypatch.setattr(split_simulation, "FORK_MIN_RUNS", 0)


def _recorded_here(root: Path) -> RecordedSimulation:
    """The record of the whole simulation made in this process, as a cached run made it."""
    project = _project(root)
    memory = RecordedRuns(project, asked_in(project.facts), {}, frozenset())
    failures = simulate_failures(project, _starts(project), memory).failures
    return RecordedSimulation(failures, memory.runs)


def test_runs_marshalled_in_parts_load_as_the_records_of_one_process(tmp_path: Path) -> None:
    whole = _recorded_here(_failing_tree(tmp_path))
    runs = list(whole.runs.items())
    assert len(runs) >= 4
    # Two parts that both recorded a run (a package both ran) and left others to each other.
    first, second = dict(runs[: len(runs) // 2 + 1]), dict(runs[len(runs) // 2 :])
    assert loaded_runs((marshalled_runs(first), marshalled_runs(second))) == whole.runs
    assert loaded_runs(()) == {}


@pytest.mark.parametrize("parts", [None, [b"{0"], (b"",), (b"\xe9",), (marshal.dumps([1]),)])
def test_runs_parts_not_as_written_are_refused(parts: object) -> None:
    with pytest.raises((LookupError, TypeError, ValueError)):
        loaded_runs(parts)


@pytest.mark.parametrize("children", [1, 2, 3])
def test_children_record_what_one_process_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, children: int
) -> None:
    # Skipping runs that cannot fail depends on the modules executed so far, which differ
    # between parts: skip from the first run on, as in the other differential tests.
    monkeypatch.setattr(imports_failable, "_BUDGET", 0)
    monkeypatch.setattr(split_simulation, "_MIN_PART", 1)
    for number in range(8):
        root = write_tree(tmp_path / str(number), _random_tree(random.Random(number)))
        whole = _recorded_here(root)
        project = _project(root)
        recorded = record_in_forks(project, _starts(project), asked_in(project.facts), children)()
        assert recorded is not None
        failures, parts = recorded
        # A part per child, and one of the runs left out (imports.pruning), if any.
        assert len(parts) == children + bool(silent(project, plan_runs(_starts(project))))
        assert failures == whole.failures
        _assert_same_records(project, loaded_runs(parts), whole.runs)


def _assert_same_records(
    project: Project, recorded: dict[RunId, RunRecord], whole: dict[RunId, RunRecord]
) -> None:
    """The children's records are one process's, but for the runs left out (imports.pruning)
    that one process skipped or ran: each found nothing, and its record names every file the
    run read, so a later run recalls it only while they are unchanged."""
    planned = plan_runs(_starts(project))
    left_out = silent(project, planned)
    assert whole.keys() <= recorded.keys()
    for index, (run, _, _) in enumerate(planned):
        if index not in left_out:
            assert recorded.get(run) == whole.get(run), run
            continue
        assert recorded[run].failures == (), run
        if run in whole:
            assert whole[run].failures == ()
            assert set(whole[run].reads) <= set(recorded[run].reads), run


@pytest.mark.parametrize("answer", [None, b"", b"\x08" + bytes(7) + b"{0", b"short"])
def test_a_child_that_fails_leaves_the_recording_to_this_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, answer: bytes | None
) -> None:
    monkeypatch.setattr(split_simulation, "start_in_fork", lambda work: lambda: answer)
    project = _project(_failing_tree(tmp_path))
    assert record_in_forks(project, _starts(project), asked_in(project.facts), 2)() is None


def _codes(root: Path, *, use_cache: bool = True) -> list[tuple[str, str, int, str]]:
    options = CheckOptions(paths=(root,), select=DEFAULT, use_cache=use_cache)
    found = run_check(options).diagnostics
    return sorted((d.code, d.path, d.line, d.message) for d in found)


def test_a_first_run_split_across_children_stores_the_record_one_process_stores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _failing_tree(tmp_path)
    monkeypatch.setattr(incremental_run, "_FORK_MIN_FILES", 1)
    monkeypatch.setattr(split_simulation, "_usable_cores", lambda: 3)
    monkeypatch.setattr(split_simulation, "SPLIT_MIN_RUNS", 0)
    monkeypatch.setattr(split_simulation, "_MIN_PART", 1)
    monkeypatch.setattr(imports_failable, "_BUDGET", 0)
    started: list[int] = []
    real = start_in_fork

    def counted(work: Callable[[], bytes]) -> Callable[[], bytes | None]:
        started.append(1)
        return real(work)

    monkeypatch.setattr(split_simulation, "start_in_fork", counted)
    first = _codes(root)
    assert len(started) == 3
    assert first == _codes(root, use_cache=False)
    assert any(code == "IMP003" for code, *_ in first)
    tree = discover(root)
    cache = FactsCache.open(tree)
    stored = Stored.load(
        cache.analysis,
        cache.structure_key(
            tree, incremental_run._inputs(CheckOptions(paths=(root,), select=DEFAULT))
        ),
    )
    assert stored is not None and stored.simulation is not None
    names, failures, parts = stored.simulation
    whole = _recorded_here(root)
    assert CODEC.decode(failures) == whole.failures
    assert len(parts) == 3 + bool(silent(_project(root), plan_runs(_starts(_project(root)))))
    _assert_same_records(_project(root), loaded_runs(parts), whole.runs)
    assert frozenset(names) == asked_in(_project(root).facts)


def test_an_edit_after_a_split_first_run_reports_what_a_fresh_run_reports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(incremental_run, "_FORK_MIN_FILES", 1)
    monkeypatch.setattr(split_simulation, "_usable_cores", lambda: 2)
    monkeypatch.setattr(split_simulation, "SPLIT_MIN_RUNS", 0)
    monkeypatch.setattr(split_simulation, "_MIN_PART", 1)
    for number in range(6):
        rng = random.Random(100 + number)
        root = write_tree(tmp_path / str(number), _random_tree(rng))
        assert _codes(root) == _codes(root, use_cache=False)
        edited = rng.choice(sorted(root.rglob("*.py")))
        target = rng.choice(sorted(root.rglob("*.py")))
        module = ".".join(target.relative_to(root).with_suffix("").parts).removesuffix(".__init__")
        with edited.open("a") as stream:
            stream.write(f"\nimport {module}\n")
        assert _codes(root) == _codes(root, use_cache=False), number


def test_the_runs_left_out_load_as_their_records(tmp_path: Path) -> None:
    project = _project(_failing_tree(tmp_path))
    planned = plan_runs(_starts(project))
    left_out = silent(project, planned)
    assert left_out  # some modules of the tree import nothing first-party
    expected = {
        planned[index][0]: RunRecord(reads, (), LEFT_OUT) for index, reads in left_out.items()
    }
    assert loaded_runs((marshalled_left_out(planned, left_out),)) == expected


def test_the_runs_left_out_are_stored_as_their_ids_and_reads(tmp_path: Path) -> None:
    # Every record of a run left out is RunRecord(reads, (), LEFT_OUT): nothing else per run
    # (a first run on 100,000 tiny files leaves out all of them).
    project = _project(_failing_tree(tmp_path))
    planned = plan_runs(_starts(project))
    left_out = silent(project, planned)
    ids = [planned[index][0] for index in left_out]
    part = marshalled_left_out(planned, left_out)
    assert len(part) <= len(marshal.dumps(ids)) + len(marshal.dumps(list(left_out.values()))) + 32


def test_runs_left_out_that_read_one_file_each_are_stored_with_its_key(tmp_path: Path) -> None:
    project = _project(_failing_tree(tmp_path))
    planned = plan_runs(_starts(project))
    left_out = silent(project, planned)
    assert left_out and all(len(reads) == 1 for reads in left_out.values())
    stored = marshal.loads(marshalled_left_out(planned, left_out))[2]
    assert stored == [reads[0] for reads in left_out.values()]
    # A run that read more keeps its tuple, and every record loads as it was.
    first = next(iter(left_out))
    left_out[first] = (*left_out[first], "other.key")
    expected = {
        planned[index][0]: RunRecord(reads, (), LEFT_OUT) for index, reads in left_out.items()
    }
    assert loaded_runs((marshalled_left_out(planned, left_out),)) == expected


@pytest.mark.parametrize(
    "value",
    [
        (LEFT_OUT, [("", "a", "b")], [1]),
        (LEFT_OUT, [("", "a", "b")], [("a.py",), ("b.py",)]),  # a read of no run
        (LEFT_OUT, [("", "a")], [("a.py",)]),
        (LEFT_OUT, [("", "a", 1)], [("a.py",)]),
        (LEFT_OUT, [("", "a", "b")], [["a.py"]]),
        (LEFT_OUT, (("", "a", "b"),), [("a.py",)]),
        (b"other", [("", "a", "b")], [("a.py",)]),
        (LEFT_OUT, [("", "a", "b")]),
    ],
)
def test_runs_left_out_not_as_written_are_refused(value: Any) -> None:
    with pytest.raises((LookupError, TypeError, ValueError)):
        loaded_runs((marshal.dumps(value),))
