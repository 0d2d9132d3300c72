"""The server's in-memory workspace against a fresh `scaffold check`: after any sequence of
edits to open buffers (and buffers closed), each analysis possibly given up part way for a
newer edit, its diagnostics are those of a check of the same contents written to disk."""

from __future__ import annotations

import contextlib
import dataclasses
import shutil
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scaffold.check import CheckOptions, run_check
from scaffold.check.model import Diagnostic
from scaffold.check.pipeline import CheckedTree
from scaffold.check.server.engine import RootState, Superseded, Workspace
from scaffold.check.server.files import FirstRead, read_root

FILES = ("pkg/__init__.py", "pkg/a.py", "pkg/b.py", "pkg/sub/__init__.py", "pkg/sub/c.py")
LINES = st.sampled_from(
    [
        "from . import a",
        "from .a import f",
        "from .b import g",
        "from .sub import c",
        "from .sub.c import h",
        "from pkg.a import *",
        "from .. import b",
        "import draw",
        "def f() -> None: pass",
        "def g() -> None: pass",
        "h = 1",
        "g = f",
        '__all__ = ["f", "g"]',
        '__all__ = ["h", "h"]',
        "print(1)  # noqa: IMP009",
        "# a comment",
    ]
)
EDITS = st.lists(
    st.tuples(st.sampled_from(FILES), st.lists(LINES, max_size=5), st.booleans()),
    min_size=1,
    max_size=6,
)


def _fresh(contents: dict[str, str]) -> list[tuple[object, ...]]:
    """`scaffold check` of `contents` written to a new folder."""
    folder = Path(tempfile.mkdtemp())
    try:
        for rel, text in contents.items():
            (folder / rel).parent.mkdir(parents=True, exist_ok=True)
            (folder / rel).write_text(text, encoding="utf-8")
        report = run_check(CheckOptions(paths=(folder,), use_cache=False, workers=0))
        return sorted(dataclasses.astuple(d) for d in report.diagnostics)
    finally:
        shutil.rmtree(folder)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(edits=EDITS, watching=st.booleans())
def test_edits_end_where_a_fresh_check_of_the_same_contents_does(
    edits: list[tuple[str, list[str], bool]], watching: bool
) -> None:
    # watching: the editor reports changes on disk (none here), so a read after an edit
    # takes only the buffers from the last read's tables.
    folder = Path(tempfile.mkdtemp())
    try:
        disk = {rel: "" for rel in FILES}
        for rel, text in disk.items():
            (folder / rel).parent.mkdir(parents=True, exist_ok=True)
            (folder / rel).write_text(text, encoding="utf-8")
        workspace = Workspace()
        workspace.watching = watching
        workspace.add_root(folder)
        workspace.analyse()
        for rel, lines, close in edits:
            path = folder / rel
            if close:
                workspace.buffers.pop(path, None)
            else:
                workspace.buffers[path] = "\n".join(lines) + "\n"
            found = workspace.analyse()
        contents = {rel: workspace.buffers.get(folder / rel, disk[rel]) for rel in FILES}
        served = sorted(
            dataclasses.astuple(d) for diagnostics in found.values() for d in diagnostics
        )
        assert served == _fresh(contents)
    finally:
        shutil.rmtree(folder)


def _stop_at(checkpoint: int) -> Callable[[], bool]:
    """A `stop` that says a newer edit arrived at the given checkpoint of the analysis."""
    calls = iter(range(checkpoint, -1, -1))
    return lambda: next(calls, 0) == 0


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    edits=EDITS,
    stops=st.lists(st.integers(0, 30), min_size=6, max_size=6),
    watching=st.booleans(),
)
def test_an_analysis_given_up_anywhere_leaves_the_next_one_right(
    edits: list[tuple[str, list[str], bool]], stops: list[int], watching: bool
) -> None:
    folder = Path(tempfile.mkdtemp())
    try:
        for rel in FILES:
            (folder / rel).parent.mkdir(parents=True, exist_ok=True)
            (folder / rel).write_text("", encoding="utf-8")
        workspace = Workspace()
        workspace.watching = watching
        workspace.add_root(folder)
        workspace.analyse()
        given_up = 0
        for (rel, lines, close), checkpoint in zip(edits, stops, strict=False):
            if close:
                workspace.buffers.pop(folder / rel, None)
            else:
                workspace.buffers[folder / rel] = "\n".join(lines) + "\n"
            try:
                workspace.analyse(_stop_at(checkpoint))
            except Superseded:
                given_up += 1
        if stops[0] == 0:  # the first checkpoint stops: at least that run was given up
            assert given_up >= 1
        found = workspace.analyse()
        contents = {rel: workspace.buffers.get(folder / rel, "") for rel in FILES}
        served = sorted(
            dataclasses.astuple(d) for diagnostics in found.values() for d in diagnostics
        )
        assert served == _fresh(contents)
    finally:
        shutil.rmtree(folder)


def _codes(found: dict[Path, list[Diagnostic]]) -> list[str]:
    return sorted(d.code for diagnostics in found.values() for d in diagnostics)


