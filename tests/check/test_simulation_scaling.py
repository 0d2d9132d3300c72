"""The import-time simulation skips what cannot fail, and finds exactly what it found before.

`reference_simulation` is the simulation's driver as it was before the static pass
(imports.failable): every module of the project imported from its package's state. The
differential test compares it with `simulate_failures` over random import graphs full of
cycles; the ring tests count the modules the simulation executes.
"""

from __future__ import annotations

import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from scaffold.check import CheckOptions, run_check
from scaffold.check.discover import SourceFile, discover
from scaffold.check.imports import failable as imports_failable
from scaffold.check.imports import simulation
from scaffold.check.imports.failable import failable
from scaffold.check.imports.memo import ImportMemo, Kept
from scaffold.check.imports.simulation import Failure, Ref, simulate_failures
from scaffold.check.pipeline import resolve
from scaffold.check.project import Project

from .check_support import DEFAULT, write_tree


def _starts(project: Project) -> list[SourceFile]:
    # As analysis._import_time_starts picks them.
    return [
        source
        for source in project.files.values()
        if source.module
        and not source.is_stub
        and not source.is_extension
        and not source.key.endswith("#file")
    ]


def reference_simulation(project: Project, starts: list[SourceFile]) -> tuple[Failure, ...]:
    """Every start module imported in a fresh (simulated) interpreter, none skipped, and
    every import executed (none replayed from the simulation's memo)."""
    simulator = simulation._Simulator(project)
    simulator.memo = NoMemo()
    states: dict[tuple[str, str], simulation.State] = {}

    def state_of(scope: str, name: str) -> simulation.State:
        if not name:
            return simulation.State()
        if (scope, name) not in states:
            state = simulation.State(parent=state_of(scope, name.rpartition(".")[0]))
            found[("package", scope, name)] = tuple(simulator.run(name, scope, state))
            states[(scope, name)] = state
        return states[(scope, name)]

    found: dict[tuple[str, str, str], tuple[Failure, ...]] = {}
    for source in sorted(starts, key=lambda s: (s.scope, s.module.count("."), s.module)):
        name, scope = source.module, source.scope
        if source.is_package:
            state_of(scope, name)
            continue
        base = state_of(scope, name.rpartition(".")[0])
        if base.get_status(source.key) == simulation._DONE:
            found[("module", scope, name)] = ()
            continue
        state = simulation.State(parent=base)
        found[("module", scope, name)] = tuple(simulator.run(name, scope, state))
    failures: dict[tuple[str, Ref], Failure] = {}
    for run in found.values():
        for failure in run:
            failures.setdefault((failure.key, failure.at), failure)
    return tuple(failures.values())


class NoMemo(ImportMemo):
    """A memo that keeps imports but never replays one: every import is executed."""

    def replay(self, name: str, scope: str, shaky: bool, dropping: bool) -> Kept | None:
        return None


def _project(root: Path) -> Project:
    return resolve(discover(root)).project


D = '"""Module."""\n'


