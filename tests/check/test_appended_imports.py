"""A partial rerun of the import simulation after statements were appended to a module that
only import: the run stops once they have run without executing a module or reporting,
ending as it did last time, and finds what a check without the cache finds."""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path

import pytest

from scaffold.check import CheckOptions, run_check
from scaffold.check.discover import SourceFile
from scaffold.check.facts import parse_source
from scaffold.check.imports import simulation
from scaffold.check.incremental.runs import RecordedRuns, appended_tail, asked_in
from scaffold.check.model import Diagnostic

from .check_support import DEFAULT, cpython_import, write_tree
from .test_simulation_scaling import D, _random_tree

_BASE = D + "VALUE = 1\n"


def _tail(old: str, new: str, others: tuple[str, ...] = ()) -> int | None:
    """`appended_tail` of two versions of a module, the names asked taken from both and
    from `others` (the modules importing from it)."""
    before, after = parse_source(old), parse_source(new)
    facts = {str(i): parse_source(text) for i, text in enumerate(others)}
    asked = asked_in({**facts, "old": before})
    return appended_tail(before, after, asked)


def test_an_appended_import_binding_a_name_nothing_asks_for_is_a_tail() -> None:
    old = D + "from pkg.base import VALUE\nX = VALUE\n"
    first_new = len(parse_source(old).events)  # the import, then X's binding
    assert first_new == 2
    assert _tail(old, old + "from pkg.base import VALUE as _new\n") == first_new
    assert _tail(old, old + "import pkg.other as _other\n_late = 1\n") == first_new
    assert _tail(old, old + "def later():\n    import pkg.other\n") is not None


@pytest.mark.parametrize(
    ("appended", "others"),
    [
        ("from pkg.base import *\n", ()),  # brings names no one can list
        ("from pkg.base import VALUE\n", ()),  # binds a name asked (of pkg.base)
        ("from pkg.base import VALUE as SEEN\n", ("from pkg.m0 import SEEN\n",)),
        ("import pkg.base\n", ("import x\nY = x.pkg\n",)),  # binds `pkg`, read as x.pkg
        ("from pkg.base import VALUE as __getattr__\n", ()),  # a dunder the simulation reads
        ("try:\n    import pkg.other as _o\nexcept ImportError:\n    pass\n", ()),
        ("import pkg.other as _o\nY = _o.NAME\n", ()),  # an attribute read can fail
        ("SEEN = 1\n", ("from pkg.m0 import SEEN\n",)),  # a new asked name
    ],
)
def test_an_appended_statement_the_simulation_can_see_is_no_tail(
    appended: str, others: tuple[str, ...]
) -> None:
    old = D + "from pkg.base import VALUE\nX = VALUE\n"
    assert _tail(old, old + appended, others) is None


def test_a_statement_inserted_before_the_end_is_no_tail() -> None:
    old = D + "from pkg.base import VALUE\nX = VALUE\n"
    assert _tail(old, D + "import pkg.other as _o\n" + old.removeprefix(D)) is None
    assert _tail(old, D + "from pkg.base import VALUE as X\nX = VALUE\n") is None
    assert _tail(old, old) is None  # nothing appended


def _counting(monkeypatch: pytest.MonkeyPatch) -> tuple[dict[str, int], list[str]]:
    """How many times each module's body is executed in the simulations that follow, and
    the runs that stopped early."""
    executed: dict[str, int] = {}
    ended: list[str] = []
    execute = simulation._Simulator.execute
    ended_as_before = RecordedRuns.ended_as_before

    def counted(self: simulation._Simulator, source: SourceFile) -> None:
        executed[source.module] = executed.get(source.module, 0) + 1
        execute(self, source)

    def counted_end(self: RecordedRuns, run: tuple[str, str, str]) -> object:
        ended.append(run[2])
        return ended_as_before(self, run)

    monkeypatch.setattr(simulation._Simulator, "execute", counted)
    monkeypatch.setattr(RecordedRuns, "ended_as_before", counted_end)
    return executed, ended


def _package(modules: int, extra: str = "") -> dict[str, str]:
    """`pkg` imports `pkg.base`, then `modules` modules one after the other, as sympy's
    `__init__` imports its subpackages; `pkg.extra` is imported by nothing."""
    imports = "".join(f"from pkg import m{index}\n" for index in range(modules))
    files = {
        "pkg/__init__.py": D + "from pkg.base import VALUE\n" + imports + "LATER = 1\n",
        "pkg/base.py": _BASE,
        "pkg/extra.py": D + extra + "EXTRA = 1\n",
    }
    for index in range(modules):
        files[f"pkg/m{index}.py"] = D + f"VALUE{index} = {index}\n"
    return files


def _edit_and_compare(
    tmp_path: Path, files: dict[str, str], appended: str, monkeypatch: pytest.MonkeyPatch
) -> tuple[dict[str, int], list[str], list[Diagnostic]]:
    """Check, append `appended` to pkg.m0, check again through the cache: the modules
    executed then, the runs that stopped early, and the report (equal to a fresh check's)."""
    root = write_tree(tmp_path / "tree", files)
    options = CheckOptions(paths=(root,), select=DEFAULT, cache_dir=tmp_path / "cache")
    run_check(options)
    executed, ended = _counting(monkeypatch)
    edited = root / "pkg" / "m0.py"
    edited.write_text(edited.read_text() + appended, encoding="utf-8")
    cached = run_check(options).diagnostics
    monkeypatch.undo()
    assert cached == run_check(dataclasses.replace(options, use_cache=False)).diagnostics
    return executed, ended, list(cached)


