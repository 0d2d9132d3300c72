"""A whole simulation split into parts across processes finds what one process finds."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import pytest

from scaffold.check import CheckOptions, run_check
from scaffold.check.imports import failable as imports_failable
from scaffold.check.imports.plan import first_failures, plan_runs
from scaffold.check.imports.simulation import Failure, simulate_failures, simulate_part
from scaffold.check.incremental import run as incremental_run
from scaffold.check.incremental import split_simulation
from scaffold.check.incremental.pool import start_in_fork
from scaffold.check.incremental.split_simulation import simulate_in_forks, split_plan

from .check_support import DEFAULT, write_tree
from .test_simulation_scaling import _project, _random_tree, _starts, reference_simulation


@pytest.fixture(autouse=True)
def _forks_for_any_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    # These tests hold forked children to one process: fork however few runs are left to
    # simulate (a plan with fewer than FORK_MIN_RUNS runs left is simulated in process).
    monkeypatch.setattr(split_simulation, "FORK_MIN_RUNS", 0)


@pytest.mark.parametrize("children", [2, 3])
def test_parts_run_apart_in_any_order_find_what_one_simulation_finds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, children: int
) -> None:
    # Skipping runs that cannot fail depends on the modules executed so far, which differ
    # between parts: skip from the first run on, as in the other differential tests.
    monkeypatch.setattr(imports_failable, "_BUDGET", 0)
    monkeypatch.setattr(split_simulation, "_MIN_PART", 1)
    failing = 0
    for number in range(60):
        rng = random.Random(children * 1000 + number)
        project = _project(write_tree(tmp_path / str(number), _random_tree(rng)))
        starts = _starts(project)
        planned = plan_runs(starts)
        parts = split_plan(planned, children)
        rng.shuffle(parts)
        found: dict[int, tuple[Failure, ...]] = {}
        for child in range(children):
            mine = [index for part in parts[child::children] for index in part]
            found.update(simulate_part(project, planned, mine)[0])
        merged = first_failures(found[index] for index in sorted(found))
        expected = simulate_failures(project, starts).failures
        assert merged == expected == reference_simulation(project, starts), number
        failing += bool(expected)
    assert failing >= 10  # the graphs do fail: the comparison can tell


def test_parts_are_neighbours_by_name_and_cover_the_plan_once(tmp_path: Path) -> None:
    files = {f"{p}/{m}.py": '"""M."""\n' for p in ("a", "a/b", "c") for m in ("__init__", "x", "y")}
    project = _project(write_tree(tmp_path, files))
    planned = plan_runs(_starts(project))
    parts = split_plan(planned, 2)
    numbers = [index for part in parts for index in part]
    assert sorted(numbers) == list(range(len(planned)))
    names = [planned[index][0][2] for index in numbers]
    assert names == ["a", "a.b", "a.b.x", "a.b.y", "a.x", "a.y", "c", "c.x", "c.y"]


def test_the_queue_of_parts_fits_in_a_pipe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(split_simulation, "_MAX_PARTS", 3)
    files = {f"p/m{n}.py": '"""M."""\n' for n in range(40)}
    planned = plan_runs(_starts(_project(write_tree(tmp_path, files))))
    parts = split_plan(planned, 2)
    assert len(parts) == 3
    assert sorted(index for part in parts for index in part) == list(range(len(planned)))


def test_a_plan_for_one_child_keeps_its_order(tmp_path: Path) -> None:
    files = {f"{p}/{m}.py": '"""M."""\n' for p in ("a", "a/b") for m in ("__init__", "x")}
    planned = plan_runs(_starts(_project(write_tree(tmp_path, files))))
    assert split_plan(planned, 1) == [list(range(len(planned)))]


def test_a_small_plan_is_simulated_in_one_child(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[int] = []

    def counted(work: Callable[[], bytes]) -> Callable[[], bytes | None]:
        started.append(1)
        return start_in_fork(work)

    monkeypatch.setattr(split_simulation, "_usable_cores", lambda: 2)
    monkeypatch.setattr(split_simulation, "start_in_fork", counted)
    project = _project(_failing_tree(tmp_path))
    starts = _starts(project)
    expected = simulate_failures(project, starts)
    found = simulate_in_forks(project, starts)()
    # The same failures; fewer steps where runs were left out (imports.pruning).
    assert found.failures == expected.failures and found.steps <= expected.steps
    assert len(started) == 1


def _failing_tree(tmp_path: Path) -> Path:
    rng = random.Random(7)
    while True:  # a random graph whose simulation fails, from a fixed seed
        root = write_tree(tmp_path / str(rng.random()), _random_tree(rng))
        project = _project(root)
        if simulate_failures(project, _starts(project)).failures:
            return root


def test_forked_children_find_what_one_process_finds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(split_simulation, "_MIN_PART", 1)
    project = _project(_failing_tree(tmp_path))
    starts = _starts(project)
    expected = simulate_failures(project, starts).failures
    assert simulate_in_forks(project, starts, 3)().failures == expected


@pytest.mark.parametrize("answer", [None, b"not marshal", b"\xe9"])
def test_a_child_that_fails_leaves_the_simulation_to_this_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, answer: bytes | None
) -> None:
    def broken(work: Callable[[], bytes]) -> Callable[[], bytes | None]:
        return lambda: answer

    monkeypatch.setattr(split_simulation, "start_in_fork", broken)
    project = _project(_failing_tree(tmp_path))
    starts = _starts(project)
    expected = simulate_failures(project, starts).failures
    assert simulate_in_forks(project, starts, 2)().failures == expected


def test_a_large_trees_check_simulates_in_a_child_per_core(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _failing_tree(tmp_path)
    options = CheckOptions(paths=(root,), select=DEFAULT, use_cache=False)

    def codes() -> list[tuple[str, str, int, str]]:
        found = run_check(options).diagnostics
        return sorted((d.code, d.path, d.line, d.message) for d in found)

    monkeypatch.setattr(incremental_run, "_FORK_MIN_FILES", 10**9)
    in_process = codes()
    started: list[int] = []
    real = start_in_fork

    def counted(work: Callable[[], bytes]) -> Callable[[], bytes | None]:
        started.append(1)
        return real(work)

    monkeypatch.setattr(incremental_run, "_FORK_MIN_FILES", 1)
    monkeypatch.setattr(split_simulation, "_usable_cores", lambda: 3)
    monkeypatch.setattr(split_simulation, "SPLIT_MIN_RUNS", 0)
    monkeypatch.setattr(split_simulation, "start_in_fork", counted)
    assert codes() == in_process
    assert any(code == "IMP003" for code, *_ in in_process)
    assert len(started) == 3
