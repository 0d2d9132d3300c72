"""The import simulation's memo: an import replayed where what it reads is unchanged, with
the same failures, steps and final state as executing it again."""

from __future__ import annotations

import dataclasses
import random
import subprocess
import sys
from pathlib import Path

import pytest

from scaffold.check import CheckOptions, run_check
from scaffold.check.discover import SourceFile
from scaffold.check.imports import failable as imports_failable
from scaffold.check.imports import simulation, simulator
from scaffold.check.imports.memo import ImportMemo, Kept
from scaffold.check.imports.simulation import simulate_failures
from scaffold.check.server.engine import Workspace

from .check_support import DEFAULT, write_tree
from .test_simulation_scaling import D, NoMemo, _project, _random_tree, _starts


def _counting(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How many times each module's body is executed by the simulations that follow."""
    executed: dict[str, int] = {}
    execute = simulation._Simulator.execute

    def counted(self: simulation._Simulator, source: SourceFile) -> None:
        executed[source.module] = executed.get(source.module, 0) + 1
        execute(self, source)

    monkeypatch.setattr(simulation._Simulator, "execute", counted)
    return executed


def _shared_library(users: int, depth: int) -> dict[str, str]:
    """`lib.api` imports a chain of `depth` modules; each of `users` modules of `app` imports
    `lib.api` from its package's state, which is the same for all of them."""
    files = {"lib/__init__.py": D, "app/__init__.py": D, "lib/api.py": D + "from lib import m0\n"}
    for index in range(depth):
        after = f"from lib import m{index + 1}\n" if index + 1 < depth else ""
        files[f"lib/m{index}.py"] = D + after + f"VALUE{index} = {index}\n"
    for index in range(users):
        files[f"app/user{index}.py"] = D + "import lib.api\nfrom lib.m0 import VALUE0\n"
    return files


def test_an_import_from_the_same_state_is_executed_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_tree(tmp_path, _shared_library(users=30, depth=20))
    # Nothing here can fail: keep the static pass from skipping the runs the memo saves.
    monkeypatch.setattr(imports_failable, "_BUDGET", 10**9)
    executed = _counting(monkeypatch)
    project = _project(root)
    result = simulate_failures(project, _starts(project))
    # Once from `app`'s state for all 30 users, once from `lib`'s for lib's own modules
    # (which start from a state where `lib` is loaded); executing each import again would
    # run `lib.m5` 32 times.
    assert executed["lib.m5"] <= 3
    assert executed["app.user7"] == 1
    # Steps count every module a run imported, replayed or not: the same as executing all.
    monkeypatch.setattr(simulator, "ImportMemo", NoMemo)
    fresh = simulate_failures(project, _starts(project))
    assert (result.failures, result.steps) == (fresh.failures, fresh.steps)
    assert executed["lib.m5"] > 30


@pytest.mark.parametrize("batch", range(3))
def test_replayed_imports_find_what_executed_ones_find(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, batch: int
) -> None:
    replayed = 0
    replay = ImportMemo.replay

    def counted(
        self: ImportMemo, name: str, scope: str, shaky: bool, dropping: bool
    ) -> Kept | None:
        nonlocal replayed
        kept = replay(self, name, scope, shaky, dropping)
        replayed += kept is not None
        return kept

    monkeypatch.setattr(ImportMemo, "replay", counted)
    for number in range(60):
        rng = random.Random(5000 + batch * 1000 + number)
        root = write_tree(tmp_path / str(number), _random_tree(rng))
        project = _project(root)
        memoised = simulate_failures(project, _starts(project))
        with monkeypatch.context() as fresh:
            fresh.setattr(simulator, "ImportMemo", NoMemo)
            executed = simulate_failures(project, _starts(project))
        assert (memoised.failures, memoised.steps) == (executed.failures, executed.steps), number
    assert replayed > 0  # the trees exercise the replay


def test_a_kept_import_is_not_replayed_where_a_module_it_reads_differs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `pkg.shared` reads NAME from `pkg.base`. In `pkg.a`'s run it imports `pkg.base`
    # whole and runs; in `pkg.base`'s run `pkg.base` is still initialising (CPython:
    # `import pkg.base` raises ImportError there), so its kept import must not be replayed;
    # in its own run it starts where it started in `pkg.a`'s, and is replayed.
    files = {
        "pkg/__init__.py": D,
        "pkg/base.py": D + "import pkg.shared\nNAME = 1\n",
        "pkg/shared.py": D + "from pkg.base import NAME\n",
        "pkg/a.py": D + "import pkg.shared\n",
    }
    root = write_tree(tmp_path, files)
    executed = _counting(monkeypatch)
    project = _project(root)
    failures = simulate_failures(project, _starts(project)).failures
    assert executed["pkg.shared"] == 2
    with monkeypatch.context() as fresh:
        fresh.setattr(simulator, "ImportMemo", NoMemo)
        assert failures == simulate_failures(project, _starts(project)).failures
    assert [project.files[f.key].module for f in failures] == ["pkg.shared"]
    cpython = subprocess.run(
        [sys.executable, "-c", "import pkg.base"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PYTHONPATH": str(root), "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert "ImportError: cannot import name 'NAME'" in cpython.stderr
    options = CheckOptions(paths=(root / "pkg",), select=DEFAULT, use_cache=False)
    found = [d for d in run_check(options).diagnostics if d.code == "IMP003"]
    assert [Path(d.path).name for d in found] == ["shared.py"]


def _package_importing_all(modules: int) -> dict[str, str]:
    """`pkg` imports a chain of `modules` modules on import, as sympy's `__init__` does;
    `pkg.extra` is imported by nothing, so only its own run imports it."""
    files = {"pkg/__init__.py": D + "from pkg import m0\n", "pkg/extra.py": D + "X = 1\n"}
    for index in range(modules):
        after = f"from pkg import m{index + 1}\n" if index + 1 < modules else ""
        files[f"pkg/m{index}.py"] = D + after + f"VALUE{index} = {index}\n"
    return files


def _counting_kept(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the imports the memo keeps in the simulations that follow."""
    kept: list[str] = []
    close = ImportMemo.close

    def counted(self: ImportMemo, outer: int, ident: tuple[str, str], keep: Kept | None) -> None:
        if keep is not None:
            kept.append(ident[1])
        close(self, outer, ident, keep)

    monkeypatch.setattr(ImportMemo, "close", counted)
    return kept


# Appended to pkg.m5: pkg.m9 has loaded by then, so the state comes out the same.
_NEW_IMPORT = "from pkg.m9 import VALUE9 as _new\n"


def test_a_partial_rerun_after_a_new_import_keeps_no_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A new import in pkg.m5 runs `pkg` again, which executes every module once; all other
    # runs are recalled (the package's state came out the same). Kept imports are replayed
    # only by a later run, and there is none: on sympy, keeping them cost a third of the
    # language server's new-import edit.
    root = write_tree(tmp_path / "tree", _package_importing_all(10))
    options = CheckOptions(paths=(root,), select=DEFAULT, cache_dir=tmp_path / "cache")
    run_check(options)
    executed = _counting(monkeypatch)
    kept = _counting_kept(monkeypatch)
    edited = root / "pkg" / "m5.py"
    edited.write_text(edited.read_text() + _NEW_IMPORT, encoding="utf-8")
    cached = run_check(options).diagnostics
    assert executed == {"pkg": 1, **{f"pkg.m{index}": 1 for index in range(10)}}
    assert kept == []
    assert cached == run_check(dataclasses.replace(options, use_cache=False)).diagnostics


def test_the_servers_rerun_after_a_new_import_keeps_no_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_tree(tmp_path / "tree", _package_importing_all(10))
    workspace = Workspace(CheckOptions(select=DEFAULT, use_cache=False, workers=0))
    workspace.add_root(root)
    workspace.analyse()
    executed = _counting(monkeypatch)
    kept = _counting_kept(monkeypatch)
    edited = root / "pkg" / "m5.py"
    workspace.buffers[edited] = edited.read_text() + _NEW_IMPORT
    workspace.analyse()
    assert executed == {"pkg": 1, **{f"pkg.m{index}": 1 for index in range(10)}}
    assert kept == []


def test_the_memo_keeps_from_the_second_run_of_a_rerun(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A new import that loads `pkg.extra` changes the package's state (and asks no new
    # name, so `lib`'s run is recalled): the runs of its users execute again. The first run
    # (the package's) keeps nothing; the users' runs keep `lib.api` and replay it.
    files = _package_importing_all(3) | _shared_library(users=0, depth=5)
    files |= {f"pkg/user{index}.py": D + "import lib.api\n" for index in range(6)}
    root = write_tree(tmp_path / "tree", files)
    options = CheckOptions(paths=(root,), select=DEFAULT, cache_dir=tmp_path / "cache")
    run_check(options)
    executed = _counting(monkeypatch)
    kept = _counting_kept(monkeypatch)
    edited = root / "pkg" / "m0.py"
    edited.write_text(edited.read_text() + "import pkg.extra\n", encoding="utf-8")
    cached = run_check(options).diagnostics
    assert executed["pkg"] == executed["pkg.user5"] == 1
    assert executed["lib.m3"] == 1  # in pkg.user0's run; replayed in the other five
    assert "lib.api" in kept
    assert "pkg" not in kept  # the package run, the first, kept nothing
    assert cached == run_check(dataclasses.replace(options, use_cache=False)).diagnostics


def test_a_runs_first_import_is_kept_only_if_a_module_imports_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `p.a` and `p.c` are imported by no module: only their own runs import them, and no
    # later run can replay them. `p.b` (imported by both) is kept by `p.a`'s run and
    # replayed by its own and `p.c`'s, with the failures of executing it each time.
    files = {
        "p/__init__.py": D,
        "p/a.py": D + "import p.b\nfrom . import d\n",
        "p/b.py": D + "X = 1\n",
        "p/c.py": D + "from p.b import X\n",
        "p/d.py": D,
    }
    monkeypatch.setattr(imports_failable, "_BUDGET", 10**9)
    project = _project(write_tree(tmp_path, files))
    kept = _counting_kept(monkeypatch)
    result = simulate_failures(project, _starts(project))
    assert sorted(kept) == ["p.b", "p.d"]
    monkeypatch.setattr(simulator, "ImportMemo", NoMemo)
    assert simulate_failures(project, _starts(project)) == result


def test_the_files_a_run_read_are_recorded_only_for_a_run_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = {"p/__init__.py": D, "p/a.py": D + "import p.b\n", "p/b.py": D + "import p.c\n"}
    files |= {"p/c.py": D, "p/d.py": D + "import p.b\n"}
    project = _project(write_tree(tmp_path, files))
    recorded: list[frozenset[str]] = []
    close = ImportMemo.close

    def counted(self: ImportMemo, outer: int, ident: tuple[str, str], keep: Kept | None) -> None:
        if keep is not None:
            recorded.append(frozenset(keep.files))
        close(self, outer, ident, keep)

    monkeypatch.setattr(ImportMemo, "close", counted)
    simulate_failures(project, _starts(project))
    assert recorded and not any(recorded)  # nothing asks: none noted
