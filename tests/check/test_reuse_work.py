"""After a one-file edit, the cached check's work follows what the edit can affect.

Counts, not times: how many files' per-file rules run again, how many kept results have
their import edges decoded, and whether the checks over the import graph and over the
tree alone run again. Each edit's report is also compared with a check from scratch.
"""

from __future__ import annotations

import gc
import itertools
import os
import time
import weakref
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

import scaffold.check.analysis as analysis
import scaffold.check.incremental.packed as packed
from scaffold.check import CheckOptions, CheckReport, run_check
from scaffold.check.imports.graph import Edge
from scaffold.check.model import Finding
from scaffold.check.rules import registry
from scaffold.check.rules.unit import Scope

READERS = 40  # modules that import a name from `base`
_MTIMES = itertools.count(time.time_ns() - 3_600_000_000_000, 1_000_000)


def _write(path: Path, content: str) -> None:
    # A never repeated mtime an hour ago: the stat index notices every edit and trusts it.
    path.write_text(content)
    mtime = next(_MTIMES)
    os.utime(path, ns=(mtime, mtime))


def _tree(root: Path) -> Path:
    package = root / "pkg"
    package.mkdir(parents=True)
    _write(package / "__init__.py", "")
    _write(package / "base.py", "VALUE = 1\n")
    _write(package / "leaf.py", "X = 1\n")
    # Two import cycles, so that the graph's checks have findings to keep.
    _write(package / "cyc_a.py", "from pkg import cyc_b\n\nA = cyc_b\n")
    _write(package / "cyc_b.py", "from pkg import cyc_a\n\nB = cyc_a\n")
    _write(package / "ring_a.py", "from pkg import ring_b\n\nA = ring_b\n")
    _write(package / "ring_b.py", "from pkg import ring_a\n\nB = ring_a\n")
    for index in range(READERS):
        _write(
            package / f"m{index}.py",
            f"from pkg.base import VALUE\n\n\ndef f{index}() -> int:\n    return VALUE\n",
        )
    return root


