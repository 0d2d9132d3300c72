"""A replayed import shares the names it left with the kept import, not a copy of them: a
module's names are copied only when the run changes them (State.writable)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from scaffold.check.imports import failable as imports_failable
from scaffold.check.imports import simulator
from scaffold.check.imports.memo import ImportMemo, Kept
from scaffold.check.imports.simulation import simulate_failures
from scaffold.check.imports.state import SharedAliases, State
from scaffold.check.project import Project

from .check_support import write_tree
from .test_simulation_memo import _shared_library
from .test_simulation_scaling import NoMemo, _project, _starts


def _replays_share(
    root: Path, monkeypatch: pytest.MonkeyPatch, shares: Callable[[ImportMemo, Kept], list[bool]]
) -> None:
    """Every replay of a kept import shares what `shares` looks at, and the simulation finds
    what one without the memo finds."""
    monkeypatch.setattr(imports_failable, "_BUDGET", 10**9)
    shared: list[bool] = []
    apply = ImportMemo._apply

    def applied(self: ImportMemo, kept: Kept) -> None:
        apply(self, kept)
        shared.extend(shares(self, kept))

    monkeypatch.setattr(ImportMemo, "_apply", applied)
    project = _project(root)
    result = simulate_failures(project, _starts(project))
    assert shared and all(shared)
    monkeypatch.setattr(simulator, "ImportMemo", NoMemo)
    fresh = simulate_failures(project, _starts(project))
    assert (result.failures, result.steps) == (fresh.failures, fresh.steps)


def test_a_replayed_import_shares_the_names_it_left(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_tree(tmp_path, _shared_library(users=6, depth=5))
    _replays_share(
        root,
        monkeypatch,
        lambda memo, kept: [
            memo.state.bound[key] is bound for key, _, bound, _ in kept.left if bound is not None
        ],
    )


def test_names_shared_with_a_kept_import_are_copied_before_a_change() -> None:
    kept = frozenset({"a", "b"})
    state = State(parent=State(bound={"m": {"x"}}))
    state.bound["m"] = kept
    names = state.writable("m")
    names.add("c")
    assert kept == {"a", "b"}
    assert state.get_bound("m") == {"a", "b", "c"}
    assert state.writable("m") is names
    # A module this state has not changed is still copied from its parent's.
    assert State(parent=state).writable("m") == {"a", "b", "c"}


def test_a_frozen_state_answers_as_its_chain_does() -> None:
    root = State(status={"a": 2, "gone": 0}, bound={"a": {"x"}}, aliases={"a": {"n": "b"}})
    package = State(parent=root, status={"a.b": 1}, bound={"a": {"x", "y"}})
    package.freeze()
    run = State(parent=package)
    assert (run.get_status("a"), run.get_status("a.b"), run.get_status("gone")) == (2, 1, 0)
    assert run.get_status("never") == 0
    assert run.get_bound("a") == {"x", "y"} and not run.get_bound("a.b")
    assert run.get_aliases("a") == {"n": "b"}
    assert run.writable("a") == {"x", "y"} and run.writable("a") is not package.bound["a"]


def test_a_run_below_a_deep_package_reads_its_state_in_one_dict(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = {"a/__init__.py": "", "a/b/__init__.py": "", "a/b/c/__init__.py": ""}
    files["a/b/c/d/__init__.py"] = "from a.b.c.d import m\n"
    files["a/b/c/d/m.py"] = "import a.b.c.d.n\n"
    files["a/b/c/d/n.py"] = "X = 1\n"
    root = write_tree(tmp_path, files)
    depths: list[int] = []
    start = ImportMemo.start

    def started(self: ImportMemo, state: State) -> None:
        start(self, state)
        depths.append(len(self._chain))

    monkeypatch.setattr(ImportMemo, "start", started)
    project = _project(root)
    result = simulate_failures(project, _starts(project))
    # The run's own state, then every package above it in one: not five states deep.
    assert depths and max(depths) == 2
    monkeypatch.setattr(simulator, "ImportMemo", NoMemo)
    assert simulate_failures(project, _starts(project)).failures == result.failures


def test_replayed_imports_do_not_count_towards_the_static_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 30 users replay the same 21-module import: over 8 steps a file, but ~1 module a file
    # executed. The pass (failable) would cost more than the few runs it could skip.
    root = write_tree(tmp_path, _shared_library(users=30, depth=20))
    passes: list[int] = []
    compute = imports_failable.failable

    def counted(project: Project) -> frozenset[str]:
        passes.append(1)
        return compute(project)

    monkeypatch.setattr(imports_failable, "failable", counted)
    project = _project(root)
    result = simulate_failures(project, _starts(project))
    assert result.steps > imports_failable._BUDGET * len(project.files)
    assert passes == []


def test_a_replayed_import_shares_the_aliases_it_left(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = _shared_library(users=6, depth=5)
    files["lib/m0.py"] = "import lib.m1 as one\n" + files["lib/m0.py"]
    root = write_tree(tmp_path, files)
    _replays_share(
        root,
        monkeypatch,
        lambda memo, kept: [
            memo.state.aliases[key] is aliases
            for key, _, _, aliases in kept.left
            if aliases is not None
        ],
    )


def test_aliases_shared_with_a_kept_import_are_copied_before_a_change() -> None:
    kept = SharedAliases({"one": "lib.m1"})
    state = State(parent=State(aliases={"m": {"x": "y"}}))
    state.aliases["m"] = kept
    aliases = state.writable_aliases("m")
    aliases["two"] = "lib.m2"
    assert kept == {"one": "lib.m1"} and hash(kept) == hash(SharedAliases({"one": "lib.m1"}))
    assert state.get_aliases("m") == {"one": "lib.m1", "two": "lib.m2"}
    assert state.writable_aliases("m") is aliases