@pytest.mark.parametrize("watching", [False, True])
def test_a_file_changed_on_disk_is_read_by_its_stat_or_when_the_editor_says(
    tmp_path: Path, watching: bool
) -> None:
    (tmp_path / "pkg").mkdir()
    init = tmp_path / "pkg/__init__.py"
    init.write_text('__all__ = ["f"]\n', encoding="utf-8")
    workspace = Workspace()
    workspace.add_root(tmp_path)
    workspace.watching = watching
    assert _codes(workspace.analyse()) == ["EXP001"]
    init.write_text('__all__ = ["f"]\n\n\ndef f() -> None:\n    pass\n', encoding="utf-8")
    # Watched: a file the editor has not named is not stat'ed again (no stat of every file
    # per edit); unwatched: its size and mtime show the change.
    assert _codes(workspace.analyse()) == ([] if not watching else ["EXP001"])
    workspace.files_changed([init])
    assert _codes(workspace.analyse()) == []


def test_the_tree_checks_run_again_only_when_the_tree_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import scaffold.check.server.engine as engine
    from scaffold.check.analysis import check_tree
    from scaffold.check.discover import Tree
    from scaffold.check.model import Finding

    runs: list[int] = []

    def counted(tree: Tree, enabled: frozenset[str]) -> list[Finding]:
        runs.append(1)
        return check_tree(tree, enabled)

    monkeypatch.setattr(engine, "check_tree", counted)
    for rel in ("pkg/__init__.py", "pkg/util.py", "pkg/util/__init__.py", "pkg/a.py"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("", encoding="utf-8")
    workspace = Workspace()
    workspace.add_root(tmp_path)
    assert _codes(workspace.analyse()) == ["PKG004"]
    for text in ("x = 1\n", "x = 2\n", "import os\n"):
        workspace.buffers[tmp_path / "pkg/a.py"] = text
        assert "PKG004" in _codes(workspace.analyse())
    assert len(runs) == 1  # edits keep the tree, and its findings
    (tmp_path / "pkg/util.py").unlink()
    workspace.files_changed([tmp_path / "pkg/util.py"])
    assert "PKG004" not in _codes(workspace.analyse())
    assert len(runs) == 2


def test_a_change_named_by_its_folder_is_still_read_while_watching(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    init = tmp_path / "pkg/__init__.py"
    init.write_text('__all__ = ["f"]\n', encoding="utf-8")
    workspace = Workspace()
    workspace.add_root(tmp_path)
    workspace.watching = True
    assert _codes(workspace.analyse()) == ["EXP001"]
    init.write_text('__all__ = ["f"]\n\n\ndef f() -> None:\n    pass\n', encoding="utf-8")
    workspace.files_changed([tmp_path / "pkg"])  # the editor names the folder, not the file
    assert _codes(workspace.analyse()) == []


@pytest.mark.parametrize("stop_at", [0, 1, 2, 3])
def test_a_change_on_disk_read_by_an_analysis_given_up_is_seen_by_the_next(
    tmp_path: Path, stop_at: int
) -> None:
    # While watching, a read after an edit takes only the files marked changed from the last
    # read's tables; a read given up part way must leave the ones it took still marked.
    (tmp_path / "pkg").mkdir()
    init, a = tmp_path / "pkg/__init__.py", tmp_path / "pkg/a.py"
    init.write_text('__all__ = ["f"]\n', encoding="utf-8")
    a.write_text("", encoding="utf-8")
    workspace = Workspace()
    workspace.watching = True
    workspace.add_root(tmp_path)
    workspace.buffers[a] = "x = 1\n"
    assert _codes(workspace.analyse()) == ["EXP001"]
    init.write_text('__all__ = ["f"]\n\n\ndef f() -> None:\n    pass\n', encoding="utf-8")
    workspace.files_changed([init])
    workspace.buffers[a] = "x = 2\n"
    with contextlib.suppress(Superseded):
        workspace.analyse(_stop_at(stop_at))
    assert _codes(workspace.analyse()) == []


def test_the_graph_checks_run_again_only_when_an_import_edge_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As `scaffold check` keeps them from its cache: an edit that changes no file's import
    # edges keeps the cycle search's findings.
    import scaffold.check.analysis as analysis
    from scaffold.check.model import Finding

    graph_runs: list[int] = []
    run_graph_checks = analysis.run_graph_checks

    def counted(context: Any, enabled: frozenset[str], by_group: bool) -> list[Finding]:
        # The whole graph's checks (a cycle group's own run only when its files change).
        if not by_group:
            graph_runs.append(1)
        return run_graph_checks(context, enabled, by_group)

    monkeypatch.setattr(analysis, "run_graph_checks", counted)
    files = {
        "pkg/__init__.py": "",
        "pkg/a.py": "from . import b\n",
        "pkg/b.py": "from . import a\n",
    }
    files["pkg/c.py"] = ""
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    workspace = Workspace()
    workspace.add_root(tmp_path)
    c = tmp_path / "pkg/c.py"
    # (the text of c.py, the graph checks run so far): a new name or a comment keeps them,
    # an import (a new edge) runs them again.
    expected = [("", 1), ("x = 1\n", 1), ("x = 1\n# c\n", 1), ("from . import a\n", 2)]
    expected += [("from . import a\ny = 2\n", 2), ("", 3)]
    for text, runs in expected:
        workspace.buffers[c] = text
        assert "IMP002" in _codes(workspace.analyse())
        assert len(graph_runs) == runs, text


def test_a_file_grown_past_max_file_size_on_disk_is_skipped_and_noted(tmp_path: Path) -> None:
    # The first read goes through the parsing pool's reader, a file changed later through the
    # server's own: both skip a file larger than max-file-size, as `scaffold check` does.
    (tmp_path / "pkg").mkdir()
    limit = '[project]\nname = "demo"\n\n[tool.scaffold.check]\nmax-file-size = 100\n'
    (tmp_path / "pyproject.toml").write_text(limit, encoding="utf-8")
    module = tmp_path / "pkg/__init__.py"
    module.write_text('__all__ = ["f"]\n', encoding="utf-8")
    workspace = Workspace()
    workspace.add_root(tmp_path)
    assert _codes(workspace.analyse()) == ["EXP001"]
    assert workspace.notes == ()
    module.write_text('__all__ = ["f"]\n' + "# padding\n" * 20, encoding="utf-8")
    assert _codes(workspace.analyse()) == []
    assert len(workspace.notes) == 1 and "pkg/__init__.py" in workspace.notes[0]
    assert workspace.notes[0].startswith("skipped pkg/__init__.py: larger than max-file-size")


def test_a_buffer_broken_before_the_first_analysis_stands_on_the_disks_facts(
    tmp_path: Path,
) -> None:
    # An editor that opens a file and types into it before the server's first analysis
    # (the first diagnostics come from a forked check meanwhile): the half-typed buffer
    # has no last good facts of its own, and the file on disk stands in for them, as it
    # would had the server read it first.
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg/__init__.py").write_text("", encoding="utf-8")
    a = tmp_path / "pkg/a.py"
    a.write_text("from .b import h\n\n\ndef f() -> None:\n    pass\n", encoding="utf-8")
    (tmp_path / "pkg/b.py").write_text("from .a import f\n\n\ndef h() -> None:\n    f()\n")
    workspace = Workspace()
    workspace.add_root(tmp_path)
    workspace.buffers[a] = a.read_text(encoding="utf-8") + "def g(:\n"
    found = workspace.analyse()
    assert [d.code for d in found[a]] == ["SYN001"]
    assert [d.code for d in found[tmp_path / "pkg/b.py"]] == ["IMP003"]


class _HeldRead(Future[FirstRead]):
    """A first read whose result an analysis waits for until the test lets it go, and which
    says when the analysis has started waiting (it has taken the read by then)."""

    def __init__(self) -> None:
        super().__init__()
        self.asked = threading.Event()

    def result(self, timeout: float | None = None) -> FirstRead:
        self.asked.set()
        return super().result(timeout)


def _configured(tmp_path: Path) -> Path:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "demo"\n', encoding="utf-8")
    (tmp_path / "pkg/__init__.py").write_text('__all__ = ["missing"]\n', encoding="utf-8")
    return tmp_path


_IGNORING = '[project]\nname = "demo"\n\n[tool.scaffold.check]\nignore = ["EXP001"]\n'


def test_a_configuration_saved_while_the_first_read_is_taken_is_applied_next(
    tmp_path: Path,
) -> None:
    # The server's first analysis runs in a thread while the editor goes on: it takes the
    # first read (discovered before the save) and the event loop invalidates the tree
    # meanwhile. The tree the thread then stores must not stand for the new configuration.
    base = _configured(tmp_path)
    options = CheckOptions(workers=0)
    before = read_root(base, options)
    held = _HeldRead()
    root = RootState(base, options, held)
    analysed: list[list[str]] = []
    thread = threading.Thread(target=lambda: analysed.append(_root_codes(root.analyse({}))))
    thread.start()
    assert held.asked.wait(timeout=60)
    (base / "pyproject.toml").write_text(_IGNORING, encoding="utf-8")
    root.invalidate()  # the editor's save, on the event loop
    held.set_result(before)
    thread.join(timeout=60)
    assert analysed == [["EXP001"]]  # the analysis of the tree as it was read
    assert _root_codes(root.analyse({})) == []


def test_a_configuration_saved_before_the_first_analysis_drops_the_first_read(
    tmp_path: Path,
) -> None:
    base = _configured(tmp_path)
    options = CheckOptions(workers=0)
    read: Future[FirstRead] = Future()
    read.set_result(read_root(base, options))
    root = RootState(base, options, read)
    (base / "pyproject.toml").write_text(_IGNORING, encoding="utf-8")
    root.invalidate()
    assert _root_codes(root.analyse({})) == []


def _root_codes(checked: CheckedTree) -> list[str]:
    return [d.code for d in checked.diagnostics]
