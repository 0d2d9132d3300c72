"""A large tree's simulation in two rounds (imports.pruning.Entries) finds what every run finds.

The first round runs the modules of the loops that may report; the second the other runs
that reach a loud run of the first through modules outside those loops; the rest is left
out. Compared with the reference simulation over random import graphs with modules outside
their loops; which caught failures count as loud; the command over such a tree.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from scaffold.check.imports.failable import loops
from scaffold.check.imports.plan import first_failures, plan_runs
from scaffold.check.imports.pruning import Entries
from scaffold.check.imports.run_memory import RunId
from scaffold.check.imports.simulation import Failure, simulate_part
from scaffold.check.incremental import split_simulation
from scaffold.check.incremental.split_simulation import simulate_in_forks
from scaffold.check.project import Project

from .check_support import write_tree
from .test_simulation_pruning import _outsiders
from .test_simulation_scaling import _project, _random_tree, _starts, reference_simulation

D = '"""Doc."""\n'


def _in_rounds(project: Project) -> tuple[tuple[Failure, ...], Entries, list[int]]:
    """The failures of both rounds, the rounds, and the second round's runs."""
    planned = plan_runs(_starts(project))
    entries = Entries(project, planned, list(range(len(planned))))
    loud: set[RunId] = set()
    found = simulate_part(project, planned, entries.first, loud=loud)[0]
    second = entries.second(loud)
    found.update(simulate_part(project, planned, second)[0])
    return first_failures(found[index] for index in sorted(found)), entries, second


@pytest.mark.parametrize("batch", range(3))
def test_two_rounds_find_what_every_run_finds(tmp_path: Path, batch: int) -> None:
    left_out = second_rounds = failing = 0
    for number in range(batch * 40, batch * 40 + 40):
        rng = random.Random(number)
        files = _outsiders(rng, _random_tree(rng))
        project = _project(write_tree(tmp_path / str(number), files))
        found, entries, second = _in_rounds(project)
        assert found == reference_simulation(project, _starts(project)), number
        left_out += len(entries.rest) > len(second)
        second_rounds += bool(second)
        failing += bool(found)
    # The graphs leave runs out, send some to the second round, and fail: the test can tell.
    assert left_out >= 10 and second_rounds >= 5 and failing >= 10


def _loud(tmp_path: Path, files: dict[str, str]) -> set[str]:
    """The modules whose runs (of every module, one by one) were loud."""
    project = _project(write_tree(tmp_path, {"p/__init__.py": D, **files}))
    planned = plan_runs(_starts(project))
    loud: set[RunId] = set()
    simulate_part(project, planned, range(len(planned)), loud=loud)
    return {name for _, _, name in loud}


LATE = "from p.a import LATE\n"  # fails while p.a initialises (p.a binds LATE later)
B = "import p.a\nLATE = 1\n"  # p.b's run: p.a runs while p.b initialises


@pytest.mark.parametrize(
    ("a", "loud"),
    [
        # Caught in its own module, at the end of the `try:` body, by a handler that only
        # binds: whether it failed changes no other import.
        ("try:\n    from p.b import LATE\nexcept ImportError:\n    pass\n", set()),
        ("try:\n    from p.b import LATE\nexcept ImportError:\n    LATE = None\n", set()),
        # The body goes on after the failing import: a run that did not fail imports p.c.
        (
            "try:\n    from p.b import LATE\n    import p.c\nexcept ImportError:\n    pass\n",
            {"p.b"},
        ),
        # The handler imports: a run that did not fail does not import p.c.
        ("try:\n    from p.b import LATE\nexcept ImportError:\n    import p.c\n", {"p.b"}),
        # Not caught: reported.
        ("from p.b import LATE\n", {"p.b"}),
    ],
)
def test_a_caught_failure_is_loud_unless_it_leaves_no_trace(
    tmp_path: Path, a: str, loud: set[str]
) -> None:
    # p.a fails in p.b's run only; in p.a's own run p.b loads whole first.
    assert _loud(tmp_path, {"p/a.py": a, "p/b.py": B, "p/c.py": D}) == loud


def test_a_failure_caught_in_a_module_importing_it_drops_it_and_is_loud(tmp_path: Path) -> None:
    files = {"p/a.py": "try:\n    import p.b\nexcept ImportError:\n    pass\nLATE = 1\n"}
    files["p/b.py"] = "import p.c\n"
    files["p/c.py"] = LATE  # fails two frames up: p.c and p.b are dropped
    assert _loud(tmp_path, files) == {"p.a"}