def _statement(rng: random.Random, stems: list[str], packages: list[str], focus: float) -> str:
    """One top-level statement, mostly imports between first-party modules; the kind at
    `focus` (a fraction of the list) if given, so that a graph's only statements able to
    raise are of one kind and a kind the static pass misses shows."""
    other = rng.choice(packages)
    stem = rng.choice(stems)
    name = rng.choice(["NAME", "other", "thing"])
    k = rng.randrange(1000)
    choices = [
        f"from {other} import {stem}",
        f"from {other} import {name}",
        f"from {other}.{stem} import {name}",
        f"from .{stem} import {name}",
        f"from . import {stem}",
        f"import {other}.{stem}",
        f"import {other}.{stem} as alias{k}",
        f"import {other}.{stem}\nV{k} = {other}.{stem}.{name}",
        f"import {other}\nW{k} = {other}.{stem}.{name}",
        f"from {other} import {stem}\nX{k} = {stem}.{name}",
        f"from {other}.{stem} import *",
        f"try:\n    from {other}.{stem} import {name}\nexcept ImportError:\n    pass",
        f"if V:\n    import {other}.{stem}",
        # The control flow the simulator follows: each can raise where a plain import
        # cannot, or run imports a plain reading of the top level would not see.
        f"try:\n    from {other}.{stem} import {name}\nexcept ImportError:\n"
        f"    from {other} import {name}",
        f"try:\n    import {other}.{stem}\n    Z{k} = {other}.{stem}.{name}\n"
        f"except (ImportError, AttributeError):\n    Z{k} = None",
        # Handlers that do not catch what the guarded statement raises.
        f"try:\n    from {other}.{stem} import {name}\nexcept ModuleNotFoundError:\n"
        f"    {name} = None",
        f"try:\n    import {other}.{stem}\n    Z{k} = {other}.{stem}.{name}\n"
        f"except ImportError:\n    Z{k} = None",
        f"if sys.version_info >= (3, 0):\n    from {other} import {name}\n"
        f"else:\n    from {other} import {stem}",
        f"if sys.version_info < (3, 0):\n    from {other}.{stem} import *\nS{k} = 1",
        f"from {other}.{stem} import *\nU{k} = {name}",
        f"from {other} import *\nU{k} = {name}",
        f"def load{k}():\n    from {other}.{stem} import {name}\n    return {name}\n"
        f"L{k} = load{k}()",
        "def __getattr__(attr):\n    raise AttributeError(attr)",
        "import os\nY = os.path.join",
        f"{name} = {k}",
    ]
    if focus < 0:
        return rng.choice(choices)
    return choices[int(focus * len(choices))]


def _random_tree(rng: random.Random) -> dict[str, str]:
    packages = ["p", "q", "p.inner"][: rng.randint(1, 3)]
    stems = ["a", "b", "c", "d", "e"][: rng.randint(2, 5)]
    files: dict[str, str] = {}
    focus = rng.choice([-1.0, rng.random()])
    for package in packages:
        folder = package.replace(".", "/")
        for stem in ["__init__", *stems]:
            # Most modules import only submodules (which cannot fail), as cycles in big
            # trees often do; the rest draw from every kind of statement.
            quiet = rng.random() < 0.6
            body = []
            for _ in range(rng.randint(0, 4)):
                if quiet:
                    body.append(f"from {rng.choice(packages)} import {rng.choice(stems)}")
                else:
                    body.append(_statement(rng, stems, packages, focus))
            defined = rng.sample(["NAME", "other", "thing"], rng.randint(0, 2))
            body += [f"{n} = {i}" for i, n in enumerate(defined)]
            files[f"{folder}/{stem}.py"] = D + "import sys\nV = 0\n" + "\n".join(body) + "\n"
    return files


@pytest.mark.parametrize("batch", range(4))
def test_the_simulation_finds_what_the_reference_finds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, batch: int
) -> None:
    # Skip from the first run on, not only once the runs have grown costly: small graphs.
    monkeypatch.setattr(imports_failable, "_BUDGET", 0)
    skipped = found = 0
    for number in range(60):
        rng = random.Random(batch * 1000 + number)
        root = write_tree(tmp_path / str(number), _random_tree(rng))
        project = _project(root)
        starts = _starts(project)
        expected = reference_simulation(project, starts)
        assert simulate_failures(project, starts).failures == expected, number
        skipped += len(starts) - len(failable(project))
        found += bool(expected)
    # The graphs exercise both sides: runs skipped, and failures found and kept.
    assert skipped > 0 and found > 0


# `pkg.b` fails only while `pkg.a` (which imports it first) is initialising: the run of
# `pkg.a` finds it, and `b`'s statement is the only one of the tree that can raise.
ONLY_SOURCE = {
    "star-import-then-a-use": ("from pkg.a import *\nU = NAME", "NameError"),
    "handler-that-does-not-catch": (
        "try:\n    from pkg.a import NAME\nexcept ModuleNotFoundError:\n    NAME = None",
        "ImportError",
    ),
    "read-in-a-try": (
        "import pkg.a\ntry:\n    U = pkg.a.NAME\nexcept ImportError:\n    U = None",
        "AttributeError",
    ),
    "version-branch": (
        "import sys\nif sys.version_info >= (3, 0):\n    from pkg.a import NAME",
        "ImportError",
    ),
    "function-called-at-import": (
        "def load():\n    from pkg.a import NAME\n    return NAME\n\n\nU = load()",
        "ImportError",
    ),
}