class Work:
    """What one cached run did, counted by monkeypatched steps."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.computed: list[str] = []  # files whose per-file rules ran
        self.unpacked: Counter[type] = Counter()  # stored values decoded, by record type
        self.scopes: Counter[Scope] = Counter()  # project-wide checks run, by scope
        # The graph's files each run of the by-group graph checks (IMP002) was given.
        self.groups: list[tuple[str, ...]] = []
        self.rest = 0  # runs of the other graph checks (the contracts)
        check_file, unpack, run_checks = analysis.check_file, packed.unpack, registry.run_checks
        run_graph_checks = analysis.run_graph_checks

        def counted_check_file(project: object, source: object, *rest: object) -> object:
            self.computed.append(source.rel)  # type: ignore[attr-defined]
            return check_file(project, source, *rest)  # type: ignore[arg-type]

        def counted_unpack(data: object, kind: type) -> tuple[object, ...]:
            self.unpacked[kind] += 1
            return unpack(data, kind)

        def counted_run_checks(scope: Scope, *rest: object) -> list[Finding]:
            self.scopes[scope] += 1
            return run_checks(scope, *rest)  # type: ignore[arg-type]

        def counted_run_graph_checks(context: Any, enabled: Any, by_group: bool) -> list[Finding]:
            self.scopes[Scope.GRAPH] += 1
            if by_group:
                self.groups.append(tuple(sorted(context.graph)))
            else:
                self.rest += 1
            return run_graph_checks(context, enabled, by_group)

        monkeypatch.setattr(analysis, "check_file", counted_check_file)
        monkeypatch.setattr(analysis, "run_graph_checks", counted_run_graph_checks)
        monkeypatch.setattr(packed, "unpack", counted_unpack)
        monkeypatch.setattr(analysis, "run_checks", counted_run_checks)

    def reset(self) -> None:
        self.computed.clear()
        self.unpacked.clear()
        self.scopes.clear()
        self.groups.clear()
        self.rest = 0


def _check(root: Path, *, use_cache: bool = True) -> CheckReport:
    return run_check(CheckOptions(paths=(root,), select=("ALL",), use_cache=use_cache))


@pytest.fixture
def warm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, Work]]:
    root = _tree(tmp_path / "project")
    _check(root)  # the first run: everything computed and stored
    work = Work(monkeypatch)
    yield root, work


def _edit_and_check(root: Path, work: Work, edit: Callable[[Path], None]) -> CheckReport:
    """The cached check after `edit`, its work counted in `work` (then compared with a
    check from scratch, which is not counted)."""
    edit(root / "pkg")
    work.reset()
    cached = _check(root)
    counted = (
        list(work.computed),
        Counter(work.unpacked),
        Counter(work.scopes),
        list(work.groups),
        work.rest,
    )
    assert cached.diagnostics == _check(root, use_cache=False).diagnostics
    work.computed[:], work.unpacked, work.scopes, work.groups[:], work.rest = counted
    return cached


def test_a_new_name_in_a_file_nobody_imports_reruns_that_file_alone(
    warm: tuple[Path, Work],
) -> None:
    root, work = warm
    report = _edit_and_check(root, work, lambda pkg: _write(pkg / "leaf.py", "X = 1\nY = 2\n"))
    assert any(d.code == "IMP002" for d in report.diagnostics)  # kept, not lost
    assert work.computed == ["pkg/leaf.py"]
    # No kept result's edges decoded; the graph's checks did not run again.
    assert work.unpacked[Edge] == 0
    assert work.scopes[Scope.GRAPH] == 0


def test_a_new_name_in_an_imported_file_keeps_its_readers_results(
    warm: tuple[Path, Work],
) -> None:
    root, work = warm
    _edit_and_check(root, work, lambda pkg: _write(pkg / "base.py", "VALUE = 1\nOTHER = 2\n"))
    # Its READERS importers asked about VALUE only, which is still there.
    assert work.computed == ["pkg/base.py"]
    assert work.unpacked[Edge] == 0
    assert work.scopes[Scope.GRAPH] == 0


def test_an_edit_that_changes_the_graph_runs_its_checks_again(warm: tuple[Path, Work]) -> None:
    root, work = warm
    report = _edit_and_check(
        root, work, lambda pkg: _write(pkg / "leaf.py", "from pkg import cyc_a\n\nX = cyc_a\n")
    )
    assert work.computed == ["pkg/leaf.py"]
    # The groups are found again over the whole graph; each group's files are unchanged,
    # so its finding is kept; the other graph checks run again.
    assert work.groups == []
    assert work.rest == 1
    assert any(d.code == "IMP002" for d in report.diagnostics)


def test_an_edit_to_a_file_the_graphs_checks_read_runs_them_again(
    warm: tuple[Path, Work],
) -> None:
    root, work = warm
    # cyc_a is in the cycle: IMP002 reads its facts (its noqa comments, how it uses imports).
    _edit_and_check(
        root, work, lambda pkg: _write(pkg / "cyc_a.py", "from pkg import cyc_b  # noqa\n\nA = 1\n")
    )
    assert work.groups == [("pkg.cyc_a", "pkg.cyc_b")]


def _appended(name: str, text: str) -> Callable[[Path], None]:
    def edit(package: Path) -> None:
        _write(package / name, (package / name).read_text() + text)

    return edit


def _inserted_above(name: str, text: str) -> Callable[[Path], None]:
    def edit(package: Path) -> None:
        _write(package / name, text + (package / name).read_text())

    return edit


@pytest.mark.parametrize(
    "edit",
    [
        _appended("ring_a.py", "NEW = 1\n"),
        _inserted_above("ring_a.py", "def first() -> int:\n    return 1\n\n\n"),
    ],
    ids=["new name", "lines moved"],
)
def test_an_edit_in_an_import_cycle_reruns_the_graph_checks_of_its_group_alone(
    warm: tuple[Path, Work], edit: Callable[[Path], None]
) -> None:
    root, work = warm
    report = _edit_and_check(root, work, edit)
    assert work.computed == ["pkg/ring_a.py"]
    # The groups kept (the file imports what it did); ring's group checked again, from
    # its own two files' edges; the other cycle's finding kept.
    assert work.groups == [("pkg.ring_a", "pkg.ring_b")]
    assert work.unpacked[Edge] <= 1  # ring_b's: no other file's edges decoded
    assert sum(d.code == "IMP002" for d in report.diagnostics) == 2


def test_a_new_import_that_keeps_the_groups_reruns_its_group_alone(
    warm: tuple[Path, Work],
) -> None:
    root, work = warm
    _edit_and_check(root, work, _appended("ring_a.py", "from pkg import ring_b as again\n"))
    assert work.groups == [("pkg.ring_a", "pkg.ring_b")]
    assert work.unpacked[Edge] <= 1


def test_a_damaged_stored_edge_is_derived_again(
    warm: tuple[Path, Work], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, work = warm
    unpack = packed.unpack

    def undecodable(data: object, kind: type) -> tuple[object, ...]:
        if kind is Edge:
            raise ValueError("damaged")
        return unpack(data, kind)

    monkeypatch.setattr(packed, "unpack", undecodable)
    # The graph's checks run again (cyc_b's edges changed) and read every kept file's edges.
    _edit_and_check(
        root, work, lambda pkg: _write(pkg / "cyc_b.py", "from pkg import cyc_a, base\n\nB = 1\n")
    )


def test_the_checks_of_the_tree_run_again_as_they_read_sources_too(
    warm: tuple[Path, Work],
) -> None:
    root, work = warm
    # PKG003 reports a package folder `import` cannot name, unless a module beside it loads
    # it by name with importlib: a check of the tree that reads sources, not only the tree.
    (root / "pkg" / "bad-name").mkdir()
    _write(root / "pkg" / "bad-name" / "__init__.py", "")
    assert any(d.code == "PKG003" for d in _check(root).diagnostics)
    loader = (
        "import importlib\n\n\n"
        "def load() -> object:\n"
        '    return importlib.import_module("pkg.bad-name")\n'
    )
    report = _edit_and_check(root, work, lambda pkg: _write(pkg / "leaf.py", loader))
    assert not any(d.code == "PKG003" for d in report.diagnostics)
    assert work.scopes[Scope.TREE] == 1


def test_the_contracts_stay_whole_graph_checks_kept_while_every_edge_holds(
    warm: tuple[Path, Work],
) -> None:
    root, work = warm
    (root / "pyproject.toml").write_text(
        '[project]\nname = "pkg"\n\n[[tool.scaffold.check.contracts]]\nname = "leaf alone"\n'
        'type = "forbidden"\nsource-modules = ["pkg.leaf"]\nforbidden-modules = ["pkg.base"]\n'
    )
    _write(root / "pkg" / "leaf.py", "from pkg import base\n\nX = base\n")
    assert any(d.code == "ARC002" for d in _check(root).diagnostics)
    # A new name: every edge as stored, the contract's finding kept.
    report = _edit_and_check(root, work, _appended("leaf.py", "Y = 2\n"))
    assert work.rest == 0
    assert any(d.code == "ARC002" for d in report.diagnostics)
    # Lines moved: the contract runs again (its finding is at the import's new line).
    report = _edit_and_check(root, work, _inserted_above("leaf.py", "Z = 0\n"))
    assert work.rest == 1
    assert [d.line for d in report.diagnostics if d.code == "ARC002"] == [2]
    # The import gone: so is the finding.
    report = _edit_and_check(root, work, lambda pkg: _write(pkg / "leaf.py", "X = 1\n"))
    assert not any(d.code == "ARC002" for d in report.diagnostics)


def test_a_run_with_contracts_leaves_no_project_behind(
    warm: tuple[Path, Work], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The contracts cache the module graph by the graph they saw; that graph must not keep
    # the run's results, and through their edges the whole project, alive after the run
    # (freeing it at exit cost ~0.3 s CPU on sympy).
    root, work = warm
    (root / "pyproject.toml").write_text(
        '[project]\nname = "pkg"\n\n[[tool.scaffold.check.contracts]]\nname = "leaf alone"\n'
        'type = "forbidden"\nsource-modules = ["pkg.leaf"]\nforbidden-modules = ["pkg.base"]\n'
        "include-function-imports = true\n"
    )
    _check(root)
    projects: list[weakref.ref[object]] = []
    graph_checks = analysis._graph_checks

    def held(tree: Any, project: Any, *rest: Any) -> Any:
        projects.append(weakref.ref(project))
        return graph_checks(tree, project, *rest)

    monkeypatch.setattr(analysis, "_graph_checks", held)
    _edit_and_check(root, work, _appended("leaf.py", "Y = 2\n"))
    assert work.rest == 1  # the contract read every file's facts: it ran again
    gc.collect()
    assert projects and all(project() is None for project in projects)


def test_a_new_import_decodes_only_the_facts_its_rerun_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The simulation worked out which modules some file imports from every file's facts, at
    # its start: a cached check after a new import decoded all of them (sympy: 0.15 -> 0.22 s).
    import scaffold.check.incremental.store as store

    root = _tree(tmp_path / "project")
    options = CheckOptions(paths=(root,))  # the default rules (ALL's SUP001 reads them all)
    run_check(options)
    decoded: list[int] = []
    real = store.decode_facts  # type: ignore[attr-defined]

    def counted(data: bytes) -> object:
        decoded.append(1)
        return real(data)

    monkeypatch.setattr(store, "decode_facts", counted)
    _appended("leaf.py", "from pkg import base as again\n")(root / "pkg")
    cached = run_check(options)
    # leaf.py is parsed anew; what its run and its rules read (base.py) is what is decoded.
    assert 0 < len(decoded) <= 4, len(decoded)
    assert cached.diagnostics == run_check(replace(options, use_cache=False)).diagnostics
