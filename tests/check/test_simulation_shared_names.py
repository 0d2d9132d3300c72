"""A replayed import shares the names it left with the kept import, not a copy of them: a
module's names are copied only when the run changes them (State.writable)."""

from __future__ import annotations

from pathlib import Path

import pytest

from scaffold.check.imports import failable as imports_failable
from scaffold.check.imports import simulation
from scaffold.check.imports.memo import ImportMemo, Kept
from scaffold.check.imports.simulation import simulate_failures
from scaffold.check.imports.state import State

from .check_support import write_tree
from .test_simulation_memo import _shared_library
from .test_simulation_scaling import NoMemo, _project, _starts


def test_a_replayed_import_shares_the_names_it_left(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_tree(tmp_path, _shared_library(users=6, depth=5))
    monkeypatch.setattr(imports_failable, "_BUDGET", 10**9)
    shared: list[bool] = []
    apply = ImportMemo._apply

    def applied(self: ImportMemo, kept: Kept) -> None:
        apply(self, kept)
        shared.extend(
            self.state.bound[key] is bound for key, _, bound, _ in kept.left if bound is not None
        )

    monkeypatch.setattr(ImportMemo, "_apply", applied)
    project = _project(root)
    result = simulate_failures(project, _starts(project))
    assert shared and all(shared)
    monkeypatch.setattr(simulation, "ImportMemo", NoMemo)
    fresh = simulate_failures(project, _starts(project))
    assert (result.failures, result.steps) == (fresh.failures, fresh.steps)


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