@pytest.mark.parametrize("statement,raised", ONLY_SOURCE.values(), ids=ONLY_SOURCE.keys())
def test_a_run_whose_only_failure_is_control_flow_is_not_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, statement: str, raised: str
) -> None:
    monkeypatch.setattr(imports_failable, "_BUDGET", 0)
    files = {"pkg/__init__.py": D, "pkg/a.py": D + "from pkg import b\nNAME = 1\n"}
    files["pkg/b.py"] = D + statement + "\n"
    root = write_tree(tmp_path, files)
    cpython = subprocess.run(
        [sys.executable, "-c", "import pkg.a"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PYTHONPATH": str(root), "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert cpython.stderr.strip().splitlines()[-1].startswith(raised + ":"), cpython.stderr
    project = _project(root)
    starts = _starts(project)
    failures = simulate_failures(project, starts).failures
    assert failures == reference_simulation(project, starts)
    assert [project.files[f.key].module for f in failures] == ["pkg.b"]


def _ring(size: int, statement: str) -> dict[str, str]:
    """pkg.sub0.mod0 ... modN-1, each importing the next (the last the first)."""
    files = {"pkg/__init__.py": D, "pkg/sub0/__init__.py": D + "helper = 1\n"}
    for index in range(size):
        line = statement.format(next=(index + 1) % size)
        files[f"pkg/sub0/mod{index}.py"] = D + line + "\nVALUE = 1\n"
    return files


RINGS = {
    "submodule": "from pkg.sub0 import mod{next}",
    "relative-submodule": "from . import mod{next}",
    "plain-import": "import pkg.sub0.mod{next}",
    "name-from-finished-package": "from pkg.sub0 import mod{next}\nfrom pkg.sub0 import helper",
    "external-attribute": "import os\nfrom pkg.sub0 import mod{next}\nX = os.path.sep",
}


@pytest.fixture
def deep_recursion() -> Iterator[None]:
    # As `analysis.analyse` sets it: a run through the ring nests one import per module.
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10_000))
    yield
    sys.setrecursionlimit(limit)


@pytest.mark.usefixtures("deep_recursion")
@pytest.mark.parametrize("statement", RINGS.values(), ids=RINGS.keys())
def test_a_long_ring_is_simulated_in_linear_steps(tmp_path: Path, statement: str) -> None:
    project = _project(write_tree(tmp_path, _ring(400, statement)))
    result = simulate_failures(project, _starts(project))
    assert result.failures == ()
    # Each of the 400 runs used to walk the whole ring: 160,000 modules executed. Now runs
    # go on until they cost `_BUDGET` modules per file, and the rest are skipped.
    assert result.steps <= 10 * 400


def test_a_ring_that_can_fail_is_still_simulated_in_full(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(imports_failable, "_BUDGET", 0)
    # mod0 reads a name mod1 binds only after importing mod2, ... : every run may fail.
    files = _ring(30, "from pkg.sub0 import mod{next}\nfrom pkg.sub0.mod{next} import VALUE")
    project = _project(write_tree(tmp_path, files))
    starts = _starts(project)
    result = simulate_failures(project, starts)
    assert result.failures == reference_simulation(project, starts)
    assert len(result.failures) == 30
    assert result.steps >= 30 * 30


@pytest.mark.usefixtures("deep_recursion")
def test_a_cached_check_of_a_ring_reports_what_a_fresh_one_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Skipped runs are not stored: after an edit that lets the ring fail, the cached check
    # must decide them again and find what a check without the cache finds.
    monkeypatch.setattr(imports_failable, "_BUDGET", 0)
    root = write_tree(tmp_path / "tree", _ring(30, "from pkg.sub0 import mod{next}"))

    def report(use_cache: bool) -> list[tuple[str, str, int]]:
        options = CheckOptions(paths=(root / "pkg",), select=DEFAULT, use_cache=use_cache)
        found = run_check(options).diagnostics
        return sorted((d.code, d.path, d.line) for d in found if d.code == "IMP003")

    assert report(True) == report(False) == []
    mod5 = root / "pkg" / "sub0" / "mod5.py"
    mod5.write_text(mod5.read_text() + "from pkg.sub0.mod6 import VALUE as SEEN\n")
    fresh = report(False)
    assert ("IMP003", "sub0/mod5.py", 4) in fresh
    assert report(True) == fresh