def test_the_second_round_takes_the_runs_reaching_a_loud_run_outside_the_loops(
    tmp_path: Path,
) -> None:
    files = {
        "p/__init__.py": D,
        "p/a.py": "import p.b\nLATE = 1\n",  # p.a's run reports at p/b.py:1
        "p/b.py": LATE,
        "q/__init__.py": D,
        "q/a.py": "import q.b\nX = 1\n",  # a loop that never fails
        "q/b.py": "import q.a\n",
        "z/__init__.py": D,
        "z/near.py": "import z.via\n",  # reaches p.a through z.via
        "z/via.py": "import p.a\n",
        "z/far.py": "import q.a\n",  # reaches only a silent loop
    }
    project = _project(write_tree(tmp_path, files))
    found, entries, second = _in_rounds(project)
    assert found == reference_simulation(project, _starts(project))
    planned = plan_runs(_starts(project))
    names = {planned[index][0][2] for index in second}
    assert names == {"z.near", "z.via"}
    left = {planned[index][0][2] for index in entries.rest} - names
    assert {"z.far", "z", "q", "p"} <= left


def test_a_read_of_a_module_not_imported_here_is_an_edge_of_the_loops(tmp_path: Path) -> None:
    # p.a reads p.b through p, which it imports; p.b imports p.a: a loop by that read alone.
    files = {"p/__init__.py": D, "p/a.py": "import p\nX = p.b.Y\n", "p/b.py": "import p.a\nY = 1\n"}
    project = _project(write_tree(tmp_path, files))
    graph, needed = loops(project)
    assert "p.b" in graph["p.a"]  # keys by module name in this tree
    assert {"p.a", "p.b"} <= needed


@pytest.mark.parametrize("children", [1, 2, 0])
def test_a_large_trees_simulation_runs_in_two_rounds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, children: int
) -> None:
    # children 0: here (few runs); 1: one child, which runs the second round itself; 2: two
    # children, the second round here.
    monkeypatch.setattr(split_simulation, "FORK_MIN_RUNS", 10**9 if children == 0 else 0)
    seconds: list[int] = []
    second = Entries.second

    def counted(self: Entries, loud: set[RunId]) -> list[int]:
        seconds.append(len(found := second(self, loud)))
        return found

    monkeypatch.setattr(Entries, "second", counted)
    fewer = 0
    for seed in range(12):
        rng = random.Random(seed)
        project = _project(write_tree(tmp_path / str(seed), _outsiders(rng, _random_tree(rng))))
        starts = _starts(project)
        monkeypatch.setattr(split_simulation, "ENTRIES_MIN_RUNS", 10**9)
        every = simulate_in_forks(project, starts, children=children or None)()
        monkeypatch.setattr(split_simulation, "ENTRIES_MIN_RUNS", 0)
        rounds = simulate_in_forks(project, starts, children=children or None)()
        assert rounds.failures == every.failures == reference_simulation(project, starts), seed
        fewer += bool(rounds.failures) and rounds.steps < every.steps
    # Every tree went through both rounds (a child's second round is not counted here),
    # and some failing trees were simulated with runs left out.
    assert len(seconds) == (0 if children == 1 else 12) and fewer >= 1
    assert children == 1 or any(seconds)


def test_a_run_below_a_package_that_reaches_a_loud_run_is_in_the_second_round(
    tmp_path: Path,
) -> None:
    # p's run reports (p.a reads LATE from p, still initialising); p.z reaches only q, but it
    # starts from p's state: what p's failure left there is its too.
    files = {
        "p/__init__.py": "import p.a\nLATE = 1\n",
        "p/a.py": "from p import LATE\n",
        "p/z.py": "import q\n",
        "q/__init__.py": "X = 1\n",
    }
    project = _project(write_tree(tmp_path, files))
    found, entries, second = _in_rounds(project)
    assert found == reference_simulation(project, _starts(project))
    planned = plan_runs(_starts(project))
    assert "p.z" in {planned[index][0][2] for index in second}
    assert "q" in {planned[index][0][2] for index in entries.rest} - {
        planned[index][0][2] for index in second
    }