def test_an_appended_import_of_a_loaded_module_ends_the_run_after_its_module(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The benchmark's edit: a new import of a module loaded before. `pkg` runs again up to
    # the end of pkg.m0; the seven modules it imports after that are not executed.
    files = _package(8)
    appended = "from pkg.base import VALUE as _new\n"
    executed, ended, cached = _edit_and_compare(tmp_path, files, appended, monkeypatch)
    assert executed == {"pkg": 1, "pkg.base": 1, "pkg.m0": 1}
    assert ended == ["pkg"]
    assert not [d for d in cached if d.code == "IMP003"]
    assert cpython_import(tmp_path / "tree", "pkg") == (True, "")


@pytest.mark.parametrize(
    "appended",
    [
        "import pkg.extra as _extra\n",  # executes a module not loaded before
        "from pkg import m7 as _later\n",  # executes a submodule sooner than before
        "from pkg.base import VALUE\n",  # binds a name the simulation is asked about
        "from pkg.base import *\n",
    ],
)
def test_an_appended_statement_that_changes_the_run_runs_it_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, appended: str
) -> None:
    executed, ended, _ = _edit_and_compare(tmp_path, _package(8), appended, monkeypatch)
    assert executed["pkg.m7"] == 1
    assert ended == []


def test_an_appended_import_that_fails_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `pkg` binds LATER only after importing pkg.m0: the new import raises, as in CPython.
    # (pkg.extra asks for LATER too, so the edit asks no new name.)
    appended = "from pkg import LATER as _later\n"
    files = _package(8, extra="from pkg import LATER\n")
    executed, ended, cached = _edit_and_compare(tmp_path, files, appended, monkeypatch)
    assert ended == []
    assert executed["pkg.m7"] == 1
    assert [(d.code, Path(d.path).name) for d in cached if d.code == "IMP003"] == [
        ("IMP003", "m0.py")
    ]
    imported, error = cpython_import(tmp_path / "tree", "pkg")
    assert not imported
    assert "cannot import name 'LATER'" in error


def test_a_run_below_a_package_that_ended_early_starts_from_its_whole_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # pkg.extra changed too (pkg's run did not read it): its own run executes again, from
    # the state `pkg` leaves, which the run that ended early never built: `pkg` runs again
    # in full for it, and pkg.extra then finds pkg.m7 loaded (asking no new name).
    root = write_tree(tmp_path / "tree", _package(8))
    options = CheckOptions(paths=(root,), select=DEFAULT, cache_dir=tmp_path / "cache")
    run_check(options)
    executed, ended = _counting(monkeypatch)
    edited = root / "pkg" / "m0.py"
    edited.write_text(edited.read_text() + "from pkg.base import VALUE as _new\n")
    extra = root / "pkg" / "extra.py"
    extra.write_text(extra.read_text() + "import pkg.m7\n")
    cached = run_check(options).diagnostics
    monkeypatch.undo()
    # pkg's run stopped after pkg.m0; its state was then built in full for pkg.extra's
    # run, which stopped too (its new import loads nothing).
    assert ended == ["pkg", "pkg.extra"]
    once = {f"pkg.m{index}": 1 for index in range(1, 8)}
    assert executed == {"pkg": 2, "pkg.base": 2, "pkg.m0": 2, **once, "pkg.extra": 1}
    assert cached == run_check(dataclasses.replace(options, use_cache=False)).diagnostics


def _appended_import(rng: random.Random) -> str:
    package = rng.choice(["p", "q", "p.inner"])
    stem = rng.choice(["a", "b", "c", "d", "e"])
    name = rng.choice(["NAME", "other", "thing"])
    k = rng.randrange(1000)
    return rng.choice(
        [
            f"from {package}.{stem} import {name} as _n{k}\n",
            f"from {package} import {stem} as _s{k}\n",
            f"from {package} import {name} as _t{k}\n",
            f"import {package}.{stem} as _m{k}\n",
            f"import {package} as _p{k}\n",
            f"from {package}.{stem} import {name}\n",
        ]
    )


@pytest.mark.parametrize("batch", range(3))
def test_random_appended_imports_find_what_a_fresh_check_finds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, batch: int
) -> None:
    stopped = 0
    for seed in range(batch * 12, batch * 12 + 12):
        rng = random.Random(seed)
        files = _random_tree(rng)
        root = write_tree(tmp_path / str(seed), files)
        options = CheckOptions(paths=(root,), select=DEFAULT, cache_dir=tmp_path / f"c{seed}")
        run_check(options)
        for _ in range(2):  # a second edit starts from the records the first one kept
            edited = root / rng.choice(sorted(files))
            edited.write_text(edited.read_text() + _appended_import(rng), encoding="utf-8")
            _, ended = _counting(monkeypatch)
            cached = run_check(options).diagnostics
            monkeypatch.undo()
            stopped += len(ended)
            fresh = run_check(dataclasses.replace(options, use_cache=False)).diagnostics
            assert cached == fresh, seed
    assert stopped  # the early end is taken in some of them
