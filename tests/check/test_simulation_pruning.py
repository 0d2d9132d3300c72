"""The runs a large tree's simulation leaves out (imports.pruning) change nothing it finds.

The simulation without them is compared with the reference simulation (every run, every
import executed) over random import graphs with modules outside their loops that import
into them in every order, under `try:`s and through attribute reads; a first run's record
of them, with what a fresh check reports after an edit that makes them able to fail.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from scaffold.check import CheckOptions, run_check
from scaffold.check.imports.plan import first_failures, plan_runs
from scaffold.check.imports.pruning import silent
from scaffold.check.imports.simulation import Failure, simulate_part
from scaffold.check.incremental import run as incremental_run
from scaffold.check.incremental import split_simulation
from scaffold.check.incremental.runs import asked_in
from scaffold.check.incremental.split_recording import record_in_forks
from scaffold.check.incremental.split_simulation import simulate_in_forks
from scaffold.check.project import Project

from .check_support import DEFAULT, write_tree
from .test_simulation_scaling import _project, _random_tree, _starts, reference_simulation

D = '"""Doc."""\n'


def _pruned(project: Project) -> tuple[tuple[Failure, ...], int]:
    """The simulation with the silent runs left out, as `simulate_in_forks` runs it; and how
    many runs it left out."""
    planned = plan_runs(_starts(project))
    left_out = silent(project, planned)
    running = [index for index in range(len(planned)) if index not in left_out]
    found = simulate_part(project, planned, running)[0]
    return first_failures(found[index] for index in sorted(found)), len(left_out)


def _outsiders(rng: random.Random, files: dict[str, str]) -> dict[str, str]:
    """`files` with a package `z` whose modules are in no loop: each imports modules of the
    others' loops, in a random order, some under `try:`, some read through an attribute."""
    modules = sorted(
        path.removesuffix(".py").replace("/", ".").removesuffix(".__init__") for path in files
    )
    out = dict(files)
    out["z/__init__.py"] = D
    for number in range(rng.randint(1, 4)):
        lines = []
        for module in rng.sample(modules, min(len(modules), rng.randint(1, 4))):
            kind = rng.randrange(4)
            if kind == 0:
                lines.append(f"import {module}")
            elif kind == 1:
                lines.append(f"try:\n    import {module}\nexcept ImportError:\n    pass")
            elif kind == 2 and "." in module:
                parent, _, last = module.rpartition(".")
                lines.append(f"from {parent} import {last}")
            else:
                lines.append(f"import {module}\nR{number} = {module}.NAME")
        out[f"z/m{number}.py"] = D + "\n".join(lines) + "\n"
    return out


@pytest.mark.parametrize("batch", range(4))
def test_leaving_out_silent_runs_finds_what_every_run_finds(tmp_path: Path, batch: int) -> None:
    left = failing = 0
    for number in range(50):
        rng = random.Random(7000 + batch * 100 + number)
        files = _random_tree(rng)
        if rng.random() < 0.7:
            files = _outsiders(rng, files)
        project = _project(write_tree(tmp_path / str(number), files))
        pruned, left_out = _pruned(project)
        expected = reference_simulation(project, _starts(project))
        assert pruned == expected, number
        left += left_out
        failing += bool(expected)
    # Runs are left out, and the graphs fail: the comparison can tell.
    assert left > 0 and failing >= 5


def test_the_runs_left_out_are_those_of_modules_importing_nothing_first_party(
    tmp_path: Path,
) -> None:
    files = {
        "p/__init__.py": D,
        "p/a.py": D + "import p.b\nA = 1\n",
        "p/b.py": D + "from p.a import A\nB = 1\n",
        "p/chain.py": D + "import p.lone\n",
        "p/relative.py": D + "from . import lone\n",
        "p/later.py": D + "def load():\n    import p.lone\n",  # any import counts
        "p/lone.py": "from __future__ import annotations\nimport os\nfrom json import dumps\n",
        "p/broken.py": D + "import p.a\ndef (\n",  # does not parse: runs nothing
    }
    project = _project(write_tree(tmp_path, files))
    planned = plan_runs(_starts(project))
    left_out = {planned[index][0][2]: reads for index, reads in silent(project, planned).items()}
    # Keyed by file (here the module's name): each depends on its own file only.
    assert left_out == {"p": ("p",), "p.lone": ("p.lone",), "p.broken": ("p.broken",)}


def _codes(root: Path, *, use_cache: bool = True) -> list[tuple[str, str, int, str]]:
    options = CheckOptions(paths=(root,), select=DEFAULT, use_cache=use_cache)
    return sorted((d.code, d.path, d.line, d.message) for d in run_check(options).diagnostics)


def test_an_edit_that_closes_a_loop_through_left_out_runs_is_found_by_the_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A first run split across children (as on a large tree) records the runs it leaves
    # out; an edit to the file of one of them makes it able to fail.
    monkeypatch.setattr(incremental_run, "_FORK_MIN_FILES", 1)
    monkeypatch.setattr(split_simulation, "SPLIT_MIN_RUNS", 0)
    root = write_tree(
        tmp_path,
        {
            "p/__init__.py": D,
            "p/a.py": D + "import p.b\nA = 1\n",
            "p/b.py": D + "B = 1\n",
            "p/into.py": D + "import p.a\n",
        },
    )
    assert _codes(root) == _codes(root, use_cache=False) == []
    (root / "p/b.py").write_text(D + "from p.a import A\nB = 1\n")
    after = _codes(root)
    assert after == _codes(root, use_cache=False)
    assert "IMP003" in [code for code, *_ in after]


@pytest.mark.parametrize("record", [False, True])
def test_few_runs_left_are_simulated_in_this_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, record: bool
) -> None:
    def no_fork(work: object) -> object:
        raise AssertionError("forked")

    monkeypatch.setattr(split_simulation, "start_in_fork", no_fork)
    for number in range(10):
        project = _project(write_tree(tmp_path / str(number), _random_tree(random.Random(number))))
        starts = _starts(project)
        expected = reference_simulation(project, starts)
        if record:
            recorded = record_in_forks(project, starts, asked_in(project.facts))()
            assert recorded is not None and recorded[0] == expected
        else:
            assert simulate_in_forks(project, starts)().failures == expected
