"""After a one-file edit, the cached check's work follows what the edit can affect.

Counts, not times: how many files' per-file rules run again, how many kept results have
their import edges decoded, and whether the checks over the import graph and over the
tree alone run again. Each edit's report is also compared with a check from scratch.
"""

from __future__ import annotations

import itertools
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

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
    # An import cycle, so that the graph's checks have a finding to keep.
    _write(package / "cyc_a.py", "from pkg import cyc_b\n\nA = cyc_b\n")
    _write(package / "cyc_b.py", "from pkg import cyc_a\n\nB = cyc_a\n")
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
        check_file, unpack, run_checks = analysis.check_file, packed.unpack, registry.run_checks

        def counted_check_file(project: object, source: object, *rest: object) -> object:
            self.computed.append(source.rel)  # type: ignore[attr-defined]
            return check_file(project, source, *rest)  # type: ignore[arg-type]

        def counted_unpack(data: object, kind: type) -> tuple[object, ...]:
            self.unpacked[kind] += 1
            return unpack(data, kind)

        def counted_run_checks(scope: Scope, *rest: object) -> list[Finding]:
            self.scopes[scope] += 1
            return run_checks(scope, *rest)  # type: ignore[arg-type]

        monkeypatch.setattr(analysis, "check_file", counted_check_file)
        monkeypatch.setattr(packed, "unpack", counted_unpack)
        monkeypatch.setattr(analysis, "run_checks", counted_run_checks)

    def reset(self) -> None:
        self.computed.clear()
        self.unpacked.clear()
        self.scopes.clear()


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
    counted = (list(work.computed), Counter(work.unpacked), Counter(work.scopes))
    assert cached.diagnostics == _check(root, use_cache=False).diagnostics
    work.computed[:], work.unpacked, work.scopes = counted
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
    assert work.scopes[Scope.GRAPH] == 1
    assert any(d.code == "IMP002" for d in report.diagnostics)


def test_an_edit_to_a_file_the_graphs_checks_read_runs_them_again(
    warm: tuple[Path, Work],
) -> None:
    root, work = warm
    # cyc_a is in the cycle: IMP002 reads its facts (its noqa comments, how it uses imports).
    _edit_and_check(
        root, work, lambda pkg: _write(pkg / "cyc_a.py", "from pkg import cyc_b  # noqa\n\nA = 1\n")
    )
    assert work.scopes[Scope.GRAPH] == 1


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
