"""The server's in-memory workspace against a fresh `scaffold check`: after any sequence of
edits to open buffers (and buffers closed), each analysis possibly given up part way for a
newer edit, its diagnostics are those of a check of the same contents written to disk."""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scaffold.check import CheckOptions, run_check
from scaffold.check.server.engine import Superseded, Workspace

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
@given(edits=EDITS)
def test_edits_end_where_a_fresh_check_of_the_same_contents_does(
    edits: list[tuple[str, list[str], bool]],
) -> None:
    folder = Path(tempfile.mkdtemp())
    try:
        disk = {rel: "" for rel in FILES}
        for rel, text in disk.items():
            (folder / rel).parent.mkdir(parents=True, exist_ok=True)
            (folder / rel).write_text(text, encoding="utf-8")
        workspace = Workspace()
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
@given(edits=EDITS, stops=st.lists(st.integers(0, 30), min_size=6, max_size=6))
def test_an_analysis_given_up_anywhere_leaves_the_next_one_right(
    edits: list[tuple[str, list[str], bool]], stops: list[int]
) -> None:
    folder = Path(tempfile.mkdtemp())
    try:
        for rel in FILES:
            (folder / rel).parent.mkdir(parents=True, exist_ok=True)
            (folder / rel).write_text("", encoding="utf-8")
        workspace = Workspace()
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
